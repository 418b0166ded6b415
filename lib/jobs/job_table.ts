/**
 * The job table: every child nanocode this process started (`nano-1`, `nano-2`, …), the cap on how
 * many run at once, and the results of background jobs waiting for the next boundary. When the
 * process goes, so do its children: {@link JobTable.stopAll} stops them with grace, and a last
 * `unload` handler sends SIGTERM to any still running.
 * @module
 */

import type { AgentEvent } from "../core/mod.ts";
import { signalGroup } from "../proc/mod.ts";
import { Job, type JobSpec, type LaunchPlan } from "./job.ts";
import { resultMessage } from "./report.ts";
import { type SelfCommand, selfCommand } from "./self_command.ts";
import { type JobSettings, jobSettings, mayStartChildren } from "./settings.ts";
import { Slots } from "./slots.ts";

/** The system-prompt text every child gets, before the caller's `appendSystemPrompt`. */
export const CHILD_INSTRUCTIONS = [
  "You are a headless child nanocode: another nanocode agent (your parent) started you for one task, and your",
  "final answer goes back to it, not to a person. Nobody answers questions: decide, and say what you assumed.",
  "End with compact findings in 40 lines or fewer unless the task asks for more: the answer; the evidence",
  "(file paths, with line numbers where they help); the commands you ran; your confidence; the next step.",
  "Start no nanocode jobs of your own unless the task asks for them, and never poll a job in a loop.",
].join("\n");

/** A result waiting for the next boundary: the event announcing it and the user message holding it. */
export interface InboxItem {
  notice: Extract<AgentEvent, { type: "job_result" }>;
  text: string;
}

/** What the parent hands its children besides the task. */
export interface ChildDefaults {
  /** The parent's current model (the child's unless the call names another). */
  model?: () => string | undefined;
  /** `--base-url` for the child, when the parent got its endpoint from that flag. */
  baseUrl?: string;
  /** Added to each child's environment (e.g. the key, when the parent read it from a file). */
  childEnv?: Record<string, string>;
  /**
   * The endpoint's `host:port`: passed on when the parent's network access is limited to it and its
   * command line cannot be read, so the child can still reach the model.
   */
  endpointHost?: string;
}

/** A job to run or start, as the tool asks for it. */
export type JobRequest = Omit<JobSpec, "background" | "autoEmit" | "model"> & {
  model?: string;
  autoEmit?: boolean;
};

/** Options for {@link JobTable}. */
export interface JobTableOptions {
  /** Where the settings come from (default: this process's environment, where readable). */
  env?: (name: string) => string | undefined;
  /** How to start this program again (default {@link selfCommand}). */
  command?: () => Promise<SelfCommand>;
  /** Milliseconds between SIGTERM and SIGKILL when a child is stopped (default 5000). */
  graceMs?: number;
}

/** Every child of this process, and the results waiting to be delivered. */
export class JobTable {
  readonly #jobs = new Map<string, Job>();
  #next = 1;
  #env: (name: string) => string | undefined;
  #settings: JobSettings | undefined;
  #slots: Slots | undefined;
  #command: (() => Promise<SelfCommand>) | undefined;
  #selfCommand: Promise<SelfCommand> | undefined;
  #defaults: ChildDefaults = {};
  readonly #graceMs: number;
  #inbox: InboxItem[] = [];
  /** Background jobs whose result is still to be put in the inbox. */
  readonly #emitting = new Set<Job>();
  readonly #resultListeners = new Set<() => void>();
  #wakers = new Set<() => void>();
  #unloadHooked = false;

  constructor(options: JobTableOptions = {}) {
    this.#env = options.env ?? readProcessEnv;
    this.#command = options.command;
    this.#graceMs = options.graceMs ?? 5000;
  }

