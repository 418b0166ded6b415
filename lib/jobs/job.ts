/**
 * One child nanocode: started as the leader of its own process group with the prompt on standard
 * input, followed through its JSON events, stopped at its time limit or when cancelled (SIGTERM to
 * the whole group, SIGKILL after a grace period).
 * @module
 */

import { drainPumps, pump, spawnGroupLeader, stopGroup } from "../proc/mod.ts";
import { ChildProgress } from "./child_progress.ts";

/** What a job runs. */
export interface JobSpec {
  /** The task, as the child's user message. */
  prompt: string;
  /** The folder the child works in. */
  cwd: string;
  /** `--tools` for the child; undefined: its default surface, `[]`: none. */
  tools?: string[];
  /** Added to the child instructions in the child's system prompt. */
  appendSystemPrompt?: string;
  /** The model the child uses; undefined: whatever the child's own configuration says. */
  model?: string;
  /** Milliseconds before the child is stopped and the job ends with exit code 124; undefined: no limit. */
  timeoutMs?: number;
  /** Whether the call that made it returned at once (`start`) rather than waiting (`run`). */
  background: boolean;
  /** For a background job: deliver its result at the next boundary (false keeps it for `read`). */
  autoEmit: boolean;
}

/** How to start the child: the program, every argument, extra environment and its standard input. */
export interface LaunchPlan {
  program: string;
  args: string[];
  /** Added to (or replacing) the inherited environment. */
  env: Record<string, string>;
  /** Written to the child's standard input, which is then closed. */
  stdin: string;
}

/** Where a job is in its life. */
export type JobState = "queued" | "running" | "done" | "failed" | "cancelled";

/** Exit code of a job stopped at its time limit, as `timeout(1)` reports it. */
export const TIMEOUT_EXIT_CODE = 124;

/** Bytes of the child's standard error kept (its tail). */
const STDERR_KEEP = 16 * 1024;

const encoder = new TextEncoder();

/** A child nanocode and what it has done. */
export class Job {
  readonly id: string;
  readonly spec: JobSpec;
  state: JobState = "queued";
  /** The child's pid (also its process group), once started. */
  pid: number | undefined;
  /** The exit code once ended (124 after the time limit, 128 + N after signal N); null when it never ran. */
  exitCode: number | null = null;
  /** Whether the time limit stopped it. */
  timedOut = false;
  /** Why the child could not be started, when it could not. */
  spawnError: string | undefined;
  /** When the job was made, started and ended (ms since the epoch). */
  readonly createdAt: number;
  startedAt: number | undefined;
  endedAt: number | undefined;
  /** What the child has done, from its events. */
  readonly progress = new ChildProgress();
  /** Resolves when the job has ended, however it ended. */
  readonly finished: Promise<void>;
  #finish!: () => void;
  #stderr = "";
  #listeners = new Set<() => void>();
  #stop: (why: "timeout" | "cancel") => void = () => {};
  #cancelRequested = false;
  readonly #cancelled = new AbortController();
  readonly #now: () => number;

