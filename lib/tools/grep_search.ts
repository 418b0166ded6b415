/**
 * The two engines behind `grep`: ripgrep's JSON output, and a native search over the walker. Both
 * report the same lines through one callback: matches and context lines of each file in line order,
 * binary files skipped, `.gitignore` respected.
 * @module
 */

import type { GlobMatcher } from "./glob_pattern.ts";
import { nameGlob } from "./glob_pattern.ts";
import { runRipgrep } from "./ripgrep.ts";
import { Pacer, walkTree } from "./walk.ts";

/** What to search for. */
export interface GrepQuery {
  /** The pattern as given. */
  pattern: string;
  /** Search for the pattern as plain text. */
  literal: boolean;
  ignoreCase: boolean;
  /** Lines of context before and after each match. */
  context: number;
  /** Only files whose path (relative to the root) matches. */
  fileGlob?: GlobMatcher;
  /** The glob as given, for ripgrep's prefilter. */
  fileGlobText?: string;
}

/**
 * Receives each reported line: its file (relative to the root, `/` separators), 1-based number, text
 * without the line ending's `\n`, and whether it matched (else it is context). Returning false stops
 * the search.
 */
export type LineSink = (path: string, line: number, text: string, match: boolean) => boolean;

const SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

/** Escapes text for use as a literal in a regular expression (valid with the `u` flag). */
export function escapeRegExp(text: string): string {
  return text.replace(SYNTAX, "\\$&");
}

/**
 * The expression tested against one line. Throws a `SyntaxError` when the pattern is not a valid
 * regular expression.
 */
export function lineRegExp(query: GrepQuery): RegExp {
  const source = query.literal ? escapeRegExp(query.pattern) : query.pattern;
  // `s`: a line holds no `\n`, and `.` should match `\r` as ripgrep's does.
  return new RegExp(source, query.ignoreCase ? "isu" : "su");
}

interface Tester {
  /** Whether one line matches. */
  line(text: string): boolean;
  /** A cheap test on a whole file: false means no line can match. */
  file(text: string): boolean;
}

function tester(query: GrepQuery): Tester {
  const re = lineRegExp(query);
  if (query.literal && !query.ignoreCase) {
    const needle = query.pattern;
    return { line: (text) => text.includes(needle), file: (text) => text.includes(needle) };
  }
  // With `m` the whole-file test matches wherever a single line would, and more; look-around could
  // see past a line's end, so such patterns skip the whole-file test.
  const lookaround = /\(\?<?[=!]/.test(re.source);
  const whole = new RegExp(re.source, `${re.flags}m`);
  return { line: (text) => re.test(text), file: lookaround ? () => true : (text) => whole.test(text) };
}

const utf8 = new TextDecoder();

/**
 * Decodes a file as ripgrep would: UTF-16 by its byte-order mark, else UTF-8; null when binary (or
 * too large to be one string).
 */
export function decodeText(bytes: Uint8Array): string | null {
  try {
    return decode(bytes);
  } catch {
    return null;
  }
}

function decode(bytes: Uint8Array): string | null {
  if (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  ) {
    const text = new TextDecoder(bytes[0] === 0xff ? "utf-16le" : "utf-16be").decode(bytes);
    return text.includes("\0") ? null : text;
  }
  if (bytes.indexOf(0) !== -1) return null;
  return utf8.decode(bytes);
}

/** Reports the matching lines of one file's text, with context. False when the sink said stop. */
function searchText(path: string, text: string, query: GrepQuery, test: Tester, sink: LineSink): boolean {
  if (!test.file(text)) return true;
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const context = query.context;
  let emitted = -1;
  let after = -1;
  for (let i = 0; i < lines.length; i++) {
    if (test.line(lines[i])) {
      for (let j = Math.max(emitted + 1, i - context); j < i; j++) {
        if (!sink(path, j + 1, lines[j], false)) return false;
      }
      if (!sink(path, i + 1, lines[i], true)) return false;
      emitted = i;
      after = i + context;
    } else if (i <= after) {
      if (!sink(path, i + 1, lines[i], false)) return false;
      emitted = i;
    }
  }
  return true;
}

/** Options for the engines. */
export interface SearchOptions {
  signal?: AbortSignal;
  sink: LineSink;
}

/**
 * Searches one file natively. `shown` is the path reported to the sink. A binary or unreadable file
 * reports nothing.
 */
export function searchFile(abs: string, shown: string, query: GrepQuery, options: SearchOptions): void {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(abs);
  } catch {
    return;
  }
  const text = decodeText(bytes);
  if (text !== null) searchText(shown, text, query, tester(query), options.sink);
}

/** Searches the tree under `root` with the native walker. Throws a `SyntaxError` for a bad pattern. */
export async function searchNative(root: string, query: GrepQuery, options: SearchOptions): Promise<void> {
  const { signal, sink } = options;
  const test = tester(query);
  const pacer = new Pacer();
  for await (const batch of walkTree(root, { signal })) {
    for (const name of batch.files) {
      const path = batch.dir + name;
      if (query.fileGlob && !query.fileGlob.matches(path, false)) continue;
      let bytes: Uint8Array;
      try {
        if (pacer.due()) {
          bytes = await Deno.readFile(batch.abs + name);
          signal?.throwIfAborted();
        } else bytes = Deno.readFileSync(batch.abs + name);
      } catch (error) {
        if (signal?.aborted) throw error;
        continue;
      }
      const text = decodeText(bytes);
      if (text !== null && !searchText(path, text, query, test, sink)) return;
    }
  }
}

/** How a ripgrep search ended. */
export interface RipgrepOutcome {
  /** False when ripgrep failed before reporting anything. */
  done: boolean;
  /** ripgrep's error in one line, when it failed and said why. */
  message?: string;
}

/** Searches the tree under `root` with ripgrep. */
export async function searchRipgrep(
  root: string,
  query: GrepQuery,
  options: SearchOptions,
): Promise<RipgrepOutcome> {
  // The plain output with `--null` (path, NUL, number, `:` or `-`, text) is several times cheaper to
  // read than `--json`; invalid UTF-8 decodes to U+FFFD here as it does in the native engine.
  const args = ["--line-number", "--with-filename", "--no-heading", "--null", "--color", "never"];
  if (query.ignoreCase) args.push("--ignore-case");
  if (query.literal) args.push("--fixed-strings");
  // Context groups are parted by `--` lines; having no NUL, they are skipped below.
  if (query.context > 0) args.push("--context", String(query.context));
  const names = query.fileGlobText === undefined || query.fileGlob?.dirOnly
    ? undefined
    : nameGlob(query.fileGlobText);
  if (names !== undefined) args.push("--type-add", `nanocode:${names}`, "--type", "nanocode");
  args.push("--regexp", query.pattern);
  const { sink } = options;
  const { fileGlob } = query;
  let reported = 0;
  const outcome = await runRipgrep(args, {
    cwd: root,
    signal: options.signal,
    onRecord(record) {
      const nul = record.indexOf("\0");
      if (nul < 0) return true;
      const path = record.slice(0, nul);
      if (fileGlob && !fileGlob.matches(path, false)) return true;
      let end = nul + 1;
      let line = 0;
      for (let c = record.charCodeAt(end); c >= 48 && c <= 57; c = record.charCodeAt(++end)) {
        line = line * 10 + c - 48;
      }
      reported++;
      return sink(path, line, record.slice(end + 1), record[end] === ":");
    },
  });
  if (outcome.code === 2 && reported === 0) {
    const error = /^error: (.*)$/m.exec(outcome.stderr)?.[1];
    return { done: false, message: error };
  }
  return { done: true };
}