  /** Sets what children inherit (model, endpoint, key) and, optionally, where settings come from. */
  configure(defaults: ChildDefaults & { env?: (name: string) => string | undefined }): void {
    const { env, ...rest } = defaults;
    this.#defaults = { ...this.#defaults, ...rest };
    if (env && env !== this.#env) {
      this.#env = env;
      if (this.#jobs.size === 0) [this.#settings, this.#slots] = [undefined, undefined];
    }
  }

  /** The settings in force (read once, at first use). */
  get settings(): JobSettings {
    return (this.#settings ??= jobSettings(this.#env));
  }

  /** Whether this process may start children (it is above `NANOCODE_MAX_DEPTH`). */
  get mayStartChildren(): boolean {
    return mayStartChildren(this.settings);
  }

  /** Every job, oldest first. */
  list(): Job[] {
    return [...this.#jobs.values()];
  }

  /** The job with this id, or undefined. */
  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  /** The job with this id; throws a RangeError naming the known ids otherwise. */
  find(id: string): Job {
    const job = this.#jobs.get(id.trim());
    if (job) return job;
    const known = [...this.#jobs.keys()];
    throw new RangeError(
      `Cannot find nanocode job "${id}": ${
        known.length > 0 ? `the known jobs are ${known.join(", ")}` : "no job was started yet"
      }; call nanocode with action "list" to see them.`,
    );
  }

  /** Jobs not ended yet (running or waiting for a slot). */
  live(): Job[] {
    return this.list().filter((job) => !job.ended);
  }

  /**
   * Runs a child and waits for its end, however it ends: aborting `signal` cancels it. `onProgress`
   * hears every visible change (its calls, its turns).
   */
  async run(
    request: JobRequest,
    options: { signal: AbortSignal; onProgress?: (job: Job) => void },
  ): Promise<Job> {
    const job = this.#create(request, false);
    const stop = () => void job.cancel();
    options.signal.addEventListener("abort", stop, { once: true });
    const unsubscribe = options.onProgress ? job.onProgress(() => options.onProgress!(job)) : undefined;
    // Heard at once, so a run that waits for a slot can say so.
    options.onProgress?.(job);
    try {
      if (options.signal.aborted) await job.cancel();
      await this.#launch(job);
      await job.finished;
    } finally {
      options.signal.removeEventListener("abort", stop);
      unsubscribe?.();
    }
    return job;
  }

  /**
   * Starts a child in the background and returns its job at once. With `autoEmit` (the default) its
   * result waits in the inbox for the next boundary once it ends; without, it is kept for `read`.
   */
  start(request: JobRequest): Job {
    const job = this.#create(request, true);
    if (job.spec.autoEmit) this.#emitting.add(job);
    void this.#launch(job);
    return job;
  }

  /** Stops a job (see {@link Job.cancel}); false when it had ended already. Throws for an unknown id. */
  cancel(id: string): Promise<boolean> {
    return this.find(id).cancel();
  }

  /** Removes and returns the results waiting for delivery; each is handed out once. */
  take(): InboxItem[] {
    return this.#inbox.splice(0);
  }

  /**
   * Takes the waiting results as one input for a new run (an idle REPL, a headless run that waits for
   * its jobs): their notices and their messages joined; undefined when none waits.
   */
  takeInput(): { notices: InboxItem["notice"][]; input: string } | undefined {
    const items = this.take();
    if (items.length === 0) return undefined;
    return { notices: items.map((i) => i.notice), input: items.map((i) => i.text).join("\n\n") };
  }

  /** How many results wait for delivery. */
  get waiting(): number {
    return this.#inbox.length;
  }

  /** Calls `listener` each time a result starts waiting; returns a function that stops it. */
  onResult(listener: () => void): () => void {
    this.#resultListeners.add(listener);
    return () => this.#resultListeners.delete(listener);
  }

  /**
   * Waits until a result waits for delivery (true), or until no background job that delivers one is
   * left, or `signal` aborts (false).
   */
  async nextResult(signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      if (this.#inbox.length > 0) return true;
      if (signal?.aborted || this.#emitting.size === 0) return false;
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener("abort", wake);
          this.#wakers.delete(wake);
          resolve();
        };
        this.#wakers.add(wake);
        signal?.addEventListener("abort", wake, { once: true });
      });
    }
  }

  /** Cancels every job not ended yet and waits for them; returns those jobs. */
  async stopAll(): Promise<Job[]> {
    const live = this.live();
    await Promise.all(live.map((job) => job.cancel()));
    return live;
  }

  #create(request: JobRequest, background: boolean): Job {
    if (!this.mayStartChildren) {
      const { depth, maxDepth } = this.settings;
      throw new Error(
        `Cannot start a child nanocode: this one is at depth ${depth} and NANOCODE_MAX_DEPTH is ${maxDepth}; ` +
          "do the work here instead.",
      );
    }
    const id = `nano-${this.#next++}`;
    const model = request.model ?? this.#defaults.model?.();
    const spec: JobSpec = {
      prompt: request.prompt,
      cwd: request.cwd,
      ...(request.tools !== undefined ? { tools: request.tools } : {}),
      ...(request.appendSystemPrompt ? { appendSystemPrompt: request.appendSystemPrompt } : {}),
      ...(model ? { model } : {}),
      ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
      background,
      autoEmit: background && request.autoEmit !== false,
    };
    const job = new Job(id, spec);
    this.#jobs.set(id, job);
    return job;
  }

  /** Waits for a slot, starts the child, and once it ends puts a background result in the inbox. */
  async #launch(job: Job): Promise<void> {
    this.#slots ??= new Slots(this.settings.maxJobs);
    let release: (() => void) | undefined;
    try {
      release = await this.#slots.take(job.cancelSignal);
      if (job.state === "queued") {
        let plan: LaunchPlan | undefined;
        try {
          plan = await this.#plan(job);
        } catch (error) {
          job.fail(error instanceof Error ? error.message : String(error));
        }
        this.#hookUnload();
        if (plan) await job.execute(plan, { graceMs: this.#graceMs });
      }
    } catch {
      // Cancelled while it waited for a slot: the job has ended already.
    } finally {
      release?.();
    }
    if (this.#emitting.delete(job) && job.state !== "cancelled") {
      const notice: InboxItem["notice"] = {
        type: "job_result",
        id: job.id,
        status: job.state as "done" | "failed",
        exitCode: job.exitCode,
        elapsedSeconds: job.elapsedSeconds(),
      };
      this.#inbox.push({ notice, text: resultMessage(job, this.settings.autoEmitMaxChars) });
      for (const listener of this.#resultListeners) {
        try {
          listener();
        } catch {
          // A failing listener must not keep the result from the others.
        }
      }
    }
    for (const wake of [...this.#wakers]) wake();
  }

  async #plan(job: Job): Promise<LaunchPlan> {
    const host = this.#defaults.endpointHost;
    this.#selfCommand ??= this.#command?.() ?? selfCommand(host ? { candidates: { net: [host] } } : {});
    const self = await this.#selfCommand;
    const { spec } = job;
    const instructions = spec.appendSystemPrompt
      ? `${CHILD_INSTRUCTIONS}\n\n${spec.appendSystemPrompt}`
      : CHILD_INSTRUCTIONS;
    const args = [
      ...self.args,
      "--print",
      "--mode",
      "json",
      "--quiet",
      "--no-session",
      "--append-system-prompt",
      instructions,
      ...(spec.tools !== undefined ? ["--tools", spec.tools.length > 0 ? spec.tools.join(",") : "none"] : []),
      ...(spec.model ? ["--model", spec.model] : []),
      ...(this.#defaults.baseUrl ? ["--base-url", this.#defaults.baseUrl] : []),
    ];
    const env = { ...this.#defaults.childEnv, NANOCODE_CHILD: String(this.settings.depth + 1) };
    // The prompt goes on standard input: no length limit, and it stays out of the process list.
    return { program: self.program, args, env, stdin: spec.prompt };
  }

  /** Once: at exit, whatever is still running gets SIGTERM (a child then stops its own children). */
  #hookUnload(): void {
    if (this.#unloadHooked) return;
    this.#unloadHooked = true;
    globalThis.addEventListener("unload", () => {
      for (const job of this.live()) if (job.pid !== undefined) signalGroup(job.pid, "SIGTERM");
    });
  }
}

let processTable: JobTable | undefined;

/** The job table of this process, shared by every `nanocode` tool call and the front ends. */
export function processJobs(): JobTable {
  return (processTable ??= new JobTable());
}

function readProcessEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
