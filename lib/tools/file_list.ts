/**
 * Lists the files under a folder, through ripgrep (`rg --files`) or the native walker, with the same
 * rules either way. `find` and `glob` build on it.
 * @module
 */

import { runRipgrep } from "./ripgrep.ts";
import { walkTree } from "./walk.ts";

/** Options for {@link listFiles}. */
export interface ListOptions {
  /** The engine to use. */
  backend: "rg" | "native";
  /** Stops the listing; the call then throws the signal's reason. */
  signal?: AbortSignal;
  /**
   * A glob on names alone that ripgrep may use to skip other files early (see `nameGlob` in
   * glob_pattern.ts). The caller still filters what it gets.
   */
  nameGlob?: string;
  /** Called with each file's path relative to the root (`/` separators); false stops the listing. */
  onFile(path: string): boolean | void;
}

/**
 * Lists the files under `root` (an absolute folder) that `.gitignore` does not exclude. Returns the
 * engine that produced the list: ripgrep falls back to the native walker when it fails outright.
 */
export async function listFiles(root: string, options: ListOptions): Promise<"rg" | "native"> {
  const { signal, onFile } = options;
  if (options.backend === "rg") {
    const args = ["--files", "--null"];
    if (options.nameGlob !== undefined) {
      args.push("--type-add", `nanocode:${options.nameGlob}`, "--type", "nanocode");
    }
    const outcome = await runRipgrep(args, { cwd: root, signal, separator: "\0", onRecord: onFile });
    if (outcome.code !== 2 || outcome.records > 0) return "rg";
  }
  for await (const batch of walkTree(root, { signal })) {
    for (const name of batch.files) {
      if (onFile(batch.dir + name) === false) return "native";
    }
  }
  return "native";
}
