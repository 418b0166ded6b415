/**
 * The start-up figure several benchmarks share: milliseconds from spawning `main.ts` to its first
 * request reaching a mock endpoint, and what that request carried.
 * @module
 */

import { fileURLToPath } from "node:url";
import { startMockLlm } from "../tests/support/mock_llm.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/** Options of {@link firstRequest}. */
export interface FirstRequestOptions {
  /** The child's environment; `OPENAI_BASE_URL` is set to the mock. */
  env: Record<string, string>;
  cwd?: string;
  /** Start the child with only `env` (default: `env` added to this process's environment). */
  clearEnv?: boolean;
}

/** Spawns `main.ts -p …args` against a fresh mock; returns the time to its first request and the body. */
export async function firstRequest(
  args: string[],
  options: FirstRequestOptions,
): Promise<{ ms: number; body: { tools?: unknown[] } }> {
  const mock = await startMockLlm({ turns: [{ text: "ok" }] });
  try {
    const started = performance.timeOrigin + performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "-p", ...args],
      env: { ...options.env, OPENAI_BASE_URL: mock.url },
      cwd: options.cwd,
      clearEnv: options.clearEnv ?? false,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const [request] = await mock.waitForRequests(1, { timeoutMs: 30_000 });
    await child.status;
    return { ms: request.receivedAt - started, body: request.body };
  } finally {
    await mock.close();
  }
}
