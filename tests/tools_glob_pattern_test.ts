import { assert, assertEquals } from "./support/assert.ts";
import { throws } from "node:assert/strict";
import { compileGlob, nameGlob, pathGlob } from "../lib/tools/search/glob_pattern.ts";
import { addLayer, isIgnored, parseGitignore } from "../lib/tools/search/gitignore.ts";

function matching(pattern: string, paths: string[], isDir = false): string[] {
  const glob = compileGlob(pattern, { allowDotSlash: true });
  return paths.filter((path) => glob.matches(path, isDir));
}

const PATHS = [
  "a.ts",
  "src/b.ts",
  "src/deep/c.ts",
  "src/deep/c.tsx",
  "src/d.js",
  ".hidden/e.ts",
  "lib/.f.ts",
  "x1.md",
  "xa.md",
  "src",
];

Deno.test("a glob without a slash matches names at any depth, dotfiles included", () => {
  assertEquals(matching("*.ts", PATHS), ["a.ts", "src/b.ts", "src/deep/c.ts", ".hidden/e.ts", "lib/.f.ts"]);
});

Deno.test("a glob with a slash matches the whole path from the base folder", () => {
  assertEquals(matching("src/*.ts", PATHS), ["src/b.ts"]);
  assertEquals(matching("/a.ts", PATHS), ["a.ts"]);
  assertEquals(matching("./src/*.js", PATHS), ["src/d.js"]);
});

Deno.test("double star spans zero or more folders", () => {
  assertEquals(matching("**/*.ts", PATHS), [
    "a.ts",
    "src/b.ts",
    "src/deep/c.ts",
    ".hidden/e.ts",
    "lib/.f.ts",
  ]);
  assertEquals(matching("src/**/*.ts", PATHS), ["src/b.ts", "src/deep/c.ts"]);
  assertEquals(matching("src/**", PATHS), ["src/b.ts", "src/deep/c.ts", "src/deep/c.tsx", "src/d.js"]);
  assertEquals(matching("**", ["a", "b/c"]), ["a", "b/c"]);
});

Deno.test("a double star inside a name acts as a single star", () => {
  assertEquals(matching("src/**.ts", PATHS), ["src/b.ts"]);
});

Deno.test("braces give alternatives, nested ones too", () => {
  assertEquals(matching("*.{ts,tsx}", ["a.ts", "b.tsx", "c.js"]), ["a.ts", "b.tsx"]);
  assertEquals(matching("{src,lib}/*", PATHS), ["src/b.ts", "src/d.js", "lib/.f.ts"]);
  assertEquals(matching("*.{t{s,sx},md}", ["a.ts", "b.tsx", "c.md", "d.js"]), ["a.ts", "b.tsx", "c.md"]);
});

Deno.test("character classes match one character and never a slash", () => {
  assertEquals(matching("x[0-9].md", PATHS), ["x1.md"]);
  assertEquals(matching("x[!0-9].md", PATHS), ["xa.md"]);
  assertEquals(matching("x[^0-9].md", PATHS), ["xa.md"]);
  assertEquals(matching("a[/]b", ["a/b"]), []);
  assertEquals(matching("[]a]", ["]", "a", "b"]), ["]", "a"]);
});

Deno.test("question mark matches one character within a name", () => {
  assertEquals(matching("?.ts", ["a.ts", "ab.ts", "a/b.ts"]), ["a.ts", "a/b.ts"]);
  assertEquals(matching("a?b", ["a/b", "acb"]), ["acb"]);
});

Deno.test("a backslash makes the next character literal", () => {
  assertEquals(matching("\\*.md", ["*.md", "a.md"]), ["*.md"]);
  assertEquals(matching("a\\[1].txt", ["a[1].txt", "a1.txt"]), ["a[1].txt"]);
});

Deno.test("regex characters in a glob are taken literally", () => {
  assertEquals(matching("a+b(1).$x", ["a+b(1).$x", "aab(1).$x"]), ["a+b(1).$x"]);
});

Deno.test("a trailing slash matches folders only", () => {
  const glob = compileGlob("src/");
  assert(glob.dirOnly);
  assert(glob.matches("src", true));
  assert(!glob.matches("src", false));
  assert(glob.matches("lib/src", true));
});

