/**
 * What commands leave behind on purpose while nanocode runs, stopped and removed when it exits: the
 * process groups of background jobs a command started (`npm run dev &`), and full-output files whose
 * paths the model was given. One registry for the process; the command line calls {@link cleanUp}
 * on every way out (normal exit, error, Ctrl-C, SIGTERM, SIGHUP).
 * @module
 */

import { signalGroup } from "./process_group.ts";

const groups = new Set<number>();
const files = new Set<string>();

/** Keeps the group led by `pid` to be stopped at exit (when it still has processes then). */
export function keepGroup(pid: number): void {
  groups.add(pid);
}

/** Forgets a group that has been stopped or is known to be empty. */
export function forgetGroup(pid: number): void {
  groups.delete(pid);
}

/** Keeps a file to be removed at exit. */
export function keepFile(path: string): void {
  files.add(path);
}

/** Whether the group led by `pid` still has a process (probed with a harmless SIGCONT). */
export function groupAlive(pid: number): boolean {
  try {
    Deno.kill(-pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** The groups and files still kept, for tests and `doctor`-style reports. */
export function leftovers(): { groups: number[]; files: string[] } {
  return { groups: [...groups], files: [...files] };
}

/**
 * Stops every kept group (SIGTERM, then SIGKILL for what is left after `graceMs`) and removes every
 * kept file. Never throws.
 */
export async function cleanUp(options: { graceMs?: number } = {}): Promise<void> {
  const alive = [...groups].filter(groupAlive);
  for (const pid of alive) signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + (options.graceMs ?? 1000);
  let left = alive;
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    left = left.filter(groupAlive);
  }
  for (const pid of left) signalGroup(pid, "SIGKILL");
  groups.clear();
  await Promise.all([...files].map((path) => Deno.remove(path).catch(() => {})));
  files.clear();
}
