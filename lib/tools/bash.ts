/**
 * The `bash` tool (Pi-compatible): runs `bash -c` in the cwd, in its own process group, with stdin
 * closed and stderr merged into stdout. Output streams to the UI while the command runs; the model gets
 * the tail, and the whole output goes to a temp file once it passes the limits.
 * @module
 */

import {
  byteLength,
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
import {
  drainPumps,
  forgetGroup,
  groupAlive,
  keepFile,
  keepGroup,
  pump,
  spawnGroupLeader,
  stopGroup,
} from "../proc/mod.ts";

/** Seconds a command may run when neither the call nor `NANOCODE_BASH_TIMEOUT` says otherwise. */
export const DEFAULT_TIMEOUT_SECONDS = 600;
/** The longest `timeout` a call may ask for, in seconds; larger values are lowered to it. */
export const MAX_TIMEOUT_SECONDS = 3600;

/**
 * The script `bash -c` runs, with the model's command as `$1`: merge stderr into stdout, load mise's
 * environment for the cwd (see {@link miseHotReload}), then hand over to a fresh `bash -c` so the
 * command behaves exactly as if it had been run alone (its own `$0`, line numbers, parsing). When
 * `mise env` fails (a broken or untrusted config), its error comes first as one line and the command
 * still runs, so the command's own output is never hidden behind it.
 */
const WRAPPER = [
  "exec 2>&1",
  'if [ "${NANOCODE_MISE_HOT_RELOAD-}" != 0 ] && command -v mise >/dev/null 2>&1; then',
  '  if __nanocode_mise=$(mise env -s bash 2>/dev/null); then eval "$__nanocode_mise"',
  "  else",
  '    __nanocode_mise=$(mise env -s bash 2>&1 >/dev/null | tr -s "[:space:]" " ")',
  "    __nanocode_mise=${__nanocode_mise# }; __nanocode_mise=${__nanocode_mise% }",
  '    if [ ${#__nanocode_mise} -gt 300 ]; then __nanocode_mise="${__nanocode_mise:0:300}…"; fi',
  "    printf '%s\\n' \"nanocode: mise env failed, so this command runs without mise's environment: " +
  '${__nanocode_mise:-no message}"',
  "  fi",
  "  unset __nanocode_mise",
  "fi",
  'exec "$BASH" -c "$1" bash',
].join("\n");

/**
 * Whether `bash` loads mise's environment before each command (the original nanocode's hot reload,
 * so a `.mise.toml` or `.tool-versions` change made during the session takes effect in the next
 * command): when `mise` is on PATH and `NANOCODE_MISE_HOT_RELOAD` is not `0`. The command's own shell
 * decides the same way; this answer is for the system prompt, which says so only when it is on.
 * @example
 * ```ts
 * const on = await miseHotReload((name) => Deno.env.get(name));
 * ```
 */
export async function miseHotReload(env: (name: string) => string | undefined): Promise<boolean> {
  if (env("NANOCODE_MISE_HOT_RELOAD") === "0") return false;
  const windows = Deno.build.os === "windows";
  const dirs = (env("PATH") ?? "").split(windows ? ";" : ":").filter((dir) => dir !== "");
  const names = windows ? ["mise.exe", "mise.cmd"] : ["mise"];
  const found = await Promise.all(
    dirs.flatMap((dir) => names.map((name) => `${dir}/${name}`)).map(async (path) => {
      try {
        const info = await Deno.stat(path);
        return info.isFile && (windows || ((info.mode ?? 0) & 0o111) !== 0);
      } catch {
        return false;
      }
    }),
  );
  return found.includes(true);
}

/** Bounds of the tail sent with each UI update (the model's limits would be wasteful 10 times a second). */
const UPDATE_LIMITS = { maxLines: 200, maxBytes: 16 * 1024 };
/** The in-memory tail is cut back to this many UTF-16 units once it grows past twice the byte limit. */
const TAIL_KEEP = MAX_BYTES + 2;
/** Unwritten bytes queued for the full-output file before reading waits for the disk. */
const WRITE_BACKLOG = 4 * 1024 * 1024;
/** setTimeout's largest delay; longer timeouts would fire at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Options for {@link createBashTool}. */
export interface BashToolOptions {
  /** Variables added to (or replacing) the inherited environment of every command (default: none). */
  env?: Record<string, string>;
  /** Folder for full-output files (default: the system temp folder). */
  tempDir?: string;
  /** Milliseconds between SIGTERM and SIGKILL when a command is stopped (default 2000). */
  killGraceMs?: number;
  /** Least milliseconds between two UI updates (default 100). */
  updateIntervalMs?: number;
}

/**
 * Builds a `bash` tool; {@link bashTool} is the one with default options.
 *
 * @example
 * ```ts
 * const tool = createBashTool({ env: { CI: "1" } });
 * const result = await tool.execute({ command: "ls" }, { cwd: Deno.cwd(), signal, update: () => {} });
 * ```
 */
export function createBashTool(options: BashToolOptions = {}): Tool {
  return {
    name: "bash",
    description:
      "Run a shell command with `bash -c` in the working folder. stdout and stderr come back merged; " +
      `stdin is closed. The output is cut to its last ${MAX_LINES} lines or ${
        MAX_BYTES / 1024
      }KB, whichever ` +
      "comes first; when cut, the whole output is saved to a temp file whose path is given. Colours and " +
      "other terminal escapes are removed, and of a line redrawn with carriage returns (a progress bar) " +
      `only its last state is kept. \`timeout\` is in seconds: default ${DEFAULT_TIMEOUT_SECONDS} ` +
      `(NANOCODE_BASH_TIMEOUT), at most ${MAX_TIMEOUT_SECONDS}. Background processes (\`cmd > log 2>&1 &\`) ` +
      "keep running until nanocode exits; redirect their output, since output written after the command " +
      "ends is not captured.",
    parameters: {
      type: "object",
      properties: {
        command: { type: "string", description: "The bash command to run." },
        timeout: {
          type: "number",
          description:
            `Seconds before the command is killed (default ${DEFAULT_TIMEOUT_SECONDS}, at most ${MAX_TIMEOUT_SECONDS}).`,
        },
      },
      required: ["command"],
    },
    // The full-output file is a convenience: without --allow-write the note says it could not be saved.
    permissions: ["run"],
    prepareArguments(args) {
      const timeout = args.timeout;
      if (typeof timeout === "string" && timeout.trim() !== "" && Number.isFinite(Number(timeout))) {
        return { ...args, timeout: Number(timeout) };
      }
      return args;
    },
    execute: (args, ctx) => runBash(args, ctx, options),
  };
}

/** The `bash` tool with default options. */
export const bashTool: Tool = createBashTool();

async function runBash(args: Record<string, unknown>, ctx: ToolContext, options: BashToolOptions) {
  const command = args.command;
  if (typeof command !== "string" || command.trim() === "") {
    throw new TypeError(
      "Cannot run bash: `command` must be a non-empty string; pass the shell command to run",
    );
  }
  const timeout = parseTimeout(args.timeout) ?? defaultTimeout(ctx.env);
  if (ctx.signal.aborted) throw new ToolError("Command aborted", { aborted: true });

  const started = Date.now();
  const output = new CommandOutput({
    tempDir: options.tempDir,
    intervalMs: options.updateIntervalMs ?? 100,
    update: (text) => ctx.update(text),
  });
  let child: Deno.ChildProcess;
  try {
    child = spawnGroupLeader("bash", {
      args: ["-c", WRAPPER, "nanocode", command],
      cwd: ctx.cwd,
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
  } catch (error) {
    throw await describeSpawnError(error, ctx.cwd);
  }
  // Background jobs it starts stay in its group: kept until nanocode exits, then stopped.
  keepGroup(child.pid);

  const decoders: TextDecoder[] = [];
  const pumps = [child.stdout, child.stderr].map((stream) => {
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    decoders.push(decoder);
    return pump(stream, (bytes) => output.add(bytes, decoder.decode(bytes, { stream: true })));
  });

  let stop: (why: "timeout" | "abort") => void = () => {};
  const stopRequested = new Promise<"timeout" | "abort">((resolve) => stop = resolve);
  const onAbort = () => stop("abort");
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const timer = timeout === undefined
    ? undefined
    : setTimeout(() => stop("timeout"), Math.min(timeout * 1000, MAX_DELAY_MS));

  let stopped: "timeout" | "abort" | undefined;
  let status: Deno.CommandStatus;
  try {
    const first = await Promise.race([child.status.then(() => "exit" as const), stopRequested]);
    if (first !== "exit") {
      stopped = first;
      await stopGroup(child.pid, {
        settled: Promise.all([child.status, ...pumps.map((p) => p.done)]),
        graceMs: options.killGraceMs,
      });
    }
    status = await child.status;
    await drainPumps(pumps, { lastChunkAt: () => output.lastChunkAt });
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    clearTimeout(timer);
  }
  for (const decoder of decoders) output.addText(decoder.decode());
  await output.close();
  const background = stopped === undefined && groupAlive(child.pid);
  if (!background) forgetGroup(child.pid);

  const summary = output.summary();
  const details: Record<string, unknown> = {
    exitCode: status.code,
    durationMs: Date.now() - started,
    truncated: summary.truncated,
    ...(output.path && !output.fileError ? { fullOutputPath: output.path } : {}),
  };
  const shown = background
    ? `${summary.text}${
      summary.text ? "\n\n" : ""
    }[Processes this command started in the background are still running; nanocode stops them when it exits.]`
    : summary.text;
  const withEnd = (end: string) => shown === "" ? end : `${shown}\n\n${end}`;
  if (stopped === "timeout") {
    const seconds = `${timeout} second${timeout === 1 ? "" : "s"}`;
    throw new ToolError(withEnd(`Command timed out after ${seconds}`), { ...details, timedOut: true });
  }
  if (stopped === "abort") throw new ToolError(withEnd("Command aborted"), { ...details, aborted: true });
  if (status.code !== 0) throw new ToolError(withEnd(`Command exited with code ${status.code}`), details);
  return textResult(shown === "" ? "(no output)" : shown, details);
}

/** Seconds from the `timeout` argument (capped); undefined when absent, zero or negative. */
function parseTimeout(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(
      `Cannot run bash: \`timeout\` must be a number of seconds, not ${
        JSON.stringify(value)
      }; leave it out for the default of ${DEFAULT_TIMEOUT_SECONDS}`,
    );
  }
  return value > 0 ? Math.min(value, MAX_TIMEOUT_SECONDS) : undefined;
}

/** `NANOCODE_BASH_TIMEOUT` in seconds when it is a positive number, else the default. */
function defaultTimeout(env: ToolContext["env"]): number {
  const value = Number(env?.("NANOCODE_BASH_TIMEOUT")?.trim() || NaN);
  return Number.isFinite(value) && value > 0 ? Math.min(value, MAX_TIMEOUT_SECONDS) : DEFAULT_TIMEOUT_SECONDS;
}

async function describeSpawnError(error: unknown, cwd: string): Promise<Error> {
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new Error(
      "Cannot run bash: nanocode was started without --allow-run; restart it with --allow-run",
    );
  }
  if (error instanceof Deno.errors.NotFound) {
    const cwdExists = await Deno.stat(cwd).then(
      (s) => s.isDirectory,
      (e) => !(e instanceof Deno.errors.NotFound),
    );
    return new Error(
      cwdExists
        ? "Cannot run bash: no bash executable was found on PATH; install bash or fix PATH"
        : `Cannot run bash in ${cwd}: the working folder does not exist; create it or start nanocode elsewhere`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

interface OutputOptions {
  tempDir?: string;
  intervalMs: number;
  update(text: string): void;
}

/**
 * A command's merged output: counts of everything, a bounded tail in memory for the model and the UI,
 * and (once the output passes the limits) the whole of it in a temp file, written as it arrives.
 */
class CommandOutput {
  /** When the last chunk arrived (ms since the epoch). */
  lastChunkAt = 0;
  /** The full-output file, once one was made. */
  path: string | undefined;
  /** Why the full output could not be saved, if it could not. */
  fileError: string | undefined;

  #options: OutputOptions;
  #tail = "";
  #bytes = 0;
  #newlines = 0;
  #endsWithNewline = false;
  /** Raw chunks kept until the file exists; bounded, since the file is made once the limits are passed. */
  #early: Uint8Array[] = [];
  #spilling = false;
  #file: Deno.FsFile | undefined;
  #writes: Promise<void> = Promise.resolve();
  #backlog = 0;
  #lastUpdate = -Infinity;
  #updateTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: OutputOptions) {
    this.#options = options;
  }

  /** Takes one chunk: its raw bytes (for counts and the file) and its decoded text (for the tail). */
  async add(bytes: Uint8Array, text: string): Promise<void> {
    if (bytes.length === 0) return;
    this.lastChunkAt = Date.now();
    this.#bytes += bytes.length;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) this.#newlines++;
    this.#endsWithNewline = bytes[bytes.length - 1] === 10;
    if (this.#spilling) {
      this.#backlog += bytes.length;
      this.#writes = this.#writes.then(async () => {
        await this.#write(bytes);
        this.#backlog -= bytes.length;
      });
    } else {
      this.#early.push(bytes);
      if (this.#bytes > MAX_BYTES || this.#lines() > MAX_LINES) this.#spill();
    }
    this.addText(text);
    this.#scheduleUpdate();
    if (this.#backlog > WRITE_BACKLOG) await this.#writes;
  }

  /** Appends decoded text to the tail (e.g. what a decoder held back until the end). */
  addText(text: string): void {
    if (text === "") return;
    this.#tail += text;
    // Cut only once the file holds everything; what stays is still more than the model is shown.
    if (this.#spilling && this.#tail.length > 2 * MAX_BYTES) {
      let tail = this.#tail.slice(-TAIL_KEEP);
      const first = tail.charCodeAt(0);
      if (first >= 0xdc00 && first <= 0xdfff) tail = tail.slice(1);
      this.#tail = tail;
    }
  }

  /** Stops updates and finishes the file. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#updateTimer);
    await this.#writes;
    this.#file?.close();
    this.#file = undefined;
  }

  /** The text the model sees (tail plus a truncation note; empty when there was no output). */
  summary(): { text: string; truncated: boolean } {
    const totalLines = this.#lines();
    const tail = plainTerminalText(this.#tail);
    if (tail === "") return { text: "", truncated: false };
    const kept = truncateTail(tail);
    if (!kept.truncated && this.#bytes <= MAX_BYTES && totalLines <= MAX_LINES) {
      return { text: tail.replace(/\n$/, ""), truncated: false };
    }
    const where = this.path && !this.fileError
      ? `Full output: ${this.path}`
      : `Full output not saved: ${this.fileError ?? "no file was made"}`;
    let note: string;
    if (kept.lineTooLong) {
      note = `[Showing the last ${formatSize(byteLength(kept.text))} of line ${totalLines}. ${where}]`;
    } else {
      const shownLines = kept.truncated ? kept.lastLine - kept.firstLine + 1 : kept.totalLines;
      const limit = kept.by === "bytes" ? ` (${formatSize(MAX_BYTES)} limit)` : "";
      note = `[Showing lines ${
        totalLines - shownLines + 1
      }-${totalLines} of ${totalLines}${limit}. ${where}]`;
    }
    return { text: `${kept.text.replace(/\n$/, "")}\n\n${note}`, truncated: true };
  }

  #lines(): number {
    return this.#newlines + (this.#bytes > 0 && !this.#endsWithNewline ? 1 : 0);
  }

  #spill(): void {
    this.#spilling = true;
    const early = this.#early;
    this.#early = [];
    this.#writes = this.#writes.then(async () => {
      try {
        this.path = await Deno.makeTempFile({
          dir: this.#options.tempDir,
          prefix: "nanocode-bash-",
          suffix: ".log",
        });
        keepFile(this.path);
        this.#file = await Deno.open(this.path, { write: true });
      } catch (error) {
        this.fileError = error instanceof Error ? error.message : String(error);
        return;
      }
      for (const chunk of early) await this.#write(chunk);
    });
  }

  async #write(bytes: Uint8Array): Promise<void> {
    if (!this.#file || this.fileError) return;
    try {
      for (let offset = 0; offset < bytes.length;) offset += await this.#file.write(bytes.subarray(offset));
    } catch (error) {
      this.fileError = error instanceof Error ? error.message : String(error);
    }
  }

  #scheduleUpdate(): void {
    if (this.#closed || this.#updateTimer !== undefined) return;
    const wait = this.#lastUpdate + this.#options.intervalMs - Date.now();
    if (wait <= 0) {
      this.#sendUpdate();
      return;
    }
    this.#updateTimer = setTimeout(() => {
      this.#updateTimer = undefined;
      this.#sendUpdate();
    }, wait);
  }

  #sendUpdate(): void {
    if (this.#closed) return;
    this.#lastUpdate = Date.now();
    const text = plainTerminalText(truncateTail(this.#tail, UPDATE_LIMITS).text);
    if (text === "") return;
    try {
      this.#options.update(text);
    } catch {
      // A failing UI callback must not break the command.
    }
  }
}
