/**
 * Compaction: keeping a long conversation under the model's context window. First old tool results
 * are pruned to one-line stubs; if that is not enough, everything before the recent part is
 * summarised by one model call (no tools) into a structured summary that replaces it. The system
 * prompt (with the context files and skills in it) is never touched, the user's own messages of the
 * current run are kept verbatim, and the kept part never starts between a tool call and its result.
 * Pure planning here; the agent applies a plan through the conversation.
 * @module
 */

import {
  type ChatRequest,
  contentText,
  formatSize,
  type Message,
  type Provider,
  type ToolCallWire,
} from "../core/mod.ts";
import type { Compaction } from "./conversation.ts";

export { type CompactionSettings, DEFAULT_COMPACTION, triggerAt } from "../core/mod.ts";
import { type ContextMeter, estimateMessage } from "./estimate.ts";

/** The text a summary message starts with. */
export const SUMMARY_TAG = "compaction_summary";

/** Whether a message is a summary an earlier compaction made. */
export function isSummary(message: Message): boolean {
  return message.role === "user" && typeof message.content === "string" &&
    message.content.startsWith(`<${SUMMARY_TAG}`);
}

/** The index the conversation's own messages start at (after the system prompt). */
function firstIndex(messages: readonly Message[]): number {
  return messages[0]?.role === "system" ? 1 : 0;
}

/**
 * Where the kept part starts: the latest point at or before which the recent messages reach
 * `keepRecent` tokens, at a turn boundary (never a tool message first, so no call is parted from its
 * result). Undefined when nothing older than that is left to summarise.
 */
export function findCut(
  messages: readonly Message[],
  meter: ContextMeter,
  keepRecent: number,
): number | undefined {
  const start = firstIndex(messages);
  let kept = 0;
  for (let i = messages.length - 1; i > start; i--) {
    kept += meter.at(i);
    if (kept >= keepRecent && messages[i].role !== "tool") return i;
  }
  return undefined;
}

/** The start of the latest kept part that holds `keepRecent` tokens, for pruning: tool results before it go. */
function pruneBefore(messages: readonly Message[], meter: ContextMeter, keepRecent: number): number {
  let kept = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    kept += meter.at(i);
    if (kept >= keepRecent) return i;
  }
  return 0;
}

/** Results shorter than this are left alone: a stub would save little. */
const STUB_WORTH = 400;
/** The start of a stub, so a pruned result is never pruned again. */
const STUB_START = "[Old result of ";

/** The tool calls of the conversation by id. */
function callsById(messages: readonly Message[]): Map<string, ToolCallWire> {
  const calls = new Map<string, ToolCallWire>();
  for (const m of messages) {
    if (m.role === "assistant") { for (const c of m.tool_calls ?? []) calls.set(c.id, c); }
  }
  return calls;
}

