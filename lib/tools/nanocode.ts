/**
 * The `nanocode` tool: hands a task to a child nanocode, a separate headless agent process with a
 * fresh context and the parent's permissions (never more). `run` waits for the child and returns its
 * compact findings; `start` returns a job id at once and the result comes back by itself at the next
 * boundary; `list`, `status`, `read` and `cancel` manage the jobs.
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { textResult, type Tool, type ToolContext, ToolError, type ToolResult } from "../core/mod.ts";
import {
  compactResult,
  DEFAULT_MAX_JOBS,
  type Job,
  type JobTable,
  listLine,
  processJobs,
  statusText,
} from "../jobs/mod.ts";

/** The actions the tool takes. */
export const NANOCODE_ACTIONS = ["run", "start", "list", "status", "read", "cancel"] as const;

/** One of {@link NANOCODE_ACTIONS}. */
export type NanocodeAction = typeof NANOCODE_ACTIONS[number];

/** Seconds a `run` waits unless told otherwise, and the most it may be told. */
export const RUN_TIMEOUT_SECONDS = { default: 120, max: 600 } as const;
/** Characters of a result unless told otherwise, and the range it may be told. */
export const MAX_CHARACTERS = { default: 18_000, min: 1_000, max: 100_000 } as const;

/** Least milliseconds between two live updates of a running child. */
const UPDATE_INTERVAL_MS = 100;

/**
 * The action a call asks for: `action` when given, else `start` for a prompt with `background: true`,
 * `run` for another prompt, and `list` without one.
 */
export function nanocodeAction(args: Record<string, unknown>): string {
  const action = typeof args.action === "string" ? args.action.trim().toLowerCase() : "";
  if (action !== "") return action;
  const prompt = typeof args.prompt === "string" && args.prompt.trim() !== "";
  if (!prompt) return "list";
  return args.background === true ? "start" : "run";
}

/**
 * Builds the tool on a job table; {@link nanocodeTool} uses this process's.
 * @example
 * ```ts
 * const tool = createNanocodeTool(() => new JobTable({ env: (name) => Deno.env.get(name) }));
 * ```
 */
export function createNanocodeTool(jobs: () => JobTable): Tool {
  return {
    name: "nanocode",
    description:
      "Hand a task to a child nanocode: a separate headless agent with a fresh context and the same tools and " +
      "permissions (never more). It sees nothing of this conversation, so put everything it needs in `prompt`. " +
      "`run` (the default with a prompt) waits for the child and returns its compact findings (timeoutSeconds: " +
      `default ${RUN_TIMEOUT_SECONDS.default}, at most ${RUN_TIMEOUT_SECONDS.max}); several \`run\` calls in one ` +
      `message run at the same time (up to NANOCODE_MAX_JOBS, default ${DEFAULT_MAX_JOBS}). \`start\` (or ` +
      "`background: true`) returns a job id at once: do not poll it; tell the user the id and go on, and its result " +
      "arrives by itself as a <nanocode_job_result> message (with `autoEmit: false` it is kept for `read`). " +
      "`list` (the default without a prompt), `status`, `read` and `cancel` take a `jobId`.",
    parameters: {
      type: "object",
      properties: {
        action: {
          type: "string",
          enum: [...NANOCODE_ACTIONS],
          description: "run | start | list | status | read | cancel (default: run with a prompt, else list).",
        },
        prompt: { type: "string", description: "The task for the child, complete in itself (alias: task)." },
        jobId: {
          type: "string",
          description: "The job for status, read or cancel, e.g. nano-1 (alias: id).",
        },
        background: { type: "boolean", description: "With a prompt and no action: start instead of run." },
        autoEmit: {
          type: "boolean",
          description: "For start: deliver the result by itself when the job ends (default true).",
        },
        tools: {
          type: "string",
          description: "The child's tools, comma-separated, or none (default: every tool it may use).",
        },
        appendSystemPrompt: {
          type: "string",
          description: "Extra instructions for the child's system prompt.",
        },
        cwd: { type: "string", description: "The folder the child works in (default: this one)." },
        model: { type: "string", description: "The child's model (default: this conversation's)." },
        timeoutSeconds: {
          type: "number",
          description:
            `Seconds before the child is stopped (run: default ${RUN_TIMEOUT_SECONDS.default}; start: none), at most ${RUN_TIMEOUT_SECONDS.max}.`,
        },
        maxCharacters: {
          type: "number",
          description:
            `Most characters of the result (default ${MAX_CHARACTERS.default}, ${MAX_CHARACTERS.min}–${MAX_CHARACTERS.max}).`,
        },
      },
    },
    permissions: ["run"],
    readOnly: (args) => {
      const action = nanocodeAction(args);
      return action === "list" || action === "status" || action === "read";
    },
    // Each child works in a process of its own: several runs of one message go side by side.
    concurrent: (args) => nanocodeAction(args) === "run",
    prepareArguments,
    execute: (args, ctx) => execute(jobs(), args, ctx),
  };
}

