// deno-lint-ignore-file no-console
/**
 * MCP: start → first request with three stdio servers configured (their tool lists cached) beside
 * the same run with none; the tool-schema tokens of the first request with 200 MCP tools configured
 * and none selected beside none configured (and beside declaring all 200 directly); and `mcp_search`
 * over 1,000 cached tools, time per query beside a plain substring scan of the same descriptions.
 * Run alone with `deno run -A bench/mcp.ts`; `deno task bench` runs it too.
 * @module
 */

import { join } from "node:path";
import { fixtureCommand } from "../tests/support/mcp_fixture.ts";
import { loadMcpConfig, McpManager, type McpServerConfig, writeCachedListing } from "../lib/mcp/mod.ts";
import { createMcpSearchTool } from "../lib/tools/mcp_search.ts";
import { firstRequest } from "./first_request.ts";
import { median, ms, row } from "./report.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 5);

/** A home folder whose mcp.json holds `servers`. */
async function homeWith(servers: Record<string, unknown>): Promise<string> {
  const home = await Deno.makeTempDir({ prefix: "nanocode-bench-mcp-" });
  await Deno.mkdir(join(home, ".nanocode"));
  await Deno.writeTextFile(join(home, ".nanocode", "mcp.json"), JSON.stringify({ mcpServers: servers }));
  return home;
}

/** Starts every server of `home` once and waits for their lists, so the next runs find them cached. */
async function fillCache(home: string, cwd: string): Promise<void> {
  const env = (name: string) => (name === "HOME" ? home : undefined);
  const manager = await McpManager.create(await loadMcpConfig({ cwd, env }), { cwd, env });
  await manager.settled();
  await manager.close();
}

/** The first request a run of main.ts makes, and how long after the spawn it arrived. */
async function firstRequestIn(home: string, cwd: string): Promise<{ ms: number; tools: unknown[] }> {
  const { ms, body } = await firstRequest(["hi"], {
    cwd,
    clearEnv: true,
    env: { HOME: home, MODEL: "bench", NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "", DENO_DIR: denoDir() },
  });
  return { ms, tools: body.tools ?? [] };
}

/** The module cache this process uses, so a fresh HOME does not mean a fresh cache. */
function denoDir(): string {
  const home = Deno.env.get("HOME") ?? "";
  const fallback = Deno.build.os === "darwin" ? `${home}/Library/Caches/deno` : `${home}/.cache/deno`;
  return Deno.env.get("DENO_DIR") ??
    (Deno.env.get("XDG_CACHE_HOME") ? `${Deno.env.get("XDG_CACHE_HOME")}/deno` : fallback);
}

function tokens(tools: unknown[]): number {
  return Math.ceil(JSON.stringify(tools).length / 4);
}

