/**
 * One behaviour suite for `find`, `glob` and `grep`, run against both engines (ripgrep and the native
 * walker) so that both give the same answers on the same trees; then `ls`, the engines' abort and
 * early-exit paths, and how a read-permission refusal is worded.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertMatch, assertRejects, assertStringIncludes } from "./support/assert.ts";
import { type Entry, hasRipgrep, makeTree } from "./support/file_tree.ts";
import type { TextPart, Tool, ToolContext, ToolResult } from "../lib/core/mod.ts";
import { createFindTool } from "../lib/tools/find.ts";
import { createGlobTool } from "../lib/tools/glob.ts";
import { createGrepTool } from "../lib/tools/grep.ts";
import { searchNative } from "../lib/tools/search/grep_engine.ts";
import { createLsTool } from "../lib/tools/ls.ts";
import { runRipgrep } from "../lib/tools/search/ripgrep.ts";
import { comparePaths, walkTree } from "../lib/tools/search/walk.ts";

const RIPGREP = await hasRipgrep();
const BACKENDS = ["native", "rg"] as const;
type Engine = typeof BACKENDS[number];

function context(cwd: string, signal = new AbortController().signal): ToolContext {
  return { cwd, signal, update() {} };
}

function textOf(result: ToolResult): string {
  return result.content.filter((p): p is TextPart => p.type === "text").map((p) => p.text).join("\n");
}

const FACTORIES = { find: createFindTool, glob: createGlobTool, grep: createGrepTool, ls: createLsTool };

/** Runs a tool on a backend and checks that backend really answered (no silent fallback). */
async function run(
  name: keyof typeof FACTORIES,
  backend: Engine,
  cwd: string,
  args: Record<string, unknown>,
): Promise<string> {
  const tool: Tool = FACTORIES[name]({ backend });
  const result = await tool.execute(args, context(cwd));
  if (name !== "ls") assertEquals(result.details?.backend, backend);
  return textOf(result);
}

const encoder = new TextEncoder();

/** A tree exercising the ignore rules: root and nested `.gitignore`, negation, anchoring, dotfiles. */
const FIXTURE: Record<string, Entry> = {
  ".gitignore": "*.log\n!keep.log\nbuild/\n/root-only.txt\n",
  "a.log": "needle in a log\n",
  "keep.log": "needle kept\n",
  "root-only.txt": "needle at the root\n",
  "sub/root-only.txt": "needle below\n",
  "build/out.js": "needle built\n",
  ".hidden/secret.ts": "const needle = 1;\n",
  ".env": "NEEDLE=1\n",
  "src/main.ts": "import { util } from './util.ts';\nconsole.log(needle);\n",
  "src/util.ts": "export const util = 1;\n// Needle in caps\n",
  "src/.gitignore": "generated/\n*.tmp\n",
  "src/generated/gen.ts": "needle generated\n",
  "src/x.tmp": "needle tmp\n",
  "x.tmp": "needle tmp at root\n",
  "docs/readme.md": "Read me.\n",
  "bin/data.bin": new Uint8Array([0, 1, 2, ...encoder.encode("needle in binary\n")]),
  "empty": { dir: true },
};

const ALL_VISIBLE = [
  ".env",
  ".gitignore",
  ".hidden/",
  ".hidden/secret.ts",
  "bin/",
  "bin/data.bin",
  "docs/",
  "docs/readme.md",
  "empty/",
  "keep.log",
  "src/",
  "src/.gitignore",
  "src/main.ts",
  "src/util.ts",
  "sub/",
  "sub/root-only.txt",
  "x.tmp",
];