/** The `nanocode` tool on this process's job table. */
export const nanocodeTool: Tool = createNanocodeTool(processJobs);

/** Folds the aliases (`task`, `id`), a tool list sent as an array, and flags sent as words. */
function prepareArguments(args: Record<string, unknown>): Record<string, unknown> {
  const out = { ...args };
  if (out.prompt === undefined && typeof out.task === "string") out.prompt = out.task;
  if (out.jobId === undefined && (typeof out.id === "string" || typeof out.id === "number")) {
    out.jobId = String(out.id);
  }
  delete out.task;
  delete out.id;
  if (Array.isArray(out.tools)) out.tools = out.tools.map(String).join(",");
  for (const flag of ["background", "autoEmit"]) {
    const value = out[flag];
    if (typeof value === "string") {
      const word = value.trim().toLowerCase();
      if (["1", "true", "yes", "on"].includes(word)) out[flag] = true;
      else if (["0", "false", "no", "off"].includes(word)) out[flag] = false;
    }
  }
  if (typeof out.jobId === "number") out.jobId = String(out.jobId);
  return out;
}

async function execute(jobs: JobTable, args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult> {
  const action = nanocodeAction(args);
  const maxChars = clamp(args.maxCharacters, MAX_CHARACTERS.default, MAX_CHARACTERS.min, MAX_CHARACTERS.max);
  switch (action) {
    case "list":
      return textResult(listJobs(jobs));
    case "status":
    case "read":
    case "cancel": {
      const id = typeof args.jobId === "string" ? args.jobId.trim() : "";
      if (id === "") {
        const known = jobs.list().map((j) => j.id);
        throw new TypeError(
          `Cannot ${action} a job without its id: pass jobId${
            known.length > 0 ? ` (one of ${known.join(", ")})` : ", once a job was started"
          }.`,
        );
      }
      const job = jobs.find(id);
      if (action === "cancel") return textResult(await cancelJob(job), { jobId: job.id, state: job.state });
      return textResult(statusText(job, { output: action === "read", maxChars }), details(job));
    }
    case "run":
    case "start":
      return await startOrRun(jobs, action, args, ctx, maxChars);
    default:
      throw new TypeError(
        `Cannot run nanocode action "${action}": choose one of ${NANOCODE_ACTIONS.join(", ")}.`,
      );
  }
}

async function startOrRun(
  jobs: JobTable,
  action: "run" | "start",
  args: Record<string, unknown>,
  ctx: ToolContext,
  maxChars: number,
): Promise<ToolResult> {
  const prompt = typeof args.prompt === "string" ? args.prompt.trim() : "";
  if (prompt === "") {
    throw new TypeError(`Cannot ${action} a child without a task: pass prompt, the whole task in words.`);
  }
  const cwd = await childCwd(args.cwd, ctx.cwd, ctx.env);
  const given = args.timeoutSeconds === undefined
    ? undefined
    : clamp(args.timeoutSeconds, RUN_TIMEOUT_SECONDS.default, 1, RUN_TIMEOUT_SECONDS.max);
  const seconds = action === "run" ? given ?? RUN_TIMEOUT_SECONDS.default : given;
  const request = {
    prompt,
    cwd,
    ...(typeof args.tools === "string" ? { tools: toolList(args.tools) } : {}),
    ...(typeof args.appendSystemPrompt === "string" && args.appendSystemPrompt.trim() !== ""
      ? { appendSystemPrompt: args.appendSystemPrompt }
      : {}),
    ...(typeof args.model === "string" && args.model.trim() !== "" ? { model: args.model.trim() } : {}),
    ...(seconds !== undefined ? { timeoutMs: seconds * 1000 } : {}),
    autoEmit: args.autoEmit !== false,
  };

  if (action === "start") {
    const busy = jobs.live().length;
    const job = jobs.start(request);
    const queued = busy >= jobs.settings.maxJobs
      ? ` It waits for a free slot: ${busy} children run already (NANOCODE_MAX_JOBS=${jobs.settings.maxJobs}).`
      : "";
    const after = job.spec.autoEmit
      ? "Its result comes back by itself as a <nanocode_job_result> message once it ends: do not poll it. " +
        `Tell the user the id and go on with other work; status, read or cancel it with jobId "${job.id}" if needed.`
      : `Its result is kept until you read it: call nanocode with action "read" and jobId "${job.id}" when you need it.`;
    return textResult(`Started nanocode job ${job.id}.${queued} ${after}`, details(job));
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  const show = (job: Job) => {
    last = Date.now();
    ctx.update(liveView(job, jobs.settings.maxJobs));
  };
  const job = await jobs.run(request, {
    signal: ctx.signal,
    onProgress: (job) => {
      if (timer !== undefined) return;
      const wait = last + UPDATE_INTERVAL_MS - Date.now();
      if (wait <= 0) show(job);
      else timer = setTimeout(() => (timer = undefined, show(job)), wait);
    },
  });
  // The last change still waiting for its turn is shown before the result, so no call goes unseen.
  if (timer !== undefined) {
    clearTimeout(timer);
    show(job);
  }
  const text = compactResult(job, maxChars);
  if (job.state === "done") return textResult(text, details(job));
  if (job.state === "cancelled" && ctx.signal.aborted) {
    throw new ToolError(
      `nanocode job ${job.id} was stopped: the run was interrupted.\n\n${text}`,
      details(job),
    );
  }
  throw new ToolError(text, details(job));
}

/** What the parent shows under its call while the child works: a headline and the child's latest calls. */
function liveView(job: Job, maxJobs: number): string {
  if (job.state === "queued") {
    return `${job.id} · waiting for a free slot (NANOCODE_MAX_JOBS=${maxJobs})`;
  }
  const head = `${job.id} · ${job.progress.headline()} · ${job.elapsedSeconds()} s`;
  return [head, ...job.progress.callLines(6)].join("\n");
}

function listJobs(jobs: JobTable): string {
  const all = jobs.list();
  if (all.length === 0) return "No nanocode jobs yet.";
  return all.map(listLine).join("\n");
}

async function cancelJob(job: Job): Promise<string> {
  if (!(await job.cancel())) {
    return `nanocode job ${job.id} had already ended (${job.state}, exit code ${
      job.exitCode ?? "none"
    }); nothing to cancel.`;
  }
  return `nanocode job ${job.id} cancelled${
    job.exitCode !== null ? ` (exit code ${job.exitCode})` : " before it started"
  }; no result will be delivered for it.`;
}

function details(job: Job): Record<string, unknown> {
  return {
    jobId: job.id,
    state: job.state,
    exitCode: job.exitCode,
    elapsedSeconds: job.elapsedSeconds(),
    ...(job.pid !== undefined ? { pid: job.pid } : {}),
    turns: job.progress.end?.turns ?? job.progress.turn,
    tools: Object.fromEntries(job.progress.toolCounts),
  };
}

/** `--tools` for the child: `none` for no tools, else the names given. */
function toolList(text: string): string[] {
  const names = text.split(",").map((t) => t.trim()).filter((t) => t !== "");
  return names.length === 1 && names[0].toLowerCase() === "none" ? [] : names;
}

async function childCwd(
  value: unknown,
  cwd: string,
  env: ((name: string) => string | undefined) | undefined,
): Promise<string> {
  if (typeof value !== "string" || value.trim() === "") return cwd;
  let path = value.trim().replace(/^@/, "");
  if (path === "~" || path.startsWith("~/")) {
    path = (env?.("HOME") ?? "") + path.slice(1);
  }
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  let isDirectory = false;
  try {
    isDirectory = (await Deno.stat(full)).isDirectory;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) return full;
  }
  if (!isDirectory) {
    throw new TypeError(`Cannot start a child in ${full}: no such folder; pass an existing folder as cwd.`);
  }
  return full;
}

function clamp(value: unknown, fallback: number, min: number, max: number): number {
  const number = typeof value === "number" && Number.isFinite(value) ? value : fallback;
  return Math.min(max, Math.max(min, Math.round(number)));
}
