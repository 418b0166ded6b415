/**
 * What a child nanocode has done so far, read from its JSON events (one per line of its standard
 * output, the same union the agent yields): turns, tool calls and their results, tokens, the answer
 * as it streams and the final one. The live updates under the parent's call and the `status` of a job
 * are drawn from it.
 * @module
 */

import {
  type AgentEvent,
  contentText,
  formatToolCall,
  oneLine,
  summarizeResult,
  type Usage,
} from "../core/mod.ts";

/** One tool call of the child, as shown under the parent's call. */
export interface ChildCall {
  id: string;
  name: string;
  /** `name(args…)`, shortened. */
  line: string;
  /** The result's first line, once it came. */
  result?: string;
  isError?: boolean;
}

/** How the child's run ended, from its `agent_end` event. */
export interface ChildEnd {
  reason: string;
  text: string;
  turns: number;
  error?: string;
}

/** Calls kept for display; older ones are only counted. */
const KEPT_CALLS = 20;
/** Most characters of the answer kept while it streams (the final answer is kept whole). */
const STREAM_KEEP = 100_000;

/** Follows one child's events. */
export class ChildProgress {
  /** Events read so far. */
  events = 0;
  /** The current (or last) turn. */
  turn = 0;
  /** Token totals of the child's run. */
  usage: Usage | undefined;
  /** How the run ended, once its `agent_end` arrived. */
  end: ChildEnd | undefined;
  /** The latest error the child reported. */
  lastError: string | undefined;
  /** Lines of standard output that were not JSON events (a crash's message, say). */
  strayLines = 0;
  /** How many times each tool was called. */
  readonly toolCounts = new Map<string, number>();
  #calls: ChildCall[] = [];
  #streaming = "";
  #lastAnswer = "";

  /** The most recent calls, oldest first. */
  get calls(): readonly ChildCall[] {
    return this.#calls;
  }

  /** The last call the child made, shortened, or undefined before its first. */
  get lastTool(): string | undefined {
    return this.#calls.at(-1)?.line;
  }

  /** Takes one line of the child's standard output; returns whether it changed anything shown. */
  pushLine(line: string): boolean {
    const trimmed = line.trim();
    if (trimmed === "") return false;
    let event: unknown;
    try {
      event = JSON.parse(trimmed);
    } catch {
      this.strayLines++;
      return false;
    }
    if (
      event === null || typeof event !== "object" || typeof (event as { type?: unknown }).type !== "string"
    ) {
      this.strayLines++;
      return false;
    }
    this.events++;
    return this.push(event as AgentEvent);
  }

  /** Takes one event; returns whether it changed anything shown. */
  push(event: AgentEvent): boolean {
    switch (event.type) {
      case "turn_start":
        this.turn = event.turn;
        this.#streaming = "";
        return true;
      case "text_delta":
        if (this.#streaming.length < STREAM_KEEP) this.#streaming += event.text;
        return false;
      case "message":
        if (event.message.role === "assistant") {
          const text = contentText(event.message.content);
          if (text.trim() !== "") this.#lastAnswer = text;
          this.#streaming = "";
        }
        return false;
      case "tool_call": {
        this.toolCounts.set(event.name, (this.toolCounts.get(event.name) ?? 0) + 1);
        this.#calls.push({ id: event.id, name: event.name, line: formatToolCall(event.name, event.args) });
        if (this.#calls.length > KEPT_CALLS) this.#calls.shift();
        return true;
      }
      case "tool_result": {
        const call = this.#calls.findLast((c) => c.id === event.id);
        if (!call) return false;
        call.result = summarizeResult(event.text, { max: 80 });
        call.isError = event.isError;
        return true;
      }
      case "usage":
        this.usage = event.total;
        return false;
      case "error":
        this.lastError = event.message;
        return true;
      case "agent_end":
        this.end = {
          reason: event.reason,
          text: event.text,
          turns: event.turns,
          ...(event.error ? { error: event.error } : {}),
        };
        if (event.usage) this.usage = event.usage;
        if (event.text.trim() !== "") this.#lastAnswer = event.text;
        return true;
      default:
        return false;
    }
  }

  /** The final answer, or what the child has said so far (its latest answer, or the one streaming). */
  output(): string {
    if (this.end && this.end.text.trim() !== "") return this.end.text;
    if (this.#streaming.trim() !== "") return this.#streaming;
    return this.#lastAnswer;
  }

  /** A one-line trace: turns, the tools used with counts, tokens. */
  trace(): string {
    const parts: string[] = [];
    const turns = this.end?.turns ?? this.turn;
    parts.push(`${turns} turn${turns === 1 ? "" : "s"}`);
    const tools = [...this.toolCounts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name));
    parts.push(tools.length > 0 ? `tools: ${tools.join(", ")}` : "no tools");
    if (this.usage) parts.push(`${this.usage.totalTokens} tokens`);
    return parts.join(" · ");
  }

  /** The latest calls as display lines (`⏺ call` and `  ⎿  result`), at most `max` calls. */
  callLines(max = 6): string[] {
    const lines: string[] = [];
    for (const call of this.#calls.slice(-max)) {
      lines.push(`⏺ ${call.line}`);
      if (call.result !== undefined) lines.push(`  ⎿  ${call.isError ? "✗ " : ""}${call.result}`);
    }
    return lines;
  }

  /** The current state in one short line: turn and last tool, or how it ended. */
  headline(): string {
    if (this.end) return `ended (${this.end.reason}) after ${this.trace()}`;
    const tool = this.lastTool ? ` · last tool ${oneLine(this.lastTool, 60)}` : "";
    return `turn ${this.turn}${tool}`;
  }
}
