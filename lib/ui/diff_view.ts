/**
 * What an `edit` or a `write` changed, as shown under its call: the changed lines of the unified
 * diff the tool put in its result's `details` (removed in red, added in green, each with its line
 * number), at most a dozen, then how many more; for a new file, its line count. Only `details` are
 * read, never the text the model receives.
 * @module
 */

import { type Palette, sanitize, truncateToWidth } from "./ansi.ts";

/** Most changed lines shown under a call; the rest are counted. */
export const MAX_DIFF_LINES = 12;

/** Where the diff's rows start: under the result's text, past `  ⎿  `. */
const INDENT = "     ";

/** One changed line of a diff. */
interface Change {
  sign: "+" | "-";
  /** Its number in the old file (removed) or the new one (added). */
  line: number;
  text: string;
  /** True for the first change of a hunk after the first: a gap is drawn before it. */
  gap: boolean;
}

/** The changed lines of a unified diff, in order; context and headers are skipped. */
export function parseDiff(diff: string): Change[] {
  const changes: Change[] = [];
  let oldLine = 0;
  let newLine = 0;
  let hunks = 0;
  let hunkHasChange = false;
  for (const row of diff.split("\n")) {
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(row);
    if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      hunks++;
      hunkHasChange = false;
      continue;
    }
    if (hunks === 0 || row.startsWith("\\")) continue;
    const sign = row[0];
    if (sign === "-" || sign === "+") {
      changes.push({
        sign,
        line: sign === "-" ? oldLine : newLine,
        text: row.slice(1),
        gap: hunks > 1 && !hunkHasChange,
      });
      hunkHasChange = true;
      if (sign === "-") oldLine++;
      else newLine++;
    } else {
      oldLine++;
      newLine++;
    }
  }
  return changes;
}

/**
 * The rows that show a diff under a tool call: changed lines with their numbers, `⋮` between hunks,
 * and `… +N lines` past {@link MAX_DIFF_LINES}. Each row is cut to `width`.
 */
export function diffLines(
  diff: string,
  options: { palette: Palette; width: number; max?: number },
): string[] {
  const p = options.palette;
  const changes = parseDiff(diff);
  const max = options.max ?? MAX_DIFF_LINES;
  const shown = changes.length > max ? changes.slice(0, max - 1) : changes;
  const digits = String(Math.max(0, ...shown.map((c) => c.line))).length;
  const rows: string[] = [];
  for (const change of shown) {
    if (change.gap) rows.push(p.dim(`${INDENT}${" ".repeat(digits)} ⋮`));
    const number = p.dim(String(change.line).padStart(digits));
    const text = `${change.sign} ${sanitize(change.text)}`;
    const body = change.sign === "-" ? p.red(text) : p.green(text);
    rows.push(truncateToWidth(`${INDENT}${number} ${body}`, Math.max(10, options.width)));
  }
  const more = changes.length - shown.length;
  if (more > 0) rows.push(p.dim(`${INDENT}… +${more} line${more === 1 ? "" : "s"}`));
  return rows;
}

/**
 * What a file tool's result shows under its call, from its `details`: the diff of an edit or of a
 * write over an existing file, the line count of a new file. `args` are the call's, for the content
 * a write was given when its details do not count the lines. Empty for any other tool.
 */
export function changeLines(
  name: string,
  details: Record<string, unknown> | undefined,
  options: { palette: Palette; width: number; args?: Record<string, unknown> },
): string[] {
  if (!details || (name !== "edit" && name !== "write")) return [];
  if (typeof details.diff === "string" && details.diff !== "") {
    return diffLines(details.diff, options);
  }
  if (name === "write" && details.created === true) {
    const content = options.args?.content;
    const lines = typeof details.lines === "number"
      ? details.lines
      : typeof content === "string"
      ? countLines(content)
      : undefined;
    if (lines === undefined) return [];
    return [options.palette.dim(`${INDENT}new file · ${lines} line${lines === 1 ? "" : "s"}`)];
  }
  return [];
}

/** Lines of a file's text: a final newline ends the last line rather than starting another. */
function countLines(text: string): number {
  if (text === "") return 0;
  let count = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) count++;
  return text.endsWith("\n") ? count - 1 : count;
}
