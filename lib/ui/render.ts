/**
 * Agent events to terminal lines. The renderer is pure state: `push(event)` returns the lines that
 * are finished and can be printed for good; `live(width)` returns what is still changing (the
 * unfinished line of streamed text, the tail of a running command, calls running side by side),
 * drawn above the prompt and redrawn on every update. Nothing here touches a terminal.
 *
 * Tool calls of one assistant message may run concurrently: their `tool_call` events come first,
 * then their updates interleaved, then their results in call order. Each result must stand under its
 * own call, so a call's line is printed at once only when no other call is in flight; the others are
 * held in the live area, and each is printed with its result.
 * @module
 */

import { type AgentEvent, formatToolCall, summarizeResult, type Usage } from "../core/mod.ts";
import { type Palette, sanitize, truncateToWidth } from "./ansi.ts";
import { changeLines } from "./diff_view.ts";
import { MarkdownStyler } from "./markdown.ts";

/** How the renderer styles and what it shows. */
export interface RendererOptions {
  palette: Palette;
  /** Whether reasoning is shown (dimmed, under a `thinking` label); when false it is hidden. */
  showThinking: boolean;
  /** The clock, for the elapsed time of a run and of a wait (default `Date.now`). */
  now?: () => number;
  /** The terminal's width, which code blocks, tables and diffs are laid out for (default 80). */
  width?: () => number;
  /**
   * Whether markdown is laid out for a terminal (drawn tables, code gutters) rather than left as
   * written. Default: whether the palette has colour.
   */
  layout?: boolean;
}

/** What the spinner line says while nothing streams: what is awaited, and since when. */
export interface Activity {
  /** `waiting for the model`, `thinking`, `running grep`, `compacting the conversation`. */
  label: string;
  /** When the wait began (ms, the renderer's clock). */
  since: number;
  /** While a failed request waits to be sent again: when it is sent, and which attempt that is. */
  retry?: { until: number; attempt: number; maxRetries: number };
}

/** What the activity line says while the model is awaited. */
export const WAITING = "waiting for the model";

/** How long the model may be silent in the middle of an answer before the wait is shown. */
export const SILENCE_MS = 3000;

type Block = "user" | "text" | "thinking" | "tool" | "notice";

/** How many lines of a running command's output are shown under its call. */
const TAIL_LINES = 4;

/** How many lines of each call's output are shown while several calls run side by side. */
const GROUP_TAIL_LINES = 2;

/** Most running calls the live area lists one by one; the rest are counted. */
const MAX_LIVE_CALLS = 6;

/** A tool call between its `tool_call` and `tool_result` events. */
interface RunningCall {
  name: string;
  /** The `⏺ name(args)` line. */
  line: string;
  /** Whether that line is in the transcript already. */
  printed: boolean;
  /** The last lines of its streamed output. */
  tail: string[];
  /** Its arguments, for what a file tool's result shows (a new file's line count). */
  args: Record<string, unknown>;
}

/** Turns a run's events into finished lines and a live area. */
export class EventRenderer {
  readonly #p: Palette;
  readonly #showThinking: boolean;
  readonly #now: () => number;
  readonly #markdown: MarkdownStyler;
  #block: Block | undefined;
  /** The unfinished line of the current text or thinking block. */
  #pending = "";
  /** Blank lines seen but not yet printed: printed only when more text follows them. */
  #blanks: string[] = [];
  /** Whether the current block has printed a line (leading blank lines are dropped). */
  #blockHasLines = false;
  /** Calls in flight, in call order. */
  #calls = new Map<string, RunningCall>();
  /** The call whose line is the last thing printed, so its result can go right under it. */
  #lastPrintedCall: string | undefined;
  #activity: Activity | undefined;
  /** True from a turn's start until its answer is whole: silence then means the model is awaited. */
  #modelTurn = false;
  /** When the model last sent something shown. */
  #lastArrival: number | undefined;
  #startedAt = 0;
  #lastUsage: Usage | undefined;
  readonly #width: () => number;

  constructor(options: RendererOptions) {
    this.#p = options.palette;
    this.#showThinking = options.showThinking;
    this.#now = options.now ?? Date.now;
    this.#width = options.width ?? (() => 80);
    this.#markdown = new MarkdownStyler(options.palette, { layout: options.layout, width: this.#width });
  }

