/**
 * Benchmark of one assistant message holding four independent `grep` calls on the 100,000-file bench
 * tree, run through the real agent: the exported `Agent` with the built-in tools and a scripted
 * in-process provider (four calls, then a final answer). The wall time of that turn is printed beside
 * the slowest of the four calls run alone, and the four run one after another beside the same, so the
 * first ratio is about 1 when the agent runs read-only calls side by side and about 4 when it runs them
 * in turn. A second figure does the same with four `webfetch` calls to a local server that waits
 * before it answers: calls that wait rather than compute, where running them together pays in full.
 * Run alone with `deno run -A bench/tool_batch.ts`.
 * @module
 */

import { Agent } from "../lib/agent/mod.ts";
import type {
  AssembledToolCall,
  ChatRequest,
  Provider,
  ProviderDelta,
  ToolContext,
} from "../lib/core/mod.ts";
import { BUILTIN_TOOLS } from "../lib/tools/mod.ts";
import { ensureTree, RARE, TREE_FILES } from "./file_tools.ts";
import { line, median, ms, row } from "./report.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 3);

/** Four searches of the whole tree that a model might make at once; none stops early at the cap. */
const GREPS: Record<string, unknown>[] = [
  { pattern: RARE, literal: true },
  { pattern: "TODO|FIXME" },
  { pattern: "needle_[0-9a-f]{6}", glob: "*.ts" },
  { pattern: "deprecated", ignoreCase: true },
];
/** The same searches as plain ripgrep command lines. */
const PLAIN = [
  ["-n", "--fixed-strings", RARE],
  ["-n", "TODO|FIXME"],
  ["-n", "--glob", "*.ts", "needle_[0-9a-f]{6}"],
  ["-n", "--ignore-case", "deprecated"],
];

const CALLS: AssembledToolCall[] = GREPS.map((args, i) => ({
  id: `call_${i}`,
  name: "grep",
  arguments: JSON.stringify(args),
}));

/** A provider that asks for the four calls, then answers once their results are in. */
function scriptedProvider(): Provider {
  return {
    async *stream(request: ChatRequest): AsyncGenerator<ProviderDelta> {
      if (request.messages.at(-1)?.role === "tool") {
        yield {
          type: "done",
          reason: "stop",
          message: { role: "assistant", content: "found" },
          toolCalls: [],
        };
        return;
      }
      const toolCalls = CALLS.map((call) => ({
        id: call.id,
        type: "function" as const,
        function: { name: call.name, arguments: call.arguments },
      }));
      yield {
        type: "done",
        reason: "tool_calls",
        message: { role: "assistant", content: null, tool_calls: toolCalls },
        toolCalls: CALLS,
      };
    },
    listModels: () => Promise.resolve(["scripted"]),
  };
}

/**
 * Milliseconds of the agent's first turn (the one with the four calls), start to end, and the most
 * calls that were under way at once (a call is under way from its `tool_call` to its `tool_result`).
 */
async function agentTurn(cwd: string): Promise<{ ms: number; inFlight: number }> {
  const agent = new Agent({ provider: scriptedProvider(), tools: BUILTIN_TOOLS, model: "scripted", cwd });
  let start = 0;
  let end = 0;
  let results = 0;
  let running = 0;
  let inFlight = 0;
  for await (const event of agent.run("find these", new AbortController().signal)) {
    if (event.type === "turn_start" && event.turn === 1) start = performance.now();
    if (event.type === "turn_end" && event.turn === 1) end = performance.now();
    if (event.type === "tool_call") inFlight = Math.max(inFlight, ++running);
    if (event.type === "tool_result") {
      running--;
      if (event.isError) throw new Error(`Cannot benchmark the grep batch: a call failed: ${event.text}`);
      results++;
    }
  }
  if (results !== GREPS.length) throw new Error(`Cannot benchmark the grep batch: ${results} results`);
  return { ms: end - start, inFlight };
}

/** Milliseconds of each call run alone, one after another. */
async function oneByOne(cwd: string): Promise<number[]> {
  const grep = BUILTIN_TOOLS.find((t) => t.name === "grep")!;
  const ctx: ToolContext = { cwd, signal: new AbortController().signal, update: () => {} };
  const times: number[] = [];
  for (const args of GREPS) {
    const start = performance.now();
    await grep.execute(args, ctx);
    times.push(performance.now() - start);
  }
  return times;
}

/**
 * Milliseconds for the four searches as plain `rg` processes started at once: what the machine allows
 * (ripgrep already spreads one search over every core), undefined without rg.
 */
