/**
 * Child processes that lead their own process group, so that stopping one also stops everything it
 * started (pipelines, `cmd &`, grandchildren), and reading their output without waiting on a pipe that
 * a leftover background process keeps open.
 * @module
 */

/**
 * Spawns `command` as the leader of a new session and process group (Deno's `detached` option calls
 * `setsid()` in the child), so its pid is also the id of its group.
 */
export function spawnGroupLeader(command: string, options: Deno.CommandOptions): Deno.ChildProcess {
  return new Deno.Command(command, { ...options, detached: true }).spawn();
}

/**
 * Sends `signal` to the process group led by `pid`; when no such group exists (the child did not become
 * a group leader), to the process alone. Returns whether anything received it; never throws, since a
 * group that is already gone has nothing left to stop.
 */
export function signalGroup(pid: number, signal: Deno.Signal): boolean {
  for (const target of [-pid, pid]) {
    try {
      Deno.kill(target, signal);
      return true;
    } catch {
      // ESRCH: no such group (or process); try the next target.
    }
  }
  return false;
}

/** Options for {@link stopGroup}. */
export interface StopGroupOptions {
  /** Resolves once the group has let go (e.g. the leader exited and its output reached the end). */
  settled: Promise<unknown>;
  /** Milliseconds between SIGTERM and SIGKILL (default 2000). */
  graceMs?: number;
}

/**
 * Stops the group led by `pid`: SIGTERM first, then SIGKILL when `settled` has not resolved within the
 * grace period. Resolves with the signal that was sent last.
 */
export async function stopGroup(pid: number, options: StopGroupOptions): Promise<"SIGTERM" | "SIGKILL"> {
  signalGroup(pid, "SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const graceOver = new Promise<"grace">((resolve) => {
    timer = setTimeout(() => resolve("grace"), options.graceMs ?? 2000);
  });
  const outcome = await Promise.race([
    options.settled.then(() => "settled" as const, () => "settled" as const),
    graceOver,
  ]);
  clearTimeout(timer);
  if (outcome === "settled") return "SIGTERM";
  signalGroup(pid, "SIGKILL");
  return "SIGKILL";
}

/** A stream being read chunk by chunk until its end or until told to stop. */
export interface Pump {
  /** Resolves when the stream ended or reading stopped; never rejects. */
  done: Promise<void>;
  /** Stops reading: a pending read ends and the stream is cancelled (closing our end of the pipe). */
  stop(): void;
}

/** Bytes read from a pipe at most at once; also the size of the one buffer a pump reads into. */
const READ_SIZE = 64 * 1024;

/**
 * Reads `stream` to its end, handing each chunk to `onChunk` and awaiting it (so a slow consumer slows
 * the reading instead of piling up chunks in memory). Each chunk is the consumer's to keep.
 *
 * A byte stream (a child's stdout) is read into one reused buffer and each chunk copied out at its
 * size: a plain read allocates a fresh 64 KB buffer per read even when the pipe held 4 KB, and those
 * buffers only go when the garbage collector gets round to them, so a chatty command left megabytes
 * behind.
 */
export function pump(
  stream: ReadableStream<Uint8Array>,
  onChunk: (bytes: Uint8Array) => void | Promise<void>,
): Pump {
  const { reader, next } = chunkReader(stream);
  const done = (async () => {
    try {
      for (let chunk = await next(); chunk !== undefined; chunk = await next()) {
        if (chunk.length > 0) await onChunk(chunk);
      }
    } catch {
      // A cancelled or broken pipe ends the reading; the output gathered so far stands.
    }
  })();
  return {
    done,
    stop: () => {
      reader.cancel().catch(() => {});
    },
  };
}

/** A reader of `stream` and a function that reads its next chunk (undefined at the end). */
function chunkReader(stream: ReadableStream<Uint8Array>): {
  reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;
  next: () => Promise<Uint8Array | undefined>;
} {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = stream.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream: take its chunks as they come.
    const reader = stream.getReader();
    return { reader, next: async () => (await reader.read()).value };
  }
  let buffer = new ArrayBuffer(READ_SIZE);
  const next = async () => {
    const { value, done } = await byob.read(new Uint8Array(buffer));
    // The buffer comes back (moved into a new ArrayBuffer object) with the bytes read.
    if (value) buffer = value.buffer as ArrayBuffer;
    return done ? undefined : value.slice();
  };
  return { reader: byob, next };
}

/** Options for {@link drainPumps}. */
export interface DrainOptions {
  /** When the last chunk arrived (ms since the epoch); reading stops after this much silence. */
  lastChunkAt: () => number;
  /** Milliseconds of silence after which reading stops (default 100). */
  idleMs?: number;
  /** Most milliseconds spent draining, however chatty the stream (default 1000). */
  maxMs?: number;
}

/**
 * After the main process exited: lets the pumps read what is already in the pipes, then stops them once
 * the pipes fall silent, since a background grandchild may hold them open (and even keep writing)
 * long after. Resolves once every pump is done.
 */
export async function drainPumps(pumps: readonly Pump[], options: DrainOptions): Promise<void> {
  const idleMs = options.idleMs ?? 100;
  const maxMs = options.maxMs ?? 1000;
  const all = Promise.all(pumps.map((p) => p.done));
  const start = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const quiet = new Promise<void>((resolve) => {
    const check = () => {
      const now = Date.now();
      const silent = now - Math.max(start, options.lastChunkAt());
      const spent = now - start;
      if (silent >= idleMs || spent >= maxMs) resolve();
      else timer = setTimeout(check, Math.min(idleMs - silent, maxMs - spent));
    };
    timer = setTimeout(check, idleMs);
  });
  await Promise.race([all, quiet]);
  clearTimeout(timer);
  for (const p of pumps) p.stop();
  await all;
}
