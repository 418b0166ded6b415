/**
 * Where nanocode keeps its own files: `$NANOCODE_DIR`, else `~/.nanocode`. Context files, the system
 * prompt files, skills, MCP configuration, saved sessions, the input history and caches all live
 * under it.
 * @module
 */

import { join } from "node:path";
import type { EnvReader } from "./env.ts";

/** The user's home folder (`HOME`, else `USERPROFILE`), or "" when neither is set. */
export function homeDir(env: EnvReader): string {
  return env("HOME") || env("USERPROFILE") || "";
}

/** nanocode's own folder: `$NANOCODE_DIR` when set and not empty, else `~/.nanocode`. */
export function nanocodeHome(env: EnvReader): string {
  const dir = env("NANOCODE_DIR")?.trim();
  return dir ? dir : join(homeDir(env), ".nanocode");
}
