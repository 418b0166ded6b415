/**
 * Finding the `.nanocode` folders that shape a run: the global one in the home folder and one in each
 * ancestor of the cwd. Each folder is listed once with `Deno.readDir`, so later look-ups are set
 * membership tests, and a file name matches only as spelled (`AGENTS.md` or `agents.md`, never
 * `Agents.md`), on case-sensitive and case-insensitive file systems alike.
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { unlistableWarning } from "./read_text.ts";
import type { ConfigWarning } from "./warning.ts";

/** Where discovery starts. All are passed in so tests (and children) can choose them. */
export interface DiscoveryOptions {
  /** The folder the run works in; its ancestors are searched up to the filesystem root. */
  cwd: string;
  /** The user's home folder, which holds the `.agents/` folder (and by default `.nanocode/`). */
  home: string;
  /**
   * nanocode's own folder, read as the global one: `$NANOCODE_DIR` (see `nanocodeHome` in home.ts).
   * Default `<home>/.nanocode`.
   */
  nanocodeDir?: string;
}

/** One `.nanocode` folder and the names of the entries it holds. */
export interface NanocodeDir {
  /** Absolute path of the `.nanocode` folder. */
  dir: string;
  /** Entry names, exactly as the file system spells them. */
  names: ReadonlySet<string>;
}

/** The `.nanocode` folders that exist for a cwd and home. */
export interface NanocodeScan {
  /** The global folder (`$NANOCODE_DIR`, else `~/.nanocode`), or null when it does not exist. */
  global: NanocodeDir | null;
  /** `.nanocode` folders of the cwd's ancestors, outermost first, the home folder's left out. */
  projects: NanocodeDir[];
  /** One for each folder that exists but could not be listed. */
  warnings: ConfigWarning[];
}

/** The cwd and each of its ancestors, the filesystem root first. */
export function ancestorsOf(cwd: string): string[] {
  const chain: string[] = [];
  for (let dir = resolve(cwd);; dir = dirname(dir)) {
    chain.push(dir);
    if (dirname(dir) === dir) break;
  }
  return chain.reverse();
}

/**
 * Lists the global folder (`options.nanocodeDir`, else `~/.nanocode`) and the `.nanocode` folder of
 * every ancestor of the cwd, in parallel. The home folder's `.nanocode` is never a project folder,
 * even when the cwd lies inside home: it is the global one (or, with `$NANOCODE_DIR`, replaced by it),
 * and the global folder is never read twice.
 */
export async function scanNanocodeDirs(options: DiscoveryOptions): Promise<NanocodeScan> {
  const home = resolve(options.home);
  const globalDir = resolve(options.nanocodeDir ?? join(home, ".nanocode"));
  const projectDirs = ancestorsOf(options.cwd).filter((dir) => dir !== home).map((dir) =>
    join(dir, ".nanocode")
  )
    .filter((dir) => dir !== globalDir);
  // Each listing gets its own warning list so the lines come out in folder order, not finishing order.
  const warningLists = [globalDir, ...projectDirs].map((): ConfigWarning[] => []);
  const [global, ...projects] = await Promise.all(
    [globalDir, ...projectDirs].map((dir, i) => listDir(dir, warningLists[i])),
  );
  return {
    global,
    projects: projects.filter((dir): dir is NanocodeDir => dir !== null),
    warnings: warningLists.flat(),
  };
}

/**
 * Lists a folder's entry names. A folder that does not exist (or is a file) gives null silently; one
 * that exists but cannot be listed gives null and a warning.
 */
export async function listDir(dir: string, warnings: ConfigWarning[]): Promise<NanocodeDir | null> {
  const names = new Set<string>();
  try {
    for await (const entry of Deno.readDir(dir)) names.add(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory)) {
      warnings.push(unlistableWarning("folder", dir, error));
    }
    return null;
  }
  return { dir, names };
}

/**
 * Picks the first of `variants` (in order of preference) that a folder holds and returns its path.
 * When the folder holds more than one, the others are named in a warning so the user can merge them.
 */
export function pickVariant(
  folder: NanocodeDir,
  variants: readonly string[],
  warnings: ConfigWarning[],
): string | null {
  const present = variants.filter((name) => folder.names.has(name));
  if (present.length === 0) return null;
  for (const ignored of present.slice(1)) {
    const path = join(folder.dir, ignored);
    warnings.push({
      text: `Ignored ${path}: ${present[0]} in the same folder is used instead; merge the two files.`,
      path,
    });
  }
  return join(folder.dir, present[0]);
}
