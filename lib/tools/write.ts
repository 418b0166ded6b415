/**
 * The `write` tool: creates or overwrites a whole file, creating parent folders, atomically.
 * @module
 */

import { textResult, type Tool } from "../core/tool.ts";
import { atomicWrite, fileToolError } from "./_atomic_write.ts";
import { resolvePath } from "./_path.ts";
import type { Replacement } from "./_edit_match.ts";
import { unifiedDiff } from "./edit.ts";

/** Largest existing file whose old text is read to show the UI what a write changed. */
const DIFF_MAX_BYTES = 1024 * 1024;

/** The text a write replaces, when it is a regular UTF-8 file small enough to diff; else undefined. */
async function previousText(path: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile || info.size > DIFF_MAX_BYTES) return undefined;
    return new TextDecoder("utf-8", { fatal: true }).decode(await Deno.readFile(path));
  } catch {
    return undefined;
  }
}

/** Most line pairs of a changed region that are matched line by line; beyond it the region is one hunk. */
const MAX_DIFF_CELLS = 250_000;

/**
 * What a write changed, for the UI: a unified diff. Common first and last lines are set aside, the
 * lines between are matched by their longest common subsequence when that is small enough (so an
 * unchanged line in the middle shows as unchanged), and each changed run becomes one replacement.
 */
export function writeDiff(before: string, after: string, path: string): string {
  return before === after ? "" : unifiedDiff(before, changes(before, after), { path }).diff;
}

/** The replacements that turn `before` into `after`: one per changed run of lines. */
export function changes(before: string, after: string): Replacement[] {
  // Each line keeps its newline, so a last line without one never equals the same text with one.
  const a = linesOf(before);
  const b = linesOf(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const hunks = midA.length * midB.length <= MAX_DIFF_CELLS
    ? changedRuns(midA, midB)
    : [{ a: [0, midA.length], b: [0, midB.length] }];
  const offsetsA = lineOffsets(a);
  const offsetsB = lineOffsets(b);
  return hunks.map(({ a: [as, ae], b: [bs, be] }) => ({
    start: offsetsA[head + as],
    end: offsetsA[head + ae],
    text: after.slice(offsetsB[head + bs], offsetsB[head + be]),
    tolerant: false,
  }));
}

function linesOf(text: string): string[] {
  return text === "" ? [] : text.split(/(?<=\n)/);
}

/** Where each line starts, and the end after the last. */
function lineOffsets(lines: readonly string[]): number[] {
  const offsets = [0];
  for (const line of lines) offsets.push(offsets.at(-1)! + line.length);
  return offsets;
}

/** The runs of lines that differ between `a` and `b`, by their longest common subsequence. */
function changedRuns(
  a: readonly string[],
  b: readonly string[],
): { a: [number, number]; b: [number, number] }[] {
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] = a[i] === b[j]
        ? table[(i + 1) * width + j + 1] + 1
        : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
    }
  }
  const runs: { a: [number, number]; b: [number, number] }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    const [si, sj] = [i, j];
    while (
      (i < a.length || j < b.length) && !(i < a.length && j < b.length && a[i] === b[j])
    ) {
      if (j >= b.length || (i < a.length && table[(i + 1) * width + j] >= table[i * width + j + 1])) i++;
      else j++;
    }
    runs.push({ a: [si, i], b: [sj, j] });
  }
  return runs;
}

function lineCount(text: string): number {
  if (text === "") return 0;
  let lines = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < text.length - 1; i = text.indexOf("\n", i + 1)) lines++;
  return lines;
}

/** `write {path, content}`: writes the content to the file and reports how many bytes went where. */
export const writeTool: Tool = {
  name: "write",
  description:
    "Write content to a file. Creates the file if it does not exist and overwrites it if it does; " +
    "missing parent folders are created. Prefer edit for changing part of an existing file.",
  parameters: {
    type: "object",
    properties: {
      path: { type: "string", description: "Path of the file to write (relative or absolute)" },
      content: { type: "string", description: "The complete content to write" },
    },
    required: ["path", "content"],
    additionalProperties: false,
  },
  permissions: ["read", "write"],
  async execute(args, ctx) {
    const { path, content } = args;
    if (typeof path !== "string" || path.trim() === "") {
      throw new TypeError("Cannot write: path must be a non-empty string naming the file to write");
    }
    if (typeof content !== "string") {
      throw new TypeError(`Cannot write ${path}: content must be a string holding the whole file`);
    }
    ctx.signal.throwIfAborted();
    const absolute = resolvePath(path, ctx.cwd);
    const before = await previousText(absolute);
    try {
      const result = await atomicWrite(absolute, content, { signal: ctx.signal });
      // For the UI only: what changed in a file that was there, or how long a new one is.
      const change = before !== undefined && !result.created
        ? { diff: writeDiff(before, content, path) }
        : { lines: lineCount(content) };
      return textResult(`Successfully wrote ${result.bytes} bytes to ${path}`, {
        path: result.path,
        bytes: result.bytes,
        created: result.created,
        ...change,
      });
    } catch (error) {
      if (error instanceof Deno.errors.IsADirectory) {
        throw new Error(`Cannot write ${path}: it is a directory; give the path of a file instead`);
      }
      throw fileToolError(error, { action: "write", path, signal: ctx.signal });
    }
  },
};
