/**
 * Lists the files (and, when asked, the folders) under a folder, through ripgrep (`rg --files`) or
 * the native walker, with the same rules either way. `find` and `glob` build on it.
 *
 * Both engines hand over the same entries; the caller sorts them with `comparePaths` and cuts at its
 * limit. When the caller has enough before the listing ends, the first entries must be the first in
 * sorted order whichever engine ran: the native walker yields them in that order, while ripgrep's
 * fast parallel listing comes in no fixed order, so ripgrep then lists again with `--sort path`. A
 * listing that fits the limit (the common case) costs one parallel run.
 * @module
 */

import { ripgrepFailed, runRipgrep } from "./ripgrep.ts";
import { findFolders, IgnoreCheck, type UnreadableSink, walkTree } from "./walk.ts";

/** Receives a listing's entries. */
export interface Gatherer {
  /**
   * Takes one entry: a file, or a folder (its path ends in `/`). Returns false once it holds more
   * than it needs, which ends the listing.
   */
  add(path: string): boolean;
  /** Forgets everything taken so far, before the listing starts over in sorted order. */
  clear(): void;
}

/** Options for {@link listEntries}. */
export interface ListOptions {
  /** The engine to use. */
  backend: "rg" | "native";
  /** Stops the listing; the call then throws the signal's reason. */
  signal?: AbortSignal;
  /**
   * A glob on names alone that ripgrep may use to skip other files early (see `nameGlob` in
   * glob_pattern.ts). The caller still filters what it gets. Ignored when folders are listed.
   */
  nameGlob?: string;
  /**
   * A glob with `/` that ripgrep may use to skip other files early (see `pathGlob` in
   * glob_pattern.ts); what it lets through is checked against `.gitignore` again, since an including
   * `--glob` overrides it. Ignored when folders are listed.
   */
  pathGlob?: string;
  /**
   * Also list every folder that is not ignored, empty ones and those whose files are all ignored
   * included (default false).
   */
  folders?: boolean;
  /** Where the entries go. Paths are relative to the root, with `/` separators. */
  gather: Gatherer;
  /** Told about each folder that could not be read, so its entries are missing (default: none). */
  onUnreadable?: UnreadableSink;
}

/**
 * Lists the entries under `root` (an absolute folder) that `.gitignore` does not exclude. Returns the
 * engine that produced the list: ripgrep falls back to the native walker when it fails outright.
 */
export async function listEntries(root: string, options: ListOptions): Promise<"rg" | "native"> {
  const { signal, gather, onUnreadable } = options;
  if (options.backend === "rg") {
    const known = new Set<string>();
    let listed = await listRipgrep(root, options, known, false);
    if (listed === "stopped") {
      gather.clear();
      known.clear();
      listed = await listRipgrep(root, options, known, true);
    }
    if (listed !== "failed") {
      if (options.folders) {
        for (const folder of await findFolders(root, known, { signal, onUnreadable })) gather.add(folder);
      }
      return "rg";
    }
    gather.clear();
  }
  for await (const batch of walkTree(root, { signal, onUnreadable })) {
    if (options.folders && batch.entered && batch.dir !== "" && !gather.add(batch.dir)) break;
    for (const name of batch.files) {
      if (!gather.add(batch.dir + name)) return "native";
    }
  }
  return "native";
}

/**
 * One `rg --files` run. Folders holding a listed file are added the first time one of their files
 * comes, and recorded in `known`.
 */
async function listRipgrep(
  root: string,
  options: ListOptions,
  known: Set<string>,
  sorted: boolean,
): Promise<"done" | "stopped" | "failed"> {
  const { gather, folders } = options;
  const args = ["--files", "--null"];
  if (sorted) args.push("--sort", "path");
  if (options.nameGlob !== undefined && !folders) {
    args.push("--type-add", `nanocode:${options.nameGlob}`, "--type", "nanocode");
  }
  const check = options.pathGlob !== undefined && !folders ? await IgnoreCheck.create(root) : undefined;
  if (check !== undefined) args.push("--glob", options.pathGlob!);
  const outcome = await runRipgrep(args, {
    cwd: root,
    signal: options.signal,
    separator: "\0",
    onUnreadable: options.onUnreadable,
    onRecord(file) {
      if (check?.ignored(file)) return true;
      if (folders) {
        // The folders on the way to a file go in before it, each once; once one is known, so are
        // those above it.
        const fresh: string[] = [];
        for (let end = file.lastIndexOf("/"); end > 0; end = file.lastIndexOf("/", end - 1)) {
          const folder = file.slice(0, end + 1);
          if (known.has(folder)) break;
          known.add(folder);
          fresh.push(folder);
        }
        for (let i = fresh.length - 1; i >= 0; i--) if (!gather.add(fresh[i])) return false;
      }
      return gather.add(file);
    },
  });
  if (ripgrepFailed(outcome, outcome.records > 0)) return "failed";
  return outcome.stopped ? "stopped" : "done";
}
