/**
 * Reading the small text files that shape the prompt, with the outcome sorted for the caller: the
 * file is there, it is missing (skipped silently), or it cannot be read (reported in one line).
 * @module
 */

/** The outcome of reading one text file. */
export type TextRead =
  | { kind: "text"; text: string }
  | { kind: "missing" }
  /**
   * `reason` completes "<path> …" (e.g. "is a directory"); `fix` says what the user can do about it.
   */
  | { kind: "unreadable"; reason: string; fix: string; outsideRead?: boolean };

import type { ConfigWarning } from "./warning.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a UTF-8 text file. A path that does not exist (or passes through a file) is `missing`; a
 * directory, a special file, invalid UTF-8 or a refused read is `unreadable`. Never throws.
 */
export async function readText(path: string): Promise<TextRead> {
  let info: Deno.FileInfo;
  try {
    // stat first: opening a FIFO or device named AGENTS.md would block or stream forever.
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return { kind: "missing" };
    }
    return unreadable(error);
  }
  if (info.isDirectory) return { kind: "unreadable", reason: "is a directory", fix: REPLACE };
  if (!info.isFile) return { kind: "unreadable", reason: "is not a regular file", fix: REPLACE };
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { kind: "missing" };
    return unreadable(error);
  }
  try {
    return { kind: "text", text: decoder.decode(bytes) };
  } catch {
    return { kind: "unreadable", reason: "is not valid UTF-8", fix: "save it as UTF-8" };
  }
}

const REPLACE = "replace it with a text file or remove it";

function unreadable(error: unknown): TextRead {
  const fix = error instanceof Deno.errors.NotCapable
    ? "start nanocode with --allow-read for this path"
    : "check its permissions";
  const outsideRead = error instanceof Deno.errors.NotCapable;
  return {
    kind: "unreadable",
    reason: describeReadError(error),
    fix,
    ...(outsideRead ? { outsideRead } : {}),
  };
}

/** A warning that `path` was skipped because it could not be read; `what` names it ("context file "). */
export function unreadableWarning(
  what: string,
  path: string,
  read: Extract<TextRead, { kind: "unreadable" }>,
): ConfigWarning {
  return {
    text: `Skipped ${what}${path}: it ${read.reason}; ${read.fix}.`,
    path,
    ...(read.outsideRead ? { outsideRead: true } : {}),
  };
}

/** A warning that a folder was skipped because it could not be listed. */
export function unlistableWarning(what: string, path: string, error: unknown): ConfigWarning {
  return {
    text: `Skipped ${what} ${path}: it ${describeReadError(error)}; check its permissions.`,
    path,
    ...(error instanceof Deno.errors.NotCapable ? { outsideRead: true } : {}),
  };
}

/** Describes why a path could not be read, as the end of "<path> …". */
export function describeReadError(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable) return "is outside what nanocode may read (--allow-read)";
  if (error instanceof Deno.errors.PermissionDenied) return "cannot be read (permission denied)";
  if (error instanceof Deno.errors.IsADirectory) return "is a directory";
  const message = error instanceof Error ? error.message : String(error);
  return `cannot be read (${message.split("\n")[0]})`;
}
