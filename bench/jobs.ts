/**
 * Benchmark of child jobs through the real program: a headless parent whose one assistant message
 * holds four `nanocode` run calls, each child's answer scripted to stream for about a second at the
 * mock endpoint. The wall time of those four calls (the parent's first `tool_call` to its last
 * `tool_result`, read from its JSON events as they arrive) is printed beside one such call alone, so
 * the ratio is about 1 when the children run side by side and about 4 when they run in turn. Also a
 * child's start-up overhead: the parent's `tool_call` to the child's first request at the endpoint,
 * beside a nanocode started directly (start to its first request). Run alone with
 * `deno run -A bench/jobs.ts`.
 * @module
 */

import { fileURLToPath } from "node:url";
import { type MockLlm, type MockTurn, startMockLlm } from "../tests/support/mock_llm.ts";
import { PERMISSIONS } from "../scripts/compile.ts";
import { line, median, ms, row } from "./report.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 3);
const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
/** A child's answer: 7 chunks, 6 gaps of 170 ms, so about a second of streaming. */
const CHILD_DELAY_MS = 170;

function now(): number {
  return performance.timeOrigin + performance.now();
}

/** When each kind of event first and last arrived from a parent run. */
interface Timeline {
  firstCall: number;
  lastResult: number;
  /** Arrival of each child call's `tool_call`, by call id. */
  calls: Map<string, number>;
  errors: string[];
}

/** Runs a headless JSON parent and timestamps its events as they arrive. */
async function runParent(env: Record<string, string>): Promise<Timeline> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, MAIN, "-p", "--mode", "json", "--no-session", "PARENT bench"],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timeline: Timeline = { firstCall: 0, lastResult: 0, calls: new Map(), errors: [] };
  let buffer = "";
  const stderr = new Response(child.stderr).text();
  for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
    const at = now();
    buffer += text;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const raw of lines) {
      const event = JSON.parse(raw);
      if (event.type === "tool_call" && event.name === "nanocode") {
        timeline.firstCall ||= at;
        timeline.calls.set(event.id, at);
      }
      if (event.type === "tool_result" && event.name === "nanocode") {
        timeline.lastResult = at;
        if (event.isError) timeline.errors.push(event.text);
      }
    }
  }
  const status = await child.status;
  if (!status.success || timeline.errors.length > 0) {
    throw new Error(
      `Cannot benchmark jobs: the parent failed: ${timeline.errors.join("; ") || await stderr}`,
    );
  }
  return timeline;
}

/** Scripts a parent message of `count` child runs, each child streaming for about a second. */
function script(mock: MockLlm, count: number, tag: string): void {
  const ids = Array.from({ length: count }, (_, i) => `${tag}-${i + 1}`);
  const turns: MockTurn[] = [
    { toolCalls: ids.map((id) => ({ name: "nanocode", arguments: { prompt: `CHILD ${id}` } })) },
    ...ids.map((id): MockTurn => ({
      text: `answer ${id}`,
      chunkDelayMs: CHILD_DELAY_MS,
      match: `CHILD ${id}`,
    })),
    { text: "done" },
  ];
  mock.push(...turns);
}

/** Runs the jobs benchmark and prints its rows. */
export async function benchJobs(): Promise<void> {
  const mock = await startMockLlm();
  try {
    const env = {
      OPENAI_BASE_URL: mock.url,
      MODEL: "mock-model",
      HOME: await Deno.makeTempDir(),
      PATH: Deno.env.get("PATH") ?? "",
    };
    const childOf = (tag: string) => mock.requests.find((r) => JSON.stringify(r.body.messages).includes(tag));
    // Warm the module cache so the first measured child does not pay for type checking.
    script(mock, 1, "warm");
    await runParent(env);

    const one: number[] = [];
    const four: number[] = [];
    const overhead: number[] = [];
    const direct: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      script(mock, 1, `one${run}`);
      const alone = await runParent(env);
      one.push(alone.lastResult - alone.firstCall);
      overhead.push(childOf(`CHILD one${run}-1`)!.receivedAt - alone.firstCall);

      script(mock, 4, `four${run}`);
      const batch = await runParent(env);
      four.push(batch.lastResult - batch.firstCall);

      mock.push({ text: "ok" });
      const seen = mock.requests.length;
      const startedAt = now();
      const plain = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...PERMISSIONS, MAIN, "-p", "--no-session", "hi"],
        env: { NO_COLOR: "1", ...env },
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).output();
      if (!plain.success) throw new Error("Cannot benchmark jobs: a plain nanocode run failed");
      direct.push(mock.requests[seen].receivedAt - startedAt);
    }
    line(`child jobs — ${RUNS} runs each, median; each child's answer streams for about 1 s`);
    row(
      "four child runs in one message",
      ms(median(four)),
      ms(median(one)),
      median(four) / median(one),
      "(baseline: one child run; target ≤ 1.3)",
    );
    row(
      "  child start-up: tool call → its first request",
      ms(median(overhead)),
      ms(median(direct)),
      median(overhead) / median(direct),
      "(baseline: nanocode -p start → first request)",
    );
  } finally {
    await mock.close();
  }
}

if (import.meta.main) await benchJobs();
