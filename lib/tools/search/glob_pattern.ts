/**
 * Glob patterns compiled to regular expressions, with the rules `.gitignore` and ripgrep use: a
 * pattern without a `/` matches a name at any depth, one with a `/` matches the whole path from the
 * base folder, `**` spans folders, `*` and `?` stay within one name, `[...]` and `{a,b}` work, and a
 * trailing `/` matches folders only. `node:path`'s `matchesGlob` is not used because on Deno it needs
 * env permission and its rules differ from ripgrep's.
 * @module
 */

/** A compiled glob. Paths given to it are relative, with `/` separators and no leading `./`. */
export interface GlobMatcher {
  /** The pattern as given. */
  readonly pattern: string;
  /** True when the pattern holds a `/` (other than a trailing one) and so matches whole paths. */
  readonly anchored: boolean;
  /** True when the pattern ended in `/`: only folders match. */
  readonly dirOnly: boolean;
  /** The expression tested against the name (unanchored) or the whole path (anchored). */
  readonly regex: RegExp;
  /** Whether `path` matches; `isDir` tells folders from files. */
  matches(path: string, isDir?: boolean): boolean;
}

/** How to compile a glob. */
export interface GlobOptions {
  /** Also drop a leading `./`, as people type it but `.gitignore` does not mean it (default false). */
  allowDotSlash?: boolean;
}

const SPECIAL = /[\\^$.*+?()[\]{}|/]/;

function escapeChar(c: string): string {
  return SPECIAL.test(c) ? `\\${c}` : c;
}

function escapeClassChar(c: string): string {
  return c === "\\" || c === "]" || c === "[" || c === "^" || c === "-" ? `\\${c}` : c;
}

/**
 * Compiles a glob. Throws a `SyntaxError` naming the problem when the pattern is malformed (an
 * unclosed `[` or `{`, an empty pattern).
 * @example compileGlob("src/**\/*.ts").matches("src/a/b.ts") // true
 */
export function compileGlob(pattern: string, options: GlobOptions = {}): GlobMatcher {
  let body = pattern;
  if (options.allowDotSlash) {
    while (body.startsWith("./")) body = body.slice(2);
  }
  let dirOnly = false;
  if (body.length > 1 && body.endsWith("/") && !body.endsWith("\\/")) {
    dirOnly = true;
    body = body.replace(/\/+$/, "");
  }
  const anchored = body.includes("/");
  if (body.startsWith("/")) body = body.slice(1);
  if (body === "") throw new SyntaxError(`the glob "${pattern}" matches nothing; give a name or a path`);
  const source = `^${translate(body, pattern)}$`;
  const regex = new RegExp(source, "su");
  const matches = anchored
    ? (path: string, isDir = false) => (!dirOnly || isDir) && regex.test(path)
    : (path: string, isDir = false) =>
      (!dirOnly || isDir) && regex.test(path.slice(path.lastIndexOf("/") + 1));
  return { pattern, anchored, dirOnly, regex, matches };
}

function translate(glob: string, original: string): string {
  let out = "";
  let depth = 0;
  let i = 0;
  while (i < glob.length) {
    const c = glob[i];
    if (c === "\\") {
      out += i + 1 < glob.length ? escapeChar(glob[i + 1]) : "\\\\";
      i += 2;
    } else if (c === "*") {
      let j = i;
      while (glob[j] === "*") j++;
      const atStart = i === 0 || glob[i - 1] === "/";
      const atEnd = j === glob.length || glob[j] === "/";
      if (j - i >= 2 && atStart && atEnd) {
        if (j === glob.length) out += ".*";
        else {
          // `**/` spans zero or more whole folders.
          out += "(?:.*/)?";
          j++;
        }
      } else out += "[^/]*";
      i = j;
    } else if (c === "?") {
      out += "[^/]";
      i++;
    } else if (c === "[") {
      const end = classEnd(glob, i);
      if (end < 0) {
        throw new SyntaxError(`the glob "${original}" has an unclosed "["; close it or escape it as "\\["`);
      }
      out += translateClass(glob.slice(i + 1, end));
      i = end + 1;
    } else if (c === "{") {
      out += "(?:";
      depth++;
      i++;
    } else if (c === "," && depth > 0) {
      out += "|";
      i++;
    } else if (c === "}" && depth > 0) {
      out += ")";
      depth--;
      i++;
    } else {
      out += escapeChar(c);
      i++;
    }
  }
  if (depth > 0) {
    throw new SyntaxError(`the glob "${original}" has an unclosed "{"; close it or escape it as "\\{"`);
  }
  return out;
}

/** Index of the `]` closing the class opened at `start`, or -1. */
function classEnd(glob: string, start: number): number {
  let i = start + 1;
  if (glob[i] === "!" || glob[i] === "^") i++;
  // A `]` first in the class is a member, not the end.
  if (glob[i] === "]") i++;
  for (; i < glob.length; i++) {
    if (glob[i] === "\\") i++;
    else if (glob[i] === "]") return i;
  }
  return -1;
}

function translateClass(inner: string): string {
  let negate = false;
  let i = 0;
  if (inner[0] === "!" || inner[0] === "^") {
    negate = true;
    i = 1;
  }
  let members = "";
  for (; i < inner.length; i++) {
    let c = inner[i];
    if (c === "\\" && i + 1 < inner.length) c = inner[++i];
    if (inner[i + 1] === "-" && i + 2 < inner.length) {
      let to = inner[i + 2];
      i += 2;
      if (to === "\\" && i + 1 < inner.length) to = inner[++i];
      if (to < c) throw new SyntaxError(`the glob range "${c}-${to}" runs backwards; write it "${to}-${c}"`);
      members += `${escapeClassChar(c)}-${escapeClassChar(to)}`;
    } else members += escapeClassChar(c);
  }
  // A class never matches the folder separator.
  return negate ? `[^/${members}]` : `(?![/])[${members}]`;
}

/**
 * The part of a glob that ripgrep can use to choose files by name alone (as a `--type-add` glob), or
 * undefined when the pattern looks at folders too. Only a prefilter: results are matched again.
 */
export function nameGlob(pattern: string): string | undefined {
  let body = pattern;
  while (body.startsWith("./")) body = body.slice(2);
  while (body.startsWith("**/")) body = body.slice(3);
  if (body === "" || body.includes("/") || body.includes("\\") || body.includes("**")) return undefined;
  // `include:` is type-definition syntax for ripgrep, and nested braces are not allowed there.
  if (body.startsWith("include:") || /\{[^}]*\{/.test(body)) return undefined;
  return body;
}

/**
 * A glob with a `/` in the form ripgrep's `--glob` reads exactly as {@link compileGlob} does (no
 * escapes, classes or nested braces; `**` only as a whole name), or undefined. Only a prefilter, and
 * a `--glob` that includes a file overrides `.gitignore`, so the caller checks what it gets against
 * the ignore rules and the glob again.
 */
export function pathGlob(pattern: string): string | undefined {
  let body = pattern;
  while (body.startsWith("./")) body = body.slice(2);
  if (!body.includes("/") || body.endsWith("/") || nameGlob(pattern) !== undefined) return undefined;
  if (/[\\[\]!]/.test(body) || /\{[^}]*\{/.test(body)) return undefined;
  if (body.split("/").some((part) => part.includes("**") && part !== "**")) return undefined;
  return body;
}
