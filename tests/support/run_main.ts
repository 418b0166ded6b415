/**
 * Runs `main.ts` as a child process, the way a user or CI would, with a controlled environment so a
 * developer's own keys and config never leak into a test.
 * @module
 */

import { fileURLToPath } from "node:url";

/** The path of main.ts. */
export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** How to run it. */
export interface RunMainOptions {
  /** Extra environment; PATH is passed through, HOME is a fresh temp folder unless given. */
  env?: Record<string, string>;
  cwd?: string;
  /** Text for standard input; standard input is empty (closed) when not given. */
  stdin?: string;
  /** Deno permission flags (default `-A`). */
  permissions?: string[];
  signal?: AbortSignal;
}

/** What the process did. */
export interface RunMainResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawns main.ts and returns its exit code and output. */
export async function runMain(args: string[], options: RunMainOptions = {}): Promise<RunMainResult> {
  const child = spawnMain(args, options);
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

function defaultDenoDir(): string {
  const home = Deno.env.get("HOME") ?? "";
  if (Deno.build.os === "darwin") return `${home}/Library/Caches/deno`;
  if (Deno.build.os === "windows") return `${Deno.env.get("LOCALAPPDATA")}\\deno`;
  return `${Deno.env.get("XDG_CACHE_HOME") ?? `${home}/.cache`}/deno`;
}

/** Spawns main.ts with piped output; standard input is piped only when `options.stdin` is given. */
export function spawnMain(args: string[], options: RunMainOptions = {}): Deno.ChildProcess {
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: options.env?.HOME ?? Deno.makeTempDirSync({ prefix: "nanocode-home-" }),
    NO_COLOR: "1",
    ...options.env,
  };
  // A fresh HOME must not mean a fresh module cache: keep using the one this test process uses.
  env.DENO_DIR = Deno.env.get("DENO_DIR") ?? defaultDenoDir();
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...(options.permissions ?? ["-A"]), MAIN, ...args],
    cwd: options.cwd,
    env,
    clearEnv: true,
    stdin: options.stdin !== undefined ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    signal: options.signal,
  }).spawn();
}
