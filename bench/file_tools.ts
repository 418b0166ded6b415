/**
 * Benchmark of the file tools on a generated tree of 100,000 files: `grep` for a rare literal and a
 * common regex, `glob **\/*.ts` and `find`, each through ripgrep and through the native walker, beside
 * plain `rg` / `rg --files` on the same tree in the same run. Prints a table of medians and ratios.
 * The tree is generated once and cached under `.nanocode-bench/` (gitignored).
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Tool, ToolContext } from "../lib/core/mod.ts";
import { createFindTool } from "../lib/tools/find.ts";
import { createGlobTool } from "../lib/tools/glob.ts";
import { createGrepTool } from "../lib/tools/grep.ts";

const TREE_VERSION = "v2";
/** The rare literal; it appears in a handful of files (and more in the ignored folder). */
export const RARE = "needle_7f3a9c";
const PACKAGES = 20;
const MODULES = 25;
const SUBMODULES = 4;
const FILES_PER_LEAF = 40;
const IGNORED_FILES = 19_759;
const GENERATED_PER_PACKAGE = 10;

/** A small deterministic random source, so every machine builds the same tree. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const WORDS = [
  "value",
  "count",
  "index",
  "result",
  "buffer",
  "config",
  "handler",
  "request",
  "response",
  "options",
  "parser",
  "token",
  "stream",
  "cache",
  "entry",
  "state",
];
const EXTENSIONS = [".ts", ".ts", ".js", ".json", ".md", ".ts"];

function source(rand: () => number, name: string, rare: boolean): string {
  const word = () => WORDS[Math.floor(rand() * WORDS.length)];
  const lines = [`// ${name}`, `import { ${word()} } from "./${word()}.ts";`, ""];
  const functions = 2 + Math.floor(rand() * 4);
  for (let f = 0; f < functions; f++) {
    lines.push(`export function ${word()}${f}(${word()}: number): number {`);
    for (let l = 0; l < 3 + Math.floor(rand() * 5); l++) {
      lines.push(`  const ${word()}_${l} = ${word()}(${Math.floor(rand() * 1000)}) + ${word()};`);
    }
    if (rare && f === 1) lines.push(`  // ${RARE}: the one line the rare search looks for`);
    lines.push(`  return ${word()};`, "}", "");
  }
  return lines.join("\n");
}

/** Total files the tree holds, ignored ones and `.gitignore` files included: 100,000. */
export const TREE_FILES = 1 + PACKAGES * (2 + GENERATED_PER_PACKAGE + MODULES * SUBMODULES * FILES_PER_LEAF) +
  IGNORED_FILES;

