/**
 * grep never freezes the process: the native engine's regex runs on a worker that an abort or a time
 * limit stops at once, and ripgrep's answer is kept when it only complained about paths (a link that
 * leads nowhere, a loop), rather than the search being run again natively. Patterns that backtrack
 * without end are run in a child process, so that a regression hangs the child, not the test runner.
 * The child ends with `Deno.exit`, as main.ts does: Deno 2.9 does not stop a worker's thread that is
 * inside a match (its `terminate` only takes effect when the worker's event loop next turns), so the
 * stuck thread lasts until the process exits.
 */
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { hasRipgrep, makeTree } from "./support/file_tree.ts";
import type { TextPart, ToolResult } from "../lib/core/mod.ts";
import { createGrepTool } from "../lib/tools/grep.ts";

const RIPGREP = await hasRipgrep();
const GREP = new URL("../lib/tools/grep.ts", import.meta.url).href;

function textOf(result: ToolResult): string {
  return result.content.filter((p): p is TextPart => p.type === "text").map((p) => p.text).join("\n");
}

/** A folder whose one file holds a long line of y's, which `(y+)+z` backtracks on without end. */
async function backtrackingTree() {
  return await makeTree({ "ok.txt": "nothing here\n", "big.txt": `${"y".repeat(5000)}\n` });
}

/**
 * Runs a grep in a child Deno process with the given flags and prints what it answered; the child is
 * killed if it has not finished within `deadlineMs`, which the result reports as `hung`.
 */
