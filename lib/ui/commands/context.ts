/**
 * `/context` (how full the context window is, by part, and what compaction would do) and
 * `/compact [instructions]` (summarise the older part now).
 * @module
 */

import type { ContextReport } from "../../agent/mod.ts";
import { type Palette, wrapLine } from "../ansi.ts";
import { formatTokens } from "../render.ts";
import { note, notWhileBusy } from "./_output.ts";
import type { CommandSpec } from "./mod.ts";

/** Cells of the bar that shows the share of the window in use. */
const BAR_CELLS = 30;

function percent(part: number, whole: number): string {
  if (whole <= 0) return "0%";
  const share = (100 * part) / whole;
  if (share > 0 && share < 0.1) return "<0.1%";
  return `${share < 10 && share > 0 ? share.toFixed(1) : Math.round(share)}%`;
}

/**
 * What `/context` prints for a report: tokens used of the window with the share, a bar, the parts
 * (system prompt, tool schemas, messages), what remains, where automatic compaction starts (and
 * whether it is on), and what a compaction now would keep. `hasMessages` says whether the
 * conversation holds anything beyond the system prompt; notes wrap at `width` (default 80), indented.
 */
export function contextLines(
  report: ContextReport,
  options: { palette: Palette; hasMessages: boolean; width?: number },
): string[] {
  const p = options.palette;
  const noteWidth = Math.max(20, (options.width ?? 80) - 2);
  const notes = (text: string) => wrapLine(text, noteWidth).map((row) => p.dim(`  ${row}`));
  const { total, window, trigger } = report;
  const filled = Math.min(BAR_CELLS, Math.round((BAR_CELLS * total) / Math.max(1, window)));
  const mark = Math.min(BAR_CELLS - 1, Math.round((BAR_CELLS * trigger) / Math.max(1, window)));
  const cells = Array.from({ length: BAR_CELLS }, (_, i) => (i < filled ? "█" : i === mark ? "┊" : "░"));
  const how = report.anchored
    ? "The total is the endpoint's last count plus an estimate of what came since; the parts are estimates."
    : "Estimated at about 4 characters a token: the endpoint has not reported a count yet.";
  const row = (label: string, tokens: number, extra = "") =>
    `  ${label.padEnd(15)}${formatTokens(tokens).padStart(7)}${extra ? p.dim(`  ${extra}`) : ""}`;
  const remaining = window - total;
  const lines = [
    `${p.bold("Context:")} ${formatTokens(total)} of ${formatTokens(window)} tokens (${
      percent(total, window)
    })`,
    `  ${p.cyan(cells.slice(0, filled).join(""))}${p.dim(cells.slice(filled).join(""))}`,
    row("system prompt", report.system),
    row("tool schemas", report.tools),
    row("messages", report.messages),
    remaining >= 0
      ? row("remaining", remaining, percent(remaining, window))
      : `  ${p.yellow(`over the window by ${formatTokens(-remaining)} tokens`)}`,
    row(
      "compaction at",
      trigger,
      report.auto
        ? `${percent(trigger, window)} · automatic (┊ on the bar)`
        : `${
          percent(trigger, window)
        } · automatic compaction is off (NANOCODE_COMPACTION=0): /compact by hand`,
    ),
  ];
  if (!options.hasMessages) {
    lines.push(...notes("Nothing to compact yet: the conversation holds only the system prompt."));
  } else if (report.wouldKeep !== undefined) {
    const summarised = Math.max(0, report.messages - report.wouldKeep);
    lines.push(
      ...notes(
        `A compaction now would keep the latest ${formatTokens(report.wouldKeep)} tokens as they are ` +
          `and summarise the ${formatTokens(summarised)} before them.`,
      ),
    );
  } else {
    lines.push(
      ...notes(
        "The whole conversation is recent (within NANOCODE_COMPACTION_KEEP_RECENT_TOKENS): " +
          "/compact would summarise all but the latest message.",
      ),
    );
  }
  lines.push(...notes(how));
  return lines;
}

/** `/context` and `/compact`, in the order `/help` lists them. */
export const CONTEXT_COMMANDS: readonly CommandSpec[] = [
  {
    name: "context",
    usage: "/context",
    summary: "show how full the context window is, by part, and when compaction starts",
    run(host) {
      const agent = host.runtime.agent;
      const hasMessages = agent.messages.some((m) => m.role !== "system");
      host.print(
        contextLines(agent.contextReport(), { palette: host.palette, hasMessages, width: host.columns }),
      );
    },
  },
  {
    name: "compact",
    usage: "/compact [instructions]",
    summary: "summarise the older conversation now to free context (instructions: what to keep)",
    async run(host, args) {
      if (notWhileBusy(host, "compact the conversation")) return;
      if (!host.runtime.agent.messages.some((m) => m.role !== "system")) {
        return note(host, "Nothing to compact yet: the conversation holds only the system prompt.");
      }
      await host.compact(args === "" ? undefined : args);
    },
  },
];
