/**
 * The native regex search off the main thread. A regular expression can take exponential time on one
 * line (`(y+)+z` against a long run of `y`), and JavaScript cannot interrupt a running match: on the
 * main thread that would freeze the process, Ctrl-C and SIGTERM included. So {@link searchNativeGuarded}
 * runs `searchNative` on a Web Worker, hands its lines to the caller's sink in batches, and terminates
 * the worker the moment the sink has enough, the signal aborts, or the search stops moving on: the
 * engine ticks a shared counter at each file and each stretch of a big file, and a watchdog gives up
 * when it has not moved for the time limit, naming the file it was stuck in.
 *
 * A literal search has no backtracking and stays on the calling thread (no worker to start). Where a
 * worker cannot start (no read access to this module, or a module served over the network) the search
 * runs on the calling thread too, where an abort still gets through between files but a match in
 * progress cannot be stopped. The same module is the worker's entry point: statically imported by the
 * search module, it is part of the module graph that `deno compile` embeds.
 * @module
 */

import { compileGlob } from "./glob_pattern.ts";
import { type GrepQuery, searchNative, type SearchOptions } from "./grep_engine.ts";

const WORKER_NAME = "nanocode-grep";
/** Lines sent in one message. */
const BATCH_LINES = 512;
/** Longest wait before lines found so far are sent, in milliseconds. */
const BATCH_MS = 20;
/** UTF-16 units of the current path kept for the stall message. */
const PATH_UNITS = 4096;
/** How long the search may stay on one stretch of text before grep gives up, by default. */
export const PATTERN_TIME_LIMIT_MS = 10_000;

/** What the worker is asked to do. */
interface Job {
  root: string;
  query: Omit<GrepQuery, "fileGlob">;
  only?: string;
  maxLineBytes?: number;
  /** `[ticks, path length]` then the path's UTF-16 units. */
  progress: SharedArrayBuffer;
}

type Reply =
  /** Reported lines, flattened: path, line number, text, matched, and again. */
  | { kind: "lines"; lines: (string | number | boolean)[] }
  | { kind: "notice"; path: string; message: string }
  | { kind: "unreadable"; path: string; reason: string }
  | { kind: "done" }
  | { kind: "error"; name: string; message: string };

/** The part of a dedicated worker's global scope used here. */
interface WorkerScope {
  name?: string;
  onmessage: ((event: MessageEvent<Job>) => void) | null;
  postMessage(reply: Reply): void;
}

const scope = globalThis as unknown as WorkerScope;

if ("WorkerGlobalScope" in globalThis && scope.name === WORKER_NAME) {
  scope.onmessage = (event) => void runJob(event.data);
}

async function runJob(job: Job): Promise<void> {
  const header = new Int32Array(job.progress, 0, 2);
  const units = new Uint16Array(job.progress, 8, PATH_UNITS);
  let batch: (string | number | boolean)[] = [];
  let sent = performance.now();
  const flush = () => {
    if (batch.length > 0) scope.postMessage({ kind: "lines", lines: batch });
    batch = [];
    sent = performance.now();
  };
  const query: GrepQuery = {
    ...job.query,
    fileGlob: job.query.fileGlobText === undefined
      ? undefined
      : compileGlob(job.query.fileGlobText, { allowDotSlash: true }),
  };
  let current = "";
  try {
    await searchNative(job.root, query, {
      only: job.only,
      maxLineBytes: job.maxLineBytes,
      restart() {},
      sink(path, line, text, match) {
        batch.push(path, line, text, match);
        if (batch.length >= BATCH_LINES * 4) flush();
        return true;
      },
      notice: (path, message) => scope.postMessage({ kind: "notice", path, message }),
      onUnreadable: (path, reason) => scope.postMessage({ kind: "unreadable", path, reason }),
      progress(path) {
        if (path !== current) {
          current = path;
          const length = Math.min(path.length, PATH_UNITS);
          for (let i = 0; i < length; i++) units[i] = path.charCodeAt(i);
          Atomics.store(header, 1, length);
        }
        Atomics.add(header, 0, 1);
        if (batch.length > 0 && performance.now() - sent > BATCH_MS) flush();
      },
    });
    flush();
    scope.postMessage({ kind: "done" });
  } catch (error) {
    flush();
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    scope.postMessage({ kind: "error", name, message });
  }
}