  constructor(id: string, spec: JobSpec, options: { now?: () => number } = {}) {
    this.id = id;
    this.spec = spec;
    this.#now = options.now ?? Date.now;
    this.createdAt = this.#now();
    this.finished = new Promise<void>((resolve) => (this.#finish = resolve));
  }

  /** Whether the job has ended. */
  get ended(): boolean {
    return this.state === "done" || this.state === "failed" || this.state === "cancelled";
  }

  /** Aborted when the job is cancelled (a job waiting for a slot stops waiting). */
  get cancelSignal(): AbortSignal {
    return this.#cancelled.signal;
  }

  /** The tail of the child's standard error. */
  get stderrTail(): string {
    return this.#stderr;
  }

  /** Whole seconds since the child started (or the job was made), up to its end. */
  elapsedSeconds(): number {
    const from = this.startedAt ?? this.createdAt;
    return Math.max(0, Math.round(((this.endedAt ?? this.#now()) - from) / 1000));
  }

  /** Calls `listener` whenever the child's visible progress changes; returns a function that stops it. */
  onProgress(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Starts the child and follows it to its end. A job cancelled while it waited for a slot does not
   * start. Never throws: a child that cannot start ends the job as failed, with the reason.
   */
  async execute(plan: LaunchPlan, options: { graceMs?: number } = {}): Promise<void> {
    if (this.state !== "queued") return;
    this.state = "running";
    this.startedAt = this.#now();
    const stopRequested = new Promise<"timeout" | "cancel">((resolve) => (this.#stop = resolve));
    let child: Deno.ChildProcess;
    try {
      child = spawnGroupLeader(plan.program, {
        args: plan.args,
        cwd: this.spec.cwd,
        env: plan.env,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      });
    } catch (error) {
      this.spawnError = describeSpawnError(error, plan.program);
      this.#end("failed");
      return;
    }
    this.pid = child.pid;
    this.#notify();
    void writeAll(child.stdin, plan.stdin);

    let lastChunkAt = 0;
    const decoder = new TextDecoder();
    let partial = "";
    const takeLines = (text: string) => {
      partial += text;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      let changed = false;
      for (const line of lines) changed = this.progress.pushLine(line) || changed;
      if (changed) this.#notify();
    };
    const errDecoder = new TextDecoder();
    const pumps = [
      pump(child.stdout, (bytes) => {
        lastChunkAt = Date.now();
        takeLines(decoder.decode(bytes, { stream: true }));
      }),
      pump(child.stderr, (bytes) => {
        lastChunkAt = Date.now();
        this.#stderr = (this.#stderr + errDecoder.decode(bytes, { stream: true })).slice(-STDERR_KEEP);
      }),
    ];
    const timer = this.spec.timeoutMs === undefined
      ? undefined
      : setTimeout(() => this.#stop("timeout"), Math.min(this.spec.timeoutMs, 2 ** 31 - 1));
    // A cancel asked for before the child existed takes effect now.
    if (this.#cancelRequested) this.#stop("cancel");
    try {
      const first = await Promise.race([child.status.then(() => "exit" as const), stopRequested]);
      if (first !== "exit") {
        if (first === "timeout") this.timedOut = true;
        await stopGroup(child.pid, {
          settled: Promise.all([child.status, ...pumps.map((p) => p.done)]),
          graceMs: options.graceMs ?? 5000,
        });
      }
      const status = await child.status;
      await drainPumps(pumps, { lastChunkAt: () => lastChunkAt });
      takeLines(decoder.decode() + "\n");
      this.#stderr = (this.#stderr + errDecoder.decode()).slice(-STDERR_KEEP);
      this.exitCode = this.timedOut ? TIMEOUT_EXIT_CODE : status.code;
    } finally {
      clearTimeout(timer);
    }
    const finished = this.exitCode === 0 && this.progress.end !== undefined &&
      this.progress.end.reason !== "error";
    this.#end(this.#cancelRequested ? "cancelled" : finished ? "done" : "failed");
  }

  /** Ends a job that has not started as failed, e.g. when its command could not be made. */
  fail(reason: string): void {
    if (this.state !== "queued") return;
    this.spawnError = reason;
    this.#end("failed");
  }

  /**
   * Stops the job: one still waiting for a slot never starts; a running child gets SIGTERM, then
   * SIGKILL after the grace period, its whole process group. Resolves once it has ended; returns
   * false when it had ended already.
   */
  async cancel(): Promise<boolean> {
    if (this.ended) return false;
    this.#cancelRequested = true;
    this.#cancelled.abort();
    if (this.state === "queued") {
      this.#end("cancelled");
      return true;
    }
    this.#stop("cancel");
    await this.finished;
    return true;
  }

  #end(state: JobState): void {
    this.state = state;
    this.endedAt = this.#now();
    this.#notify();
    this.#finish();
  }

  #notify(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // A failing display must not break the job.
      }
    }
  }
}

async function writeAll(stream: WritableStream<Uint8Array>, text: string): Promise<void> {
  const writer = stream.getWriter();
  try {
    await writer.write(encoder.encode(text));
    await writer.close();
  } catch {
    // The child exited before reading its prompt; its exit code and stderr tell why.
  }
}

function describeSpawnError(error: unknown, program: string): string {
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return `nanocode may not run ${program}: restart it with --allow-run (or --allow-run=${program})`;
  }
  if (error instanceof Deno.errors.NotFound) {
    return `${program} was not found, or the job's cwd does not exist; check the cwd`;
  }
  return error instanceof Error ? error.message : String(error);
}
