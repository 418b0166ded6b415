/**
 * The two engines behind `grep`: ripgrep's output, and a native search over the walker. Both report
 * the same lines through one callback: matches and context lines of each file in line order,
 * `.gitignore` respected, binary files skipped by ripgrep's rule, and when the caller stops early, the
 * first lines in path order.
 *
 * ripgrep's binary rule, which the native engine follows: a file is read through a 64 KB buffer that
 * grows only for longer lines; a NUL byte in the first read marks the file binary and nothing of it
 * is reported, and a NUL byte in a later read ends the search of the file, keeping what earlier reads
 * matched. The native engine reads big files the same way, so its memory stays bounded by the longest
 * line rather than the file.
 * @module
 */

import { join } from "node:path";
import { formatSize } from "../../core/truncate.ts";
import { type GlobMatcher, nameGlob, pathGlob } from "./glob_pattern.ts";
import { ripgrepFailed, runRipgrep } from "./ripgrep.ts";
import { translateRegex } from "./rust_regex.ts";
import { IgnoreCheck, Pacer, unreadableReason, type UnreadableSink, walkTree } from "./walk.ts";

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

/** Options for the engines. */
export interface SearchOptions {
  signal?: AbortSignal;
  sink: LineSink;
  /** Forgets what the sink took, before ripgrep searches again in path order. */
  restart(): void;
  /** Told about what the native engine could not search (a line too long to hold). */
  notice?(path: string, message: string): void;
  /** Told about each file or folder that could not be read (default: none). */
  onUnreadable?: UnreadableSink;
  /**
   * Called by the native engine as it starts on each file and on each stretch of a big file, so that
   * a watcher can tell a search that moves on from one stuck on a line (default: none).
   */
  progress?(path: string): void;
  /** Search only this file of the root folder (named explicitly: `.gitignore` does not apply). */
  only?: string;
  /** The longest line the native engine holds (default {@link MAX_LINE_BYTES}). */
  maxLineBytes?: number;
}

/** Size of ripgrep's read buffer, and so of the block a NUL byte marks a file binary in. */
export const BLOCK_BYTES = 64 * 1024;
/** The longest line the native engine holds; a longer one is skipped, with a notice. */
export const MAX_LINE_BYTES = 48 * 1024 * 1024;

const SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

/** Escapes text for use as a literal in a regular expression (valid with the `u` and `v` flags). */
export function escapeRegExp(text: string): string {
  return text.replace(SYNTAX, "\\$&");
}

/**
 * The expression tested against one line: the pattern in ripgrep's dialect, translated. Throws a
 * `SyntaxError` when the pattern is not a valid regular expression or uses a construct that has no
 * translation.
 */
export function lineRegExp(query: GrepQuery): RegExp {
  const source = query.literal ? escapeRegExp(query.pattern) : translateRegex(query.pattern);
  // `s`: a line holds no `\n`, and `.` should match `\r` as ripgrep's does.
  return new RegExp(source, query.ignoreCase ? "isv" : "sv");
}

interface Tester {
  /** Whether one line matches. */
  line(text: string): boolean;
  /** A cheap test on many lines at once: false means none of them can match. */
  lines(text: string): boolean;
}

function tester(query: GrepQuery): Tester {
  const re = lineRegExp(query);
  if (query.literal && !query.ignoreCase) {
    const needle = query.pattern;
    return { line: (text) => text.includes(needle), lines: (text) => text.includes(needle) };
  }
  // With `m` the many-line test matches wherever a single line would, and more; the look-arounds the
  // translation writes only look at word characters, which a line ending is not, but the caller's own
  // look-around could see past a line's end, so such patterns skip the many-line test.
  const lookaround = !query.literal && /\(\?<?[=!]/.test(query.pattern);
  const whole = new RegExp(re.source, `${re.flags}m`);
  return { line: (text) => re.test(text), lines: lookaround ? () => true : (text) => whole.test(text) };
}

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return text.endsWith("\n") ? count : count + 1;
}

/** Searches one file's lines as they come, keeping the context lines a later match may need. */
class LineSearch {
  line = 0;
  #before: [number, string][] = [];
  #after = 0;

  constructor(
    readonly path: string,
    readonly test: Tester,
    readonly context: number,
    readonly sink: LineSink,
  ) {}

