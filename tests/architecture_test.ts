/**
 * Keeps the layers of DESIGN.md honest: every module under lib/ may import only the layers listed
 * for its own, and main.ts only the cli.
 */
import { dirname, join, relative, resolve } from "node:path";
import { assertEquals } from "./support/assert.ts";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");

/**
 * DESIGN.md's arrows, exactly: which layers each layer may import besides itself. Every layer may
 * import core; `tools/search` and `tools/web` are layers of their own inside tools.
 */
const ARROWS: Record<string, string[]> = {
  core: [],
  config: [],
  provider: [],
  context: ["config"],
  agent: [],
  proc: [],
  "tools/search": [],
  "tools/web": [],
  tools: ["tools/search", "tools/web", "proc", "mcp", "jobs"],
  mcp: ["proc", "config"],
  jobs: ["proc"],
  session: [],
  ui: ["agent", "session"],
  headless: ["agent", "session"],
  acp: ["agent", "session"],
  cli: ["*"],
};

function mayImport(layer: string, target: string): boolean {
  const allowed = ARROWS[layer];
  return target === layer || target === "core" || allowed.includes("*") || allowed.includes(target);
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const patterns = [
    /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']/g,
    /(?:^|\n)\s*import\s*["']([^"']+)["']/g,
    /import\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) specifiers.push(match[1]);
  }
  return specifiers;
}

function layerOf(path: string): string | undefined {
  const rel = relative(join(root, "lib"), path);
  if (rel.startsWith("..")) return undefined;
  const [top, sub] = rel.split("/");
  return top === "tools" && (sub === "search" || sub === "web") ? `tools/${sub}` : top;
}

Deno.test("every lib module imports only the layers its own layer may use", async () => {
  const violations: string[] = [];
  for await (const file of walk(join(root, "lib"))) {
    const layer = layerOf(file)!;
    if (!ARROWS[layer]) {
      violations.push(`${relative(root, file)}: layer "${layer}" is not in DESIGN.md's map`);
      continue;
    }
    for (const specifier of importsOf(await Deno.readTextFile(file))) {
      if (!specifier.startsWith(".")) continue;
      const target = layerOf(resolve(dirname(file), specifier));
      if (target === undefined) {
        violations.push(`${relative(root, file)} imports ${specifier}, outside lib/`);
      } else if (!mayImport(layer, target)) {
        violations.push(`${relative(root, file)} (${layer}) imports ${specifier} (${target})`);
      }
    }
  }
  assertEquals(violations, []);
});

Deno.test("a layer is placed by its folder, tools/search and tools/web apart from tools", () => {
  assertEquals(layerOf(join(root, "lib/tools/search/walk.ts")), "tools/search");
  assertEquals(layerOf(join(root, "lib/tools/web/html.ts")), "tools/web");
  assertEquals(layerOf(join(root, "lib/tools/read.ts")), "tools");
  assertEquals(layerOf(join(root, "lib/agent/loop.ts")), "agent");
  assertEquals(mayImport("tools", "tools/search"), true);
  assertEquals(mayImport("tools/search", "tools"), false);
  assertEquals(mayImport("agent", "tools"), false);
  assertEquals(mayImport("ui", "context"), false);
  assertEquals(mayImport("cli", "ui"), true);
});

Deno.test("main.ts imports only the cli layer", async () => {
  const source = await Deno.readTextFile(join(root, "main.ts"));
  const outside = importsOf(source).filter((s) => !s.startsWith("./lib/cli/"));
  assertEquals(outside, []);
});

Deno.test("the import scanner sees static, re-export and dynamic imports", () => {
  const found = importsOf(
    'import { a } from "./a.ts";\nexport { b } from "../b/mod.ts";\nconst c = await import("./c.ts");\nimport "./d.ts";',
  );
  assertEquals(found.sort(), ["../b/mod.ts", "./a.ts", "./c.ts", "./d.ts"]);
});

Deno.test("the version constant matches deno.json", async () => {
  const { VERSION } = await import("../lib/core/version.ts");
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  assertEquals(VERSION, config.version);
});
