/**
 * The tool surface: every built-in tool, narrowed by `--tools` and by the Deno permissions this
 * process was granted. A tool whose permissions are missing is left out, with the flag that would
 * add it, so the model is never offered a tool that cannot work.
 * @module
 */

import { type Tool, type ToolPermission, UsageError } from "../core/mod.ts";
import { readTool } from "./read.ts";
import { writeTool } from "./write.ts";
import { editTool } from "./edit.ts";
import { bashTool } from "./bash.ts";
import { globTool } from "./glob.ts";
import { findTool } from "./find.ts";
import { lsTool } from "./ls.ts";
import { grepTool } from "./grep.ts";
import { webfetchTool } from "./webfetch.ts";
import { websearchTool } from "./websearch.ts";
import { nanocodeTool } from "./nanocode.ts";
import { jobSettings, mayStartChildren } from "../jobs/mod.ts";

/** Every built-in tool, in the order the model sees them. */
export const BUILTIN_TOOLS: readonly Tool[] = [
  readTool,
  writeTool,
  editTool,
  bashTool,
  globTool,
  findTool,
  lsTool,
  grepTool,
  webfetchTool,
  websearchTool,
  nanocodeTool,
];

/** The tools that only read: what a side question (`/btw --tools`) or a read-only mode offers. */
export function readOnlyTools(tools: readonly Tool[]): Tool[] {
  return tools.filter((t) => t.readOnly === true);
}

/** The flag that grants each permission. */
const FLAGS: Record<ToolPermission, string> = {
  read: "--allow-read",
  write: "--allow-write",
  run: "--allow-run",
  net: "--allow-net",
  env: "--allow-env",
};

/** A tool left out of the surface and why. */
export interface OmittedTool {
  name: string;
  /** The flags that would add it, e.g. `--allow-run`. */
  flags: string[];
}

/** Options for {@link buildToolSurface}. */
export interface SurfaceOptions {
  /** Names from `--tools`; undefined for every tool, `[]` for none. */
  only?: readonly string[];
  /** The folder file permissions are checked for. */
  cwd: string;
  /** Answers whether a permission is usable (default: asks `Deno.permissions`). */
  granted?: (permission: ToolPermission, cwd: string) => Promise<boolean>;
  /** The tools to choose from (default {@link BUILTIN_TOOLS}). */
  tools?: readonly Tool[];
  /**
   * The environment: a child at the depth limit (`NANOCODE_CHILD`, `NANOCODE_MAX_DEPTH`) is not offered
   * `nanocode` (default: none, a nanocode nobody started as a child).
   */
  env?: (name: string) => string | undefined;
  /**
   * Whether this process may start itself again, which `nanocode` needs beyond running `bash`
   * (default: asks `Deno.permissions` about `Deno.execPath()`).
   */
  mayRunSelf?: () => Promise<boolean>;
}

/** Whether this process may use a permission, asked without prompting. */
export async function isGranted(permission: ToolPermission, cwd: string): Promise<boolean> {
  const descriptor: Deno.PermissionDescriptor = permission === "read" || permission === "write"
    ? { name: permission, path: cwd }
    : permission === "run"
    ? { name: "run", command: "bash" }
    : permission === "env"
    ? { name: "env" }
    : { name: "net" };
  const status = await Deno.permissions.query(descriptor);
  // Net is usually granted per host (the model endpoint, the web hosts), so a partial grant still
  // makes the web tools useful; they name the missing host when one is refused.
  if (permission === "net") return status.state !== "denied";
  return status.state === "granted";
}

/** Whether this process may run its own executable (a child nanocode), asked without prompting. */
async function mayRunSelf(): Promise<boolean> {
  try {
    return (await Deno.permissions.query({ name: "run", command: Deno.execPath() })).state === "granted";
  } catch {
    return false;
  }
}

/** Throws {@link UsageError} when a name from `--tools` is not a tool nanocode has. */
export function checkToolNames(names: readonly string[], tools: readonly Tool[] = BUILTIN_TOOLS): void {
  const known = new Set(tools.map((t) => t.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `Cannot offer unknown tool${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}: choose from ${
        [...known].join(", ")
      } or none.`,
    );
  }
}

/**
 * Builds the tools to offer. Throws {@link UsageError} when `only` names an unknown tool.
 */
export async function buildToolSurface(
  options: SurfaceOptions,
): Promise<{ tools: Tool[]; omitted: OmittedTool[] }> {
  const all = options.tools ?? BUILTIN_TOOLS;
  const granted = options.granted ?? isGranted;
  let chosen: readonly Tool[] = all;
  if (options.only !== undefined) {
    checkToolNames(options.only, all);
    chosen = all.filter((t) => options.only!.includes(t.name));
  }
  const cache = new Map<ToolPermission, boolean>();
  const tools: Tool[] = [];
  const omitted: OmittedTool[] = [];
  const childrenAllowed = mayStartChildren(jobSettings(options.env ?? (() => undefined)));
  for (const tool of chosen) {
    // So that agents cannot fork without end; the child instructions say so too.
    if (tool.name === "nanocode" && !childrenAllowed) continue;
    const missing: string[] = [];
    for (const permission of tool.permissions) {
      if (!cache.has(permission)) cache.set(permission, await granted(permission, options.cwd));
      if (!cache.get(permission)) missing.push(FLAGS[permission]);
    }
    if (tool.name === "nanocode" && missing.length === 0 && !(await (options.mayRunSelf ?? mayRunSelf)())) {
      missing.push(FLAGS.run);
    }
    if (missing.length === 0) tools.push(tool);
    else omitted.push({ name: tool.name, flags: missing });
  }
  return { tools, omitted };
}

/** One line telling the user (and the model) which tools were left out and how to add them. */
export function describeOmitted(omitted: readonly OmittedTool[]): string | undefined {
  if (omitted.length === 0) return undefined;
  const parts = omitted.map((o) => `${o.name} (needs ${o.flags.join(" ")})`);
  return `Tools left out because nanocode lacks the permission: ${parts.join(", ")}.`;
}
