/**
 * Saved sessions: listing and matching 1,000 stored sessions of 50 messages each (what the picker and
 * `--resume <text>` do first), start → first request when resuming a 2,000-message session beside a
 * fresh start, and the cost of writing one entry early in a session beside late in a long one.
 * Run alone with `deno run -A bench/sessions.ts`; `deno task bench` runs it too.
 * @module
 */

import { findSession, listSessions, sessionsFolder, SessionWriter } from "../lib/session/mod.ts";
import { firstRequest } from "./first_request.ts";
import { median, ms, row } from "./report.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 5);

const HEADER = { cwd: "/bench/project", model: "bench-model", endpoint: "127.0.0.1", nanocode: "bench" };

/** Writes a session of `messages` messages (alternating user and assistant turns of a few lines). */
function writeSession(dir: string, id: string, messages: number, firstPrompt: string): string {
  const writer = new SessionWriter({ dir, header: { ...HEADER, id } });
  writer.record({ type: "system_prompt", prompt: "You are a bench." });
  for (let i = 0; i < messages; i++) {
    const content = i === 0 ? firstPrompt : `message ${i}: ${"lorem ipsum dolor sit amet ".repeat(8)}`;
    writer.record({ type: "message", message: { role: i % 2 === 0 ? "user" : "assistant", content } });
  }
  writer.close();
  return writer.path!;
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Runs the session benchmarks and prints their rows. */
export async function benchSessions(): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "nanocode-bench-sessions-" });
  try {
    const root = `${home}/sessions`;
    const folder = sessionsFolder(root, HEADER.cwd);
    for (let i = 0; i < 1000; i++) {
      writeSession(
        folder,
        `bench-${String(i).padStart(4, "0")}`,
        50,
        `task number ${i}: refactor module ${i}`,
      );
    }
    const lists: number[] = [];
    for (let i = 0; i < RUNS; i++) lists.push(await timeMs(() => listSessions(root, { cwd: HEADER.cwd })));
    const list1000 = median(lists);
    // The floor: reading the same files' text and nothing else.
    const paths = [...Deno.readDirSync(folder)].map((e) => `${folder}/${e.name}`);
    const reads: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      reads.push(await timeMs(() => Promise.all(paths.map((p) => Deno.readTextFile(p)))));
    }
    const floor = median(reads);
    row(
      "list 1,000 sessions (picker's first paint)",
      ms(list1000),
      ms(floor),
      list1000 / floor,
      "(baseline: reading the 1,000 files; target < 200 ms)",
    );
    const match: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      match.push(
        await timeMs(async () => findSession(await listSessions(root, { cwd: HEADER.cwd }), "module 517")),
      );
    }
    row(
      "--resume <text> match among 1,000",
      ms(median(match)),
      ms(floor),
      median(match) / floor,
      "(baseline: reading the 1,000 files; target < 200 ms)",
    );

    // Start → first request: a fresh start, and resuming a 2,000-message session.
    const long = `${home}/long`;
    const longPath = writeSession(
      sessionsFolder(`${long}/sessions`, HEADER.cwd),
      "bench-long",
      2000,
      "a long task",
    );
    const env = { HOME: home, DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno` };
    const fresh: number[] = [];
    const resumed: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = async (args: string[], dir: string) =>
        (await firstRequest(args, { env: { ...env, NANOCODE_DIR: dir, NO_COLOR: "1" } })).ms;
      fresh.push(await run(["--no-session", "hi"], `${home}/fresh`));
      resumed.push(await run(["--session", longPath, "hi"], long));
    }
    row(
      "start → first request, resuming 2,000 messages",
      ms(median(resumed)),
      ms(median(fresh)),
      median(resumed) / median(fresh),
      "(baseline: a fresh start)",
    );

    // One entry's write cost, early in a session and after 10,000 entries.
    const writer = new SessionWriter({ dir: `${home}/writes`, header: { ...HEADER, id: "bench-writes" } });
    const entry = { role: "assistant" as const, content: "x".repeat(400) };
    writer.record({ type: "message", message: { role: "user", content: "start" } });
    const perEntry = (count: number) => {
      const start = performance.now();
      for (let i = 0; i < count; i++) writer.record({ type: "message", message: entry });
      return ((performance.now() - start) / count) * 1000;
    };
    const early = perEntry(500);
    perEntry(10_000);
    const late = perEntry(500);
    writer.close();
    row(
      "write one entry, after 10,000 entries",
      `${late.toFixed(1)} µs`,
      `${early.toFixed(1)} µs`,
      late / early,
      "(baseline: the first 500; must stay flat)",
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

if (import.meta.main) await benchSessions();