for (const backend of BACKENDS) {
  const test = (name: string, fn: () => Promise<void>) =>
    Deno.test({ name: `${name} (${backend})`, ignore: backend === "rg" && !RIPGREP, fn });

  test("find lists the files and folders .gitignore leaves, hidden ones included", async () => {
    await using tree = await makeTree(FIXTURE);
    assertEquals(await run("find", backend, tree.root, { pattern: "*" }), ALL_VISIBLE.join("\n"));
  });

  test("find matches names at any depth without a slash and whole paths with one", async () => {
    await using tree = await makeTree(FIXTURE);
    const find = (pattern: string) => run("find", backend, tree.root, { pattern });
    assertEquals(await find("*.ts"), ".hidden/secret.ts\nsrc/main.ts\nsrc/util.ts");
    assertEquals(await find("src/*.ts"), "src/main.ts\nsrc/util.ts");
    assertEquals(await find("src/"), "src/");
    assertEquals(await find("*.tmp"), "x.tmp");
    assertEquals(await find("{docs,bin}/*"), "bin/data.bin\ndocs/readme.md");
  });

  test("find searches below the path given and answers paths relative to it", async () => {
    await using tree = await makeTree(FIXTURE);
    assertEquals(
      await run("find", backend, tree.root, { pattern: "*", path: "src" }),
      ".gitignore\nmain.ts\nutil.ts",
    );
    assertEquals(
      await run("find", backend, "/", { pattern: "*.ts", path: tree.path("src") }),
      "main.ts\nutil.ts",
    );
  });

  test("find lists empty folders and folders whose files are all ignored", async () => {
    await using tree = await makeTree({
      "a/b.txt": "",
      "empty": { dir: true },
      "deep/er/est": { dir: true },
      "ignored/x.log": "",
      "ignored/inner/y.log": "",
      "gone/": { dir: true },
      "a/c/d.txt": "",
      "a/c/e": { dir: true },
      "withlink/empty": { dir: true },
      "withlink/to": { link: "../a" },
      ".gitignore": "*.log\ngone/\n",
    });
    assertEquals(
      await run("find", backend, tree.root, { pattern: "*" }),
      [
        ".gitignore",
        "a/",
        "a/b.txt",
        "a/c/",
        "a/c/d.txt",
        "a/c/e/",
        "deep/",
        "deep/er/",
        "deep/er/est/",
        "empty/",
        "ignored/",
        "ignored/inner/",
        "withlink/",
        "withlink/empty/",
        "withlink/to/",
        "withlink/to/b.txt",
        "withlink/to/c/",
        "withlink/to/c/d.txt",
        "withlink/to/c/e/",
      ].join("\n"),
    );
    assertEquals(
      await run("find", backend, tree.root, { pattern: "e*/" }),
      "a/c/e/\ndeep/er/\ndeep/er/est/\nempty/\nwithlink/empty/\nwithlink/to/c/e/",
    );
  });

  test("find never lists .git and applies .gitignore in a git repository too", async () => {
    await using tree = await makeTree({
      ".git/HEAD": "ref: refs/heads/main\n",
      ".git/config": "[core]\n",
      ".gitignore": "*.log\n",
      "a.log": "",
      "b.txt": "",
    });
    assertEquals(await run("find", backend, tree.root, { pattern: "*" }), ".gitignore\nb.txt");
    assertEquals(
      await run("find", backend, tree.root, { pattern: "*config*" }),
      'No files or folders match "*config*" in the working folder.',
    );
  });

  test("find stops at the limit and says how to see more", async () => {
    await using tree = await makeTree(FIXTURE);
    const text = await run("find", backend, tree.root, { pattern: "*", limit: 3 });
    const [list, note] = text.split("\n\n");
    assertEquals(list, ".env\n.gitignore\n.hidden/");
    assertEquals(note, "[3 results limit reached. Use limit=6 for more, or narrow the pattern or path.]");
    assertEquals(
      await run("find", backend, tree.root, { pattern: "*", limit: ALL_VISIBLE.length }),
      ALL_VISIBLE.join("\n"),
    );
  });

  test("find answers a plain sentence when nothing matches", async () => {
    await using tree = await makeTree(FIXTURE);
    assertEquals(
      await run("find", backend, tree.root, { pattern: "*.rs", path: "src" }),
      'No files or folders match "*.rs" in src.',
    );
  });

  test("find and glob reject a malformed glob with an error saying what to fix", async () => {
    await using tree = await makeTree(FIXTURE);
    await assertRejects(
      () => run("find", backend, tree.root, { pattern: "src/[ab" }),
      /^Cannot run find: the glob "src\/\[ab" has an unclosed "\["; close it or escape it as "\\\["$/,
    );
    await assertRejects(
      () => run("glob", backend, tree.root, { pattern: "*.{ts,js" }),
      /^Cannot run glob: the glob "\*\.\{ts,js" has an unclosed "\{"/,
    );
  });

  test("glob lists matching files newest first", async () => {
    await using tree = await makeTree(FIXTURE);
    await Deno.utime(tree.path("src/main.ts"), 1_000, 1_000);
    await Deno.utime(tree.path("src/util.ts"), 2_000, 2_000);
    await Deno.utime(tree.path(".hidden/secret.ts"), 3_000, 3_000);
    assertEquals(
      await run("glob", backend, tree.root, { pattern: "**/*.ts" }),
      ".hidden/secret.ts\nsrc/util.ts\nsrc/main.ts",
    );
    await Deno.utime(tree.path("src/main.ts"), 4_000, 4_000);
    assertEquals(
      await run("glob", backend, tree.root, { pattern: "src/*.{ts,js}" }),
      "src/main.ts\nsrc/util.ts",
    );
  });

  test("glob respects nested .gitignore files and says when nothing matches", async () => {
    await using tree = await makeTree(FIXTURE);
    assertEquals(await run("glob", backend, tree.root, { pattern: "*.tmp" }), "x.tmp");
    assertEquals(
      await run("glob", backend, tree.root, { pattern: "**/gen.ts" }),
      'No files match "**/gen.ts" in the working folder.',
    );
    // Patterns with a folder part too, though ripgrep gets them as an including --glob.
    const sorted = async (pattern: string) =>
      (await run("glob", backend, tree.root, { pattern })).split("\n").sort().join("\n");
    assertEquals(await sorted("src/**"), "src/.gitignore\nsrc/main.ts\nsrc/util.ts");
    assertEquals(await sorted("src/*.tmp"), 'No files match "src/*.tmp" in the working folder.');
    assertEquals(await sorted("*/generated/*"), 'No files match "*/generated/*" in the working folder.');
    assertEquals(await sorted("{src,sub}/*.t*"), "src/main.ts\nsrc/util.ts\nsub/root-only.txt");
  });

  test("glob stops at 1000 files, the first in path order, and says the search was cut", async () => {
    const entries: Record<string, Entry> = {};
    for (let i = 0; i < 1005; i++) entries[`d${i % 7}/f${i}.txt`] = "";
    await using tree = await makeTree(entries);
    const [list, note] = (await run("glob", backend, tree.root, { pattern: "*.txt" })).split("\n\n");
    const first = Object.keys(entries).sort(comparePaths).slice(0, 1000);
    assertEquals(list.split("\n").sort(comparePaths), first);
    assertMatch(note, /^\[1000 files limit reached: the search stopped there/);
  });

  test("grep answers path:LINE: text, skipping ignored and binary files", async () => {
    await using tree = await makeTree(FIXTURE);
    assertEquals(
      await run("grep", backend, tree.root, { pattern: "needle" }),
      [
        ".hidden/secret.ts:1: const needle = 1;",
        "keep.log:1: needle kept",
        "src/main.ts:2: console.log(needle);",
        "sub/root-only.txt:1: needle below",
        "x.tmp:1: needle tmp at root",
      ].join("\n"),
    );
  });

  test("grep with ignoreCase matches any case", async () => {
    await using tree = await makeTree(FIXTURE);
    const text = await run("grep", backend, tree.root, { pattern: "NEEDLE", ignoreCase: true, path: "src" });
    assertEquals(text, "main.ts:2: console.log(needle);\nutil.ts:2: // Needle in caps");
  });

  test("grep with literal searches the text as written", async () => {
    await using tree = await makeTree({ "f.txt": "a.b\naxb\n(a+\n" });
    assertEquals(await run("grep", backend, tree.root, { pattern: "a.b" }), "f.txt:1: a.b\nf.txt:2: axb");
    assertEquals(await run("grep", backend, tree.root, { pattern: "a.b", literal: true }), "f.txt:1: a.b");
    assertEquals(await run("grep", backend, tree.root, { pattern: "(a+", literal: true }), "f.txt:3: (a+");
  });

  test("grep shows context lines as path-LINE- text without repeating a line", async () => {
    await using tree = await makeTree({
      "f.txt": "one\nhit two\nthree\nhit four\nfive\nsix\nseven\nhit eight\n",
    });
    assertEquals(
      await run("grep", backend, tree.root, { pattern: "hit", context: 1 }),
      [
        "f.txt-1- one",
        "f.txt:2: hit two",
        "f.txt-3- three",
        "f.txt:4: hit four",
        "f.txt-5- five",
        "f.txt-7- seven",
        "f.txt:8: hit eight",
      ].join("\n"),
    );
  });

  test("grep stops at the match limit and says so only when more matches exist", async () => {
    await using tree = await makeTree({ "f.txt": "m1\nm2\nm3\nm4\nm5\n" });
    assertEquals(
      await run("grep", backend, tree.root, { pattern: "m", limit: 2 }),
      "f.txt:1: m1\nf.txt:2: m2\n\n[2 matches limit reached. Use limit=4 for more, or narrow the pattern, path or glob.]",
    );
    assertEquals(
      await run("grep", backend, tree.root, { pattern: "m", limit: 5 }),
      "f.txt:1: m1\nf.txt:2: m2\nf.txt:3: m3\nf.txt:4: m4\nf.txt:5: m5",
    );
  });

  test("grep keeps the last match's trailing context when it reaches the limit", async () => {
    await using tree = await makeTree({ "f.txt": "x\nhit\ny\nz\nw\nhit\n" });
    assertEquals(
      await run("grep", backend, tree.root, { pattern: "hit", limit: 1, context: 1 }),
      "f.txt-1- x\nf.txt:2: hit\nf.txt-3- y\n\n[1 matches limit reached. Use limit=2 for more, or narrow the pattern, path or glob.]",
    );
  });

  test("grep cuts lines longer than 500 characters and says so", async () => {
    await using tree = await makeTree({ "long.txt": `${"a".repeat(600)}needle\nshort needle\n` });
    const text = await run("grep", backend, tree.root, { pattern: "needle" });
    assertEquals(
      text,
      [
        `long.txt:1: ${"a".repeat(500)}... [truncated]`,
        "long.txt:2: short needle",
        "",
        "[Some lines were cut to 500 characters. Use read on the file to see them whole.]",
      ].join("\n"),
    );
  });

  test("grep cuts its answer at 50 KB and says which lines it shows", async () => {
    const line = `needle ${"x".repeat(90)}\n`;
    await using tree = await makeTree({ "big.txt": line.repeat(1000) });
    const text = await run("grep", backend, tree.root, { pattern: "needle", limit: 5000 });
    const [body, note] = text.split("\n\n");
    const shown = body.split("\n");
    assert(new TextEncoder().encode(body).length <= 50 * 1024);
    assertEquals(shown[0], `big.txt:1: ${line.trimEnd()}`);
    assertEquals(
      note,
      `[Output cut at 50.0KB: showing lines 1-${shown.length} of 1000. Narrow the pattern, path or glob, or ask for less context.]`,
    );
  });

  test("grep drops the carriage return of CRLF lines", async () => {
    await using tree = await makeTree({ "dos.txt": "first\r\nneedle here\r\n" });
    assertEquals(await run("grep", backend, tree.root, { pattern: "needle" }), "dos.txt:2: needle here");
  });

  test("grep reads UTF-16 files that start with a byte-order mark", async () => {
    const utf16 = new Uint8Array([
      0xff,
      0xfe,
      ...new Uint8Array(
        new Uint16Array([..."caf\u00e9\nneedle \u00e9\n"].map((c) => c.charCodeAt(0))).buffer,
      ),
    ]);
    await using tree = await makeTree({ "wide.txt": utf16 });
    assertEquals(await run("grep", backend, tree.root, { pattern: "needle" }), "wide.txt:2: needle \u00e9");
  });

  test("grep filters files with the glob argument", async () => {
    await using tree = await makeTree(FIXTURE);
    assertEquals(
      await run("grep", backend, tree.root, { pattern: "needle", glob: "*.ts" }),
      ".hidden/secret.ts:1: const needle = 1;\nsrc/main.ts:2: console.log(needle);",
    );
    assertEquals(
      await run("grep", backend, tree.root, { pattern: "needle", glob: "src/**" }),
      "src/main.ts:2: console.log(needle);",
    );
  });

  test("grep rejects a bad regex with an error that suggests literal", async () => {
    await using tree = await makeTree(FIXTURE);
    await assertRejects(
      () => run("grep", backend, tree.root, { pattern: "foo(" }),
      /^Cannot run grep: "foo\(" is not a valid regular expression \(.+\); fix it, or set literal to true/,
    );
    await assertRejects(
      () => run("grep", backend, tree.root, { pattern: "x", glob: "[a" }),
      /^Cannot run grep: the glob "\[a" has an unclosed "\["/,
    );
  });

  test("grep answers a plain sentence when nothing matches", async () => {
    await using tree = await makeTree(FIXTURE);
    assertEquals(
      await run("grep", backend, tree.root, { pattern: "absent", glob: "*.md" }),
      'No matches found for "absent" in the working folder (files matching *.md).',
    );
  });

  test("grep reads \\d, \\w, \\s and \\b as ripgrep does, for any script", async () => {
    await using tree = await makeTree({
      "u.txt": ["café au lait", "caff x", "٣ apples", "3 pears", "naïve reader", "a_b c", "x\u00a0y"].join(
        "\n",
      ),
    });
    const grep = (pattern: string) => run("grep", backend, tree.root, { pattern });
    assertEquals(await grep("\\d "), "u.txt:3: ٣ apples\nu.txt:4: 3 pears");
    assertEquals(await grep("caf\\w "), "u.txt:1: café au lait\nu.txt:2: caff x");
    assertEquals(await grep("é\\b"), "u.txt:1: café au lait");
    assertEquals(await grep("\\bna\\w+ve\\b"), "u.txt:5: naïve reader");
    assertEquals(await grep("^\\w+\\s\\w$"), "u.txt:2: caff x\nu.txt:6: a_b c\nu.txt:7: x\u00a0y");
    assertEquals(await grep("caf(?-u:\\b)|(?-u:\\d) "), "u.txt:1: café au lait\nu.txt:4: 3 pears");
  });

  test("grep takes ripgrep's inline flags, POSIX classes, \\x{...} and Unicode property names", async () => {
    await using tree = await makeTree({ "f.txt": "FOO bar\nfoo BAR\n[x] 42\nλ lambda\nΣ sigma\n" });
    const grep = (pattern: string) => run("grep", backend, tree.root, { pattern });
    assertEquals(await grep("(?i)foo bar"), "f.txt:1: FOO bar\nf.txt:2: foo BAR");
    assertEquals(await grep("foo (?i)bar"), "f.txt:2: foo BAR");
    assertEquals(await grep("(?i:FOO) bar|(?i)x"), "f.txt:1: FOO bar\nf.txt:3: [x] 42");
    assertEquals(
      await grep("(?x) \\[ [[:alpha:]] \\] \\s [[:digit:]]{2}  # a tag, then a number"),
      "f.txt:3: [x] 42",
    );
    assertEquals(await grep("\\x{3bb}"), "f.txt:4: λ lambda");
    assertEquals(await grep("^\\p{Greek}\\s"), "f.txt:4: λ lambda\nf.txt:5: Σ sigma");
    assertEquals(await grep("^[\\p{greek}&&\\p{Uppercase Letter}]"), "f.txt:5: Σ sigma");
    assertEquals(await grep("(?i)^Λ"), "f.txt:4: λ lambda");
    assertEquals(
      await run("grep", backend, tree.root, { pattern: "(?-i)foo", ignoreCase: true }),
      "f.txt:2: foo BAR",
    );
  });

  test("grep names a construct it cannot translate and says what to write instead", async () => {
    await using tree = await makeTree(FIXTURE);
    await assertRejects(
      () => run("grep", backend, tree.root, { pattern: "needle\\Z" }),
      /^Cannot run grep: "needle\\Z" is not a valid regular expression \(\\Z is not supported; use \\z or \$ for the end of the line\); fix it/,
    );
    await assertRejects(
      () => run("grep", backend, tree.root, { pattern: "\\p{Klingon}" }),
      /\\p\{Klingon\} names no Unicode property the native engine knows; try a general category such as \\p\{L\}/,
    );
  });

  test("grep searches one file named as the path on the same engine, even an ignored one", async () => {
    await using tree = await makeTree({
      ...FIXTURE,
      "odd/[a]{b},*?.txt": "needle odd\n",
      "odd/!bang.txt": "needle bang\n",
    });
    const grep = (args: Record<string, unknown>) => run("grep", backend, tree.root, args);
    assertEquals(await grep({ pattern: "(?i)NEEDLE", path: "src/util.ts" }), "util.ts:2: // Needle in caps");
    assertEquals(await grep({ pattern: "needle", path: "a.log" }), "a.log:1: needle in a log");
    assertEquals(await grep({ pattern: "needle", path: "odd/[a]{b},*?.txt" }), "[a]{b},*?.txt:1: needle odd");
    assertEquals(await grep({ pattern: "needle", path: "odd/!bang.txt" }), "!bang.txt:1: needle bang");
    assertEquals(
      await grep({ pattern: "util", path: "src/main.ts", glob: "*.md" }),
      'No matches found for "util" in src/main.ts (files matching *.md).',
    );
  });

  test("grep skips a file with a NUL in its first 64 KB and stops a file at a later NUL", async () => {
    const filler = `${"x".repeat(99)}\n`.repeat(3000);
    await using tree = await makeTree({
      "early.txt": "needle early\nabc\0def\nneedle after\n",
      "late.txt": `needle first\n${filler}abc\0def\nneedle after\n`,
      "bin/data.bin": FIXTURE["bin/data.bin"],
    });
    const grep = (args: Record<string, unknown>) => run("grep", backend, tree.root, args);
    assertEquals(await grep({ pattern: "needle" }), "late.txt:1: needle first");
    assertEquals(await grep({ pattern: "needle", path: "late.txt" }), "late.txt:1: needle first");
    for (const path of ["early.txt", "bin/data.bin"]) {
      assertEquals(
        await grep({ pattern: "needle", path }),
        `${path} is a binary file (it has a NUL byte in its first 64 KB), so grep does not search it. Use read to see what kind of file it is, or bash (e.g. strings) to look inside.`,
      );
    }
  });

  test("grep streams big files and finds matches at both ends and in long lines", async () => {
    const filler = `${"y".repeat(79)}\n`.repeat(50_000);
    const long = "z".repeat(300_000);
    await using tree = await makeTree({
      "big.txt": `needle first\n${filler}${long} needle long\n${filler}needle last`,
      "wide.txt": new Uint8Array([
        0xff,
        0xfe,
        ...new Uint8Array(
          new Uint16Array([...`${"w\n".repeat(40_000)}needle wide\n`].map((c) => c.charCodeAt(0))).buffer,
        ),
      ]),
    });
    assertEquals(
      await run("grep", backend, tree.root, { pattern: "needle \\w+$", context: 1 }),
      [
        "big.txt:1: needle first",
        `big.txt-2- ${"y".repeat(79)}`,
        `big.txt-50001- ${"y".repeat(79)}`,
        `big.txt:50002: ${"z".repeat(500)}... [truncated]`,
        `big.txt-50003- ${"y".repeat(79)}`,
        `big.txt-100002- ${"y".repeat(79)}`,
        "big.txt:100003: needle last",
        "wide.txt-40000- w",
        "wide.txt:40001: needle wide",
        "",
        "[Some lines were cut to 500 characters. Use read on the file to see them whole.]",
      ].join("\n"),
    );
  });

  test("capped results are the first in path order, and a larger limit continues the same list", async () => {
    const entries: Record<string, Entry> = { "d1.txt": "hit\n", "d1-x/a.txt": "hit\n" };
    for (let d = 0; d < 12; d++) {
      for (let f = 0; f < 5; f++) entries[`d${d}/f${f}.txt`] = "hit\nmiss\nhit again\n";
    }
    await using tree = await makeTree(entries);
    const grep = async (limit: number) =>
      (await run("grep", backend, tree.root, { pattern: "hit", limit })).split("\n\n")[0].split("\n");
    const three = await grep(3);
    assertEquals(three, ["d0/f0.txt:1: hit", "d0/f0.txt:3: hit again", "d0/f1.txt:1: hit"]);
    const forty = await grep(40);
    assertEquals(forty.slice(0, 3), three);
    assertEquals(forty.slice(18, 24), [
      "d1/f4.txt:1: hit",
      "d1/f4.txt:3: hit again",
      "d1-x/a.txt:1: hit",
      "d1.txt:1: hit",
      "d10/f0.txt:1: hit",
      "d10/f0.txt:3: hit again",
    ]);
    const find = async (limit: number) =>
      (await run("find", backend, tree.root, { pattern: "*", limit })).split("\n\n")[0].split("\n");
    const five = await find(5);
    assertEquals(five, ["d0/", "d0/f0.txt", "d0/f1.txt", "d0/f2.txt", "d0/f3.txt"]);
    assertEquals((await find(15)).slice(5), [
      "d0/f4.txt",
      "d1/",
      ...[0, 1, 2, 3, 4].map((f) => `d1/f${f}.txt`),
      "d1-x/",
      "d1-x/a.txt",
      "d1.txt",
    ]);
  });

  test("file tools follow symbolic links but not loops", async () => {
    await using tree = await makeTree({
      "real/a.txt": "needle\n",
      "real/loop": { link: ".." },
      "real/self": { link: "." },
      "dirlink": { link: "real" },
      "link.txt": { link: "real/a.txt" },
      "broken": { link: "missing" },
    });
    assertEquals(
      await run("find", backend, tree.root, { pattern: "*" }),
      "dirlink/\ndirlink/a.txt\nlink.txt\nreal/\nreal/a.txt",
    );
    assertEquals(
      await run("grep", backend, tree.root, { pattern: "needle" }),
      "dirlink/a.txt:1: needle\nlink.txt:1: needle\nreal/a.txt:1: needle",
    );
  });

  test("file tools apply .gitignore files above the searched folder up to the repository root", async () => {
    await using tree = await makeTree({
      ".gitignore": "*.md\n",
      "repo/.git/HEAD": "",
      "repo/.gitignore": "*.log\n/top.txt\n",
      "repo/top.txt": "",
      "repo/sub/a.log": "",
      "repo/sub/b.md": "",
      "repo/sub/top.txt": "",
      "plain/.gitignore": "*.log\n",
      "plain/sub/a.log": "",
      "plain/sub/b.md": "",
      "plain/sub/c.txt": "",
    });
    // Inside the repository the rules above its root no longer apply; anchored rules keep their folder.
    assertEquals(await run("find", backend, tree.path("repo/sub"), { pattern: "*" }), "b.md\ntop.txt");
    // Outside any repository every folder above counts.
    assertEquals(await run("find", backend, tree.path("plain/sub"), { pattern: "*" }), "c.txt");
  });

  test("file tools search a folder given explicitly even when .gitignore excludes it", async () => {
    await using tree = await makeTree(FIXTURE);
    assertEquals(await run("find", backend, tree.root, { pattern: "*", path: "build" }), "out.js");
    assertEquals(
      await run("grep", backend, tree.root, { pattern: "needle", path: "build" }),
      "out.js:1: needle built",
    );
  });

  test("file tools let a nested repository escape the outer rules", async () => {
    await using tree = await makeTree({
      ".gitignore": "*.log\n",
      "a.log": "",
      "vendor/lib/.git/HEAD": "",
      "vendor/lib/b.log": "",
    });
    assertEquals(
      await run("find", backend, tree.root, { pattern: "*" }),
      ".gitignore\nvendor/\nvendor/lib/\nvendor/lib/b.log",
    );
  });

  test("file tools stop at once when the signal is already aborted", async () => {
    await using tree = await makeTree(FIXTURE);
    const controller = new AbortController();
    controller.abort();
    const calls = [["find", "*"], ["glob", "**/*"], ["grep", "needle"]] as const;
    for (const [name, pattern] of calls) {
      const tool = FACTORIES[name]({ backend });
      await assertRejects(() => tool.execute({ pattern }, context(tree.root, controller.signal)), /aborted/);
    }
  });

  test("file tools name a missing path in one line", async () => {
    await using tree = await makeTree(FIXTURE);
    await assertRejects(
      () => run("grep", backend, tree.root, { pattern: "x", path: "nowhere" }),
      /^Cannot search nowhere: no such file or directory$/,
    );
    await assertRejects(
      () => run("find", backend, tree.root, { pattern: "*", path: "docs/readme.md" }),
      /^Cannot search docs\/readme\.md: it is a file, not a folder/,
    );
  });
}

Deno.test({
  name: "both engines give the same answers on a larger tree",
  ignore: !RIPGREP,
  fn: async () => {
    const entries: Record<string, Entry> = { ".gitignore": "*.gen.ts\ncache/\n" };
    for (let i = 0; i < 300; i++) {
      const dir = `pkg${i % 5}/mod${i % 11}`;
      entries[`${dir}/f${i}.ts`] = `export const v${i} = ${i};\n${i % 7 === 0 ? "// TODO: tidy\n" : ""}`;
      if (i % 10 === 0) entries[`${dir}/f${i}.gen.ts`] = "// TODO: generated\n";
      if (i % 25 === 0) entries[`${dir}/cache/c${i}.ts`] = "// TODO: cached\n";
    }
    entries["pkg1/.gitignore"] = "!keep.gen.ts\n";
    entries["pkg1/keep.gen.ts"] = "// TODO: kept\n";
    await using tree = await makeTree(entries);
    const calls: [keyof typeof FACTORIES, Record<string, unknown>][] = [
      ["grep", { pattern: "TODO", limit: 1000 }],
      ["grep", { pattern: "v1\\d = ", context: 1, limit: 1000 }],
      ["grep", { pattern: "todo:", ignoreCase: true, glob: "pkg1/**", limit: 1000 }],
      ["find", { pattern: "*.ts", limit: 5000 }],
      ["find", { pattern: "mod1*/" }],
      // Capped answers too: the first results in path order, whichever engine found them.
      ["grep", { pattern: "TODO", limit: 7 }],
      ["grep", { pattern: "export", limit: 40, context: 1 }],
      ["find", { pattern: "*", limit: 25 }],
    ];
    for (const [name, args] of calls) {
      const native = await run(name, "native", tree.root, args);
      const rg = await run(name, "rg", tree.root, args);
      assertEquals(rg, native, `${name} ${JSON.stringify(args)}`);
      assert(!native.startsWith("No "), `${name} ${JSON.stringify(args)} found nothing`);
    }
  },
});

Deno.test({
  name: "the native engine reads patterns as ripgrep does",
  ignore: !RIPGREP,
  fn: async () => {
    const lines = [
      "café x",
      "CAFÉ",
      "٣ apples",
      "a1b",
      "FOO bar",
      "fooBAR",
      "λόγος",
      "x\u0342y",
      "tab\there",
      "[x] a-b",
      "under_score",
      "Ⅻ ª",
      "a b",
      "€5",
      "the end",
      "a.b",
      "x\u200dy",
      "\u0085x",
      "\ufeffx",
      "ǅ",
    ];
    await using tree = await makeTree({ "f.txt": `${lines.join("\n")}\n` });
    const patterns = [
      "\\d",
      "caf\\w ",
      "é\\b",
      "\\bb\\b",
      "\\B",
      "^\\w+$",
      "\\W",
      "^\\s",
      "\\S+\\s\\S",
      "(?i)caf\\w",
      "(?i)foo",
      "foo(?i)bar",
      "(?i)a|B",
      "a(?i)b|C",
      "(?i:FOO) bar",
      "(?x) f o o  # comment",
      "(?s).",
      "(?m)^a",
      "(?U)a+b",
      "[[:alpha:]]+",
      "[^[:alpha:][:space:]]",
      "[[:^digit:]]{5}",
      "[[:punct:]]",
      "[\\w--\\d]{3}",
      "[a-z&&[^aeiou]]{2}",
      "[\\p{L}~~[a-c]]",
      "[]a]",
      "[^]a]",
      "\\pL+",
      "\\p{Lu}",
      "\\p{Greek}",
      "\\p{sc=Greek}",
      "\\p{scx=Greek}",
      "\\p{Letter}",
      "\\P{L}",
      "\\p{Currency_Symbol}",
      "\\p{sc:latin}",
      "\\p{Uppercase Letter}",
      "\\p{alphabetic}",
      "\\x{3bb}",
      "\\u0061",
      "\\U{62}",
      "[\\x{61}-\\x{63}]",
      "(?-u:\\w)",
      "\\Ab",
      "x\\z",
      "^a.b$",
      "a{2}|\\d{1,3}",
      "(?P<n>a)b",
      "\\.",
      "\\#",
      "[\\-]",
      "[\\d]",
      "[\\D]",
      "(?i)ǆ",
    ];
    for (const pattern of patterns) {
      const rg = await run("grep", "rg", tree.root, { pattern, limit: 1000 });
      const native = await run("grep", "native", tree.root, { pattern, limit: 1000 });
      assertEquals(native, rg, pattern);
    }
  },
});

Deno.test("the native engine skips a line too long to hold and says so", async () => {
  await using tree = await makeTree({ "f.txt": `needle 1\n${"x".repeat(300_000)} needle\nneedle 3\n` });
  const found: string[] = [];
  const notices: string[] = [];
  const query = { pattern: "needle", literal: false, ignoreCase: false, context: 0 };
  await searchNative(tree.root, query, {
    sink: (path, line, text) => found.push(`${path}:${line}: ${text}`) > 0,
    restart() {},
    notice: (path, message) => notices.push(`${path}: ${message}`),
    maxLineBytes: 200_000,
  });
  assertEquals(found, ["f.txt:1: needle 1", "f.txt:3: needle 3"]);
  assertEquals(notices, ["f.txt: line 2 is longer than 195.3KB"]);
});

Deno.test({
  name: "grep answers look-around through the native engine when ripgrep cannot parse it",
  ignore: !RIPGREP,
  fn: async () => {
    await using tree = await makeTree(FIXTURE);
    const result = await createGrepTool({ backend: "rg" }).execute(
      { pattern: "needle(?= kept)" },
      context(tree.root),
    );
    assertEquals(textOf(result), "keep.log:1: needle kept");
    assertEquals(result.details?.backend, "native");
  },
});

Deno.test("ls sorts case-insensitively, marks folders and notes what .gitignore hides", async () => {
  await using tree = await makeTree({
    ".git/HEAD": "",
    ".gitignore": "*.log\nnode_modules/\n",
    "Beta.txt": "",
    "alpha.txt": "",
    "b.log": "",
    "node_modules/x.js": "",
    ".env": "",
    "Src/a.ts": "",
    "dirlink": { link: "Src" },
  });
  assertEquals(
    textOf(await createLsTool().execute({}, context(tree.root))),
    ".env\n.gitignore\nalpha.txt\nBeta.txt\ndirlink/\nSrc/\n\n[Not shown, ignored by .gitignore: b.log, node_modules/]",
  );
});

Deno.test("ls says when a folder is empty and when the limit cut the list", async () => {
  await using tree = await makeTree({ "empty": { dir: true }, "full/a": "", "full/b": "", "full/c": "" });
  assertEquals(
    textOf(await createLsTool().execute({ path: "empty" }, context(tree.root))),
    "(empty directory)",
  );
  assertEquals(
    textOf(await createLsTool().execute({ path: "full", limit: 2 }, context(tree.root))),
    "a\nb\n\n[2 entries limit reached (3 in all). Use limit=3 for more.]",
  );
});

Deno.test("ls refuses a file and a missing path with one-line errors", async () => {
  await using tree = await makeTree({ "f.txt": "" });
  await assertRejects(
    () => createLsTool().execute({ path: "f.txt" }, context(tree.root)),
    /^Cannot list f\.txt: it is a file, not a folder; use read to see its content$/,
  );
  await assertRejects(
    () => createLsTool().execute({ path: "nope" }, context(tree.root)),
    /^Cannot list nope: no such file or directory$/,
  );
});

Deno.test({
  name: "runRipgrep kills ripgrep once the caller has enough",
  ignore: !RIPGREP,
  fn: async () => {
    const entries: Record<string, Entry> = {};
    for (let i = 0; i < 200; i++) entries[`f${i}.txt`] = "";
    await using tree = await makeTree(entries);
    let seen = 0;
    const outcome = await runRipgrep(["--files"], { cwd: tree.root, onRecord: () => ++seen < 3 });
    assertEquals(outcome.stopped, true);
    assertEquals(outcome.code, null);
    assertEquals(seen, 3);
  },
});

Deno.test({
  name: "runRipgrep stops ripgrep when the signal aborts mid-run",
  ignore: !RIPGREP,
  fn: async () => {
    const entries: Record<string, Entry> = {};
    for (let i = 0; i < 200; i++) entries[`f${i}.txt`] = "";
    await using tree = await makeTree(entries);
    const controller = new AbortController();
    await assertRejects(
      () =>
        runRipgrep(["--files"], {
          cwd: tree.root,
          signal: controller.signal,
          onRecord: () => controller.abort(),
        }),
      /aborted/,
    );
  },
});

Deno.test("the native walk stops when the signal aborts mid-walk", async () => {
  const entries: Record<string, Entry> = {};
  for (let i = 0; i < 50; i++) entries[`d${i}/f.txt`] = "";
  await using tree = await makeTree(entries);
  const controller = new AbortController();
  let batches = 0;
  await assertRejects(async () => {
    for await (const _ of walkTree(tree.root, { signal: controller.signal })) {
      batches++;
      controller.abort();
    }
  }, /aborted/);
  assertEquals(batches, 1);
});

Deno.test("the native walk lets a timer's abort through while it reads synchronously", async () => {
  const entries: Record<string, Entry> = {};
  for (let i = 0; i < 200; i++) entries[`d${i}/f.txt`] = "";
  await using tree = await makeTree(entries);
  const controller = new AbortController();
  let batches = 0;
  await assertRejects(async () => {
    for await (const _ of walkTree(tree.root, { signal: controller.signal })) {
      // Set once the walk is under way, the timer can only fire if the walk gives the event loop a turn.
      if (++batches === 1) setTimeout(() => controller.abort(), 0);
      // Busy work standing in for a slow consumer: 200 batches would take 200 ms.
      const start = performance.now();
      while (performance.now() - start < 1);
    }
  }, /aborted/);
  assert(batches < 200, `the walk ran to its end (${batches} batches)`);
});

Deno.test("a path outside the read permission is refused in one line naming --allow-read", async () => {
  await using allowed = await makeTree({ "a.txt": "x\n" });
  await using outside = await makeTree({ "b.txt": "x\n" });
  const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
  for (const name of ["ls", "find", "glob", "grep"]) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--allow-read=${repo},${allowed.root}`,
        "--allow-run=rg",
        join(repo, "tests/support/narrow_read.ts"),
        name,
        outside.root,
      ],
      cwd: allowed.root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout).trim();
    assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
    const report = JSON.parse(stdout) as { ok: boolean; text: string };
    assertEquals(report.ok, false, `${name}: ${report.text}`);
    assert(!report.text.includes("\n"), `${name}: ${report.text}`);
    assertStringIncludes(report.text, "--allow-read");
    assertMatch(report.text, /^Cannot (list|search) /);
  }
});
