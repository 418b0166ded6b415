/**
 * The loop: a boundary step before every model call, a streamed turn, the tool calls, again until the
 * model answers without tools. It orchestrates and nothing else: the provider, the tools and the
 * boundary come in as arguments, every change goes through the conversation, everything comes out
 * as events.
 * @module
 */

import {
  addUsage,
  type AgentEvent,
  type AssistantMessage,
  type ContentPart,
  contentText,
  type Message,
  type Provider,
  type ProviderDelta,
  type StopReason,
  type Tool,
  type Usage,
  ZERO_USAGE,
} from "../core/mod.ts";
import type { Conversation } from "./conversation.ts";
import { RepeatCounter, runToolCalls } from "./tool_batch.ts";
import type { BeforeToolCall } from "./tool_call.ts";

/** What one run of the loop works with. */
export interface LoopContext {
  conversation: Conversation;
  provider: Provider;
  /**
   * The tools, asked for before every model call: a change between two calls of a run (an MCP
   * server's list changed) counts from the next one. A turn's calls run against what its request offered.
   */
  tools(): readonly Tool[];
  cwd: string;
  signal: AbortSignal;
  env?: (name: string) => string | undefined;
  /**
   * Runs before every model call: delivers steering, compacts when due (finished jobs plug in here
   * too). Returning `{ stop }` ends the run with that error.
   */
  boundary(): AsyncGenerator<AgentEvent, { stop: string } | void>;
  /**
   * Called once per run when the endpoint rejects a request as too long for the context; true when it
   * made room (compacted), so the request is sent again.
   */
  recover?(): AsyncGenerator<AgentEvent, boolean>;
  /** Whether the boundary has something to deliver (steering typed while the last answer streamed). */
  pending(): boolean;
  /** The next follow-up, taken when the agent would otherwise stop. */
  followUp(): string | undefined;
  beforeToolCall?: BeforeToolCall;
  acceptsImages?: (model: string) => boolean;
  /** Most model calls in one run (`--max-turns`); unlimited when undefined. */
  maxTurns?: number;
}

type Done = Extract<ProviderDelta, { type: "done" }>;

/** What a run has gathered so far, for its closing `agent_end`. */
interface RunState {
  turn: number;
  usage: Usage;
  /** The text of the latest answer. */
  text: string;
  reason: StopReason;
  error: string;
  /** The tools the current turn's request offered. */
  offered: readonly Tool[];
}

/** Runs the loop for one user input; every tool call the model made gets a result, even on abort. */
export async function* runLoop(input: string | ContentPart[], ctx: LoopContext): AsyncGenerator<AgentEvent> {
  const { conversation, signal } = ctx;
  const run: RunState = {
    turn: 0,
    usage: { ...ZERO_USAGE },
    text: "",
    reason: "stop",
    error: "",
    offered: ctx.tools(),
  };
  const repeats = new RepeatCounter();
  yield {
    type: "agent_start",
    model: conversation.model,
    cwd: ctx.cwd,
    tools: run.offered.map((t) => t.name),
  };
  let next: Message | undefined = { role: "user", content: input };
  let recovered = false;
  while (true) {
    // Steering left from an interrupted run is delivered before the new prompt, in the order typed.
    const verdict = yield* ctx.boundary();
    if (next) yield conversation.append(next);
    next = undefined;
    const limit = ctx.maxTurns !== undefined && run.turn >= ctx.maxTurns
      ? `Stopped after ${ctx.maxTurns} model calls (--max-turns ${ctx.maxTurns}); send a new prompt to go on, or raise the limit.`
      : undefined;
    if (verdict || limit) {
      yield* fail(run, verdict?.stop ?? limit!);
      break;
    }
    yield { type: "turn_start", turn: ++run.turn };
    run.offered = ctx.tools();
    const done: Done = yield* streamTurn(ctx, run);
    if (done.contextOverflow && !recovered && ctx.recover) {
      // Too long for the context: make room once and send it again.
      recovered = true;
      yield { type: "turn_end", turn: run.turn, reason: done.reason };
      if (yield* ctx.recover()) continue;
      yield* fail(run, done.error ?? "the request was too long for the model's context", {
        contextOverflow: true,
      });
      break;
    }
    [run.reason, run.text] = [done.reason, contentText(done.message.content)];
    if (done.reason === "error" || done.reason === "aborted") {
      yield* endCutTurn(done, ctx, run);
      break;
    }
    yield conversation.append(withValidArguments(done.message));
    if (done.toolCalls.length > 0) {
      yield* runToolCalls(done.toolCalls, {
        ...ctx,
        tools: run.offered,
        acceptsImages: ctx.acceptsImages?.(conversation.model) ?? true,
        append: (message, options) => conversation.append(message, options),
        repeats,
      });
    }
    yield { type: "turn_end", turn: run.turn, reason: done.reason };
    if (signal.aborted) {
      // A complete answer stays complete; an interrupted tool turn is what was cut short.
      if (done.toolCalls.length > 0) run.reason = "aborted";
      break;
    }
    if (done.toolCalls.length > 0 || ctx.pending()) continue;
    const followUp = ctx.followUp();
    if (followUp === undefined) break;
    yield { type: "queue", kind: "followup", text: followUp };
    next = { role: "user", content: followUp };
  }
  yield {
    type: "agent_end",
    text: run.text,
    reason: run.reason,
    usage: run.usage,
    turns: run.turn,
    ...(run.error ? { error: run.error } : {}),
  };
}

