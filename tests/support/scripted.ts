/**
 * A scripted model for agent tests: the assistant turns a test expects, as provider deltas, and a
 * provider that answers each request with the next of them (recording what it was sent).
 * @module
 */

import type {
  AgentEvent,
  AssembledToolCall,
  ChatRequest,
  Provider,
  ProviderDelta,
} from "../../lib/core/mod.ts";

/** An assistant turn that calls `calls`, with reasoning when given. */
export function calling(calls: AssembledToolCall[], reasoning?: string): ProviderDelta[] {
  return [
    ...(reasoning ? [{ type: "thinking", text: reasoning } as const] : []),
    {
      type: "done",
      reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        ...(reasoning ? { reasoning_content: reasoning } : {}),
        tool_calls: calls.map((c) => ({
          id: c.id,
          type: "function" as const,
          function: { name: c.name, arguments: c.arguments },
        })),
      },
      toolCalls: calls,
    },
  ];
}

/** An assistant turn that answers `text` and stops. */
export function answering(text: string): ProviderDelta[] {
  return [
    { type: "text", text },
    { type: "done", reason: "stop", message: { role: "assistant", content: text }, toolCalls: [] },
  ];
}

/** A provider whose nth request (from 1) gets `turn(request, n)`; `requests` holds copies of each. */
export function scripted(
  turn: (request: ChatRequest, n: number) => ProviderDelta[] | Promise<ProviderDelta[]>,
): { provider: Provider; requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  const provider: Provider = {
    async *stream(request) {
      requests.push(structuredClone(request));
      yield* await turn(request, requests.length);
    },
    listModels: () => Promise.resolve([]),
  };
  return { provider, requests };
}

/** Every event of a run. */
export async function drain(events: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
