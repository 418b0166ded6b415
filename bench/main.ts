// deno-lint-ignore-file no-console
/**
 * `deno task bench`: start-up, time to first request, a one-shot tool-using run, its peak memory, a
 * 30-turn session's memory and time per turn (`session.ts`) and SSE parsing throughput. Each figure is
 * printed beside a baseline measured in the same run (an empty `deno run` script, or the figure it is
 * compared with), as a ratio. Medians of several runs. Unless `--core` is given, also runs the HTML
 * conversion, file-tool, tool-batch, saved-session, child-job, MCP and editor-protocol benchmarks.
 * @module
 */

import { fileURLToPath } from "node:url";
import { startMockLlm } from "../tests/support/mock_llm.ts";
import { readChatStream } from "../lib/provider/mod.ts";
import { PERMISSIONS } from "../scripts/compile.ts";
import { median, row } from "./report.ts";
import { benchSession } from "./session.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 5);
const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

function now(): number {
  return performance.timeOrigin + performance.now();
}

interface Timed {
  wallMs: number;
  peakRssKb?: number;
  code: number;
  stderr: string;
}

/** Runs a command, measuring wall time and (through GNU time when present) peak RSS. */
async function timed(
  args: string[],
  env: Record<string, string> = {},
): Promise<Timed & { startedAt: number }> {
  const haveTime = await Deno.stat("/usr/bin/time").then(() => true, () => false);
  const command = haveTime ? "/usr/bin/time" : Deno.execPath();
  const fullArgs = haveTime ? ["-f", "RSS_KB=%M", Deno.execPath(), ...args] : args;
  const startedAt = now();
  const { code, stderr } = await new Deno.Command(command, {
    args: fullArgs,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const wallMs = now() - startedAt;
  const text = new TextDecoder().decode(stderr);
  const rss = text.match(/RSS_KB=(\d+)/);
  return { wallMs, startedAt, code, stderr: text, peakRssKb: rss ? Number(rss[1]) : undefined };
}

async function main(): Promise<void> {
  const emptyScript = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(emptyScript, "");
  const fetchScript = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(
    fetchScript,
    "await fetch(Deno.args[0] + '/chat/completions', {method: 'POST', body: '{}'}).then((r) => r.body?.cancel());\n",
  );

  // Warm the module cache so the first measured run does not pay for type checking.
  await timed(["run", ...PERMISSIONS, MAIN, "--version"]);
  await timed(["run", emptyScript]);

  const baseline: number[] = [];
  const baselineRss: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const b = await timed(["run", emptyScript]);
    baseline.push(b.wallMs);
    if (b.peakRssKb) baselineRss.push(b.peakRssKb);
    version.push((await timed(["run", ...PERMISSIONS, MAIN, "--version"])).wallMs);
  }
  const base = median(baseline);
  console.log(`nanocode bench — ${RUNS} runs each, median; baseline = an empty \`deno run\` script\n`);
  row(
    "start → --version exit",
    `${median(version).toFixed(0)} ms`,
    `${base.toFixed(0)} ms`,
    median(version) / base,
  );

  const mock = await startMockLlm();
  try {
    const env = {
      OPENAI_BASE_URL: mock.url,
      HOME: await Deno.makeTempDir(),
      PATH: Deno.env.get("PATH") ?? "",
    };

    const firstRequest: number[] = [];
    const fetchFirst: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      mock.push({ text: "ok" });
      const seen = mock.requests.length;
      const r = await timed(["run", ...PERMISSIONS, MAIN, "-p", "hi"], env);
      if (r.code !== 0) throw new Error(`nanocode failed: ${r.stderr}`);
      firstRequest.push(mock.requests[seen].receivedAt - r.startedAt);
      mock.push({ text: "ok" });
      const f = await timed(["run", "--allow-net", fetchScript, mock.url]);
      fetchFirst.push(mock.requests[seen + 1].receivedAt - f.startedAt);
    }
    row(
      "start → first request at the endpoint",
      `${median(firstRequest).toFixed(0)} ms`,
      `${base.toFixed(0)} ms`,
      median(firstRequest) / base,
    );
    row(
      "  (a bare deno script's first fetch)",
      `${median(fetchFirst).toFixed(0)} ms`,
      `${base.toFixed(0)} ms`,
      median(fetchFirst) / base,
    );

    const oneShot: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      mock.push(
        { toolCalls: [{ name: "bash", arguments: { command: "echo bench" } }] },
        { text: "done" },
      );
      const r = await timed(["run", ...PERMISSIONS, MAIN, "-p", "run echo"], env);
      if (r.code !== 0) throw new Error(`nanocode failed: ${r.stderr}`);
      oneShot.push(r.wallMs);
      if (r.peakRssKb) rss.push(r.peakRssKb);
    }
    row(
      "one-shot -p with one bash call, start → exit",
      `${median(oneShot).toFixed(0)} ms`,
      `${base.toFixed(0)} ms`,
      median(oneShot) / base,
    );
    if (rss.length > 0 && baselineRss.length > 0) {
      const mb = median(rss) / 1024;
      const baseMb = median(baselineRss) / 1024;
      row("  peak RSS of that run", `${mb.toFixed(1)} MB`, `${baseMb.toFixed(1)} MB`, mb / baseMb);
    } else {
      console.log("  peak RSS: /usr/bin/time not found (apt-get install time)");
    }
  } finally {
    await mock.close();
  }

  console.log("");
  await benchSession();
  console.log("");

  // SSE throughput: a large synthetic stream of text deltas fed through the provider's stream reader.
  const chunk = (i: number) =>
    `data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"token ${i} of a long answer "},"finish_reason":null}]}\n\n`;
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 64 * 1024 * 1024; i++) {
    const c = chunk(i);
    parts.push(c);
    size += c.length;
  }
  parts.push(`data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`);
  const bytes = new TextEncoder().encode(parts.join(""));
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 16 * 1024) blocks.push(bytes.subarray(i, i + 16 * 1024));
  const feed = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const b of blocks) controller.enqueue(b);
        controller.close();
      },
    });
  const throughput: number[] = [];
  const copyThroughput: number[] = [];
  for (let i = 0; i < 3; i++) {
    let t = now();
    for await (const _ of readChatStream(feed())) { /* drain */ }
    throughput.push(bytes.length / 1e6 / ((now() - t) / 1000));
    t = now();
    // Baseline: decoding the same bytes to text and splitting lines, the least any parser must do.
    const decoder = new TextDecoderStream();
    let lines = 0;
    for await (const text of feed().pipeThrough(decoder)) lines += text.split("\n").length;
    copyThroughput.push(bytes.length / 1e6 / ((now() - t) / 1000) + lines * 0);
  }
  row(
    "SSE parsing throughput (64 MB synthetic stream)",
    `${median(throughput).toFixed(0)} MB/s`,
    `${median(copyThroughput).toFixed(0)} MB/s`,
    median(throughput) / median(copyThroughput),
    "(baseline: UTF-8 decode + line split)",
  );

  if (!Deno.args.includes("--core")) {
    console.log("");
    const { benchHtml } = await import("./html.ts");
    await benchHtml();
    console.log("");
    const { benchFileTools } = await import("./file_tools.ts");
    await benchFileTools();
    console.log("");
    const { benchToolBatch, benchWaitingBatch } = await import("./tool_batch.ts");
    await benchToolBatch();
    await benchWaitingBatch();
    console.log("");
    const { benchSessions } = await import("./sessions.ts");
    await benchSessions();
    console.log("");
    const { benchJobs } = await import("./jobs.ts");
    await benchJobs();
    const { benchCompaction } = await import("./compaction.ts");
    benchCompaction();
    console.log("");
    const { benchMcp } = await import("./mcp.ts");
    await benchMcp();
    console.log("");
    const { benchAcp } = await import("./acp.ts");
    await benchAcp();
  }
}

if (import.meta.main) await main();
