/**
 * A parent nanocode run headless (`--mode json`) on a fresh mock endpoint, for the tests of child
 * jobs, and helpers to tell the parent's requests from its children's and to read the process table.
 * @module
 */
import { type MockLlm, type MockTurn, type RecordedRequest, startMockLlm } from "./mock_llm.ts";
import { spawnMain } from "./run_main.ts";
import type { AgentEvent } from "../../lib/core/mod.ts";

/** What a parent run did. */
export interface ParentRun {
  code: number;
  events: AgentEvent[];
  stderr: string;
  mock: MockLlm;
}

/** How to run the parent. */
export interface ParentOptions {
  env?: Record<string, string>;
  permissions?: string[];
  cwd?: string;
  /** Called once the parent has started, with its process (to signal it). */
  started?: (child: Deno.ChildProcess) => Promise<void>;
}

/** Runs a headless JSON parent on a fresh mock scripted with `turns`; its prompt starts with PARENT. */
export async function runParent(turns: MockTurn[], options: ParentOptions = {}): Promise<ParentRun> {
  const mock = await startMockLlm({ turns });
  try {
    const child = spawnMain(["-p", "--mode", "json", "--no-session", "PARENT task"], {
      env: { OPENAI_BASE_URL: mock.url, MODEL: "mock-model", NANOCODE_MAX_RETRIES: "0", ...options.env },
      cwd: options.cwd ?? await Deno.makeTempDir({ prefix: "nanocode-jobs-" }),
      permissions: options.permissions,
    });
    const started = options.started?.(child);
    const output = await child.output();
    await started;
    const stdout = new TextDecoder().decode(output.stdout);
    const events = stdout.trim() === "" ? [] : stdout.trim().split("\n").map((line) => JSON.parse(line));
    return { code: output.code, events, stderr: new TextDecoder().decode(output.stderr), mock };
  } finally {
    await mock.close();
  }
}

/** A `nanocode` tool call with these arguments. */
export const call = (args: Record<string, unknown>) => ({ name: "nanocode", arguments: args });
/** The tool names a request offered. */
export const toolNames = (request: RecordedRequest): string[] =>
  (request.body.tools ?? []).map((t: { function: { name: string } }) => t.function.name);
/** The first user message of a request: the task of the agent that sent it. */
export const firstUser = (request: RecordedRequest): string =>
  request.body.messages.find((m: { role: string }) => m.role === "user")?.content ?? "";
/** The requests of the child whose task carries `marker`. */
export const childRequests = (mock: MockLlm, marker: string) =>
  mock.requests.filter((r) => firstUser(r).includes(marker));
/** The parent's requests. */
export const parentRequests = (mock: MockLlm) =>
  mock.requests.filter((r) => firstUser(r).startsWith("PARENT"));
/** The tool results among the events. */
export const results = (events: AgentEvent[]) =>
  events.filter((e): e is Extract<AgentEvent, { type: "tool_result" }> => e.type === "tool_result");
/** The `<nanocode_job_result>` messages a request carried. */
export const jobMessages = (request: RecordedRequest): string[] =>
  request.body.messages.filter((m: { role: string; content: unknown }) =>
    m.role === "user" && typeof m.content === "string" && m.content.startsWith("<nanocode_job_result")
  ).map((m: { content: string }) => m.content);

/** Bash that waits (at most 20 s) until `file` exists, then `extra` seconds more. */
export const waitFor = (file: string, extra = 0) =>
  `for i in $(seq 200); do [ -e ${file} ] && break; sleep 0.1; done; sleep ${extra}`;

/** Lines of the process table holding `text`. */
export async function processesWith(text: string): Promise<string[]> {
  const { stdout } = await new Deno.Command("ps", { args: ["-eo", "pid,args"], stdout: "piped" }).output();
  return new TextDecoder().decode(stdout).split("\n").filter((line) =>
    line.includes(text) && !line.includes("ps -eo")
  );
}

/** Polls `check` until it holds or `timeoutMs` passed; returns the last answer. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return await check();
}