  /**
   * Searches whole lines: `text` ends with `\n` unless `last` says it is the end of the file. False
   * when the sink said stop.
   */
  feed(text: string, last: boolean): boolean {
    if (text === "") return true;
    const match = this.test.lines(text);
    if (!match && this.#after === 0) {
      // Nothing here is reported; only the count, and the lines a later match may show, matter.
      if (last) return true;
      if (this.context === 0) {
        this.line += countLines(text);
        return true;
      }
    }
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    const { path, sink, context } = this;
    for (const line of lines) {
      const number = ++this.line;
      if (match && this.test.line(line)) {
        for (const [n, before] of this.#before) if (!sink(path, n, before, false)) return false;
        this.#before.length = 0;
        if (!sink(path, number, line, true)) return false;
        this.#after = context;
      } else if (this.#after > 0) {
        this.#after--;
        if (!sink(path, number, line, false)) return false;
      } else if (context > 0) {
        this.#before.push([number, line]);
        if (this.#before.length > context) this.#before.shift();
      }
    }
    return true;
  }

  /** Counts a line that could not be searched. */
  skip(): void {
    this.line++;
    this.#before.length = 0;
    if (this.#after > 0) this.#after--;
  }
}

/** A stream of UTF-8 bytes: `read` fills the front of `into` and says how much (0 at the end). */
interface Source {
  read(into: Uint8Array, wait: boolean): number | Promise<number>;
}

function fileSource(file: Deno.FsFile): Source {
  return {
    read: (into, wait) => wait ? file.read(into).then((n) => n ?? 0) : file.readSync(into) ?? 0,
  };
}

/** The byte-order mark of a UTF-16 file: "utf-16le", "utf-16be", or undefined. */
function utf16(bytes: Uint8Array): "utf-16le" | "utf-16be" | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return undefined;
}

/** A UTF-16 file read as UTF-8, as ripgrep transcodes it before searching. */
function transcodedSource(file: Deno.FsFile, head: Uint8Array, encoding: string): Source {
  const decoder = new TextDecoder(encoding);
  const encoder = new TextEncoder();
  const raw = new Uint8Array(BLOCK_BYTES);
  let pending = encoder.encode(decoder.decode(head, { stream: true }));
  let done = false;
  return {
    async read(into) {
      while (pending.length === 0 && !done) {
        const n = (await file.read(raw)) ?? 0;
        if (n === 0) done = true;
        pending = encoder.encode(
          n === 0 ? decoder.decode() : decoder.decode(raw.subarray(0, n), { stream: true }),
        );
      }
      const size = Math.min(pending.length, into.length);
      into.set(pending.subarray(0, size));
      pending = pending.subarray(size);
      return size;
    },
  };
}

function readFullSync(file: Deno.FsFile, into: Uint8Array): number {
  let size = 0;
  while (size < into.length) {
    const n = file.readSync(into.subarray(size));
    if (n === null || n === 0) break;
    size += n;
  }
  return size;
}

async function readFull(file: Deno.FsFile, into: Uint8Array): Promise<number> {
  let size = 0;
  while (size < into.length) {
    const n = await file.read(into.subarray(size));
    if (n === null || n === 0) break;
    size += n;
  }
  return size;
}

/** Decodes as ripgrep would (UTF-16 by its byte-order mark, else UTF-8, a leading BOM dropped). */
const utf8 = new TextDecoder();
/** For text after the start of a file, where U+FEFF is just a character. */
const utf8Inner = new TextDecoder("utf-8", { ignoreBOM: true });

/** Searches files natively, one at a time, with ripgrep's reading and binary rules. */
class Scanner {
  readonly #pacer = new Pacer();
  readonly #head = new Uint8Array(BLOCK_BYTES);

  constructor(readonly query: GrepQuery, readonly test: Tester, readonly options: SearchOptions) {}

  /**
   * Searches one file (an unreadable one counts as searched, as ripgrep skips it). Answers at once
   * unless the file is big or the event loop is due a turn. False when the sink said stop.
   */
  scan(abs: string, path: string): boolean | Promise<boolean> {
    this.options.progress?.(path);
    if (this.#pacer.due()) return this.#scanAsync(abs, path);
    let file: Deno.FsFile;
    let size: number;
    try {
      file = Deno.openSync(abs);
    } catch (error) {
      return this.#unreadable(path, error);
    }
    try {
      size = readFullSync(file, this.#head);
    } catch (error) {
      file.close();
      return this.#unreadable(path, error);
    }
    if (size < BLOCK_BYTES) {
      file.close();
      return this.#small(this.#head.subarray(0, size), path);
    }
    return this.#stream(file, this.#head.slice(), path);
  }

  async #scanAsync(abs: string, path: string): Promise<boolean> {
    const { signal } = this.options;
    let file: Deno.FsFile;
    let size: number;
    try {
      file = await Deno.open(abs);
    } catch (error) {
      signal?.throwIfAborted();
      return this.#unreadable(path, error);
    }
    try {
      size = await readFull(file, this.#head);
      signal?.throwIfAborted();
    } catch (error) {
      file.close();
      if (signal?.aborted) throw error;
      return this.#unreadable(path, error);
    }
    if (size < BLOCK_BYTES) {
      file.close();
      return this.#small(this.#head.subarray(0, size), path);
    }
    return this.#stream(file, this.#head.slice(), path);
  }

  /** Tells about a file that could not be read, which counts as searched, as ripgrep skips it. */
  #unreadable(path: string, error: unknown): true {
    const reason = this.options.onUnreadable && unreadableReason(error);
    if (reason) this.options.onUnreadable!(path, reason);
    return true;
  }

  /** A file that fits in the first block: binary if that block holds a NUL. */
  #small(bytes: Uint8Array, path: string): boolean {
    const encoding = utf16(bytes);
    let text: string;
    if (encoding !== undefined) {
      text = new TextDecoder(encoding).decode(bytes);
      if (text.includes("\0")) return true;
    } else {
      if (bytes.indexOf(0) !== -1) return true;
      text = utf8.decode(bytes);
    }
    return new LineSearch(path, this.test, this.query.context, this.options.sink).feed(text, true);
  }

  /** A bigger file, read the way ripgrep reads it (see the module's notes); closes `file`. */
  async #stream(file: Deno.FsFile, head: Uint8Array, path: string): Promise<boolean> {
    try {
      const { signal } = this.options;
      const search = new LineSearch(path, this.test, this.query.context, this.options.sink);
      const encoding = utf16(head);
      const source = encoding === undefined ? fileSource(file) : transcodedSource(file, head, encoding);
      let buf = new Uint8Array(BLOCK_BYTES);
      let end = 0;
      if (encoding === undefined) {
        buf.set(head);
        end = head.length;
      }
      // Bytes from `fresh` on came with the last read; `skipping` drops a line too long to hold.
      let fresh = 0;
      let skipping = false;
      let started = false;
      const max = this.options.maxLineBytes ?? MAX_LINE_BYTES;
      const tooLong = () => {
        search.skip();
        this.options.notice?.(path, `line ${search.line} is longer than ${formatSize(max)}`);
      };
      while (true) {
        // A NUL byte in a read ends the search before that read's lines are searched.
        if (buf.subarray(fresh, end).indexOf(0) !== -1) return true;
        if (skipping) {
          const newline = buf.subarray(fresh, end).indexOf(10);
          if (newline !== -1) {
            skipping = false;
            tooLong();
            buf.copyWithin(0, fresh + newline + 1, end);
            end -= fresh + newline + 1;
            fresh = 0;
            continue;
          }
          end = 0;
        } else {
          // Bytes before `fresh` hold no line ending, so the last one is among the fresh bytes.
          const newline = buf.subarray(fresh, end).lastIndexOf(10);
          if (newline !== -1) {
            const cut = fresh + newline + 1;
            const text = (started ? utf8Inner : utf8).decode(buf.subarray(0, cut));
            started = true;
            if (!search.feed(text, false)) return false;
            buf.copyWithin(0, cut, end);
            end -= cut;
          }
        }
        fresh = end;
        if (end === buf.length) {
          if (buf.length >= max) {
            skipping = true;
            end = fresh = 0;
          } else {
            const grown = new Uint8Array(Math.min(buf.length * 3, max));
            grown.set(buf);
            buf = grown;
          }
        }
        this.options.progress?.(path);
        let n = source.read(buf.subarray(end), this.#pacer.due());
        if (typeof n !== "number") {
          n = await n;
          signal?.throwIfAborted();
        }
        if (n === 0) {
          if (skipping) tooLong();
          else if (end > 0) {
            return search.feed((started ? utf8Inner : utf8).decode(buf.subarray(0, end)), true);
          }
          return true;
        }
        end += n;
      }
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      // A file that fails mid-read keeps what was reported, as with ripgrep.
      return this.#unreadable(path, error);
    } finally {
      file.close();
    }
  }
}

/**
 * Whether a file is binary by ripgrep's rule: a NUL byte in its first 64 KB (after decoding UTF-16).
 * An unreadable file is not.
 */
export async function isBinaryFile(abs: string): Promise<boolean> {
  try {
    using file = await Deno.open(abs);
    const bytes = new Uint8Array(BLOCK_BYTES);
    const head = bytes.subarray(0, await readFull(file, bytes));
    const encoding = utf16(head);
    return encoding === undefined
      ? head.indexOf(0) !== -1
      : new TextDecoder(encoding).decode(head).includes("\0");
  } catch {
    return false;
  }
}

/**
 * Searches the tree under `root` (or the one file `options.only` in it) with the native walker, in
 * path order. Throws a `SyntaxError` for a bad pattern.
 */
export async function searchNative(root: string, query: GrepQuery, options: SearchOptions): Promise<void> {
  const { signal } = options;
  const scanner = new Scanner(query, tester(query), options);
  if (options.only !== undefined) {
    await scanner.scan(join(root, options.only), options.only);
    return;
  }
  for await (const batch of walkTree(root, { signal, onUnreadable: options.onUnreadable })) {
    options.progress?.(batch.dir);
    for (const name of batch.files) {
      const path = batch.dir + name;
      if (query.fileGlob && !query.fileGlob.matches(path, false)) continue;
      let going = scanner.scan(batch.abs + name, path);
      if (typeof going !== "boolean") going = await going;
      if (!going) return;
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

/** A file name as a ripgrep glob that matches only that name. */
function globLiteral(name: string): string {
  return name.replace(/[\\*?[\]{}]/g, "\\$&").replace(/^!/, "\\!");
}

/**
 * Searches the tree under `root` (or the one file `options.only` in it) with ripgrep. Its fast
 * parallel search reports files in no fixed order, which is fine when every match fits; when the sink
 * stops it early, the search starts over in path order (`--sort path`, one thread), so that the
 * first matches are the same the native engine finds.
 */
export async function searchRipgrep(
  root: string,
  query: GrepQuery,
  options: SearchOptions,
): Promise<RipgrepOutcome> {
  let outcome = await ripgrepPass(root, query, options, false);
  if (outcome.stopped && options.only === undefined) {
    options.restart();
    outcome = await ripgrepPass(root, query, options, true);
  }
  if (outcome.failed) {
    const error = /^error: (.*)$/m.exec(outcome.stderr)?.[1];
    return { done: false, message: error };
  }
  return { done: true };
}

async function ripgrepPass(
  root: string,
  query: GrepQuery,
  options: SearchOptions,
  sorted: boolean,
): Promise<{ stopped: boolean; failed: boolean; stderr: string }> {
  // The plain output with `--null` (path, NUL, number, `:` or `-`, text) is several times cheaper to
  // read than `--json`; invalid UTF-8 decodes to U+FFFD here as it does in the native engine.
  const args = ["--line-number", "--with-filename", "--no-heading", "--null", "--color", "never"];
  if (sorted) args.push("--sort", "path");
  if (query.ignoreCase) args.push("--ignore-case");
  if (query.literal) args.push("--fixed-strings");
  // Context groups are parted by `--` lines; having no NUL, they are skipped below, as are the
  // warnings ripgrep prints when binary data ends a file's search.
  if (query.context > 0) args.push("--context", String(query.context));
  const { only } = options;
  let check: IgnoreCheck | undefined;
  if (only !== undefined) {
    // A file named explicitly is searched from its folder, so that the same binary rule applies as
    // in a folder search (ripgrep treats files given on its command line differently).
    args.push("--no-ignore", "--max-depth", "1", "--glob", globLiteral(only));
  } else if (query.fileGlobText !== undefined && !query.fileGlob?.dirOnly) {
    const names = nameGlob(query.fileGlobText);
    if (names !== undefined) args.push("--type-add", `nanocode:${names}`, "--type", "nanocode");
    const paths = pathGlob(query.fileGlobText);
    if (paths !== undefined) {
      // An including `--glob` overrides `.gitignore`: what it lets in is checked again below.
      args.push("--glob", paths);
      check = await IgnoreCheck.create(root);
    }
  }
  args.push("--regexp", query.pattern);
  const { sink } = options;
  const fileGlob = only === undefined ? query.fileGlob : undefined;
  let reported = 0;
  const outcome = await runRipgrep(args, {
    cwd: root,
    signal: options.signal,
    onUnreadable: options.onUnreadable,
    onRecord(record) {
      const nul = record.indexOf("\0");
      if (nul < 0) return true;
      const path = record.slice(0, nul);
      if (fileGlob && !fileGlob.matches(path, false)) return true;
      if (check?.ignored(path)) return true;
      let end = nul + 1;
      let line = 0;
      for (let c = record.charCodeAt(end); c >= 48 && c <= 57; c = record.charCodeAt(++end)) {
        line = line * 10 + c - 48;
      }
      reported++;
      return sink(path, line, record.slice(end + 1), record[end] === ":");
    },
  });
  return { stopped: outcome.stopped, failed: ripgrepFailed(outcome, reported > 0), stderr: outcome.stderr };
}
