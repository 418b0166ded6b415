// deno-lint-ignore-file no-console
/**
 * The editor protocol: start of `nanocode --acp` → `initialize` answered, beside a fresh `--print`
 * start → first request; and `session/load` of a 2,000-message session (sent to an `--acp` nanocode
 * already initialized) → its response, every message replayed first, beside a `--print --continue` of
 * the same session, start → first request.
 * Run alone with `deno run -A bench/acp.ts`; `deno task bench` runs it too.
 * @module
 */

import { fileURLToPath } from "node:url";
import { startMockLlm } from "../tests/support/mock_llm.ts";
import { sessionsFolder, SessionWriter } from "../lib/session/mod.ts";
import { firstRequest } from "./first_request.ts";
import { median, ms, row } from "./report.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 5);
const encoder = new TextEncoder();

function now(): number {
  return performance.timeOrigin + performance.now();
}

/** The module cache this process uses, so a fresh HOME does not mean a fresh cache. */
function denoDir(): string {
  const home = Deno.env.get("HOME") ?? "";
  const fallback = Deno.build.os === "darwin" ? `${home}/Library/Caches/deno` : `${home}/.cache/deno`;
  return Deno.env.get("DENO_DIR") ??
    (Deno.env.get("XDG_CACHE_HOME") ? `${Deno.env.get("XDG_CACHE_HOME")}/deno` : fallback);
}

/** Writes a session of `messages` messages: user prompts, answers with a tool call, and results. */
function writeSession(dir: string, cwd: string, id: string, messages: number): void {
  const writer = new SessionWriter({
    dir,
    header: { id, cwd, model: "bench-model", endpoint: "127.0.0.1", nanocode: "bench" },
  });
  writer.record({ type: "system_prompt", prompt: "You are a bench." });
  const filler = "lorem ipsum dolor sit amet ".repeat(8);
  for (let i = 0; i < messages; i += 4) {
    const call = `call-${i}`;
    writer.record({ type: "message", message: { role: "user", content: `task ${i}: ${filler}` } });
    writer.record({
      type: "message",
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: call,
          type: "function",
          function: { name: "read", arguments: '{"path":"a.ts"}' },
        }],
      },
    });
    writer.record({ type: "message", message: { role: "tool", tool_call_id: call, content: filler } });
    writer.record({ type: "message", message: { role: "assistant", content: `answer ${i}: ${filler}` } });
  }
  writer.close();
}

/** A nanocode in ACP mode spoken to in raw JSON lines. */
class RawEditor {
  readonly child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;
  #next = 1;

  constructor(env: Record<string, string>, cwd: string) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "--acp"],
      env,
      cwd,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#writer = this.child.stdin.getWriter();
    this.#lines = lines(this.child.stdout)[Symbol.asyncIterator]();
  }

  /** Sends a request and resolves when its response arrives, counting the notifications before it. */
  async request(method: string, params: unknown): Promise<{ response: unknown; notifications: number }> {
    const id = this.#next++;
    await this.#writer.write(encoder.encode(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n"));
    let notifications = 0;
    while (true) {
      const { value, done } = await this.#lines.next();
      if (done) throw new Error(`nanocode --acp ended before answering ${method}`);
      const message = JSON.parse(value);
      if (message.id === id && !("method" in message)) {
        if (message.error) throw new Error(`${method} failed: ${message.error.message}`);
        return { response: message.result, notifications };
      }
      if (message.method === "session/update") notifications++;
    }
  }

  async close(): Promise<void> {
    await this.#writer.close();
    await this.child.status;
  }
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    rest += text;
    const parts = rest.split("\n");
    rest = parts.pop()!;
    yield* parts.filter((line) => line.trim() !== "");
  }
}

/** Milliseconds from spawning `main.ts -p …args` to its first request reaching a mock endpoint. */
async function printFirstRequest(args: string[], env: Record<string, string>, cwd: string): Promise<number> {
  return (await firstRequest(args, { env, cwd, clearEnv: true })).ms;
}

/** Runs the ACP benchmarks and prints their rows. */
export async function benchAcp(): Promise<void> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "nanocode-bench-acp-" }));
  const cwd = `${root}/work`;
  const home = `${root}/home`;
  await Deno.mkdir(cwd);
  await Deno.mkdir(home);
  const mock = await startMockLlm();
  const env = {
    HOME: home,
    NANOCODE_DIR: home,
    OPENAI_BASE_URL: mock.url,
    OPENAI_API_KEY: "bench",
    MODEL: "bench-model",
    NO_COLOR: "1",
    PATH: Deno.env.get("PATH") ?? "",
    DENO_DIR: denoDir(),
  };
  const initialize = { protocolVersion: 1, clientCapabilities: {} };
  try {
    // Warm the module cache for both modes.
    const warm = new RawEditor(env, cwd);
    await warm.request("initialize", initialize);
    await warm.close();
    await printFirstRequest(["hi"], env, cwd);

    const acpStart: number[] = [];
    const printStart: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = now();
      const editor = new RawEditor(env, cwd);
      await editor.request("initialize", initialize);
      acpStart.push(now() - started);
      await editor.close();
      printStart.push(await printFirstRequest(["hi"], env, cwd));
    }
    row(
      "start of --acp → initialize answered",
      ms(median(acpStart)),
      ms(median(printStart)),
      median(acpStart) / median(printStart),
      "(baseline: --print start → first request)",
    );

    const id = "bench-acp-2000";
    const folder = sessionsFolder(`${home}/sessions`, cwd);
    const loads: number[] = [];
    const resumes: number[] = [];
    let replayed = 0;
    for (let i = 0; i < RUNS; i++) {
      // Each run starts from the same 2,000 messages: the resumed --print run appends to the file.
      await Deno.remove(folder, { recursive: true }).catch(() => {});
      writeSession(folder, cwd, id, 2000);
      const editor = new RawEditor(env, cwd);
      await editor.request("initialize", initialize);
      const started = now();
      const { notifications } = await editor.request("session/load", { sessionId: id, cwd, mcpServers: [] });
      loads.push(now() - started);
      replayed = notifications;
      await editor.close();
      await Deno.remove(folder, { recursive: true });
      writeSession(folder, cwd, id, 2000);
      resumes.push(await printFirstRequest(["--session", await sessionFile(folder), "go on"], env, cwd));
    }
    row(
      "session/load, 2,000 messages → response",
      ms(median(loads)),
      ms(median(resumes)),
      median(loads) / median(resumes),
      `(${replayed} updates replayed first; baseline: --print resuming it, start → first request)`,
    );
  } finally {
    await mock.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

async function sessionFile(folder: string): Promise<string> {
  for await (const entry of Deno.readDir(folder)) {
    if (entry.name.includes("bench-acp-2000")) return `${folder}/${entry.name}`;
  }
  throw new Error("Cannot find the bench session file");
}

if (import.meta.main) {
  console.log(`nanocode ACP bench — ${RUNS} runs each, median\n`);
  await benchAcp();
}
