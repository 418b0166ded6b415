/**
 * Assembly of a streamed chat completion: tool-call fragments into whole calls, content into text and
 * reasoning, and the last chunk's finish reason and usage into the final `done` delta. Each quirk of
 * the endpoints in the wild (see PROTOCOLS.md, "Chunks and tool calls") is handled here, in one place.
 * @module
 */

import type { AssistantMessage, ToolCallWire, Usage } from "../core/messages.ts";
import type { AssembledToolCall, ProviderDelta, StopReason } from "../core/provider.ts";
import { ReasoningCollector, ThinkSplitter } from "./reasoning.ts";

interface OpenCall {
  id: string;
  name: string;
  args: string;
  /** Set once the call was handed out as a `tool_call` delta. */
  done?: AssembledToolCall;
}

type Json = Record<string, unknown>;

const NONE: readonly AssembledToolCall[] = Object.freeze([]);

/**
 * Joins tool-call deltas into whole calls. Calls are keyed by `index` (or, when a server leaves it
 * out, by position in the delta's array). At an occupied index a delta opens a new call only when the
 * open one is clearly finished: its arguments already parse as complete JSON and the delta names a
 * function and brings a new id or arguments of its own. So parallel calls sent all at index 0 split
 * apart, while a call whose every chunk carries a fresh id (or re-sends the name) stays whole.
 */
export class ToolCallAssembler {
  #calls: OpenCall[] = [];
  #byKey = new Map<number, OpenCall>();

  /** Number of calls seen so far. */
  get size(): number {
    return this.#calls.length;
  }

  /**
   * Feeds the `tool_calls` array of one delta. Returns the calls that this delta showed to be
   * complete (earlier calls with complete arguments, once a new one starts).
   */
  push(deltas: readonly unknown[]): readonly AssembledToolCall[] {
    let completed: AssembledToolCall[] | undefined;
    for (let i = 0; i < deltas.length; i++) {
      const d = deltas[i];
      if (d === null || typeof d !== "object") continue;
      const delta = d as Json;
      const key = typeof delta.index === "number" ? delta.index : i;
      const fn = (delta.function ?? {}) as Json;
      const name = typeof fn.name === "string" && fn.name !== "" ? fn.name : undefined;
      const id = typeof delta.id === "string" && delta.id !== "" ? delta.id : undefined;
      const rawArgs = fn.arguments;
      let call = this.#byKey.get(key);
      if (call && name !== undefined && startsNewCall(call, id, name, rawArgs)) call = undefined;
      if (!call) {
        completed = this.#completeFinished(completed);
        call = { id: id ?? "", name: "", args: "" };
        this.#calls.push(call);
        this.#byKey.set(key, call);
      } else if (!call.id && id) call.id = id;
      if (name !== undefined) call.name = name;
      if (typeof rawArgs === "string") call.args += rawArgs;
      else if (rawArgs !== null && typeof rawArgs === "object") call.args = JSON.stringify(rawArgs);
    }
    return completed ?? NONE;
  }

  /** Hands out every call not yet handed out (at the finish reason, or the end of the stream). */
  flush(): readonly AssembledToolCall[] {
    let out: AssembledToolCall[] | undefined;
    for (let i = 0; i < this.#calls.length; i++) {
      const call = this.#calls[i];
      if (call.done || isEmpty(call)) continue;
      (out ??= []).push(this.#finish(call, i));
    }
    return out ?? NONE;
  }

  /** Every call in the order the model made them, arguments as sent (`{}` when none were sent). */
  calls(): AssembledToolCall[] {
    const out: AssembledToolCall[] = [];
    for (let i = 0; i < this.#calls.length; i++) {
      const call = this.#calls[i];
      if (isEmpty(call)) continue;
      out.push(
        call.done && call.done.arguments === normalArgs(call.args) ? call.done : this.#finish(call, i),
      );
    }
    return out;
  }

  #completeFinished(into: AssembledToolCall[] | undefined): AssembledToolCall[] | undefined {
    for (let i = 0; i < this.#calls.length; i++) {
      const call = this.#calls[i];
      if (!call.done && !isEmpty(call) && isCompleteJson(call.args)) {
        (into ??= []).push(this.#finish(call, i));
      }
    }
    return into;
  }

  #finish(call: OpenCall, position: number): AssembledToolCall {
    if (!call.id) call.id = `call_${position}`;
    call.done = { id: call.id, name: call.name, arguments: normalArgs(call.args) };
    return call.done;
  }
}

