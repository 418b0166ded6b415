/**
 * The `grep` tool: a regular expression (or literal text) searched in the files under a path, answered
 * as `path:LINE: text` lines with `path-LINE- context` around them, capped, long lines cut.
 * @module
 */

import { basename, dirname } from "node:path";
import {
  byteLength,
  formatSize,
  MAX_BYTES,
  MAX_LINE_CHARS,
  MAX_LINES,
  textResult,
  type Tool,
  type ToolContext,
  type ToolResult,
  truncateLine,
} from "../core/mod.ts";
import {
  chooseBackend,
  type FileToolOptions,
  type GrepQuery,
  type GuardedOptions,
  isBinaryFile,
  lineRegExp,
  searchNativeGuarded,
  searchRipgrep,
  sortPaths,
  UnreadableList,
} from "./search/mod.ts";
import {
  globArgument,
  optionalCount,
  optionalFlag,
  optionalString,
  requiredString,
  type SearchRoot,
  searchRoot,
} from "./_search_args.ts";

/** Matching lines shown when the call gives no limit. */
export const GREP_DEFAULT_LIMIT = 100;

interface Line {
  number: number;
  text: string;
  match: boolean;
}

/**
 * Gathers reported lines up to the match limit. After the last allowed match it still takes that
 * match's trailing context, and notes whether another match exists.
 */
class Collector {
  readonly files = new Map<string, Line[]>();
  readonly notices: string[] = [];
  readonly unreadable = new UnreadableList();
  matches = 0;
  more = false;
  #lastPath = "";
  #lastLine = 0;

  constructor(readonly limit: number, readonly context: number) {}

  clear = (): void => {
    this.files.clear();
    this.notices.length = 0;
    this.matches = 0;
    this.more = false;
    this.#lastPath = "";
    this.#lastLine = 0;
  };

  notice = (path: string, message: string): void => {
    this.notices.push(`${path}: ${message}`);
  };

  add = (path: string, number: number, text: string, match: boolean): boolean => {
    if (this.matches >= this.limit) {
      // Anything but the last match's own trailing context means another match exists.
      if (match || path !== this.#lastPath || number > this.#lastLine + this.context) {
        this.more = true;
        return false;
      }
    }
    let lines = this.files.get(path);
    if (lines === undefined) {
      lines = [];
      this.files.set(path, lines);
    }
    lines.push({ number, text, match });
    if (match) {
      this.matches++;
      this.#lastPath = path;
      this.#lastLine = number;
    }
    return true;
  };
}

/** Names what could not be searched, a few at most. */
function skippedNote(notices: string[]): string {
  const more = notices.length > 3 ? `; and ${notices.length - 3} more` : "";
  const what = notices.slice(0, 3).join("; ");
  return `[Not searched, too long to hold: ${what}${more}. Use bash (e.g. rg) for such lines.]`;
}

function regexError(pattern: string, why: string): Error {
  return new Error(
    `Cannot run grep: "${pattern}" is not a valid regular expression (${why}); fix it, or set literal to true to search for the text as written`,
  );
}

/** The answer's lines, built only as far as the output limits reach. */
interface Formatted {
  text: string;
  /** Lines in the answer and lines there would be without the output limits. */
  shown: number;
  total: number;
  /** Which output limit stopped the answer, if any. */
  by: "bytes" | "lines" | null;
  /** Whether a shown line was cut to {@link MAX_LINE_CHARS}. */
  cut: boolean;
}

function format(collector: Collector): Formatted {
  const out: string[] = [];
  let bytes = 0;
  let total = 0;
  let by: Formatted["by"] = null;
  let cut = false;
  const paths = sortPaths([...collector.files.keys()]);
  for (const path of paths) {
    const lines = collector.files.get(path)!;
    total += lines.length;
    if (by !== null) continue;
    for (const line of lines) {
      const raw = line.text.endsWith("\r") ? line.text.slice(0, -1) : line.text;
      const shown = truncateLine(raw, MAX_LINE_CHARS);
      const text = line.match
        ? `${path}:${line.number}: ${shown.text}`
        : `${path}-${line.number}- ${shown.text}`;
      const size = byteLength(text) + (out.length > 0 ? 1 : 0);
      if (out.length >= MAX_LINES || bytes + size > MAX_BYTES) {
        by = out.length >= MAX_LINES ? "lines" : "bytes";
        break;
      }
      out.push(text);
      bytes += size;
      cut ||= shown.cut;
    }
  }
  return { text: out.join("\n"), shown: out.length, total, by, cut };
}

/**
 * Runs the search on the chosen engine and returns the engine that answered. ripgrep hands over to the
 * native engine when it fails outright (say, on look-around it cannot parse); a pattern the native
 * engine cannot read either gets the native engine's error, so both engines word it alike.
 */
