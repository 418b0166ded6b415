/**
 * The `glob` tool: files whose path matches a glob, newest first by modification time.
 * @module
 */

import { join } from "node:path";
import { textResult, type Tool, type ToolContext, type ToolResult } from "../core/mod.ts";
import {
  chooseBackend,
  type FileToolOptions,
  listEntries,
  nameGlob,
  pathGlob,
  sortPaths,
  UnreadableList,
} from "./search/mod.ts";
import { globArgument, optionalString, requiredString, searchRoot } from "./_search_args.ts";

/**
 * Most files `glob` returns. The walk stops once this many match, so on a huge tree the result is the
 * newest of the first matches in path order, and a note says so.
 */
export const GLOB_LIMIT = 1000;
/** File times read at once. */
const STAT_BATCH = 64;

async function modifiedTimes(root: string, files: string[], signal: AbortSignal): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < files.length; i += STAT_BATCH) {
    signal.throwIfAborted();
    const batch = files.slice(i, i + STAT_BATCH).map(async (file) => {
      try {
        return (await Deno.stat(join(root, file))).mtime?.getTime() ?? 0;
      } catch {
        return 0;
      }
    });
    times.push(...await Promise.all(batch));
  }
  return times;
}

/** Builds the `glob` tool. */
export function createGlobTool(options: FileToolOptions = {}): Tool {
  return {
    name: "glob",
    description:
      `List files matching a glob, newest first by modification time. A pattern without "/" matches names at any depth ("*.ts"); one with "/" matches the whole path from the search folder ("src/**/*.{ts,tsx}"); "**", "{a,b}" and "[...]" work. Paths are relative to the search folder. Hidden files included; .gitignore respected. At most ${GLOB_LIMIT} files.`,
    parameters: {
      type: "object",
      properties: {
        pattern: { type: "string", description: 'Glob, e.g. "**/*.ts" or "src/**/*.test.ts"' },
        path: { type: "string", description: "Folder to search (default: the working folder)" },
      },
      required: ["pattern"],
    },
    permissions: ["read"],
    readOnly: true,
    async execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult> {
      const pattern = requiredString(args, "pattern", "glob");
      const path = optionalString(args, "path", "glob");
      const matcher = globArgument(pattern, "glob");
      const root = await searchRoot(path, ctx.cwd, {
        action: "search",
        folderOnly: "give the folder that holds it",
      });
      const found: string[] = [];
      const unreadable = new UnreadableList();
      const backend = await listEntries(root.abs, {
        backend: await chooseBackend(options.backend),
        signal: ctx.signal,
        onUnreadable: unreadable.add,
        nameGlob: matcher.dirOnly ? undefined : nameGlob(pattern),
        pathGlob: matcher.dirOnly ? undefined : pathGlob(pattern),
        gather: {
          add(file) {
            if (matcher.matches(file, false)) found.push(file);
            return found.length <= GLOB_LIMIT;
          },
          clear: () => void (found.length = 0),
        },
      });
      // The cap keeps the first files in path order (the same on either engine), then sorts by time.
      sortPaths(found);
      const truncated = found.length > GLOB_LIMIT;
      if (truncated) found.length = GLOB_LIMIT;
      const times = await modifiedTimes(root.abs, found, ctx.signal);
      const order = found.map((_, i) => i);
      // Ties keep path order: the sort is stable.
      order.sort((a, b) => times[b] - times[a]);
      const kept = order.map((i) => found[i]);
      const details = { backend, count: kept.length, truncated, unreadable: unreadable.count };
      if (kept.length === 0) {
        const unread = unreadable.count === 0
          ? ""
          : `, but ${unreadable.summary()}, so what they hold was not looked at`;
        return textResult(`No files match "${pattern}" ${root.where}${unread}.`, details);
      }
      const notes: string[] = [];
      if (truncated) {
        notes.push(
          `[${GLOB_LIMIT} files limit reached: the search stopped there, so these are the newest of the first ${GLOB_LIMIT} in path order. Narrow the pattern or path to see the rest.]`,
        );
      }
      if (unreadable.count > 0) notes.push(`[Not looked into: ${unreadable.summary()}.]`);
      const text = notes.length > 0 ? `${kept.join("\n")}\n\n${notes.join("\n")}` : kept.join("\n");
      return textResult(text, details);
    },
  };
}

/** The `glob` tool with default options. */
export const globTool: Tool = createGlobTool();
