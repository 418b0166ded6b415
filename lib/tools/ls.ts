/**
 * The `ls` tool: the entries of one folder, sorted without regard to case, folders marked with a
 * trailing `/`, dotfiles included, `.gitignore`d entries and `.git` left out.
 * @module
 */

import { textResult, type Tool, type ToolContext, type ToolResult } from "../core/mod.ts";
import {
  addLayer,
  ancestorChain,
  type FileToolOptions,
  isIgnored,
  readGitignoreSync,
  UnreadableList,
  unreadableReason,
} from "./search/mod.ts";
import { optionalCount, optionalString, searchRoot } from "./_search_args.ts";
import { describeFsError } from "./_path.ts";
import { join } from "node:path";

/** Entries shown when the call gives no limit. */
export const LS_DEFAULT_LIMIT = 500;
/** Ignored names named in the note before it only counts the rest. */
const IGNORED_SHOWN = 20;

/** Sorts names the way `ls` shows them: case-insensitively, ties broken by code point. */
export function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether an entry is a folder; a link whose target cannot be looked at is told to `unreadable`. */
async function isDirectoryEntry(
  path: string,
  entry: Deno.DirEntry,
  unreadable: UnreadableList,
): Promise<boolean> {
  if (!entry.isSymlink) return entry.isDirectory;
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (error) {
    const reason = unreadableReason(error);
    if (reason) unreadable.add(entry.name, reason);
    return false;
  }
}

/**
 * Builds the `ls` tool. It has no ripgrep path (one folder is one system call); `backend` is
 * accepted so all four file tools take the same options.
 */
export function createLsTool(_options: FileToolOptions = {}): Tool {
  return {
    name: "ls",
    description:
      `List the entries of one folder, sorted case-insensitively. Folders end in "/"; dotfiles are shown; entries ignored by .gitignore and the .git folder are left out. At most ${LS_DEFAULT_LIMIT} entries unless limit says otherwise.`,
    parameters: {
      type: "object",
      properties: {
        path: { type: "string", description: "Folder to list (default: the working folder)" },
        limit: {
          type: "integer",
          minimum: 1,
          description: `Most entries to show (default ${LS_DEFAULT_LIMIT})`,
        },
      },
    },
    permissions: ["read"],
    readOnly: true,
    async execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult> {
      const path = optionalString(args, "path", "ls");
      const limit = optionalCount(args, "limit", { tool: "ls", fallback: LS_DEFAULT_LIMIT });
      const root = await searchRoot(path, ctx.cwd, {
        action: "list",
        folderOnly: "use read to see its content",
      });
      let entries: Deno.DirEntry[];
      try {
        entries = await Array.fromAsync(Deno.readDir(root.abs));
      } catch (error) {
        throw describeFsError(error, "list", root.shown);
      }
      ctx.signal.throwIfAborted();
      let chain = entries.some((e) => e.name === ".git") ? null : await ancestorChain(root.abs);
      if (entries.some((e) => e.name === ".gitignore" && !e.isDirectory)) {
        chain = addLayer(chain, readGitignoreSync(join(root.abs, ".gitignore")), "");
      }
      const shown: string[] = [];
      const ignored: string[] = [];
      const unreadable = new UnreadableList();
      for (const entry of entries) {
        if (entry.name === ".git") continue;
        const isDir = await isDirectoryEntry(join(root.abs, entry.name), entry, unreadable);
        const name = isDir ? `${entry.name}/` : entry.name;
        (isIgnored(chain, entry.name, isDir) ? ignored : shown).push(name);
      }
      shown.sort(compareNames);
      ignored.sort(compareNames);
      const notes: string[] = [];
      const kept = shown.slice(0, limit);
      if (shown.length > limit) {
        notes.push(
          `[${limit} entries limit reached (${shown.length} in all). Use limit=${
            Math.min(shown.length, limit * 2)
          } for more.]`,
        );
      }
      if (ignored.length > 0) {
        const names = ignored.slice(0, IGNORED_SHOWN).join(", ");
        const more = ignored.length > IGNORED_SHOWN ? ` and ${ignored.length - IGNORED_SHOWN} more` : "";
        notes.push(`[Not shown, ignored by .gitignore: ${names}${more}]`);
      }
      if (unreadable.count > 0) {
        notes.push(`[Shown as files, their targets could not be read: ${unreadable.list()}]`);
      }
      const body = kept.length > 0 ? kept.join("\n") : "(empty directory)";
      const text = notes.length > 0 ? `${body}\n\n${notes.join("\n")}` : body;
      return textResult(text, {
        entries: shown.length,
        ignored: ignored.length,
        unreadable: unreadable.count,
        truncated: shown.length > limit,
      });
    },
  };
}

/** The `ls` tool with default options. */
export const lsTool: Tool = createLsTool();
