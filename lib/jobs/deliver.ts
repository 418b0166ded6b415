/**
 * A run that waits for its background jobs: once the run ends, each result that arrives starts
 * another run with it as the input, until no job that delivers one is left. What headless mode does,
 * so a `-p` run that started jobs ends with their results, not before them.
 * @module
 */

import type { AgentEvent } from "../core/mod.ts";
import type { JobTable } from "./job_table.ts";

/**
 * Yields the events of `run(prompt)`, then, while background jobs that deliver their results are
 * running, of `run(results)` for each batch that arrives, each batch announced by its `job_result`
 * events. When `signal` aborts, the jobs still running are cancelled and reported as `job_result`
 * events with status `cancelled`.
 */
export async function* runUntilJobsEnd(
  jobs: JobTable,
  run: (input: string) => AsyncIterable<AgentEvent>,
  prompt: string,
  signal: AbortSignal,
): AsyncGenerator<AgentEvent> {
  yield* run(prompt);
  while (!signal.aborted && await jobs.nextResult(signal)) {
    const batch = jobs.takeInput();
    if (!batch) continue;
    yield* batch.notices;
    yield* run(batch.input);
  }
  if (!signal.aborted) return;
  for (const job of await jobs.stopAll()) {
    if (!job.spec.background) continue;
    yield {
      type: "job_result",
      id: job.id,
      status: "cancelled",
      exitCode: job.exitCode,
      elapsedSeconds: job.elapsedSeconds(),
    };
  }
}