  /**
   * What the run is waiting on, or undefined while output streams. The model going silent in the
   * middle of an answer for {@link SILENCE_MS} counts as a wait too, timed from its last output.
   */
  get activity(): Activity | undefined {
    if (this.#activity) return this.#activity;
    if (this.#modelTurn && this.#lastArrival !== undefined && this.#now() - this.#lastArrival >= SILENCE_MS) {
      return { label: WAITING, since: this.#lastArrival };
    }
    return undefined;
  }

  /**
   * True while a line of the answer is unfinished, or a table is still being gathered: other output
   * printed then would land above the rest of that line.
   */
  get unfinished(): boolean {
    return this.#pending !== "" || this.#markdown.holding;
  }

  /** Shows a wait that is not the model's or a tool's (`compacting the conversation`) until output comes. */
  waitFor(label: string): void {
    this.#activity = { label, since: this.#now() };
  }

  /** True while any tool call awaits its result: other output printed then would split a call from it. */
  get toolRunning(): boolean {
    return this.#calls.size > 0;
  }

  /** The usage of the latest model call (its prompt size is the context in use). */
  get lastUsage(): Usage | undefined {
    return this.#lastUsage;
  }

  /** Takes one event and returns the lines it finished. */
  push(event: AgentEvent): string[] {
    const p = this.#p;
    const out: string[] = [];
    /** Set when this event printed a call's line, which is then the last line printed. */
    let printedCall: string | undefined;
    switch (event.type) {
      case "agent_start":
        this.#block = "user";
        this.#startedAt = this.#now();
        this.#markdown.reset();
        break;
      case "turn_start": {
        // The wait since the last tool's result (the boundary, a compaction) goes on as one.
        const waiting = this.#activity?.label === WAITING && !this.#activity.retry;
        this.#activity = { label: WAITING, since: waiting ? this.#activity!.since : this.#now() };
        this.#modelTurn = true;
        this.#lastArrival = undefined;
        break;
      }
      case "text_delta":
        this.#arrived();
        this.#stream("text", event.text, out);
        break;
      case "thinking_delta":
        if (!this.#showThinking) {
          // Hidden reasoning still says what the model is doing.
          if (this.#activity?.label !== "thinking") {
            this.#activity = { label: "thinking", since: this.#now() };
          }
          break;
        }
        this.#arrived();
        this.#stream("thinking", event.text, out);
        break;
      case "message":
        if (event.message.role === "assistant") this.#modelTurn = false;
        break;
      case "compaction":
        this.#open("notice", out);
        out.push(p.dim(compactionLine(event)));
        break;
      case "tool_call": {
        this.#modelTurn = false;
        const call: RunningCall = {
          name: event.name,
          line: `${p.green("⏺")} ${p.bold(sanitize(formatToolCall(event.name, event.args)))}`,
          printed: false,
          tail: [],
          args: event.args,
        };
        // The wait is timed from the first of the calls running side by side.
        const since = this.#calls.size > 0 && this.#activity ? this.#activity.since : this.#now();
        // With another call in flight, a line printed now would land between that call and its
        // result: this one waits in the live area and is printed with its own result.
        if (this.#calls.size === 0) {
          this.#open("tool", out, { always: true });
          out.push(call.line);
          call.printed = true;
          printedCall = event.id;
        }
        this.#calls.set(event.id, call);
        this.#activity = { label: this.#runningLabel(), since };
        break;
      }
      case "tool_update": {
        const call = this.#calls.get(event.id);
        if (call) call.tail = sanitize(event.text).replace(/\n+$/, "").split("\n").slice(-TAIL_LINES);
        break;
      }
      case "tool_result": {
        const call = this.#calls.get(event.id);
        if (call?.printed && this.#lastPrintedCall === event.id) this.#open("tool", out);
        else if (call) {
          this.#open("tool", out, { always: true });
          out.push(call.line);
        } else this.#open("tool", out);
        const summary = sanitize(summarizeResult(event.text));
        out.push(`  ⎿  ${event.isError ? p.red(summary) : summary}`);
        if (!event.isError) {
          out.push(
            ...changeLines(event.name, event.details, { palette: p, width: this.#width(), args: call?.args }),
          );
        }
        this.#calls.delete(event.id);
        // With the last result in, the loop goes on to its next model call.
        this.#activity = this.#calls.size > 0
          ? { label: this.#runningLabel(), since: this.#activity?.since ?? this.#now() }
          : { label: WAITING, since: this.#now() };
        break;
      }
      case "usage":
        this.#lastUsage = event.usage;
        break;
      case "queue":
        this.#open("notice", out, { always: true });
        out.push(
          `${p.magenta("»")} ${p.dim(event.kind === "steer" ? "steering:" : "follow-up:")} ${
            sanitize(event.text)
          }`,
        );
        break;
      case "job_result":
        this.#open("notice", out, { always: true });
        out.push(p.dim(jobResultLine(event)));
        break;
      case "retry": {
        this.#open("notice", out);
        out.push(p.yellow(
          `↻ retry ${event.attempt}/${event.maxRetries} in ${(event.delayMs / 1000).toFixed(1)}s: ${
            sanitize(event.reason)
          }`,
        ));
        const now = this.#now();
        const retry = { until: now + event.delayMs, attempt: event.attempt, maxRetries: event.maxRetries };
        this.#activity = { label: WAITING, since: now, retry };
        break;
      }
      case "error":
        this.#open("notice", out);
        out.push(p.red(`✗ ${sanitize(event.message)}`));
        break;
      case "turn_end":
        if (event.reason === "length") {
          this.#open("notice", out);
          out.push(p.yellow("The answer was cut off: the model reached its output limit."));
        } else if (event.reason === "content_filter") {
          this.#open("notice", out);
          out.push(p.yellow("The answer was stopped by the endpoint's content filter."));
        }
        break;
      case "agent_end": {
        this.#activity = undefined;
        this.#modelTurn = false;
        this.#calls.clear();
        this.#open("notice", out);
        if (event.reason === "aborted") out.push(p.red("⎿  Interrupted."));
        const elapsed = this.#now() - this.#startedAt;
        out.push(p.dim(formatUsage(event.usage, { turns: event.turns, elapsedMs: elapsed })));
        this.#block = undefined;
        break;
      }
    }
    if (out.length > 0) this.#lastPrintedCall = printedCall;
    return out;
  }

  /**
   * The lines still changing: the unfinished streamed line and the running calls. One call alone
   * shows the tail of its output under its printed line; calls side by side each show their line
   * (unless printed just above) and a shorter tail.
   */
  live(width: number): string[] {
    const lines: string[] = [];
    if (this.#block === "text") lines.push(...this.#markdown.partial(sanitize(this.#pending)));
    else if (this.#pending !== "" && this.#block === "thinking") lines.push(this.#thinking(this.#pending));
    const tailWidth = Math.max(8, width - 1);
    const calls = [...this.#calls.entries()];
    const alone = calls.length === 1;
    for (const [id, call] of calls.slice(0, MAX_LIVE_CALLS)) {
      if (!(call.printed && this.#lastPrintedCall === id)) lines.push(truncateToWidth(call.line, tailWidth));
      for (const line of call.tail.slice(alone ? -TAIL_LINES : -GROUP_TAIL_LINES)) {
        lines.push(this.#p.dim(truncateToWidth(`     ${line}`, tailWidth)));
      }
    }
    if (calls.length > MAX_LIVE_CALLS) {
      lines.push(this.#p.dim(`  … ${calls.length - MAX_LIVE_CALLS} more calls running`));
    }
    return lines;
  }

  /** What the activity line says while calls run: `Running grep`, `Running grep ×3, read`. */
  #runningLabel(): string {
    const counts = new Map<string, number>();
    for (const call of this.#calls.values()) counts.set(call.name, (counts.get(call.name) ?? 0) + 1);
    const names = [...counts].map(([name, n]) => (n === 1 ? name : `${name} ×${n}`));
    return `running ${names.join(", ")}`;
  }

  /** Something shown arrived from the model: the wait is over. */
  #arrived(): void {
    this.#activity = undefined;
    this.#lastArrival = this.#now();
  }

  /** Finishes the current block (e.g. before printing a notice in the middle of a run). */
  flush(): string[] {
    const out: string[] = [];
    this.#close(out);
    return out;
  }

  #thinking(text: string): string {
    return this.#p.dim(this.#p.italic(sanitize(text)));
  }

  /** The rows one complete line of a block finishes ("" for a blank line). */
  #styleLine(block: Block, text: string): string[] {
    if (block === "thinking") return [text.trim() === "" ? "" : this.#thinking(text)];
    return this.#markdown.line(sanitize(text));
  }

  #stream(block: "text" | "thinking", text: string, out: string[]): void {
    this.#open(block, out);
    const parts = (this.#pending + text.replace(/\r\n?/g, "\n")).split("\n");
    this.#pending = parts.pop()!;
    for (const line of parts) this.#emit(this.#styleLine(block, line), out);
  }

  /** Prints finished rows; runs of blank rows shrink to one, except inside code where the author meant them. */
  #emit(rows: string[], out: string[]): void {
    for (const row of rows) {
      if (row.trim() === "") {
        if (this.#blockHasLines) this.#blanks.push(row);
        continue;
      }
      out.push(...(this.#markdown.inCode ? this.#blanks : this.#blanks.slice(0, 1)));
      this.#blanks = [];
      out.push(row);
      this.#blockHasLines = true;
    }
  }

  /** Ends the current block if it differs from `block`, with a blank line between blocks. */
  #open(block: Block, out: string[], options: { always?: boolean } = {}): void {
    if (this.#block === block && !options.always) return;
    this.#close(out);
    if (this.#block !== undefined) out.push("");
    this.#block = block;
    this.#blockHasLines = false;
    this.#blanks = [];
    if (block === "text") this.#markdown.reset();
    // Without colour, reasoning would read as part of the answer: it is labelled.
    if (block === "thinking") out.push(this.#p.dim(this.#p.italic("∴ thinking")));
  }

  #close(out: string[]): void {
    if (this.#block === "text" || this.#block === "thinking") {
      const rows = this.#pending.trim() !== "" ? this.#styleLine(this.#block, this.#pending) : [];
      if (this.#block === "text") rows.push(...this.#markdown.end());
      // A blank line before the end of the block is dropped with the blanks that trail it.
      this.#emit(rows, out);
    }
    this.#pending = "";
    this.#blanks = [];
  }
}

/** Formats a token count briefly: 950, 12.3k, 1.2M. */
export function formatTokens(count: number): string {
  if (count < 1000) return String(count);
  if (count < 1_000_000) return `${(count / 1000).toFixed(count < 10_000 ? 1 : 0)}k`;
  return `${(count / 1_000_000).toFixed(1)}M`;
}

/** Formats milliseconds as `3.4s`, `2m 05s` or `1h 02m`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const whole = Math.floor(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(whole / 3600)}h ${String(Math.floor(whole / 60) % 60).padStart(2, "0")}m`;
}

/**
 * A cost in dollars: four decimals under a cent, so small runs do not all read $0.00.
 * @example formatCost(0.00342) // "$0.0034"
 */
export function formatCost(dollars: number): string {
  return `$${dollars.toFixed(dollars < 0.01 ? 4 : 2)}`;
}

/**
 * The line printed after each run: tokens in (and cached) and out, the cost when the endpoint
 * reported one, model calls and time taken.
 * @example formatUsage(usage, { turns: 2, elapsedMs: 3400 }) // "↑ 1.2k in · ↓ 80 out · 2 calls · 3.4s"
 */
export function formatUsage(
  usage: Usage & { cost?: number },
  options: { turns?: number; elapsedMs?: number } = {},
): string {
  // A run stopped before the endpoint reported usage has no token counts worth showing.
  const parts = usage.totalTokens === 0 ? [] : [
    `↑ ${formatTokens(usage.promptTokens)} in${
      usage.cachedTokens ? ` (${formatTokens(usage.cachedTokens)} cached)` : ""
    }`,
    `↓ ${formatTokens(usage.completionTokens)} out${
      usage.reasoningTokens ? ` (${formatTokens(usage.reasoningTokens)} reasoning)` : ""
    }`,
  ];
  if (usage.cost !== undefined && Number.isFinite(usage.cost)) parts.push(formatCost(usage.cost));
  if (options.turns !== undefined) parts.push(`${options.turns} call${options.turns === 1 ? "" : "s"}`);
  if (options.elapsedMs !== undefined) parts.push(formatElapsed(options.elapsedMs));
  return parts.join(" · ");
}

/** The user's submitted input as it stays in the transcript: `❯ text`, continuation lines indented. */
export function userLines(text: string, palette: Palette): string[] {
  return sanitize(text).split("\n").map((line, i) =>
    i === 0 ? `${palette.bold(palette.cyan("❯"))} ${palette.bold(line)}` : `  ${palette.bold(line)}`
  );
}

/**
 * The one line a background job's delivered result shows as: its id, how it ended, its time.
 * @example jobResultLine(event) // "◌ background job nano-1 done (exit 0, 12 s)"
 */
export function jobResultLine(event: Extract<AgentEvent, { type: "job_result" }>): string {
  const exit = event.exitCode === null ? "" : `exit ${event.exitCode}, `;
  return `◌ background job ${sanitize(event.id)} ${event.status} (${exit}${
    Math.round(event.elapsedSeconds)
  } s)`;
}

/**
 * The one line a compaction shows as: tokens before → after, and what was summarised or pruned.
 * @example compactionLine(event) // "✻ Compacted the conversation: 98.2k → 21.4k tokens (40 messages summarised)"
 */
export function compactionLine(event: Extract<AgentEvent, { type: "compaction" }>): string {
  const what: string[] = [];
  if (event.replaced > 0) what.push(`${event.replaced} message${event.replaced === 1 ? "" : "s"} summarised`);
  if (event.pruned.length > 0) {
    what.push(`${event.pruned.length} old tool result${event.pruned.length === 1 ? "" : "s"} pruned`);
  }
  return `✻ Compacted the conversation: ${formatTokens(event.tokensBefore)} → ${
    formatTokens(event.tokensAfter)
  } tokens${what.length > 0 ? ` (${what.join(", ")})` : ""}`;
}
