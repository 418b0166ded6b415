/**
 * What the four search tools (`ls`, `find`, `glob`, `grep`) share: reading their arguments and
 * resolving the folder they search, with errors worded for the model.
 * @module
 */

import { compileGlob, type GlobMatcher } from "./search/mod.ts";
import { describeFsError, resolvePath } from "./_path.ts";

/** Compiles a glob argument, turning a malformed one into an error the model can act on. */
export function globArgument(pattern: string, tool: string): GlobMatcher {
  try {
    return compileGlob(pattern, { allowDotSlash: true });
  } catch (error) {
    throw new Error(`Cannot run ${tool}: ${(error as Error).message}`);
  }
}

/** Reads a required, non-empty string argument. */
export function requiredString(args: Record<string, unknown>, name: string, tool: string): string {
  const value = args[name];
  if (typeof value !== "string" || value === "") {
    throw new TypeError(`Cannot run ${tool}: "${name}" must be a non-empty string`);
  }
  return value;
}

/** Reads an optional string argument; empty counts as missing. */
export function optionalString(
  args: Record<string, unknown>,
  name: string,
  tool: string,
): string | undefined {
  const value = args[name];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new TypeError(`Cannot run ${tool}: "${name}" must be a string`);
  return value;
}

/** Reads an optional whole number of at least `min` (default 1), or the fallback. */
export function optionalCount(
  args: Record<string, unknown>,
  name: string,
  options: { tool: string; fallback: number; min?: number },
): number {
  const value = args[name];
  if (value === undefined || value === null) return options.fallback;
  const min = options.min ?? 1;
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number) || number < min) {
    throw new TypeError(`Cannot run ${options.tool}: "${name}" must be a whole number of at least ${min}`);
  }
  return number;
}

/** Reads an optional boolean argument (also accepting "true" and "false"). */
export function optionalFlag(args: Record<string, unknown>, name: string, tool: string): boolean {
  const value = args[name];
  if (value === undefined || value === null) return false;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw new TypeError(`Cannot run ${tool}: "${name}" must be true or false`);
}

/** A resolved search root. */
export interface SearchRoot {
  /** Absolute path. */
  abs: string;
  /** The path as the model gave it (or "." for the working folder), for messages. */
  shown: string;
  /** Where, for a sentence: `in the working folder` or `in src`. */
  where: string;
  isDirectory: boolean;
}

/**
 * Resolves the `path` argument against the cwd and checks it exists and may be read (a folder's
 * entries, a file's bytes); a refusal becomes one line naming the flag to add or the operating
 * system's reason. With `folderOnly`, a file is refused with a message saying what to give instead.
 */
export async function searchRoot(
  path: string | undefined,
  cwd: string,
  options: { action: string; folderOnly?: string },
): Promise<SearchRoot> {
  const shown = path ?? ".";
  const abs = resolvePath(shown, cwd);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(abs);
  } catch (error) {
    throw describeFsError(error, options.action, shown);
  }
  if (options.folderOnly !== undefined && !info.isDirectory) {
    throw new Error(`Cannot ${options.action} ${shown}: it is a file, not a folder; ${options.folderOnly}`);
  }
  try {
    if (info.isDirectory) { for await (const _ of Deno.readDir(abs)) break; }
    else if (info.isFile) (await Deno.open(abs)).close();
  } catch (error) {
    throw describeFsError(error, options.action, shown);
  }
  const here = abs === resolvePath(".", cwd);
  return { abs, shown, where: here ? "in the working folder" : `in ${shown}`, isDirectory: info.isDirectory };
}