async function grepInChild(
  body: string,
  options: { cwd: string; flags: string[]; deadlineMs: number },
): Promise<{ hung: boolean; report: { ok: boolean; text: string; ms: number } | null; stderr: string }> {
  const script = `
    import { createGrepTool } from ${JSON.stringify(GREP)};
    const ctx = (signal) => ({ cwd: Deno.cwd(), signal, update() {} });
    const started = performance.now();
    let report;
    try {
      const result = await (async () => { ${body} })();
      report = { ok: true, text: result.content.map((p) => p.text ?? "").join("") };
    } catch (error) {
      report = { ok: false, text: error instanceof Error ? error.message : String(error) };
    }
    report.ms = performance.now() - started;
    console.log(JSON.stringify(report));
    // As main.ts does: a worker stuck in a match cannot hold the process open.
    Deno.exit(0);
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...options.flags, "-"],
    cwd: options.cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill("SIGKILL");
  }, options.deadlineMs);
  const output = await child.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(output.stdout).trim();
  return {
    hung,
    report: stdout === "" ? null : JSON.parse(stdout.split("\n").at(-1)!),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

Deno.test("native grep stops a pattern that backtracks without end, with a one-line error", async () => {
  await using tree = await backtrackingTree();
  // Read-only, as a CI run without --allow-run: the native engine answers.
  const { hung, report, stderr } = await grepInChild(
    `return await createGrepTool({ patternTimeLimitMs: 300 }).execute({ pattern: "(y+)+z" }, ctx(new AbortController().signal));`,
    { cwd: tree.root, flags: [`--allow-read`], deadlineMs: 15_000 },
  );
  assert(!hung, "the grep froze its process");
  assert(report !== null, stderr);
  assertEquals(report.ok, false, report.text);
  assert(!report.text.includes("\n"), report.text);
  assertMatch(
    report.text,
    /^Cannot run grep: "\(y\+\)\+z" was still matching after 300 ms on big\.txt, so the search was stopped .*; simplify the pattern, set literal to true, or narrow path or glob$/,
  );
  assert(report.ms < 5000, `took ${report.ms} ms`);
});

Deno.test("an abort stops a native grep stuck on a backtracking pattern at once", async () => {
  await using tree = await backtrackingTree();
  const { hung, report, stderr } = await grepInChild(
    `const controller = new AbortController();
     setTimeout(() => controller.abort(), 200);
     return await createGrepTool({ backend: "native" }).execute({ pattern: "(y+)+z" }, ctx(controller.signal));`,
    { cwd: tree.root, flags: [`--allow-read`], deadlineMs: 15_000 },
  );
  assert(!hung, "the abort did not get through");
  assert(report !== null, stderr);
  assertEquals(report.ok, false);
  assertMatch(report.text, /aborted/);
  assert(report.ms < 1500, `the abort took ${report.ms - 200} ms to stop the search`);
});

Deno.test("native grep keeps its answers, context and limits when run on the worker", async () => {
  await using tree = await makeTree({
    "a.txt": "one\ntwo match\nthree\nfour match\n",
    "b/c.txt": "match here\n",
    ".gitignore": "ignored.txt\n",
    "ignored.txt": "match ignored\n",
  });
  const grep = createGrepTool({ backend: "native" });
  const ctx = { cwd: tree.root, signal: new AbortController().signal, update() {} };
  const result = await grep.execute({ pattern: "m.tch", context: 1 }, ctx);
  assertEquals(
    textOf(result),
    "a.txt-1- one\na.txt:2: two match\na.txt-3- three\na.txt:4: four match\nb/c.txt:1: match here",
  );
  const capped = await grep.execute({ pattern: "ma+tch", limit: 1 }, ctx);
  assertEquals(
    textOf(capped),
    "a.txt:2: two match\n\n[1 matches limit reached. Use limit=2 for more, or narrow the pattern, path or glob.]",
  );
  const globbed = await grep.execute({ pattern: "mat?ch", glob: "b/**" }, ctx);
  assertEquals(textOf(globbed), "b/c.txt:1: match here");
});

Deno.test({
  name: "grep keeps ripgrep's answer when ripgrep only complained about a broken link and a loop",
  ignore: !RIPGREP,
  fn: async () => {
    await using tree = await makeTree({
      "a.txt": "alpha\n",
      "dangling": { link: "nowhere" },
      "sub/loop": { link: ".." },
    });
    const grep = createGrepTool({ backend: "rg" });
    const ctx = { cwd: tree.root, signal: new AbortController().signal, update() {} };
    const none = await grep.execute({ pattern: "absent" }, ctx);
    assertEquals(textOf(none), 'No matches found for "absent" in the working folder.');
    assertEquals(none.details?.backend, "rg");
    const found = await grep.execute({ pattern: "alp" }, ctx);
    assertEquals(textOf(found), "a.txt:1: alpha");
    assertEquals(found.details?.backend, "rg");
  },
});

Deno.test({
  name: "with ripgrep, a backtracking pattern in a tree with a broken link answers at once",
  ignore: !RIPGREP,
  fn: async () => {
    await using tree = await makeTree({
      "big.txt": `${"y".repeat(5000)}\n`,
      "dangling": { link: "nowhere" },
    });
    const { hung, report, stderr } = await grepInChild(
      `return await createGrepTool({ backend: "rg" }).execute({ pattern: "(y+)+z" }, ctx(new AbortController().signal));`,
      { cwd: tree.root, flags: [`--allow-read`, "--allow-run=rg"], deadlineMs: 15_000 },
    );
    assert(!hung, "the grep froze its process");
    assert(report !== null, stderr);
    assertEquals(report, {
      ok: true,
      text: 'No matches found for "(y+)+z" in the working folder.',
      ms: report.ms,
    });
  },
});

Deno.test("a pattern the native engine cannot read is still refused in one line on the worker", async () => {
  await using tree = await makeTree({ "a.txt": "x\n" });
  const grep = createGrepTool({ backend: "native" });
  const ctx = { cwd: tree.root, signal: new AbortController().signal, update() {} };
  let message = "";
  try {
    await grep.execute({ pattern: "a(b" }, ctx);
  } catch (error) {
    message = (error as Error).message;
  }
  assertMatch(message, /^Cannot run grep: "a\(b" is not a valid regular expression/);
});