async function writeAll(files: AsyncIterable<[string, string]> | Iterable<[string, string]>) {
  const made = new Set<string>();
  let pending: Promise<void>[] = [];
  for await (const [path, text] of files) {
    const dir = dirname(path);
    if (!made.has(dir)) {
      Deno.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    pending.push(Deno.writeTextFile(path, text));
    if (pending.length >= 64) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
}

function* treeFiles(root: string): Generator<[string, string]> {
  const rand = random(42);
  yield [join(root, ".gitignore"), "# build output and dependencies\nnode_modules/\n*.log\ndist/\n"];
  for (let p = 0; p < PACKAGES; p++) {
    const pkg = join(root, "packages", `pkg${String(p).padStart(2, "0")}`);
    yield [join(pkg, ".gitignore"), "generated/\n"];
    yield [join(pkg, "README.md"), `# Package ${p}\n`];
    for (let g = 0; g < GENERATED_PER_PACKAGE; g++) {
      yield [join(pkg, "generated", `gen${g}.ts`), source(rand, `gen${g}`, true)];
    }
    for (let m = 0; m < MODULES; m++) {
      for (let s = 0; s < SUBMODULES; s++) {
        const leaf = join(pkg, "src", `mod${String(m).padStart(2, "0")}`, `part${s}`);
        for (let f = 0; f < FILES_PER_LEAF; f++) {
          const ext = EXTENSIONS[f % EXTENSIONS.length];
          const name = `file${String(f).padStart(2, "0")}${ext}`;
          // Five visible files in the whole tree hold the rare literal.
          const rare = m === 7 && s === 1 && f === 2 && p % 4 === 0;
          yield [
            join(leaf, name),
            ext === ".json" ? `{"name": "${name}", "index": ${f}}\n` : source(rand, name, rare),
          ];
        }
      }
    }
  }
  for (let i = 0; i < IGNORED_FILES; i++) {
    const pkg = join(root, "node_modules", `dep${Math.floor(i / 200)}`, `lib${Math.floor(i / 20) % 10}`);
    yield [join(pkg, `index${i % 20}.js`), source(rand, `dep${i}`, i % 1000 === 0)];
  }
}

/** Builds the benchmark tree once and returns its path; later runs reuse it. */
export async function ensureTree(base?: string): Promise<string> {
  const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
  const root = join(base ?? join(repo, ".nanocode-bench"), `tree-${TREE_VERSION}`);
  const marker = join(root, ".git", "bench-tree-complete");
  try {
    await Deno.stat(marker);
    return root;
  } catch {
    // Not built yet (or interrupted): build it from scratch.
  }
  await Deno.remove(root, { recursive: true }).catch(() => {});
  await writeAll(treeFiles(root));
  // A `.git` folder makes plain `rg` honour the .gitignore files too, for a fair comparison.
  await Deno.mkdir(join(root, ".git"), { recursive: true });
  await Deno.writeTextFile(marker, `${TREE_FILES} files\n`);
  return root;
}

interface Case {
  name: string;
  tool: (backend: "rg" | "native") => Tool;
  args: Record<string, unknown>;
  /** The plain ripgrep command line the tool is measured against. */
  plain: string[];
}

const CASES: Case[] = [
  {
    name: "grep rare literal",
    tool: (backend) => createGrepTool({ backend }),
    args: { pattern: RARE, literal: true },
    plain: ["-n", "--fixed-strings", RARE],
  },
  {
    name: "grep common regex",
    tool: (backend) => createGrepTool({ backend }),
    args: { pattern: "function \\w+\\(" },
    plain: ["-n", "function \\w+\\("],
  },
  {
    // The same search without the cap: every match is read, as plain rg prints every match.
    name: "grep common regex, no cap",
    tool: (backend) => createGrepTool({ backend }),
    args: { pattern: "function \\w+\\(", limit: 1_000_000 },
    plain: ["-n", "function \\w+\\("],
  },
  {
    // Capped: the tool stops at 1,000 files while plain rg lists them all, so this ratio flatters.
    name: "glob **/*.ts (capped)",
    tool: (backend) => createGlobTool({ backend }),
    args: { pattern: "**/*.ts" },
    plain: ["--files", "--glob", "*.ts"],
  },
  {
    // 400 files: under the cap, so the tool does all the work plain rg does.
    name: "glob **/mod07/part1/*.ts",
    tool: (backend) => createGlobTool({ backend }),
    args: { pattern: "**/mod07/part1/*.ts" },
    plain: ["--files", "--glob", "**/mod07/part1/*.ts"],
  },
  {
    name: "find mod07",
    tool: (backend) => createFindTool({ backend }),
    args: { pattern: "mod07" },
    plain: ["--files"],
  },
  {
    name: "find *.ts, no cap",
    tool: (backend) => createFindTool({ backend }),
    args: { pattern: "*.ts", limit: 1_000_000 },
    plain: ["--files"],
  },
];

const RUNS = 7;

const encoder = new TextEncoder();

/** Writes one line to stdout (the benchmark's report). */
function print(text: string): void {
  Deno.stdout.writeSync(encoder.encode(`${text}\n`));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function plainRg(args: string[], cwd: string): Promise<void> {
  // Read all of ripgrep's output, as a caller of plain rg would.
  const output = await new Deno.Command("rg", { args, cwd, stdin: "null", stdout: "piped", stderr: "null" })
    .output();
  if (output.code > 1) throw new Error(`Cannot run rg ${args.join(" ")}: exit code ${output.code}`);
}

function textOf(result: { content: { type: string }[] }): string {
  return result.content.map((part) => ("text" in part ? part.text : "")).join("");
}

/**
 * Runs the benchmark and prints its table: median milliseconds over a few runs for plain ripgrep, the
 * rg-backed tools and the native ones, with each tool's ratio to plain ripgrep.
 */
export async function benchFileTools(): Promise<void> {
  const start = performance.now();
  const root = await ensureTree();
  print(
    `Tree: ${root} (${TREE_FILES} files, ${((performance.now() - start) / 1000).toFixed(1)}s to prepare)`,
  );
  const ctx: ToolContext = { cwd: root, signal: new AbortController().signal, update: () => {} };
  const rows: string[][] = [];
  // BENCH_CASES=grep runs only the cases whose name holds that text.
  const only = Deno.env.get("BENCH_CASES");
  for (const c of CASES.filter((c) => only === undefined || c.name.includes(only))) {
    const tools = { rg: c.tool("rg"), native: c.tool("native") };
    const times = { plain: [] as number[], rg: [] as number[], native: [] as number[] };
    const texts = { rg: "", native: "" };
    for (let run = 0; run <= RUNS; run++) {
      // The first round warms caches and is not counted.
      const plain = await time(() => plainRg(c.plain, root));
      const rg = await time(async () => texts.rg = textOf(await tools.rg.execute(c.args, ctx)));
      const native = await time(async () => texts.native = textOf(await tools.native.execute(c.args, ctx)));
      if (run === 0) continue;
      times.plain.push(plain);
      times.rg.push(rg);
      times.native.push(native);
    }
    const plain = median(times.plain);
    const rg = median(times.rg);
    const native = median(times.native);
    // Capped results too must be equal: the first ones in path order on either engine.
    const capped = texts.rg.includes("limit reached") ? " (capped)" : "";
    const same = texts.rg === texts.native ? `yes${capped}` : `NO${capped}`;
    rows.push([
      c.name,
      `rg ${c.plain.join(" ")}`,
      plain.toFixed(0),
      rg.toFixed(0),
      `${(rg / plain).toFixed(2)}x`,
      native.toFixed(0),
      `${(native / plain).toFixed(2)}x`,
      same,
    ]);
  }
  const header = ["case", "plain command", "plain ms", "rg-backed ms", "ratio", "native ms", "ratio", "same"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  print(`\nMedian of ${RUNS} runs; ratio = tool time / plain rg time.\n`);
  print(line(header));
  print(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) print(line(row));
}

if (import.meta.main) await benchFileTools();
