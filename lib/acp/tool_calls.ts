/**
 * How a nanocode tool call looks to an editor: its kind (the icon and grouping an editor gives it), a
 * one-line title, the files it touches, and its result as ACP tool-call content. Pure.
 * @module
 */

import { isAbsolute, join, relative, resolve } from "node:path";
import type { ToolCallContent, ToolCallLocation, ToolKind } from "@agentclientprotocol/sdk";

const KINDS: Record<string, ToolKind> = {
  read: "read",
  write: "edit",
  edit: "edit",
  bash: "execute",
  ls: "search",
  find: "search",
  glob: "search",
  grep: "search",
  mcp_search: "search",
  mcp_read_resource: "read",
  webfetch: "fetch",
  websearch: "fetch",
};

/** The ACP kind of a call of tool `name`: read, edit, execute, search, fetch, or other. */
export function toolKind(name: string): ToolKind {
  return KINDS[name] ?? "other";
}

/** Tools whose calls change files, and so get a diff. */
export const FILE_CHANGING: ReadonlySet<string> = new Set(["write", "edit"]);

/**
 * A path argument resolved the way the file tools resolve it: a leading `@` dropped, `~` for `home`,
 * relative to `cwd`.
 */
export function resolveToolPath(path: string, cwd: string, home = ""): string {
  let p = path.trim();
  if (p.startsWith("@")) p = p.slice(1);
  if (p === "~" || p.startsWith("~/")) p = join(home, p.slice(1));
  return isAbsolute(p) ? resolve(p) : resolve(cwd, p);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function oneLine(value: string, max = 80): string {
  const line = value.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A path as a title shows it: relative to the cwd when inside it. */
function shown(path: string, cwd: string, home: string): string {
  const absolute = resolveToolPath(path, cwd, home);
  const rel = relative(cwd, absolute);
  return rel === "" ? "." : rel.startsWith("..") ? absolute : rel;
}

/** The one-line title of a call, e.g. `Edit src/main.ts` or `` Run `deno test` ``. */
export function toolTitle(name: string, args: Record<string, unknown>, cwd: string, home = ""): string {
  const path = text(args.path);
  const where = path ? shown(path, cwd, home) : undefined;
  switch (name) {
    case "read": {
      const from = typeof args.offset === "number" ? args.offset : undefined;
      const lines = from && typeof args.limit === "number" ? ` (lines ${from}-${from + args.limit - 1})` : "";
      return where ? `Read ${where}${lines}` : "Read";
    }
    case "write":
      return where ? `Write ${where}` : "Write";
    case "edit":
      return where ? `Edit ${where}` : "Edit";
    case "bash":
      return text(args.command) ? `Run \`${oneLine(args.command as string)}\`` : "Run a command";
    case "ls":
      return `List ${where ?? "."}`;
    case "find":
    case "glob":
      return `Find ${text(args.pattern) ? oneLine(args.pattern as string) : "files"}${
        where ? ` in ${where}` : ""
      }`;
    case "grep":
      return `Search for ${text(args.pattern) ? `"${oneLine(args.pattern as string, 60)}"` : "text"}${
        where ? ` in ${where}` : ""
      }`;
    case "webfetch":
      return text(args.url) ? `Fetch ${oneLine(args.url as string)}` : "Fetch a page";
    case "websearch":
      return text(args.query)
        ? `Search the web for "${oneLine(args.query as string, 60)}"`
        : "Search the web";
    case "nanocode": {
      const task = text(args.prompt) ?? text(args.task);
      const action = text(args.action) ?? (task ? (args.background ? "start" : "run") : "list");
      return task ? `nanocode ${action}: ${oneLine(task, 60)}` : `nanocode ${action}`;
    }
    case "mcp_call":
      return `MCP ${text(args.server) ?? "?"}: ${text(args.tool) ?? "?"}`;
    case "mcp_search":
      return `Search MCP tools for "${oneLine(String(args.query ?? ""), 60)}"`;
    case "mcp_inspect":
      return `Inspect MCP tool ${text(args.tool) ?? ""}`.trim();
    case "mcp_read_resource":
      return `Read MCP resource ${text(args.uri) ?? ""}`.trim();
  }
  const direct = /^mcp__(.+?)__(.+)$/.exec(name);
  return direct ? `MCP ${direct[1]}: ${direct[2]}` : name;
}

/** The files a call works on, with the first line where one is known. */
export function toolLocations(
  name: string,
  args: Record<string, unknown>,
  cwd: string,
  home = "",
): ToolCallLocation[] {
  const path = text(args.path);
  if (!path) return [];
  if (!["read", "write", "edit", "ls", "find", "glob", "grep"].includes(name)) return [];
  const absolute = resolveToolPath(path, cwd, home);
  const line = name === "read" && typeof args.offset === "number" && args.offset > 0
    ? args.offset
    : undefined;
  return [line ? { path: absolute, line } : { path: absolute }];
}

/** Tool-call content holding one text. */
export function textContent(value: string): ToolCallContent {
  return { type: "content", content: { type: "text", text: value } };
}