async function plainAtOnce(cwd: string): Promise<number | undefined> {
  const start = performance.now();
  try {
    await Promise.all(
      PLAIN.map((args) =>
        new Deno.Command("rg", { args, cwd, stdin: "null", stdout: "piped", stderr: "null" }).output()
      ),
    );
  } catch {
    return undefined;
  }
  return performance.now() - start;
}

/** Runs the benchmark and prints its rows. */
export async function benchToolBatch(): Promise<void> {
  const root = await ensureTree();
  // Warm the page cache and the search engine.
  await oneByOne(root);
  const slowest: number[] = [];
  const sequential: number[] = [];
  const turn: number[] = [];
  const plain: number[] = [];
  let inFlight = 0;
  const timeTurn = async () => {
    const result = await agentTurn(root);
    turn.push(result.ms);
    inFlight = Math.max(inFlight, result.inFlight);
  };
  for (let i = 0; i < RUNS; i++) {
    // Alternate the order, so neither side always runs on the cache the other left.
    if (i % 2 === 1) await timeTurn();
    const times = await oneByOne(root);
    slowest.push(Math.max(...times));
    sequential.push(times.reduce((sum, t) => sum + t, 0));
    if (i % 2 === 0) await timeTurn();
    const atOnce = await plainAtOnce(root);
    if (atOnce !== undefined) plain.push(atOnce);
  }
  const single = median(slowest);
  line(
    `Four grep calls in one assistant message, each over the whole tree (${TREE_FILES} files), median of ${RUNS}`,
  );
  row(
    "  agent turn with the four calls",
    ms(median(turn)),
    ms(single),
    median(turn) / single,
    `(baseline: the slowest call alone; target ≤ 1.30; ${inFlight} of ${GREPS.length} calls under way at once)`,
  );
  row("  the four calls one after another", ms(median(sequential)), ms(single), median(sequential) / single);
  if (plain.length > 0) {
    row(
      "  the four as plain rg processes at once",
      ms(median(plain)),
      ms(single),
      median(plain) / single,
      `(what ${navigator.hardwareConcurrency} cores allow)`,
    );
  }
}

/**
 * Four `webfetch` calls in one message to a local server that answers each after 300 ms: a batch
 * whose calls wait rather than compute, as web fetches and MCP searches do, beside one such call.
 */
export async function benchWaitingBatch(): Promise<void> {
  const DELAY_MS = 300;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS));
    return new Response("page text", { headers: { "content-type": "text/plain" } });
  });
  const url = `http://127.0.0.1:${server.addr.port}/`;
  const calls: AssembledToolCall[] = [0, 1, 2, 3].map((i) => ({
    id: `fetch_${i}`,
    name: "webfetch",
    arguments: JSON.stringify({ url: `${url}${i}` }),
  }));
  const provider: Provider = {
    async *stream(request: ChatRequest): AsyncGenerator<ProviderDelta> {
      const done = request.messages.at(-1)?.role === "tool";
      const toolCalls = done ? [] : calls;
      yield {
        type: "done",
        reason: done ? "stop" : "tool_calls",
        message: {
          role: "assistant",
          content: done ? "read" : null,
          ...(done ? {} : {
            tool_calls: calls.map((c) => ({
              id: c.id,
              type: "function" as const,
              function: { name: c.name, arguments: c.arguments },
            })),
          }),
        },
        toolCalls,
      };
    },
    listModels: () => Promise.resolve(["scripted"]),
  };
  const webfetch = BUILTIN_TOOLS.find((t) => t.name === "webfetch")!;
  const turns: number[] = [];
  const singles: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await webfetch.execute({ url }, { cwd: "/", signal: new AbortController().signal, update: () => {} });
      singles.push(performance.now() - start);
      const agent = new Agent({ provider, tools: BUILTIN_TOOLS, model: "scripted", cwd: "/" });
      let begin = 0;
      for await (const event of agent.run("read them", new AbortController().signal)) {
        if (event.type === "turn_start" && event.turn === 1) begin = performance.now();
        if (event.type === "tool_result" && event.isError) throw new Error(`webfetch failed: ${event.text}`);
        if (event.type === "turn_end" && event.turn === 1) turns.push(performance.now() - begin);
      }
    }
  } finally {
    await server.shutdown();
  }
  line(`Four webfetch calls in one assistant message, each answered after ${DELAY_MS} ms, median of ${RUNS}`);
  row(
    "  agent turn with the four calls",
    ms(median(turns)),
    ms(median(singles)),
    median(turns) / median(singles),
    "(baseline: one call alone; run one after another it would be ×4)",
  );
}

if (import.meta.main) {
  await benchToolBatch();
  await benchWaitingBatch();
}
