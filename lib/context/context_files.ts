/**
 * Context files: Markdown instructions the user keeps for the model (`AGENTS.md`, `CLAUDE.md`), read
 * from the global folder (`$NANOCODE_DIR`, else `~/.nanocode/`) and from the `.nanocode/` folder of the
 * cwd and each ancestor.
 * @module
 */

import {
  type ConfigWarning,
  type DiscoveryOptions,
  type NanocodeDir,
  type NanocodeScan,
  pickVariant,
  readText,
  scanNanocodeDirs,
  unreadableWarning,
} from "../config/mod.ts";

/** A context file and its text. */
export interface ContextFile {
  /** Absolute path of the file. */
  path: string;
  /** The file's text as read (UTF-8, byte-order mark dropped). */
  content: string;
}

/** Context files in prompt order, and one line for each file that could not be read. */
export interface ContextFilesResult {
  files: ContextFile[];
  warnings: ConfigWarning[];
}

/**
 * The names read in each `.nanocode/` folder, in this order; within a group the first present name
 * wins and the others are reported (on a case-insensitive file system only one spelling can exist).
 */
export const CONTEXT_FILE_NAMES: readonly (readonly string[])[] = [
  ["AGENTS.md", "agents.md"],
  ["CLAUDE.md", "claude.md"],
];

/**
 * Finds and reads the context files for a cwd: the global folder (`options.nanocodeDir`, else
 * `~/.nanocode/`) first, then the `.nanocode/` folder of each ancestor from the filesystem root down to
 * the cwd; in each folder `AGENTS.md` (or `agents.md`) then `CLAUDE.md` (or `claude.md`). When both spellings exist in one folder the upper-case file is read
 * and the other is reported. The global folder is read with the same names, and only once even when
 * the cwd lies inside home. A missing file is skipped silently; one that cannot be read (a directory,
 * invalid UTF-8, a refused read) is skipped with one warning line naming it.
 * @example
 * ```ts
 * const { files, warnings } = await discoverContextFiles({ cwd: Deno.cwd(), home: "/home/me" });
 * ```
 */
export async function discoverContextFiles(options: DiscoveryOptions): Promise<ContextFilesResult> {
  const scan = await scanNanocodeDirs(options);
  const result = await contextFilesFromScan(scan);
  return { files: result.files, warnings: [...scan.warnings, ...result.warnings] };
}

/** Reads the context files of an existing scan (which the system prompt shares with other look-ups). */
export async function contextFilesFromScan(scan: NanocodeScan): Promise<ContextFilesResult> {
  const warnings: ConfigWarning[] = [];
  const folders = [scan.global, ...scan.projects].filter((dir): dir is NanocodeDir => dir !== null);
  const paths = folders.flatMap((folder) =>
    CONTEXT_FILE_NAMES.map((variants) => pickVariant(folder, variants, warnings))
      .filter((path): path is string => path !== null)
  );
  const reads = await Promise.all(paths.map((path) => readText(path)));
  const files: ContextFile[] = [];
  reads.forEach((read, i) => {
    if (read.kind === "text") files.push({ path: paths[i], content: read.text });
    else if (read.kind === "unreadable") {
      warnings.push(unreadableWarning("context file ", paths[i], read));
    }
  });
  return { files, warnings };
}
