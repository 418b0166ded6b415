/**
 * Drives the REPL in-process through its stdin/stdout interfaces: keys pushed in, the terminal's
 * output collected, waits on what it shows; and the session controls of a REPL that saves nothing.
 * @module
 */

import { runRepl } from "../../lib/ui/repl.ts";
import type { ReplRuntime, ReplSessions } from "../../lib/ui/runtime.ts";

/** Standard input fed by the test, one chunk per push; `end()` closes it. */
export class FakeStdin {
  #chunks: (Uint8Array | null)[] = [];
  #wake: (() => void) | undefined;
  raw = false;
  constructor(readonly tty: boolean) {}
  isTerminal = () => this.tty;
  setRaw = (mode: boolean) => void (this.raw = mode);
  push(text: string): void {
    this.#chunks.push(new TextEncoder().encode(text));
    this.#wake?.();
  }
  end(): void {
    this.#chunks.push(null);
    this.#wake?.();
  }
  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    const chunk = this.#chunks.shift()!;
    if (chunk === null) return null;
    buffer.set(chunk);
    return chunk.length;
  }
}

/**
 * How long a wait may take before the test fails. Only a hang should reach it: the waits end on
 * their condition, so a loaded machine makes a test slower, never red.
 */
export const HANG_MS = 30_000;

/** A running REPL. */
export interface ReplDriver {
  stdin: FakeStdin;
  /** Everything written to the terminal so far. */
  output(): string;
  /**
   * Waits until the output contains `text` (or the test holds): checked on every write to the
   * terminal and on a slow poll for state that changes without output; fails only on a hang.
   */
  waitFor(text: string | (() => boolean)): Promise<void>;
  /** The exit code, once the REPL has ended. */
  exit: Promise<number>;
  /** Delivers a signal to the handlers the REPL registered. */
  signal(name: string): void;
}

/** How {@link driveRepl} starts the REPL. */
export interface DriveOptions {
  /** Whether stdin and stdout are terminals (default true). */
  tty?: boolean;
  env?: Record<string, string>;
  initialPrompt?: string;
  pickSession?: boolean;
  /** Terminal size (default 60×20). */
  columns?: number;
  rows?: number;
}

/** Starts `runRepl` on `runtime` with a fake terminal. */
export function driveRepl(runtime: ReplRuntime, options: DriveOptions = {}): ReplDriver {
  const stdin = new FakeStdin(options.tty ?? true);
  const handlers = new Map<string, () => void>();
  let text = "";
  const decoder = new TextDecoder();
  const written = new Set<() => void>();
  const stdout = {
    writable: new WritableStream<Uint8Array>({
      write(chunk) {
        text += decoder.decode(chunk);
        for (const wake of written) wake();
      },
    }),
    isTerminal: () => options.tty ?? true,
  };
  const exit = runRepl(runtime, {
    stdin,
    stdout,
    initialPrompt: options.initialPrompt,
    pickSession: options.pickSession,
    env: (name) => options.env?.[name],
    size: () => ({ columns: options.columns ?? 60, rows: options.rows ?? 20 }),
    cwd: "/",
    onSignal: (name, handler) => {
      handlers.set(name, handler);
      return () => handlers.delete(name);
    },
  });
  return {
    stdin,
    output: () => text,
    exit,
    signal: (name) => handlers.get(name)?.(),
    async waitFor(what) {
      const test = typeof what === "string" ? () => text.includes(what) : what;
      if (test()) return;
      let wake = () => {};
      let poll: ReturnType<typeof setInterval> | undefined;
      let deadline: ReturnType<typeof setTimeout> | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          wake = () => {
            if (test()) resolve();
          };
          written.add(wake);
          poll = setInterval(wake, 20);
          deadline = setTimeout(
            () =>
              reject(new Error(`Cannot find ${String(what)} in the output within ${HANG_MS} ms:\n${text}`)),
            HANG_MS,
          );
        });
      } finally {
        written.delete(wake);
        clearInterval(poll);
        clearTimeout(deadline);
      }
    },
  };
}

/**
 * The session controls of a REPL run with `--no-session`: nothing listed, nothing saved. For tests
 * about other things; the session commands are tested against the real runtime.
 */
export const NO_SESSIONS: ReplSessions = {
  path: undefined,
  enabled: false,
  name() {
    throw new Error("Cannot name the session: nanocode runs with --no-session, so nothing is saved.");
  },
  list: () => Promise.resolve([]),
  resume: (query) => Promise.reject(new Error(`Cannot find a session matching "${query}": none is saved.`)),
  fork: () => Promise.resolve(undefined),
  export: () => Promise.reject(new Error("Cannot export yet: nothing of this session has been saved.")),
};
