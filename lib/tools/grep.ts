/**
 * The `grep` tool: a regular expression (or literal text) searched in the files under a path, answered
 * as `path:LINE: text` lines with `path-LINE- context` around them, capped, long lines cut.
 * @module
 */

import { basename } from "node:path";
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
  type GrepQuery,
  lineRegExp,
  searchFile,
  searchNative,
  type SearchOptions,
  searchRipgrep,
} from "./grep_search.ts";
import { chooseBackend, type FileToolOptions } from "./ripgrep.ts";
import {
  globArgument,
  optionalCount,
  optionalFlag,
  optionalString,
  requiredString,
  type SearchRoot,
  searchRoot,
} from "./search_args.ts";

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
  matches = 0;
  more = false;
  #lastPath = "";
  #lastLine = 0;

  constructor(readonly limit: number, readonly context: number) {}

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
  // Default sort order is by UTF-16 code unit, like `<`.
  const paths = [...collector.files.keys()].sort();
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
 * Runs the search on the chosen engine and returns the engine that answered: a single file is searched
 * natively, and so is a tree when ripgrep fails outright (say, on look-around it cannot parse).
 */
async function search(
  root: SearchRoot,
  query: GrepQuery,
  options: SearchOptions & { backend: "rg" | "native" },
): Promise<"rg" | "native"> {
  let invalid: string | undefined;
  try {
    lineRegExp(query);
  } catch (error) {
    invalid = (error as Error).message.replace(/^.*: /, "");
  }
  if (!root.isDirectory) {
    if (invalid !== undefined) throw regexError(query.pattern, invalid);
    const name = basename(root.abs);
    if (!query.fileGlob || query.fileGlob.matches(name, false)) searchFile(root.abs, name, query, options);
    return "native";
  }
  if (options.backend === "rg") {
    const outcome = await searchRipgrep(root.abs, query, options);
    if (outcome.done) return "rg";
    if (invalid !== undefined) throw regexError(query.pattern, outcome.message ?? invalid);
  }
  if (invalid !== undefined) throw regexError(query.pattern, invalid);
  await searchNative(root.abs, query, options);
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
      const root = await searchRoot(path, ctx.cwd, "search");
      const collector = new Collector(limit, context);
      const backend = await search(root, query, {
        backend: await chooseBackend(options.backend),
        signal: ctx.signal,
        sink: collector.add,
      });
      ctx.signal.throwIfAborted();
      const details = { backend, matches: collector.matches, truncated: collector.more };
      if (collector.matches === 0) {
        const filter = glob === undefined ? "" : ` (files matching ${glob})`;
        return textResult(`No matches found for "${pattern}" in ${root.shown}${filter}.`, details);
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
      const text = notes.length > 0 ? `${formatted.text}\n\n${notes.join("\n")}` : formatted.text;
      return textResult(text, details);
    },
  };
}

/** The `grep` tool with default options. */
export const grepTool: Tool = createGrepTool();
