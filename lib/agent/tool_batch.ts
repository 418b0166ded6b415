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
  /** Appends a message to the conversation and returns its event (`isError` for a failed call's result). */
  append(message: Message, options?: { isError?: boolean }): AgentEvent;
  /** Counts calls repeated with the same arguments across the run's turns. */
  repeats?: RepeatCounter;
}

/** Identical calls in a row after which the model is told it is repeating itself. */
export const REPEAT_LIMIT = 5;

/** Counts how many times in a row the same tool was called with the same arguments. */
export class RepeatCounter {
  #last = "";
  #count = 0;

  /** Records a call; returns how many identical calls in a row it makes. */
  see(name: string, args: unknown): number {
    const key = `${name}\u0000${typeof args === "string" ? args : canonical(args)}`;
    this.#count = key === this.#last ? this.#count + 1 : 1;
    this.#last = key;
    return this.#count;
  }
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
}

function repeatNote(count: number): string {
  return `\n\n[nanocode: this is call ${count} in a row with the same tool and the same arguments, so the result will not change. Try something different, or answer with what you have.]`;
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
  const prepared = calls.map((call) => prepareCall(call, ctx.tools));
  const repeated = new Map(prepared.map((call) => [call.id, ctx.repeats?.see(call.name, call.args) ?? 1]));
  for (const group of groupCalls(prepared)) {
    if (ctx.signal.aborted) {
      for (const call of group) {
        yield ctx.append({ role: "tool", tool_call_id: call.id, content: SKIPPED }, { isError: true });
        yield { type: "tool_result", id: call.id, name: call.name, isError: true, text: SKIPPED };
      }
      continue;
    }
    for (const call of group) {
      yield typeof call.args === "string"
        ? { type: "tool_call", id: call.id, name: call.name, args: {}, rawArgs: call.args }
        : { type: "tool_call", id: call.id, name: call.name, args: call.args };
    }
    yield* runGroup(group, ctx, images, repeated);
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
  repeated: ReadonlyMap<string, number>,
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
      const times = repeated.get(call.id) ?? 1;
      if (times >= REPEAT_LIMIT) outcome = { ...outcome, text: outcome.text + repeatNote(times) };
      yield ctx.append({ role: "tool", tool_call_id: call.id, content: outcome.text }, {
        isError: outcome.isError,
      });
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