function shortArgs(call: ToolCallWire | undefined): string {
  if (!call) return "";
  const text = call.function.arguments.replace(/\s+/g, " ");
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/**
 * Old tool results (before the most recent `keepRecent` tokens) to replace by a one-line stub that
 * says what the call was and how to get the result again.
 */
export function planPrune(
  messages: readonly Message[],
  meter: ContextMeter,
  keepRecent: number,
): Compaction["pruned"] {
  const before = pruneBefore(messages, meter, keepRecent);
  const calls = callsById(messages);
  const pruned: Compaction["pruned"] = [];
  for (let i = firstIndex(messages); i < before; i++) {
    const m = messages[i];
    if (m.role !== "tool" || m.content.length < STUB_WORTH || m.content.startsWith(STUB_START)) continue;
    const call = calls.get(m.tool_call_id);
    const name = call?.function.name ?? "a tool";
    const saved = /Full output: (\S+)/.exec(m.content)?.[1];
    const lines = m.content.split("\n").length;
    pruned.push({
      index: i,
      content: `${STUB_START}${name}(${shortArgs(call)}) removed to save context (${lines} lines, ${
        formatSize(m.content.length)
      }). ${saved ? `Read ${saved} or run` : "Run"} the call again if you need it.]`,
    });
  }
  return pruned;
}

/** The files the conversation read and changed, from its tool calls (and an earlier summary's lists). */
export function gatherFiles(messages: readonly Message[]): { read: string[]; modified: string[] } {
  const read = new Set<string>();
  const modified = new Set<string>();
  for (const m of messages) {
    if (isSummary(m)) {
      const text = contentText(m.content);
      for (const path of listIn(text, "read-files")) read.add(path);
      for (const path of listIn(text, "modified-files")) modified.add(path);
    }
    if (m.role !== "assistant") continue;
    for (const call of m.tool_calls ?? []) {
      let path: unknown;
      try {
        path = JSON.parse(call.function.arguments).path;
      } catch {
        continue;
      }
      if (typeof path !== "string") continue;
      if (call.function.name === "read") read.add(path);
      if (call.function.name === "write" || call.function.name === "edit") modified.add(path);
    }
  }
  for (const path of modified) read.delete(path);
  return { read: [...read], modified: [...modified] };
}

function listIn(text: string, tag: string): string[] {
  const body = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(text)?.[1] ?? "";
  return body.split("\n").map((l) => l.replace(/^[-*]\s*/, "").trim()).filter((l) => l !== "");
}

/** What a summary replaces and keeps. */
export interface SummaryPlan {
  /** The kept part starts here. */
  cut: number;
  /** Indices of the user's messages of the current run that stay verbatim (before `cut`). */
  kept: number[];
  /** The messages the summary is made from (the replaced ones, less the kept and any old summary). */
  input: Message[];
  /** An earlier summary's text, to be updated rather than summarised again. */
  previous?: string;
  files: { read: string[]; modified: string[] };
}

/**
 * Plans a summary of everything before `cut`. `runStart` is the index of the current run's first
 * user message: the user's messages from there on are kept verbatim, newest first, up to `budget`
 * tokens.
 */
export function planSummary(
  messages: readonly Message[],
  cut: number,
  options: { runStart: number; budget: number },
): SummaryPlan {
  const start = firstIndex(messages);
  const kept: number[] = [];
  let used = 0;
  for (let i = cut - 1; i >= Math.max(start, options.runStart); i--) {
    const m = messages[i];
    if (m.role !== "user" || typeof m.content !== "string" || isSummary(m)) continue;
    const tokens = estimateMessage(m);
    if (used + tokens > options.budget) break;
    used += tokens;
    kept.unshift(i);
  }
  const replaced = messages.slice(start, cut);
  const previous = replaced.filter(isSummary).map((m) => contentText(m.content)).at(-1);
  const input = replaced.filter((m, i) => !isSummary(m) && !kept.includes(start + i));
  return { cut, kept, input, ...(previous ? { previous } : {}), files: gatherFiles(replaced) };
}

/** Most characters of one tool result the summariser reads. */
const RESULT_CHARS = 2000;

/** The conversation as plain text for the summariser. */
export function transcript(messages: readonly Message[]): string {
  const calls = callsById(messages);
  return messages.map((m) => {
    if (m.role === "assistant") {
      const text = contentText(m.content);
      const tools = (m.tool_calls ?? []).map((c) => `[assistant calls ${c.function.name} ${shortArgs(c)}]`);
      return [text ? `[assistant]: ${text}` : "", ...tools].filter((s) => s !== "").join("\n");
    }
    if (m.role === "tool") {
      const name = calls.get(m.tool_call_id)?.function.name ?? "tool";
      const body = m.content.length > RESULT_CHARS
        ? `${m.content.slice(0, RESULT_CHARS)}\n[… ${m.content.length - RESULT_CHARS} more characters]`
        : m.content;
      return `[${name} result]: ${body}`;
    }
    return `[${m.role}]: ${contentText(m.content)}`;
  }).join("\n\n");
}

const SUMMARY_SYSTEM = "You write the working memory of a coding agent whose conversation grew too long. " +
  "Another instance of the agent will continue the work from your summary alone, so keep every fact " +
  "it needs and nothing it does not. Write plain Markdown; do not call tools; do not address the user.";

/** The sections every summary has, in order. */
export const SUMMARY_SECTIONS = [
  "Goal",
  "Constraints & Preferences",
  "Progress (Done / In Progress / Blocked)",
  "Key Decisions",
  "Next Steps",
  "Critical Context",
] as const;

/** The request that asks for a summary of `plan.input` (at most `dropped` oldest messages left out). */
export function summaryRequest(
  plan: SummaryPlan,
  options: { model: string; instructions?: string; dropped: number },
): ChatRequest {
  const input = plan.input.slice(options.dropped);
  const parts = [
    plan.previous
      ? `An earlier summary of this conversation follows. Update it with the messages after it; keep what still holds.\n\n${plan.previous}`
      : "",
    `<conversation>\n${transcript(input)}\n</conversation>`,
    options.dropped > 0
      ? `(The ${options.dropped} oldest messages did not fit in this request and were left out: say so under Critical Context.)`
      : "",
    `Summarise the conversation above under exactly these headings: ${
      SUMMARY_SECTIONS.map((s) => `## ${s}`).join(", ")
    }. Then list the files, one path a line, in <read-files>…</read-files> and <modified-files>…</modified-files>.`,
    `Files read so far: ${plan.files.read.join(", ") || "none"}. Files modified so far: ${
      plan.files.modified.join(", ") || "none"
    }.`,
    options.instructions ? `The user asks you to focus on this: ${options.instructions}` : "",
  ];
  return {
    model: options.model,
    messages: [
      { role: "system", content: SUMMARY_SYSTEM },
      { role: "user", content: parts.filter((p) => p !== "").join("\n\n") },
    ],
  };
}

/** The outcome of asking for a summary. */
export type SummaryResult = { text: string; dropped: number } | { error: string };

/**
 * Asks the model for a summary. The input is trimmed from its oldest end until its estimate fits
 * `budget` tokens, and trimmed further (up to twice) when the endpoint still says it is too long.
 */
export async function summarize(
  provider: Provider,
  plan: SummaryPlan,
  options: { model: string; instructions?: string; budget: number; signal: AbortSignal },
): Promise<SummaryResult> {
  let dropped = 0;
  const fits = () =>
    estimateMessage(summaryRequest(plan, { ...options, dropped }).messages[1]) <= options.budget;
  while (dropped < plan.input.length && !fits()) dropped++;
  for (let attempt = 0; attempt < 3; attempt++) {
    let text = "";
    let failure: string | undefined;
    let overflow = false;
    for await (
      const delta of provider.stream(summaryRequest(plan, { ...options, dropped }), options.signal)
    ) {
      if (delta.type === "text") text += delta.text;
      if (delta.type === "done" && (delta.reason === "error" || delta.reason === "aborted")) {
        failure = delta.reason === "aborted" ? "it was interrupted" : delta.error ?? "the request failed";
        overflow = delta.contextOverflow === true;
      }
    }
    if (failure === undefined) {
      return text.trim() === ""
        ? { error: "the model answered with an empty summary" }
        : { text: text.trim(), dropped };
    }
    if (!overflow || dropped >= plan.input.length - 1) return { error: failure };
    dropped = Math.min(
      plan.input.length - 1,
      dropped + Math.max(1, Math.ceil((plan.input.length - dropped) / 2)),
    );
  }
  return { error: "the summary request stayed too long for the model" };
}

/** The message that takes the summarised messages' place. */
export function summaryMessage(text: string, tokensBefore: number): Message {
  return {
    role: "user",
    content: `<${SUMMARY_TAG} tokensBefore="${tokensBefore}">\n${text}\n</${SUMMARY_TAG}>`,
  };
}
