/**
 * Rebuilding a conversation from its events: what saved sessions, `--resume`, job monitors and tests
 * rely on. Pure.
 * @module
 */

import type { AgentEvent } from "./events.ts";
import type { Message } from "./messages.ts";

/** The messages with `prompt` as the system prompt: the first message replaced, or put first. */
export function applySystemPrompt(messages: readonly Message[], prompt: string): Message[] {
  const system: Message = { role: "system", content: prompt };
  return messages[0]?.role === "system" ? [system, ...messages.slice(1)] : [system, ...messages];
}

/** The messages after a compaction: stubs in place of pruned results, the summary in place of the replaced. */
export function applyCompaction(
  messages: readonly Message[],
  compaction: Extract<AgentEvent, { type: "compaction" }>,
): Message[] {
  const pruned = new Map(compaction.pruned.map((p) => [p.index, p.content]));
  const stubbed = messages.map((m, i): Message =>
    m.role === "tool" && pruned.has(i) ? { ...m, content: pruned.get(i)! } : m
  );
  if (!compaction.summary) return stubbed;
  const start = stubbed[0]?.role === "system" ? 1 : 0;
  return [
    ...stubbed.slice(0, start),
    ...compaction.kept.map((i) => stubbed[i]),
    compaction.summary,
    ...stubbed.slice(start + compaction.replaced),
  ];
}

/** What {@link replay} rebuilds. */
export interface Replayed {
  messages: Message[];
  /** The model of the last `model_change`, if there was one. */
  model?: string;
}

/**
 * Rebuilds a conversation from its events, in order. Events that are not conversation changes
 * (deltas, tool progress, usage) are skipped, so a whole JSON-mode stream can be passed as it is.
 * @example
 * ```ts
 * const { messages } = replay(events); // the array the next request would send
 * ```
 */
export function replay(events: Iterable<AgentEvent>, start: Replayed = { messages: [] }): Replayed {
  let messages = [...start.messages];
  let model = start.model;
  for (const event of events) {
    switch (event.type) {
      case "message":
        messages.push(event.message);
        break;
      case "model_change":
        model = event.model;
        break;
      case "system_prompt":
        messages = applySystemPrompt(messages, event.prompt);
        break;
      case "clear":
        messages = messages.filter((m) => m.role === "system");
        break;
      case "compaction":
        messages = applyCompaction(messages, event);
        break;
    }
  }
  return model === undefined ? { messages } : { messages, model };
}