/** True when this module can be loaded as a worker without asking for a permission. */
function canStartWorker(): boolean {
  const url = new URL(import.meta.url);
  if (url.protocol !== "file:") return false;
  try {
    return Deno.permissions.querySync({ name: "read", path: url }).state === "granted";
  } catch {
    return false;
  }
}

/** Options for {@link searchNativeGuarded}. */
export interface GuardedOptions extends SearchOptions {
  /**
   * Longest time the search may stay on one file or one stretch of a big file before it is stopped
   * with an error (default {@link PATTERN_TIME_LIMIT_MS}).
   */
  timeLimitMs?: number;
}

function stalled(query: GrepQuery, path: string, ms: number): Error {
  const where = path === "" ? "" : ` on ${path}`;
  const seconds = ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
  return new Error(
    `Cannot run grep: "${query.pattern}" was still matching after ${seconds}${where}, so the search was stopped (nested repetition such as (a+)+ can take exponential time on a long line); simplify the pattern, set literal to true, or narrow path or glob`,
  );
}

/**
 * Searches like `searchNative`, on a worker that an abort, the sink's "enough", or the time limit
 * stops at once. A literal search, or one where no worker can start, runs on the calling thread.
 * @example
 * ```ts
 * await searchNativeGuarded(root, query, { sink, restart() {}, signal, timeLimitMs: 5000 });
 * ```
 */
export function searchNativeGuarded(root: string, query: GrepQuery, options: GuardedOptions): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (query.literal) return searchNative(root, query, options);
  let worker: Worker;
  try {
    if (!canStartWorker()) return searchNative(root, query, options);
    worker = new Worker(new URL("./grep_worker.ts", import.meta.url).href, {
      type: "module",
      name: WORKER_NAME,
    });
  } catch {
    return searchNative(root, query, options);
  }
  const progress = new SharedArrayBuffer(8 + PATH_UNITS * 2);
  const header = new Int32Array(progress, 0, 2);
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  let finished = false;
  let heard = false;
  const finish = (error?: unknown) => {
    if (finished) return;
    finished = true;
    worker.terminate();
    if (error === undefined) resolve();
    else reject(error);
  };

  const limit = options.timeLimitMs ?? PATTERN_TIME_LIMIT_MS;
  let ticks = -1;
  let since = performance.now();
  const watchdog = setInterval(() => {
    const now = performance.now();
    const seen = Atomics.load(header, 0);
    if (seen !== ticks) {
      ticks = seen;
      since = now;
      return;
    }
    if (now - since < limit) return;
    const length = Atomics.load(header, 1);
    const path = String.fromCharCode(...new Uint16Array(progress, 8, length));
    finish(stalled(query, path, limit));
  }, Math.max(10, Math.min(1000, limit / 4)));
  const onAbort = () => finish(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });

  worker.onmessage = (event: MessageEvent<Reply>) => {
    if (finished) return;
    heard = true;
    const reply = event.data;
    switch (reply.kind) {
      case "lines": {
        const { lines } = reply;
        for (let i = 0; i < lines.length; i += 4) {
          const going = options.sink(
            lines[i] as string,
            lines[i + 1] as number,
            lines[i + 2] as string,
            lines[i + 3] as boolean,
          );
          if (!going) return finish();
        }
        return;
      }
      case "notice":
        return options.notice?.(reply.path, reply.message);
      case "unreadable":
        return options.onUnreadable?.(reply.path, reply.reason);
      case "done":
        return finish();
      case "error": {
        const error = reply.name === "SyntaxError"
          ? new SyntaxError(reply.message)
          : new Error(reply.message);
        return finish(error);
      }
    }
  };
  worker.onerror = (event) => {
    // Unhandled, a worker's error would end the whole process.
    event.preventDefault();
    if (finished) return;
    if (!heard && Atomics.load(header, 0) === 0) {
      // The worker did not start (its module could not load): search here instead.
      finished = true;
      worker.terminate();
      searchNative(root, query, options).then(resolve, reject);
      return;
    }
    finish(new Error(`Cannot run grep: the search stopped: ${event.message}`));
  };
  const { fileGlob: _, ...plain } = query;
  const job: Job = {
    root,
    query: plain,
    only: options.only,
    maxLineBytes: options.maxLineBytes,
    progress,
  };
  worker.postMessage(job);
  return promise.finally(() => {
    clearInterval(watchdog);
    signal?.removeEventListener("abort", onAbort);
  });
}