/** Ends the run with an error. */
function* fail(
  run: RunState,
  message: string,
  extra: { contextOverflow?: boolean } = {},
): Generator<AgentEvent> {
  [run.reason, run.error] = ["error", message];
  yield { type: "error", message, ...extra };
}

/** The note an interrupted answer ends with, so the model knows why it stopped. */
export const INTERRUPTED_NOTE = "[Interrupted by the user.]";

/**
 * A turn whose stream failed or was interrupted: what the model said is kept, never its tool calls
 * (a broken stream's calls may be incomplete, and running them could repeat unfinished work).
 */
async function* endCutTurn(done: Done, ctx: LoopContext, run: RunState): AsyncGenerator<AgentEvent> {
  if (done.reason === "aborted") {
    const content = run.text ? `${run.text}\n\n${INTERRUPTED_NOTE}` : INTERRUPTED_NOTE;
    yield ctx.conversation.append({ role: "assistant", content });
  } else {
    if (run.text) yield ctx.conversation.append({ role: "assistant", content: run.text });
    yield* fail(
      run,
      done.error ?? "the model request failed",
      done.contextOverflow ? { contextOverflow: true } : {},
    );
  }
  yield { type: "turn_end", turn: run.turn, reason: done.reason };
}

/** Streams one model call, passing on its deltas; returns the final `done` delta. */
async function* streamTurn(
  ctx: LoopContext,
  run: { usage: Usage; offered: readonly Tool[] },
): AsyncGenerator<AgentEvent, Done> {
  const { conversation } = ctx;
  const request = {
    model: conversation.model,
    messages: conversation.messages,
    tools: run.offered.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })),
  };
  for await (const delta of ctx.provider.stream(request, ctx.signal)) {
    switch (delta.type) {
      case "text":
        yield { type: "text_delta", text: delta.text };
        break;
      case "thinking":
        yield { type: "thinking_delta", text: delta.text };
        break;
      case "usage":
        run.usage = addUsage(run.usage, delta.usage);
        yield { type: "usage", usage: delta.usage, total: run.usage };
        break;
      case "retry":
        yield { ...delta, type: "retry" };
        break;
      case "done":
        return delta;
    }
  }
  const message: AssistantMessage = { role: "assistant", content: null };
  return {
    type: "done",
    reason: "error",
    message,
    toolCalls: [],
    error: "the model stream ended without a result",
  };
}

/**
 * The assistant message as it is kept for later requests: tool-call arguments that are not a JSON
 * object become `{}`, since some endpoints reject a history holding malformed arguments. The tool's
 * error result already told the model what was wrong with what it sent.
 */
function withValidArguments(message: AssistantMessage): AssistantMessage {
  if (!message.tool_calls?.some((call) => !isJsonObject(call.function.arguments))) return message;
  return {
    ...message,
    tool_calls: message.tool_calls.map((call) =>
      isJsonObject(call.function.arguments)
        ? call
        : { ...call, function: { ...call.function, arguments: "{}" } }
    ),
  };
}

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}
