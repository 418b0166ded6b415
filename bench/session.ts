/**
 * Benchmark of a long headless session: the real `main.ts` against the mock endpoint, each turn one
 * `bash` call printing 200 KB, 30 turns. Peak RSS is printed beside the same session cut to one turn
 * (in `--print` and in `--mode json`), and the time per turn of the last five turns beside the first
 * five (read from the JSON event stream as it arrives). Both ratios should stay near 1: a turn's cost
 * must not grow with the conversation. Run alone with `deno run -A bench/session.ts`.
 * @module
 */

import { fileURLToPath } from "node:url";
import { type MockTurn, startMockLlm } from "../tests/support/mock_llm.ts";
import { PERMISSIONS } from "../scripts/compile.ts";
import { line, mb, median, ms, row } from "./report.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 5);
const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const TURNS = 30;
/** 200 KB of 80-character lines, as a build or a test run prints them. */
const COMMAND =
  "yes 'a line of output as a build prints it, eighty characters long, padded to fit' | head -c 200000";
/** Fixed usage, so that the mock does not serialise the whole conversation again to estimate it. */
const USAGE = { prompt_tokens: 1000, completion_tokens: 10 };

interface SessionRun {
  peakRssKb?: number;
  /** Milliseconds from one `turn_start` to the next, per tool turn (JSON mode only). */
  turnMs: number[];
}

async function haveGnuTime(): Promise<boolean> {
  return await Deno.stat("/usr/bin/time").then(() => true, () => false);
}

/** Runs one headless session of `turns` bash turns and a final answer. */
async function runSession(turns: number, mode: "text" | "json", dir: string): Promise<SessionRun> {
  const script: MockTurn[] = [];
  for (let i = 0; i < turns; i++) {
    script.push({ toolCalls: [{ name: "bash", arguments: { command: COMMAND } }], usage: USAGE });
  }
  script.push({ text: "done", usage: USAGE });
  // A mock per session: it keeps every request it received, megabytes by the last turns.
  const mock = await startMockLlm({ turns: script });
  try {
    const args = [
      "run",
      ...PERMISSIONS,
      MAIN,
      "-p",
      "run the command",
      ...(mode === "json" ? ["--mode", "json"] : []),
    ];
    const gnuTime = await haveGnuTime();
    const child = new Deno.Command(gnuTime ? "/usr/bin/time" : Deno.execPath(), {
      args: gnuTime ? ["-f", "RSS_KB=%M", Deno.execPath(), ...args] : args,
      cwd: dir,
      env: {
        NO_COLOR: "1",
        OPENAI_BASE_URL: mock.url,
        HOME: dir,
        // The full-output files of 200 KB commands land here, removed with the folder.
        TMPDIR: dir,
        PATH: Deno.env.get("PATH") ?? "",
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const starts: number[] = [];
    let pending = "";
    for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
      if (mode !== "json") continue;
      const at = performance.now();
      const lines = (pending + text).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith('{"type":"turn_start"')) starts.push(at);
    }
    const { code } = await child.status;
    const err = await stderr;
    if (code !== 0) throw new Error(`Cannot run the session benchmark: nanocode exited with ${code}: ${err}`);
    const rss = err.match(/RSS_KB=(\d+)/);
    const turnMs = starts.slice(1, turns + 1).map((t, i) => t - starts[i]);
    return { peakRssKb: rss ? Number(rss[1]) : undefined, turnMs };
  } finally {
    await mock.close();
  }
}

/** Runs the session benchmark and prints its rows. */
export async function benchSession(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nanocode-bench-session-" });
  try {
    // Warm the module cache.
    await runSession(1, "text", dir);
    const rss = {
      text: { one: [] as number[], many: [] as number[] },
      json: { one: [] as number[], many: [] as number[] },
    };
    const first: number[] = [];
    const last: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      for (const mode of ["text", "json"] as const) {
        const one = await runSession(1, mode, dir);
        const many = await runSession(TURNS, mode, dir);
        if (one.peakRssKb && many.peakRssKb) {
          rss[mode].one.push(one.peakRssKb);
          rss[mode].many.push(many.peakRssKb);
        }
        if (mode === "json") {
          // Pooled over the runs, so that the median passes over the odd slow turn.
          first.push(...many.turnMs.slice(0, 5));
          last.push(...many.turnMs.slice(-5));
        }
      }
    }
    line(
      `${TURNS}-turn session: main.ts against the mock endpoint, one bash call printing 200 KB a turn`,
    );
    if (rss.text.one.length === 0) {
      line("  peak RSS: /usr/bin/time not found (apt-get install time)");
    } else {
      for (const [mode, flag] of [["text", "--print"], ["json", "--mode json"]] as const) {
        const one = median(rss[mode].one);
        const many = median(rss[mode].many);
        row(`  peak RSS, ${flag}`, mb(many), mb(one), many / one, "(baseline: 1 turn; target ≤ 1.30)");
      }
    }
    row(
      "  time per turn, the last five turns",
      ms(median(last)),
      ms(median(first)),
      median(last) / median(first),
      "(baseline: the first five; each turn re-sends the conversation, 1.5 MB by the last)",
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await benchSession();