Deno.test("a malformed glob throws a SyntaxError saying what is wrong", () => {
  throws(() => compileGlob("src/[abc"), /unclosed "\["/);
  throws(() => compileGlob("*.{ts,js"), /unclosed "\{"/);
  throws(() => compileGlob("[z-a]"), /runs backwards/);
  throws(() => compileGlob("/"), SyntaxError);
});

Deno.test("nameGlob keeps only globs that look at names alone", () => {
  assertEquals(nameGlob("*.ts"), "*.ts");
  assertEquals(nameGlob("**/*.{ts,tsx}"), "*.{ts,tsx}");
  assertEquals(nameGlob("src/*.ts"), undefined);
  assertEquals(nameGlob("a\\*b"), undefined);
  assertEquals(nameGlob("*.{a{b,c},d}"), undefined);
  assertEquals(nameGlob("include:x"), undefined);
});

Deno.test("pathGlob keeps only folder globs that ripgrep's --glob reads the same way", () => {
  assertEquals(pathGlob("src/**/*.ts"), "src/**/*.ts");
  assertEquals(pathGlob("./{src,lib}/*.ts"), "{src,lib}/*.ts");
  assertEquals(pathGlob("**/*.ts"), undefined);
  assertEquals(pathGlob("*.ts"), undefined);
  assertEquals(pathGlob("src/"), undefined);
  assertEquals(pathGlob("src/[ab].ts"), undefined);
  assertEquals(pathGlob("!src/a.ts"), undefined);
  assertEquals(pathGlob("src/a\\*.ts"), undefined);
  assertEquals(pathGlob("src/a**b/c"), undefined);
  assertEquals(pathGlob("src/{a,{b,c}}/d"), undefined);
});

function ignored(text: string, path: string, isDir = false): boolean {
  return isIgnored(addLayer(null, parseGitignore(text), ""), path, isDir);
}

Deno.test("gitignore lines skip comments and blanks and honour escapes", () => {
  const rules = parseGitignore("# comment\n\n\\#hash\n\\!bang\nspaced\\ \ntrail   \r\n");
  assertEquals(rules.map((r) => r.matcher.pattern), ["#hash", "!bang", "spaced ", "trail"]);
  assert(ignored("\\#hash\n", "#hash"));
  assert(ignored("trail   \n", "trail"));
});

Deno.test("gitignore rules: later lines win and negation re-includes", () => {
  const text = "*.log\n!keep.log\n";
  assert(ignored(text, "a.log"));
  assert(!ignored(text, "keep.log"));
  assert(!ignored(text, "dir/keep.log"));
  assert(ignored("!keep.log\n*.log\n", "keep.log"));
});

Deno.test("gitignore rules: a slash anchors to the file's folder, a trailing slash means folders", () => {
  assert(ignored("/root.txt\n", "root.txt"));
  assert(!ignored("/root.txt\n", "sub/root.txt"));
  assert(ignored("doc/*.txt\n", "doc/a.txt"));
  assert(!ignored("doc/*.txt\n", "x/doc/a.txt"));
  assert(ignored("build/\n", "x/build", true));
  assert(!ignored("build/\n", "x/build", false));
  assert(ignored("a/**/b\n", "a/b"));
  assert(ignored("a/**/b\n", "a/x/y/b"));
});

Deno.test("nested gitignore layers see paths from their own folder and the inner one wins", () => {
  const outer = addLayer(null, parseGitignore("*.tmp\n/top.txt\n"), "");
  const inner = addLayer(outer, parseGitignore("!keep.tmp\n/local.txt\n"), "src/");
  assert(isIgnored(inner, "src/x.tmp", false));
  assert(!isIgnored(inner, "src/keep.tmp", false));
  assert(isIgnored(inner, "src/local.txt", false));
  assert(!isIgnored(inner, "src/top.txt", false));
  assert(!isIgnored(outer, "local.txt", false));
});

Deno.test("a gitignore line that is not a valid glob is skipped", () => {
  assertEquals(parseGitignore("[oops\n*.ok\n").map((r) => r.matcher.pattern), ["*.ok"]);
});
