/**
 * ripgrep as a fast path for the file tools: found on PATH once, lazily; run with flags that give the
 * same rules as the native walker (hidden files, nested `.gitignore` with or without git, no `.ignore`
 * or global excludes, links followed, `.git` left out); its output streamed line by line and the
 * process killed as soon as the caller has enough or the signal aborts.
 *
 * ripgrep exits with 2 whenever it met an error, and most such errors are about one path: a file or
 * folder it could not read, a link that leads nowhere, a link back to a folder above. Those make the
 * answer incomplete, not wrong: they are read off its error output and told to the caller (the
 * unreadable ones; broken links and loops are skipped quietly, as the native walker skips them), and
 * only an error about something else (a pattern it cannot parse) counts as ripgrep failing.
 * @module
 */

import { join } from "node:path";
import type { UnreadableSink } from "./walk.ts";

/** Which search engine a file tool uses: ripgrep when usable (`auto`), or one forced. */
export type Backend = "auto" | "rg" | "native";

/** Options every file tool factory takes. */
export interface FileToolOptions {
  /** The engine to use (default `auto`: ripgrep when on PATH and allowed to run, else native). */
  backend?: Backend;
  /**
   * For `grep` on the native engine: the longest time one file, or one stretch of a big file, may
   * take before the search is stopped with an error (default 10,000 ms).
   */
  patternTimeLimitMs?: number;
}

/**
 * Flags that make ripgrep follow the same rules as the native walker. The user's ripgrep config file
 * is ignored so that results do not depend on it.
 */
export const RG_BASE_ARGS: readonly string[] = [
  "--no-config",
  "--hidden",
  "--follow",
  "--no-require-git",
  "--no-ignore-dot",
  "--no-ignore-exclude",
  "--no-ignore-global",
  "--glob",
  "!.git",
];

let usable: Promise<boolean> | undefined;

async function probe(): Promise<boolean> {
  try {
    const status = await Deno.permissions.query({ name: "run", command: "rg" });
    if (status.state !== "granted") return false;
    const output = await new Deno.Command("rg", {
      args: ["--version"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!output.success) return false;
    // The flags above need ripgrep 11 or later.
    const major = Number(/ripgrep (\d+)/.exec(new TextDecoder().decode(output.stdout))?.[1] ?? 0);
    return major >= 11;
  } catch {
    return false;
  }
}

/** Whether ripgrep is on PATH and this process may run it. Asked once; later calls reuse the answer. */
export function ripgrepUsable(): Promise<boolean> {
  usable ??= probe();
  return usable;
}

/**
 * Resolves the engine for one call: `native` stays native, `auto` becomes `rg` when usable. A forced
 * `rg` that cannot run throws.
 */
export async function chooseBackend(requested: Backend = "auto"): Promise<"rg" | "native"> {
  if (requested === "native") return "native";
  if (await ripgrepUsable()) return "rg";
  if (requested === "rg") {
    throw new Error(
      "Cannot use ripgrep: rg is not on PATH or --allow-run does not cover it; install ripgrep or use the native backend",
    );
  }
  return "native";
}

/** Options for {@link runRipgrep}. */
export interface RunOptions {
  /** The folder ripgrep runs in; output paths are relative to it. */
  cwd: string;
  /** Kills ripgrep; the call then throws the signal's reason. */
  signal?: AbortSignal;
  /** What ends one record of output (default newline; `--null` file lists use `"\0"`). */
  separator?: string;
  /** Called for each record; returning false stops reading and kills ripgrep. */
  onRecord(record: string): boolean | void;
  /** Told about each path ripgrep could not read (default: none). */
  onUnreadable?: UnreadableSink;
}

/** How a ripgrep run ended. */
export interface RunOutcome {
  /** Exit code, or null when ripgrep was stopped early. */
  code: number | null;
  /** True when `onRecord` asked to stop. */
  stopped: boolean;
  /** How many records were read. */
  records: number;
  /** The start of what ripgrep wrote to stderr, without its errors about single paths. */
  stderr: string;
  /** How many of ripgrep's errors were about single paths (unreadable, broken links, loops). */
  pathErrors: number;
}

const STDERR_KEEP = 4096;
/** One error about a path: `[rg: ]PATH: WHAT (os error N)`. */
const PATH_ERROR = /^(.+): ([^:]+?) \(os error (\d+)\)$/;
/** ENOENT (a link that leads nowhere, a file gone meanwhile) and ELOOP (a link to itself). */
const QUIET_ERRNO = new Set(["2", "40", "62"]);

/** Sorts ripgrep's error lines into errors about paths, told to `report`, and the rest, kept. */
class StderrLines {
  text = "";
  pathErrors = 0;
  constructor(readonly cwd: string, readonly report?: UnreadableSink) {}

  line(raw: string): void {
    const line = raw.replace(/^rg: /, "");
    if (line.startsWith("File system loop found: ")) {
      this.pathErrors++;
      return;
    }
    const error = PATH_ERROR.exec(line);
    if (error === null) {
      if (this.text.length < STDERR_KEEP) this.text += `${raw}\n`;
      return;
    }
    this.pathErrors++;
    if (this.report === undefined || QUIET_ERRNO.has(error[3])) return;
    let path = error[1];
    while (path.startsWith("./")) path = path.slice(2);
    try {
      if (Deno.statSync(join(this.cwd, path)).isDirectory) path += "/";
    } catch {
      // Named as ripgrep gave it.
    }
    this.report(path || "./", error[2].toLowerCase());
  }
}

async function collectStderr(stream: ReadableStream<Uint8Array>, lines: StderrLines): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  // Read to the end so ripgrep never blocks on a full pipe.
  for await (const chunk of stream) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const parts = text.split("\n");
    rest = parts.pop()!;
    for (const part of parts) lines.line(part);
  }
  if (rest !== "") lines.line(rest);
}