async function search(
  root: SearchRoot,
  query: GrepQuery,
  options: GuardedOptions & { backend: "rg" | "native" },
): Promise<"rg" | "native"> {
  let invalid: string | undefined;
  try {
    lineRegExp(query);
  } catch (error) {
    invalid = (error as Error).message.replace(/^Invalid regular expression: .*: /, "");
  }
  const only = root.isDirectory ? undefined : basename(root.abs);
  const folder = root.isDirectory ? root.abs : dirname(root.abs);
  if (only !== undefined && query.fileGlob && !query.fileGlob.matches(only, false)) {
    if (invalid !== undefined) throw regexError(query.pattern, invalid);
    return options.backend;
  }
  if (options.backend === "rg") {
    const outcome = await searchRipgrep(folder, query, { ...options, only });
    if (outcome.done) return "rg";
    options.restart();
  }
  if (invalid !== undefined) throw regexError(query.pattern, invalid);
  await searchNativeGuarded(folder, query, { ...options, only });
  return "native";
}

/** Builds the `grep` tool. */
export function createGrepTool(options: FileToolOptions = {}): Tool {
  return {
    name: "grep",
    description:
      `Search file contents for a regular expression (or literal text). Answers "path:LINE: text" per matching line and "path-LINE- text" for context lines; paths are relative to the search folder. Hidden files searched, binary files skipped, .gitignore respected. Lines longer than ${MAX_LINE_CHARS} characters are cut. At most ${GREP_DEFAULT_LIMIT} matches unless limit says otherwise.`,
    parameters: {
      type: "object",
      properties: {
        pattern: { type: "string", description: "Regular expression, or text when literal is true" },
        path: { type: "string", description: "Folder or file to search (default: the working folder)" },
        glob: {
          type: "string",
          description: 'Only files matching this glob, e.g. "*.ts" or "src/**/*.{ts,tsx}"',
        },
        ignoreCase: { type: "boolean", description: "Match without regard to case (default false)" },
        literal: { type: "boolean", description: "Treat the pattern as plain text (default false)" },
        context: { type: "integer", minimum: 0, description: "Lines to show before and after each match" },
        limit: {
          type: "integer",
          minimum: 1,
          description: `Most matching lines to return (default ${GREP_DEFAULT_LIMIT})`,
        },
      },
      required: ["pattern"],
    },
    permissions: ["read"],
    readOnly: true,
    async execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult> {
      const pattern = requiredString(args, "pattern", "grep");
      const path = optionalString(args, "path", "grep");
      const glob = optionalString(args, "glob", "grep");
      const limit = optionalCount(args, "limit", { tool: "grep", fallback: GREP_DEFAULT_LIMIT });
      const context = optionalCount(args, "context", { tool: "grep", fallback: 0, min: 0 });
      const query: GrepQuery = {
        pattern,
        literal: optionalFlag(args, "literal", "grep"),
        ignoreCase: optionalFlag(args, "ignoreCase", "grep"),
        context,
        fileGlob: glob === undefined ? undefined : globArgument(glob, "grep"),
        fileGlobText: glob,
      };
      const root = await searchRoot(path, ctx.cwd, { action: "search" });
      const collector = new Collector(limit, context);
      const backend = await search(root, query, {
        backend: await chooseBackend(options.backend),
        signal: ctx.signal,
        sink: collector.add,
        restart: collector.clear,
        notice: collector.notice,
        onUnreadable: collector.unreadable.add,
        timeLimitMs: options.patternTimeLimitMs,
      });
      ctx.signal.throwIfAborted();
      const details = {
        backend,
        matches: collector.matches,
        truncated: collector.more,
        unreadable: collector.unreadable.count,
      };
      const skipped = collector.notices.length === 0 ? "" : `\n\n${skippedNote(collector.notices)}`;
      if (collector.matches === 0) {
        const named = !root.isDirectory && (!query.fileGlob || query.fileGlob.matches(basename(root.abs)));
        if (named && await isBinaryFile(root.abs)) {
          return textResult(
            `${root.shown} is a binary file (it has a NUL byte in its first 64 KB), so grep does not search it. Use read to see what kind of file it is, or bash (e.g. strings) to look inside.`,
            details,
          );
        }
        const filter = glob === undefined ? "" : ` (files matching ${glob})`;
        const unread = collector.unreadable.count === 0
          ? ""
          : `, but ${collector.unreadable.summary()}, so they were not searched`;
        return textResult(
          `No matches found for "${pattern}" ${root.where}${filter}${unread}.${skipped}`,
          details,
        );
      }
      const formatted = format(collector);
      const notes: string[] = [];
      if (collector.more) {
        notes.push(
          `[${limit} matches limit reached. Use limit=${
            limit * 2
          } for more, or narrow the pattern, path or glob.]`,
        );
      }
      if (formatted.by !== null) {
        const what = formatted.by === "bytes" ? formatSize(MAX_BYTES) : `${MAX_LINES} lines`;
        notes.push(
          `[Output cut at ${what}: showing lines 1-${formatted.shown} of ${formatted.total}. Narrow the pattern, path or glob, or ask for less context.]`,
        );
      }
      if (formatted.cut) {
        notes.push(
          `[Some lines were cut to ${MAX_LINE_CHARS} characters. Use read on the file to see them whole.]`,
        );
      }
      if (collector.notices.length > 0) notes.push(skippedNote(collector.notices));
      if (collector.unreadable.count > 0) {
        notes.push(`[Not searched: ${collector.unreadable.summary()}.]`);
      }
      const text = notes.length > 0 ? `${formatted.text}\n\n${notes.join("\n")}` : formatted.text;
      return textResult(text, details);
    },
  };
}

/** The `grep` tool with default options. */
export const grepTool: Tool = createGrepTool();
