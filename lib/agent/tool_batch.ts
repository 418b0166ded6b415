/**
 * The tool calls of one assistant message. Consecutive calls of read-only tools run concurrently;
 * a call that writes, runs a command or names an unknown tool runs alone, after everything before it
 * and before everything after it. Results are emitted and appended in the order of the calls, each
 * as soon as it and every call before it are done; partial output streams live from every running
 * call. Images follow all the results, one user message per call that returned any.
 * @module
 */

import type { AgentEvent, AssembledToolCall, ContentPart, ImagePart, Message, Tool } from "../core/mod.ts";
import { type CallContext, prepareCall, type PreparedCall, runCall, runsConcurrently } from "./tool_call.ts";

/** What running a batch needs: the tools, the call context, and where messages go. */
export interface BatchContext extends Omit<CallContext, "update"> {
  tools: readonly Tool[];
  /** Appends a message to the conversation and returns its event. */
  append(message: Message): AgentEvent;
}

/** The note a call gets when the run was interrupted before it started. */
export const SKIPPED = "Tool call skipped: the user interrupted the run before it started.";

/** Splits prepared calls into groups that run together: runs of concurrent calls, others alone. */
export function groupCalls(calls: readonly PreparedCall[]): PreparedCall[][] {
  const groups: PreparedCall[][] = [];
  for (const call of calls) {
    const last = groups.at(-1);
    if (last && runsConcurrently(call) && runsConcurrently(last[0])) last.push(call);
    else groups.push([call]);
  }
  return groups;
}

/** Runs the calls of one assistant message and yields their events, results in call order. */
export async function* runToolCalls(
  calls: readonly AssembledToolCall[],
  ctx: BatchContext,
): AsyncGenerator<AgentEvent> {
  const images: { id: string; parts: ImagePart[] }[] = [];
  for (const group of groupCalls(calls.map((call) => prepareCall(call, ctx.tools)))) {
    if (ctx.signal.aborted) {
      for (const call of group) {
        yield ctx.append({ role: "tool", tool_call_id: call.id, content: SKIPPED });
        yield { type: "tool_result", id: call.id, name: call.name, isError: true, text: SKIPPED };
      }
      continue;
    }
    for (const call of group) yield { type: "tool_call", id: call.id, name: call.name, args: call.args };
    yield* runGroup(group, ctx, images);
  }
  for (const { id, parts } of images) {
    const note: ContentPart = {
      type: "text",
      text: `Image${parts.length > 1 ? "s" : ""} from tool call ${id}:`,
    };
    yield ctx.append({ role: "user", content: [note, ...parts] });
  }
}

/** Runs one group's calls at once, passing on their updates as they come and their results in order. */
async function* runGroup(
  group: readonly PreparedCall[],
  ctx: BatchContext,
  images: { id: string; parts: ImagePart[] }[],
): AsyncGenerator<AgentEvent> {
  const updates: AgentEvent[] = [];
  const outcomes: (Awaited<ReturnType<typeof runCall>> | undefined)[] = group.map(() => undefined);
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  group.forEach((call, i) => {
    const update = (text: string) => {
      updates.push({ type: "tool_update", id: call.id, name: call.name, text });
      poke();
    };
    void runCall(call, { ...ctx, update }).then((outcome) => {
      outcomes[i] = outcome;
      poke();
    });
  });
  let next = 0;
  while (next < group.length) {
    const waiting = new Promise<void>((resolve) => (wake = resolve));
    yield* updates.splice(0);
    for (let outcome = outcomes[next]; outcome !== undefined; outcome = outcomes[++next]) {
      const call = group[next];
      yield ctx.append({ role: "tool", tool_call_id: call.id, content: outcome.text });
      yield {
        type: "tool_result",
        id: call.id,
        name: call.name,
        isError: outcome.isError,
        text: outcome.text,
        ...(outcome.details ? { details: outcome.details } : {}),
      };
      if (outcome.images.length > 0) images.push({ id: call.id, parts: outcome.images });
    }
    if (next < group.length && updates.length === 0) await waiting;
  }
  yield* updates.splice(0);
}