/** Runs the MCP benchmarks and prints their rows. */
export async function benchMcp(): Promise<void> {
  const cwd = await Deno.makeTempDir({ prefix: "nanocode-bench-mcp-cwd-" });
  const homes: string[] = [cwd];
  try {
    // Start → first request: three stdio servers with cached lists, beside none.
    const none = await homeWith({});
    const three = await homeWith({
      one: fixtureCommand(),
      two: fixtureCommand("--page-size=5"),
      three: fixtureCommand("--extra-tools=20"),
    });
    homes.push(none, three);
    await fillCache(three, cwd);
    await firstRequestIn(none, cwd);
    const withServers: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternating which goes first keeps a warming cache from favouring either.
      if (i % 2 === 0) without.push((await firstRequestIn(none, cwd)).ms);
      withServers.push((await firstRequestIn(three, cwd)).ms);
      if (i % 2 === 1) without.push((await firstRequestIn(none, cwd)).ms);
    }
    row(
      "start → first request, 3 stdio MCP servers",
      ms(median(withServers)),
      ms(median(without)),
      median(withServers) / median(without),
      "(baseline: no MCP server configured)",
    );

    // Tool-schema tokens of the first request: 200 MCP tools configured, none selected.
    const many = await homeWith({ many: fixtureCommand("--extra-tools=189") });
    const direct = await homeWith({ many: { ...fixtureCommand("--extra-tools=189"), direct: true } });
    homes.push(many, direct);
    await fillCache(many, cwd);
    await fillCache(direct, cwd);
    const bare = tokens((await firstRequestIn(none, cwd)).tools);
    const searched = tokens((await firstRequestIn(many, cwd)).tools);
    const declared = tokens((await firstRequestIn(direct, cwd)).tools);
    row(
      "tool-schema tokens, 200 MCP tools, none selected",
      `${searched}`,
      `${bare}`,
      searched / bare,
      "(baseline: no MCP server; the four mcp_* tools are the difference)",
    );
    // The same request with one small server configured: the schemas do not grow with the tool count.
    const few = await homeWith({ few: fixtureCommand() });
    homes.push(few);
    await fillCache(few, cwd);
    const small = tokens((await firstRequestIn(few, cwd)).tools);
    row(
      "  (200 MCP tools beside a server of 11, none selected)",
      `${searched}`,
      `${small}`,
      searched / small,
      "(baseline: the fixture's 11 tools)",
    );
    row(
      "  (the same 200 tools declared directly)",
      `${declared}`,
      `${bare}`,
      declared / bare,
    );

    // mcp_search over 1,000 cached tools.
    const searchHome = await Deno.makeTempDir({ prefix: "nanocode-bench-mcp-search-" });
    homes.push(searchHome);
    const cacheDir = join(searchHome, "cache");
    const servers: McpServerConfig[] = [];
    const descriptions: string[] = [];
    const words = ["issue", "pull", "file", "query", "deploy", "user", "metric", "log", "branch", "ticket"];
    for (let s = 0; s < 5; s++) {
      const server: McpServerConfig = {
        name: `server${s}`,
        type: "stdio",
        sseFallback: false,
        command: "nanocode-bench-never-started",
        args: [String(s)],
        env: {},
        headers: {},
        enabled: true,
        disabledTools: [],
        selectedTools: [],
        direct: false,
        timeoutMs: 30_000,
        oauth: false,
        source: "bench",
      };
      const tools = Array.from({ length: 200 }, (_, i) => {
        const description = `Handles ${words[i % 10]} ${
          words[(i * 7) % 10]
        } requests number ${i} for team ${s}.`;
        descriptions.push(description);
        return {
          name: `${words[i % 10]}_${words[(i * 3) % 10]}_${i}`,
          description,
          inputSchema: { type: "object", properties: { id: { type: "string" } } },
        };
      });
      await writeCachedListing(cacheDir, server, { tools, resources: [] });
      servers.push(server);
    }
    const env = (name: string) => (name === "HOME" ? searchHome : undefined);
    const manager = await McpManager.create({ servers, warnings: [], files: [] }, { cwd, env, cacheDir });
    const search = createMcpSearchTool(manager);
    const ctx = { cwd, signal: new AbortController().signal, update: () => {} };
    const queries = [
      "deploy branch",
      "create issue",
      "user metric",
      "log",
      "ticket query 17",
      "pull_request",
    ];
    const buildStart = performance.now();
    await search.execute({ query: queries[0] }, ctx);
    const firstQuery = performance.now() - buildStart;
    const perQuery: number[] = [];
    const scanPerQuery: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (const query of queries) {
        let t = performance.now();
        await search.execute({ query }, ctx);
        perQuery.push(performance.now() - t);
        t = performance.now();
        const q = query.toLowerCase();
        descriptions.filter((d) => d.toLowerCase().includes(q)).slice(0, 30);
        scanPerQuery.push(performance.now() - t);
      }
    }
    await manager.close();
    row(
      "mcp_search over 1,000 cached tools, per query",
      `${median(perQuery).toFixed(2)} ms`,
      `${median(scanPerQuery).toFixed(2)} ms`,
      median(perQuery) / median(scanPerQuery),
      `(baseline: substring scan; first query with index build ${firstQuery.toFixed(1)} ms)`,
    );
  } finally {
    for (const home of homes) await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  console.log(`nanocode MCP bench — ${RUNS} runs each, median\n`);
  await benchMcp();
}
