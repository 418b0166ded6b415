/**
 * Where saved sessions live, and the one-line error when there is nowhere: light enough for every
 * run to load (the reading, listing and exporting code loads only when a command needs it).
 * @module
 */

import { join } from "node:path";
import { ConfigError } from "../core/mod.ts";
import { nanocodeHome } from "../config/mod.ts";

/** Where sessions are kept: `<nanocode home>/sessions`; undefined without a home folder. */
export function sessionsRoot(env: (name: string) => string | undefined): string | undefined {
  const home = nanocodeHome(env);
  return home === undefined ? undefined : join(home, "sessions");
}

/** Why there are no sessions when no home folder is visible. */
export const NO_HOME =
  "no home folder is visible (HOME is unset, or --allow-env does not grant it); set NANOCODE_DIR";

/** Where to look. */
export interface Lookup {
  root: string;
  cwd: string;
}

/** The lookup, or a one-line error when sessions have no folder. */
export function lookupIn(root: string | undefined, cwd: string, action: string): Lookup {
  if (root === undefined) throw new ConfigError(`Cannot ${action}: ${NO_HOME}.`);
  return { root, cwd };
}