function startsNewCall(call: OpenCall, id: string | undefined, name: string, rawArgs: unknown): boolean {
  const newId = id !== undefined && call.id !== "" && id !== call.id;
  if (call.args === "") return newId && name !== call.name;
  const hasArgs = rawArgs !== undefined && rawArgs !== null && rawArgs !== "";
  return (newId || hasArgs) && isCompleteJson(call.args);
}

function isEmpty(call: OpenCall): boolean {
  return call.name === "" && call.args === "";
}

function normalArgs(args: string): string {
  return args.trim() === "" ? "{}" : args;
}

/** True when `text` is one complete JSON object or array (cheap rejection before parsing). */
export function isCompleteJson(text: string): boolean {
  let end = text.length - 1;
  while (end >= 0 && text.charCodeAt(end) <= 32) end--;
  if (end < 0) return false;
  const last = text.charCodeAt(end);
  if (last !== 125 && last !== 93) return false; // "}" or "]"
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Maps a wire `finish_reason` to a stop reason; unknown values read as `stop`. */
export function stopReason(finishReason: string): StopReason {
  switch (finishReason) {
    case "stop":
    case "length":
    case "tool_calls":
    case "content_filter":
    case "error":
      return finishReason;
    case "function_call":
      return "tool_calls";
    case "max_tokens":
      return "length";
    default:
      return "stop";
  }
}

/** Reads an OpenAI `usage` object; undefined when it holds no token counts. */
export function readUsage(raw: unknown): Usage | undefined {
  if (raw === null || typeof raw !== "object") return undefined;
  const u = raw as Json;
  const prompt = num(u.prompt_tokens);
  const completion = num(u.completion_tokens);
  if (prompt === undefined && completion === undefined) return undefined;
  const usage: Usage = {
    promptTokens: prompt ?? 0,
    completionTokens: completion ?? 0,
    totalTokens: num(u.total_tokens) ?? (prompt ?? 0) + (completion ?? 0),
  };
  const cached = num((u.prompt_tokens_details as Json | undefined)?.cached_tokens);
  if (cached !== undefined) usage.cachedTokens = cached;
  const reasoning = num((u.completion_tokens_details as Json | undefined)?.reasoning_tokens);
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  // Some endpoints (OpenRouter) say what the call cost, in US dollars.
  const cost = num(u.cost);
  if (cost !== undefined) usage.cost = cost;
  return usage;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** How a failed response ended, for {@link ResponseAssembler.fail}. */
export interface Failure {
  reason: "error" | "aborted";
  error?: string;
  contextOverflow?: boolean;
  /** The connection broke or closed early, rather than the endpoint reporting an error. */
  broken?: boolean;
}

/**
 * Accumulates one response: call {@link applyChunk} for every parsed chunk (or {@link applyMessage}
 * for a non-streamed completion), then {@link finish} or {@link fail} for the `done` delta. Deltas are
 * appended to the array passed in; consecutive text (or reasoning) pieces merge into one delta.
 */
export class ResponseAssembler {
  #content = "";
  #reasoning = new ReasoningCollector();
  #think = new ThinkSplitter();
  #tools = new ToolCallAssembler();
  #usage: Usage | undefined;
  #finishReason: string | undefined;
  #output = false;

  /** The raw `finish_reason` seen, if any. */
  get finishReason(): string | undefined {
    return this.#finishReason;
  }

  /** True once any text, reasoning or tool call was produced. */
  get producedOutput(): boolean {
    return this.#output;
  }

  /** Applies one `chat.completion.chunk`. */
  applyChunk(chunk: Json, out: ProviderDelta[]): void {
    if (chunk.usage) this.#usage = readUsage(chunk.usage) ?? this.#usage;
    const choices = chunk.choices;
    if (!Array.isArray(choices) || choices.length === 0) return;
    const choice = choices[0] as Json | null;
    if (choice === null || typeof choice !== "object") return;
    const delta = choice.delta as Json | undefined;
    if (delta && typeof delta === "object") this.#applyParts(delta, out);
    const finish = choice.finish_reason;
    if (typeof finish === "string" && finish !== "") this.#setFinish(finish, out);
  }

  /** Applies a whole `chat.completion` (a server that answered without streaming). */
  applyMessage(completion: Json, out: ProviderDelta[]): void {
    if (completion.usage) this.#usage = readUsage(completion.usage) ?? this.#usage;
    const choices = completion.choices;
    const choice = Array.isArray(choices) ? choices[0] as Json | undefined : undefined;
    if (!choice || typeof choice !== "object") return;
    const message = choice.message as Json | undefined;
    if (message && typeof message === "object") this.#applyParts(message, out);
    this.#setFinish(typeof choice.finish_reason === "string" ? choice.finish_reason : "stop", out);
  }

  #applyParts(delta: Json, out: ProviderDelta[]): void {
    const thinking = this.#reasoning.take(delta);
    if (thinking !== "") this.#emit(out, "thinking", thinking);
    const content = delta.content;
    if (typeof content === "string" && content !== "") {
      if (this.#reasoning.seen) this.#text(content, out);
      else {
        const split = this.#think.push(content);
        if (split.bareClose) {
          // Everything before a bare `</think>` was reasoning; it was already shown as text.
          this.#reasoning.addInline(this.#content + split.thinking);
          this.#content = "";
        } else if (split.thinking !== "") {
          this.#reasoning.addInline(split.thinking);
          this.#emit(out, "thinking", split.thinking);
        }
        if (split.text !== "") this.#text(split.text, out);
      }
    }
    const calls = delta.tool_calls;
    if (Array.isArray(calls) && calls.length > 0) {
      this.#output = true;
      const done = this.#tools.push(calls);
      for (let i = 0; i < done.length; i++) out.push({ type: "tool_call", call: done[i] });
    }
  }

  #setFinish(finish: string, out: ProviderDelta[]): void {
    this.#finishReason = finish;
    this.#endContent(out);
    const done = this.#tools.flush();
    for (let i = 0; i < done.length; i++) out.push({ type: "tool_call", call: done[i] });
  }

  #endContent(out: ProviderDelta[]): void {
    const rest = this.#think.end();
    if (rest.thinking !== "") {
      this.#reasoning.addInline(rest.thinking);
      this.#emit(out, "thinking", rest.thinking);
    }
    if (rest.text !== "") this.#text(rest.text, out);
  }

  #text(text: string, out: ProviderDelta[]): void {
    this.#content += text;
    this.#emit(out, "text", text);
  }

  #emit(out: ProviderDelta[], type: "text" | "thinking", text: string): void {
    this.#output = true;
    const last = out[out.length - 1];
    if (last !== undefined && last.type === type) last.text += text;
    else out.push({ type, text });
  }

  /** The assistant message so far; `withCalls` adds the tool calls. */
  message(withCalls: boolean): { message: AssistantMessage; toolCalls: AssembledToolCall[] } {
    const toolCalls = withCalls ? this.#tools.calls() : [];
    const message: AssistantMessage = {
      role: "assistant",
      content: this.#content === "" && toolCalls.length > 0 ? null : this.#content,
    };
    if (toolCalls.length > 0) message.tool_calls = toolCalls.map(toWire);
    this.#reasoning.applyTo(message);
    return { message, toolCalls };
  }

  /**
   * Ends a response that completed: flushes held content and pending calls into `out`, then the
   * usage and the `done` delta. A `finish_reason` of `error` becomes a failure with `error`.
   */
  finish(
    out: ProviderDelta[],
    error = "Cannot get a reply from the model: the endpoint reported an error",
  ): void {
    this.#endContent(out);
    const pending = this.#tools.flush();
    for (let i = 0; i < pending.length; i++) out.push({ type: "tool_call", call: pending[i] });
    let reason = stopReason(this.#finishReason ?? "stop");
    if (reason === "error") {
      this.fail({ reason: "error", error }, out);
      return;
    }
    if (this.#usage) out.push({ type: "usage", usage: this.#usage });
    const { message, toolCalls } = this.message(true);
    if (toolCalls.length > 0 && reason === "stop") reason = "tool_calls";
    out.push({ type: "done", reason, message, toolCalls });
  }

  /**
   * Ends a response that failed: the message keeps the text and reasoning received so far, without
   * tool calls (they may be incomplete and must not run).
   */
  fail(failure: Failure, out: ProviderDelta[]): void {
    if (this.#usage) out.push({ type: "usage", usage: this.#usage });
    const { message } = this.message(false);
    const done: ProviderDelta = { type: "done", reason: failure.reason, message, toolCalls: [] };
    if (failure.error !== undefined) done.error = failure.error;
    if (failure.contextOverflow) done.contextOverflow = true;
    if (failure.broken) done.broken = true;
    out.push(done);
  }
}

function toWire(call: AssembledToolCall): ToolCallWire {
  return { id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } };
}