/**
 * True when a run ended in an error that is not about single paths before giving any answer: then
 * ripgrep failed (say, on a pattern it cannot parse), and the native engine should answer instead.
 */
export function ripgrepFailed(outcome: RunOutcome, answered: boolean): boolean {
  return outcome.code === 2 && !answered && (outcome.stderr.trim() !== "" || outcome.pathErrors === 0);
}

/**
 * Runs ripgrep with `args` (after {@link RG_BASE_ARGS}) and hands each output record to `onRecord`.
 */
export async function runRipgrep(args: readonly string[], options: RunOptions): Promise<RunOutcome> {
  const { signal } = options;
  signal?.throwIfAborted();
  const separator = options.separator ?? "\n";
  const child = new Deno.Command("rg", {
    args: [...RG_BASE_ARGS, ...args],
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).spawn();
  const errors = new StderrLines(options.cwd, options.onUnreadable);
  const stderr = collectStderr(child.stderr, errors);
  const decoder = new TextDecoder();
  const reader = child.stdout.getReader();
  let rest = "";
  let records = 0;
  let stopped = false;
  let complete = false;
  try {
    read: while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = rest + decoder.decode(value, { stream: true });
      let start = 0;
      for (let end = text.indexOf(separator); end >= 0; end = text.indexOf(separator, start)) {
        records++;
        if (options.onRecord(text.slice(start, end)) === false) {
          stopped = true;
          break read;
        }
        start = end + 1;
      }
      rest = text.slice(start);
    }
    if (!stopped && rest !== "") {
      records++;
      if (options.onRecord(rest) === false) stopped = true;
    }
    complete = !stopped;
  } finally {
    if (!complete) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await reader.cancel().catch(() => {});
  }
  const status = await child.status;
  await stderr;
  signal?.throwIfAborted();
  return {
    code: stopped ? null : status.code,
    stopped,
    records,
    stderr: errors.text.slice(0, STDERR_KEEP),
    pathErrors: errors.pathErrors,
  };
}
