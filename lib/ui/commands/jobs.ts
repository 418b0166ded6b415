/**
 * `/jobs`: the child nanocode jobs of this session, one line each, and `/jobs cancel <id>` to stop one.
 * @module
 */

import { errorMessage, fail, note } from "./_output.ts";
import type { CommandHost, CommandSpec } from "./mod.ts";

async function jobsCommand(host: CommandHost, args: string): Promise<void> {
  const jobs = host.runtime.jobs;
  if (!jobs) return note(host, "Background jobs are not available: this nanocode cannot start child jobs.");
  const [verb, id, ...rest] = args.split(/\s+/).filter((w) => w !== "");
  if (verb === undefined) {
    const all = jobs.list();
    if (all.length === 0) {
      return note(host, "No nanocode jobs yet: the model starts them with its nanocode tool.");
    }
    const p = host.palette;
    host.print([
      p.dim(`Jobs (${all.length}):`),
      ...all.map((job) => {
        const state = job.state === "running" || job.state === "queued"
          ? p.yellow(job.state)
          : job.state === "done"
          ? p.green(job.state)
          : p.red(job.state);
        const prompt = job.spec.prompt.replace(/\s+/g, " ").trim();
        const head = prompt.length > 60 ? `${prompt.slice(0, 59)}…` : prompt;
        return `  ${p.bold(job.id)}  ${state}  ${p.dim(`${job.elapsedSeconds()}s`)}  ${head}`;
      }),
    ]);
    return;
  }
  if (verb !== "cancel" || id === undefined || rest.length > 0) {
    return fail(host, "Cannot read that: use /jobs to list the jobs, or /jobs cancel <id> to stop one.");
  }
  try {
    const stopped = await jobs.cancel(id);
    note(host, stopped ? `Cancelled ${id}; no result will be delivered for it.` : `${id} had already ended.`);
  } catch (error) {
    fail(host, errorMessage(error));
  }
}

/** `/jobs` and `/jobs cancel <id>`. */
export const JOBS_COMMAND: CommandSpec = {
  name: "jobs",
  usage: "/jobs [cancel <id>]",
  summary: "list the background jobs, or cancel one",
  run: jobsCommand,
};
