/**
 * The `find` tool: files and folders under a path whose path matches a glob, sorted, capped.
 * @module
 */

import { textResult, type Tool, type ToolContext, type ToolResult } from "../core/mod.ts";
import { listFiles } from "./file_list.ts";
import { chooseBackend, type FileToolOptions } from "./ripgrep.ts";
import { globArgument, optionalCount, optionalString, requiredString, searchRoot } from "./search_args.ts";

/** Results shown when the call gives no limit. */
export const FIND_DEFAULT_LIMIT = 1000;

/**
 * Builds the `find` tool. Folders are reported when their own path matches and they hold at least one
 * file that is not ignored (ripgrep lists files only, so both engines derive folders the same way).
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
    async execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult> {
      const pattern = requiredString(args, "pattern", "find");
      const path = optionalString(args, "path", "find");
      const limit = optionalCount(args, "limit", { tool: "find", fallback: FIND_DEFAULT_LIMIT });
      const matcher = globArgument(pattern, "find");
      const root = await searchRoot(path, ctx.cwd, "search");
      if (!root.isDirectory) {
        throw new Error(
          `Cannot search ${root.shown}: it is a file, not a folder; give the folder that holds it`,
        );
      }
      const found: string[] = [];
      const seenDirs = new Set<string>();
      const backend = await listFiles(root.abs, {
        backend: await chooseBackend(options.backend),
        signal: ctx.signal,
        onFile(file) {
          // Each folder on the way to a file is considered once, deepest first until one was seen.
          for (let end = file.lastIndexOf("/"); end > 0; end = file.lastIndexOf("/", end - 1)) {
            const dir = file.slice(0, end);
            if (seenDirs.has(dir)) break;
            seenDirs.add(dir);
            if (matcher.matches(dir, true)) found.push(`${dir}/`);
          }
          if (matcher.matches(file, false)) found.push(file);
          return found.length <= limit;
        },
      });
      // Default sort order is by UTF-16 code unit, like `<`.
      found.sort();
      const truncated = found.length > limit;
      const kept = truncated ? found.slice(0, limit) : found;
      const details = { backend, count: kept.length, truncated };
      if (kept.length === 0) {
        return textResult(`No files or folders match "${pattern}" in ${root.shown}.`, details);
      }
      let text = kept.join("\n");
      if (truncated) {
        text += `\n\n[${limit} results limit reached. Use limit=${
          limit * 2
        } for more, or narrow the pattern or path.]`;
      }
      return textResult(text, details);
    },
  };
}

/** The `find` tool with default options. */
export const findTool: Tool = createFindTool();
