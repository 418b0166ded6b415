/**
 * Temporary file trees for the file tool tests, described as a map from relative path to content.
 * @module
 */

import { dirname, join } from "node:path";

/**
 * A file's content, a symbolic link to create (target relative to the link's folder), or a folder
 * (`{ dir: true }` or `null`).
 */
export type Entry = string | Uint8Array | { link: string } | { dir: true } | null;

/** A temporary tree; `await using` removes it. */
export interface TempTree extends AsyncDisposable {
  /** Real absolute path of the tree's root. */
  root: string;
  /** Absolute path of a relative one. */
  path(relative: string): string;
}

/** Writes `entries` under a fresh temporary folder. */
export async function makeTree(entries: Record<string, Entry>): Promise<TempTree> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "nanocode_files_" }));
  for (const [relative, entry] of Object.entries(entries)) {
    const path = join(root, relative);
    if (entry === null || (typeof entry === "object" && "dir" in entry)) {
      await Deno.mkdir(path, { recursive: true });
      continue;
    }
    await Deno.mkdir(dirname(path), { recursive: true });
    if (typeof entry === "string") await Deno.writeTextFile(path, entry);
    else if (entry instanceof Uint8Array) await Deno.writeFile(path, entry);
    else await Deno.symlink(entry.link, path);
  }
  return {
    root,
    path: (relative) => join(root, relative),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/** Whether `rg` can be run here; the ripgrep half of the file tool tests is skipped without it. */
export async function hasRipgrep(): Promise<boolean> {
  try {
    const output = await new Deno.Command("rg", { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return output.success;
  } catch {
    return false;
  }
}
