/**
 * The `find` tool: files and folders under a path whose path matches a glob, in path order (a folder
 * before what it holds), capped.
 * @module
 */

import { textResult, type Tool, type ToolContext, type ToolResult } from "../core/mod.ts";
import { chooseBackend, type FileToolOptions, listEntries, sortPaths, UnreadableList } from "./search/mod.ts";
import { globArgument, optionalCount, optionalString, requiredString, searchRoot } from "./_search_args.ts";

/** Results shown when the call gives no limit. */
export const FIND_DEFAULT_LIMIT = 1000;

/**
 * Builds the `find` tool. Every folder that is not ignored can be reported, empty ones included; the
 * cap keeps the first results in path order, the same ones on either engine.
 */
export function createFindTool(options: FileToolOptions = {}): Tool {
  return {
    name: "find",
    description:
      `Find files and folders by glob under a path. A pattern without "/" matches names at any depth ("*.ts", "test_*"); one with "/" matches the whole path from the search folder ("src/**/*.ts"); "**", "{a,b}" and "[...]" work; a trailing "/" matches folders only. Paths are relative to the search folder, folders end in "/". Hidden files included; .gitignore respected. At most ${FIND_DEFAULT_LIMIT} results unless limit says otherwise.`,
    parameters: {
      type: "object",
      properties: {
        pattern: { type: "string", description: 'Glob, e.g. "*.ts", "src/**/*.test.ts", "fixtures/"' },
        path: { type: "string", description: "Folder to search (default: the working folder)" },
        limit: {
          type: "integer",
          minimum: 1,
          description: `Most results to return (default ${FIND_DEFAULT_LIMIT})`,
        },
      },
      required: ["pattern"],
    },
    permissions: ["read"],
    readOnly: true,
    async execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult> {
      const pattern = requiredString(args, "pattern", "find");
      const path = optionalString(args, "path", "find");
      const limit = optionalCount(args, "limit", { tool: "find", fallback: FIND_DEFAULT_LIMIT });
      const matcher = globArgument(pattern, "find");
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
        folders: true,
        gather: {
          add(entry) {
            const folder = entry.endsWith("/");
            if (matcher.matches(folder ? entry.slice(0, -1) : entry, folder)) found.push(entry);
            return found.length <= limit;
          },
          clear: () => void (found.length = 0),
        },
      });
      sortPaths(found);
      const truncated = found.length > limit;
      const kept = truncated ? found.slice(0, limit) : found;
      const details = { backend, count: kept.length, truncated, unreadable: unreadable.count };
      if (kept.length === 0) {
        const unread = unreadable.count === 0
          ? ""
          : `, but ${unreadable.summary()}, so what they hold was not looked at`;
        return textResult(`No files or folders match "${pattern}" ${root.where}${unread}.`, details);
      }
      const notes: string[] = [];
      if (truncated) {
        notes.push(
          `[${limit} results limit reached. Use limit=${limit * 2} for more, or narrow the pattern or path.]`,
        );
      }
      if (unreadable.count > 0) notes.push(`[Not looked into: ${unreadable.summary()}.]`);
      const text = notes.length > 0 ? `${kept.join("\n")}\n\n${notes.join("\n")}` : kept.join("\n");
      return textResult(text, details);
    },
  };
}

/** The `find` tool with default options. */
export const findTool: Tool = createFindTool();
