/**
 * `.gitignore` rules, nested the way git and ripgrep nest them: each file's patterns are relative to
 * its own folder, a deeper file and a later line win, `!` re-includes, and a folder holding `.git`
 * starts a new repository whose paths the folders above it no longer rule.
 * @module
 */

import { basename, dirname, join } from "node:path";
import { compileGlob, type GlobMatcher } from "./glob_pattern.ts";

/** One line of a `.gitignore`. */
export interface IgnoreRule {
  readonly matcher: GlobMatcher;
  /** A `!` line: a match re-includes the path. */
  readonly negate: boolean;
}

/** Parses the text of a `.gitignore` into rules; lines that are not valid globs are skipped. */
export function parseGitignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (let line of text.split("\n")) {
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line === "" || line.startsWith("#")) continue;
    // Trailing spaces are dropped unless escaped with a backslash.
    line = line.replace(/(?<!\\) +$/, "");
    if (line.endsWith("\\ ")) line = `${line.slice(0, -2)} `;
    let negate = false;
    if (line.startsWith("!")) {
      negate = true;
      line = line.slice(1);
    } else if (line.startsWith("\\!") || line.startsWith("\\#")) line = line.slice(1);
    if (line === "" || line === "/") continue;
    try {
      rules.push({ matcher: compileGlob(line), negate });
    } catch {
      // git ignores a line it cannot use; so do we.
    }
  }
  return rules;
}

/**
 * The `.gitignore` files that rule one folder of a walk, innermost first. A layer's patterns see a path
 * relative to the layer's folder: `prefix` is put in front of the walk-relative path after `strip`
 * characters are cut from it.
 */
export interface IgnoreChain {
  readonly rules: readonly IgnoreRule[];
  /** Characters cut from the front of a walk-relative path before matching. */
  readonly strip: number;
  /** Text put in front of the walk-relative path (for folders above the walk's root). */
  readonly prefix: string;
  /** The next layer out, or null where a repository root ends the chain. */
  readonly parent: IgnoreChain | null;
}

/** Adds a layer in front of `parent` for a `.gitignore` in the folder at walk-relative `dir` ("" or "a/b/"). */
export function addLayer(
  parent: IgnoreChain | null,
  rules: readonly IgnoreRule[],
  dir: string,
): IgnoreChain | null {
  if (rules.length === 0) return parent;
  return { rules, strip: dir.length, prefix: "", parent };
}

/**
 * Whether the chain ignores `path` (relative to the walk's root, `/` separators). The innermost layer
 * with a matching line decides; within a layer the last matching line does.
 */
export function isIgnored(chain: IgnoreChain | null, path: string, isDir: boolean): boolean {
  for (let layer = chain; layer !== null; layer = layer.parent) {
    const local = layer.prefix + (layer.strip > 0 ? path.slice(layer.strip) : path);
    const rules = layer.rules;
    for (let i = rules.length - 1; i >= 0; i--) {
      if (rules[i].matcher.matches(local, isDir)) return !rules[i].negate;
    }
  }
  return false;
}

/** Reads and parses the `.gitignore` at `path`; an unreadable or missing file has no rules. */
export function readGitignoreSync(path: string): IgnoreRule[] {
  try {
    return parseGitignore(Deno.readTextFileSync(path));
  } catch {
    return [];
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The layers from the folders above `root` (absolute), as ripgrep reads them: each ancestor's
 * `.gitignore` up to and including the nearest one that holds `.git`. None when `root` itself holds
 * `.git`. Folders that cannot be read are skipped.
 */
export async function ancestorChain(root: string): Promise<IgnoreChain | null> {
  if (await exists(join(root, ".git"))) return null;
  const layers: { rules: IgnoreRule[]; prefix: string }[] = [];
  let below = root;
  let relative = "";
  for (let dir = dirname(root); dir !== below; below = dir, dir = dirname(dir)) {
    relative = `${basename(below)}/${relative}`;
    const rules = readGitignoreSync(join(dir, ".gitignore"));
    if (rules.length > 0) layers.push({ rules, prefix: relative });
    if (await exists(join(dir, ".git"))) break;
  }
  let chain: IgnoreChain | null = null;
  for (let i = layers.length - 1; i >= 0; i--) {
    chain = { rules: layers[i].rules, strip: 0, prefix: layers[i].prefix, parent: chain };
  }
  return chain;
}
