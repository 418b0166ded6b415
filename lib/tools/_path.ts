/**
 * How tools read the paths the model gives them: a leading `@` is dropped, `~` is the home folder,
 * relative paths resolve against the run's cwd.
 * @module
 */

import { isAbsolute, join, resolve } from "node:path";

/** Resolves a path argument the way every tool does. */
export function resolvePath(path: string, cwd: string): string {
  let p = path.trim();
  if (p.startsWith("@")) p = p.slice(1);
  if (p === "~" || p.startsWith("~/")) {
    const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? "";
    p = join(home, p.slice(1));
  }
  return isAbsolute(p) ? resolve(p) : resolve(cwd, p);
}

/**
 * Turns a Deno permission refusal into one line naming the flag to add; other errors pass unchanged.
 */
export function describeFsError(error: unknown, action: string, path: string): Error {
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    const flag = action === "write" ? "--allow-write" : "--allow-read";
    if (error instanceof Deno.errors.NotCapable) {
      return new Error(`Cannot ${action} ${path}: nanocode was started without ${flag} for this path`);
    }
    return new Error(`Cannot ${action} ${path}: permission denied by the operating system`);
  }
  if (error instanceof Deno.errors.NotFound) {
    return new Error(`Cannot ${action} ${path}: no such file or directory`);
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return new Error(`Cannot ${action} ${path}: it is a directory (use ls to list it)`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
