/**
 * `bash` in the editor's terminal (`terminal/create`): the user watches the command live in the tool
 * call, the editor owns the process, and nanocode kills it on cancel or timeout and releases the
 * terminal after. The model gets the output the way the bash tool gives it: escapes removed, the
 * tail within the limits, and how the command ended.
 * @module
 */

import {
  formatSize,
  MAX_BYTES,
  MAX_LINES,
  plainTerminalText,
  textResult,
  type Tool,
  type ToolContext,
  ToolError,
  truncateTail,
} from "../core/mod.ts";

/** The editor's terminals, as the bash tool uses them. */
export interface EditorTerminal {
  /** Starts `bash -c command` in `cwd` in a new terminal, shown in the call `callId`; returns its id. */
  create(command: string, cwd: string, callId?: string): Promise<string>;
  /** Resolves when the command has ended. */
  waitForExit(id: string): Promise<{ exitCode?: number | null; signal?: string | null }>;
  /** The output so far and, once it ended, how. */
  output(id: string): Promise<{
    output: string;
    truncated: boolean;
    exitStatus?: { exitCode?: number | null; signal?: string | null } | null;
  }>;
  /** Kills the command; the terminal stays until released. */
  kill(id: string): Promise<void>;
  /** Frees the terminal (tool calls showing it keep its output). */
  release(id: string): Promise<void>;
}

/** The bash tool's timeouts, in seconds. */
export interface TerminalBashOptions {
  defaultSeconds: number;
  maxSeconds: number;
}

/** The output the editor keeps for a command: enough for the tail the model gets. */
export const TERMINAL_OUTPUT_LIMIT = 4 * MAX_BYTES;

/** `base` (the bash tool: its name, description and schema) running its commands in the editor's terminal. */
export function terminalBash(base: Tool, terminal: EditorTerminal, options: TerminalBashOptions): Tool {
  return { ...base, execute: (args, ctx) => runInTerminal(args, ctx, terminal, options) };
}

async function runInTerminal(
  args: Record<string, unknown>,
  ctx: ToolContext,
  terminal: EditorTerminal,
  options: TerminalBashOptions,
) {
  const command = args.command;
  if (typeof command !== "string" || command.trim() === "") {
    throw new TypeError(
      "Cannot run bash: `command` must be a non-empty string; pass the shell command to run",
    );
  }
  const timeout = parseTimeout(args.timeout, options) ?? defaultTimeout(ctx.env, options);
  if (ctx.signal.aborted) throw new ToolError("Command aborted", { aborted: true });
  const started = Date.now();
  let id: string;
  try {
    id = await terminal.create(command, ctx.cwd, ctx.callId);
  } catch (error) {
    throw new Error(`Cannot run bash in the editor's terminal: ${messageOf(error)}`);
  }
  try {
    let stop: (why: "timeout" | "abort") => void = () => {};
    const stopRequested = new Promise<"timeout" | "abort">((resolve) => stop = resolve);
    const onAbort = () => stop("abort");
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => stop("timeout"), timeout * 1000);
    const exit = terminal.waitForExit(id);
    let stopped: "timeout" | "abort" | undefined;
    try {
      const first = await Promise.race([exit.then(() => "exit" as const), stopRequested]);
      if (first !== "exit") {
        stopped = first;
        await terminal.kill(id).catch(() => {});
      }
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
      clearTimeout(timer);
    }
    const out = await terminal.output(id);
    const status = out.exitStatus ?? (stopped ? undefined : await exit);
    const text = plainTerminalText(out.output);
    const kept = truncateTail(text);
    const cut = kept.truncated || out.truncated;
    const body = kept.text.replace(/\n$/, "");
    const shown = !cut || body === ""
      ? body
      : `${body}\n\n[Showing the last ${
        kept.truncated ? kept.lastLine - kept.firstLine + 1 : kept.totalLines
      } lines of the output (${MAX_LINES} lines or ${
        formatSize(MAX_BYTES)
      } at most); the editor's terminal shows more. Redirect to a file and read it for all of it.]`;
    const details: Record<string, unknown> = {
      exitCode: status?.exitCode ?? null,
      ...(status?.signal ? { signal: status.signal } : {}),
      durationMs: Date.now() - started,
      truncated: cut,
      terminalId: id,
    };
    const withEnd = (end: string) => shown === "" ? end : `${shown}\n\n${end}`;
    if (stopped === "timeout") {
      const seconds = `${timeout} second${timeout === 1 ? "" : "s"}`;
      throw new ToolError(withEnd(`Command timed out after ${seconds}`), { ...details, timedOut: true });
    }
    if (stopped === "abort") throw new ToolError(withEnd("Command aborted"), { ...details, aborted: true });
    if (status?.signal) throw new ToolError(withEnd(`Command was killed by ${status.signal}`), details);
    if (status?.exitCode !== 0 && status?.exitCode !== undefined && status?.exitCode !== null) {
      throw new ToolError(withEnd(`Command exited with code ${status.exitCode}`), details);
    }
    return textResult(shown === "" ? "(no output)" : shown, details);
  } finally {
    await terminal.release(id).catch(() => {});
  }
}

function parseTimeout(value: unknown, options: TerminalBashOptions): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(
      `Cannot run bash: \`timeout\` must be a number of seconds, not ${
        JSON.stringify(value)
      }; leave it out for the default of ${options.defaultSeconds}`,
    );
  }
  return value > 0 ? Math.min(value, options.maxSeconds) : undefined;
}

function defaultTimeout(env: ToolContext["env"], options: TerminalBashOptions): number {
  const value = Number(env?.("NANOCODE_BASH_TIMEOUT")?.trim() || NaN);
  return Number.isFinite(value) && value > 0 ? Math.min(value, options.maxSeconds) : options.defaultSeconds;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
