/**
 * Where nanocode keeps its own files: `$NANOCODE_DIR`, else `~/.nanocode`. Context files, the system
 * prompt files, skills, MCP configuration, saved sessions, the input history and caches all live
 * under it.
 * @module
 */

import { join, resolve } from "node:path";
import type { EnvReader } from "./env.ts";

/** The user's home folder (`HOME`, else `USERPROFILE`), or "" when neither is set. */
export function homeDir(env: EnvReader): string {
  return env("HOME") || env("USERPROFILE") || "";
}

/**
 * nanocode's own folder, absolute: `$NANOCODE_DIR` when set and not empty, else `~/.nanocode`.
 * Undefined when neither is visible (no `HOME`, or `--allow-env` does not grant it), so nothing is
 * ever kept in a folder relative to the project by accident.
 */
export function nanocodeHome(env: EnvReader): string | undefined {
  const dir = env("NANOCODE_DIR")?.trim();
  if (dir) return resolve(dir);
  const home = homeDir(env);
  return home ? join(home, ".nanocode") : undefined;
}
