/**
 * The stdio transport for MCP servers, run in a process group of their own (lib/proc) so that closing
 * a server also ends whatever it started (`npx` starts `node`, which may start more). Every group
 * still open when nanocode exits is stopped on the way out, however the run ended.
 * @module
 */

import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { type Pump, pump, signalGroup, spawnGroupLeader } from "../proc/mod.ts";

/** What starting a stdio server needs. */
export interface StdioServerOptions {
  command: string;
  args: readonly string[];
  /** The whole environment the server gets (nothing else is inherited). */
  env: Record<string, string>;
  cwd?: string;
  /** Receives the server's stderr as it arrives (and stdout lines that are not JSON-RPC). */
  onStderr(text: string): void;
  /** Parses one line of stdout into a message (the SDK's `deserializeMessage`); throws on junk. */
  deserialize(line: string): JSONRPCMessage;
  /** Milliseconds between closing stdin and SIGTERM, and between SIGTERM and SIGKILL (default 300, 1500). */
  stdinGraceMs?: number;
  termGraceMs?: number;
}

/** The process groups of stdio servers that are still open, by leader pid. */
const openGroups = new Set<number>();
let exitHookInstalled = false;

/** How many stdio server groups are open in this process (for tests and `/mcp status`). */
export function openServerGroups(): number {
  return openGroups.size;
}

/**
 * A Transport over a child process's stdin and stdout, one JSON-RPC message per line. `close()` closes
 * stdin, then sends SIGTERM to the group, then SIGKILL; `exitStatus` is set once the server exited.
 */
export class ProcessGroupTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** The server's exit, once it happened. */
  exitStatus?: Deno.CommandStatus;
  /** True when the server exited before anyone asked it to (a crash, or a server that quit). */
  exitedUnasked = false;

  readonly #options: StdioServerOptions;
  #child?: Deno.ChildProcess;
  #writer?: WritableStreamDefaultWriter<Uint8Array>;
  #pumps: Pump[] = [];
  #closing?: Promise<void>;
  #closed = false;
  #encoder = new TextEncoder();

  constructor(options: StdioServerOptions) {
    this.#options = options;
  }

  /** The leader's pid (also the group id), once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): Promise<void> {
    const o = this.#options;
    try {
      this.#child = spawnGroupLeader(o.command, {
        args: [...o.args],
        env: o.env,
        clearEnv: true,
        ...(o.cwd ? { cwd: o.cwd } : {}),
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      });
    } catch (error) {
      return Promise.reject(spawnError(o.command, error));
    }
    const child = this.#child;
    openGroups.add(child.pid);
    installExitHook();
    this.#writer = child.stdin.getWriter();
    this.#writer.closed.catch(() => {});
    const decoder = new TextDecoder();
    let buffer = "";
    this.#pumps.push(pump(child.stdout, (bytes) => {
      buffer += decoder.decode(bytes, { stream: true });
      let newline = buffer.indexOf("\n");
      while (newline !== -1) {
        const line = buffer.slice(0, newline).replace(/\r$/, "");
        buffer = buffer.slice(newline + 1);
        if (line.trim() !== "") this.#receive(line);
        newline = buffer.indexOf("\n");
      }
    }));
    const errDecoder = new TextDecoder();
    this.#pumps.push(pump(child.stderr, (bytes) => o.onStderr(errDecoder.decode(bytes, { stream: true }))));
    child.status.then((status) => {
      this.exitStatus = status;
      this.exitedUnasked = this.#closing === undefined;
      // Whatever the server left running in its group goes with it.
      killGroup(child.pid, "SIGKILL");
      openGroups.delete(child.pid);
      this.#finish();
    });
    return Promise.resolve();
  }

  #receive(line: string): void {
    let message: JSONRPCMessage;
    try {
      message = this.#options.deserialize(line);
    } catch {
      this.#options.onStderr(`[stdout, not JSON-RPC] ${line.slice(0, 500)}\n`);
      return;
    }
    this.onmessage?.(message);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.#writer || this.#closed) throw new Error("Cannot send to the MCP server: it is not running.");
    await this.#writer.write(this.#encoder.encode(JSON.stringify(message) + "\n"));
  }

  /** Stops the server: stdin closed, then SIGTERM, then SIGKILL to its whole group. */
  close(): Promise<void> {
    this.#closing ??= this.#stop();
    return this.#closing;
  }

  async #stop(): Promise<void> {
    const child = this.#child;
    if (!child) return this.#finish();
    const exited = child.status.then(() => true);
    const within = (ms: number) =>
      Promise.race([exited, new Promise<false>((resolve) => setTimeout(() => resolve(false), ms))]);
    await this.#writer?.close().catch(() => {});
    if (!this.exitStatus && !(await within(this.#options.stdinGraceMs ?? 300))) {
      signalGroup(child.pid, "SIGTERM");
      if (!(await within(this.#options.termGraceMs ?? 1500))) killGroup(child.pid, "SIGKILL");
    }
    await child.status;
    for (const p of this.#pumps) p.stop();
    await Promise.all(this.#pumps.map((p) => p.done));
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }
}

/** Signals the group led by `pid` only (never a lone process that may since have taken the pid). */
function killGroup(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pid, signal);
  } catch {
    // The group is gone.
  }
}

function spawnError(command: string, error: unknown): Error {
  if (error instanceof Deno.errors.NotFound) {
    return new Error(`command not found: ${command} (install it or fix "command" in mcp.json)`);
  }
  if (error instanceof Deno.errors.NotCapable) {
    return new Error(`nanocode may not run ${command}; start it with --allow-run`);
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new Error(`${command} cannot be run (permission denied)`);
  }
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return new Error(`cannot start ${command}: ${message}`);
}

/**
 * At exit (Deno.exit, or the end of the program) the event loop is gone, so open groups are stopped
 * synchronously: SIGTERM to all, a short wait for the leaders, then SIGKILL to every group.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  globalThis.addEventListener("unload", () => stopOpenGroupsNow());
}

/** Stops every open server group at once, blocking for at most `graceMs` (default 1000). */
export function stopOpenGroupsNow(graceMs = 1000): void {
  const pids = [...openGroups];
  if (pids.length === 0) return;
  for (const pid of pids) killGroup(pid, "SIGTERM");
  // Without /proc nothing tells when the leaders are gone, so the wait is short.
  const deadline = Date.now() + (Deno.build.os === "linux" ? graceMs : Math.min(graceMs, 200));
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline && pids.some(leaderAlive)) Atomics.wait(pause, 0, 0, 10);
  for (const pid of pids) killGroup(pid, "SIGKILL");
  openGroups.clear();
}

/**
 * Whether a leader is still running. Linux shows it in /proc (an exited, unreaped leader is a zombie,
 * `Z`); elsewhere nothing cheap and synchronous tells, so it counts as running until the deadline.
 */
function leaderAlive(pid: number): boolean {
  if (Deno.build.os !== "linux") return true;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) [ZX]/s.test(stat);
  } catch {
    return false;
  }
}
