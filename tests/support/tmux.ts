/**
 * A small tmux driver for tests of the interactive REPL: a detached session of fixed size on its own
 * server socket, keys sent in, the pane captured, and waits on text appearing with a deadline.
 * @module
 */

import { fileURLToPath } from "node:url";

/** The path of main.ts. */
export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** Whether tmux can be run here; tests that need it are ignored otherwise. */
export const HAS_TMUX: boolean = (() => {
  try {
    return new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();

/** How to start a session. */
export interface TmuxOptions {
  /** Variables set for the program, on top of PATH, HOME (a fresh temp folder) and TERM. */
  env?: Record<string, string>;
  /** Working folder of the program (default: a fresh temp folder). */
  cwd?: string;
  /** Pane size (default 100×30). */
  columns?: number;
  rows?: number;
}

/** A running tmux session. */
export interface TmuxSession {
  /** Sends tmux key names (`Enter`, `C-c`, `Up`). */
  keys(...names: string[]): Promise<void>;
  /** Types text literally (no key-name lookup). */
  type(text: string): Promise<void>;
  /** The pane's scrollback and visible rows (only the visible rows with `visible`), trailing blanks removed. */
  capture(options?: { visible?: boolean }): Promise<string>;
  /**
   * Polls the pane until `pattern` appears (a string, a RegExp, or a test on the whole text) and
   * returns the pane; throws with the pane's content after `timeoutMs` (default 60 s). The deadline
   * only bounds a hang: the wait ends on the condition, so a loaded machine is slower, never red.
   */
  waitFor(
    pattern: string | RegExp | ((pane: string) => boolean | Promise<boolean>),
    options?: { timeoutMs?: number; visible?: boolean },
  ): Promise<string>;
  /** Resizes the pane's window. */
  resize(columns: number, rows: number): Promise<void>;
  /** True once the program has exited (the pane stays, showing its last screen). */
  exited(): Promise<boolean>;
  /** Kills the server and removes temp folders. */
  close(): Promise<void>;
}

async function tmux(socket: string, args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", {
    args: ["-L", socket, ...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (!out.success) {
    throw new Error(`Cannot run tmux ${args[0]}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * Starts `deno run -A main.ts <args>` in a detached tmux session.
 * @example
 * ```ts
 * const term = await startNanocode([], { env: { OPENAI_BASE_URL: llm.url } });
 * await term.waitFor("❯");
 * ```
 */
export async function startNanocode(args: string[], options: TmuxOptions = {}): Promise<TmuxSession> {
  const socket = `nanocode-test-${crypto.randomUUID().slice(0, 8)}`;
  const temp = await Deno.makeTempDir({ prefix: "nanocode-tmux-" });
  const home = `${temp}/home`;
  const cwd = options.cwd ?? `${temp}/work`;
  await Deno.mkdir(home);
  await Deno.mkdir(cwd, { recursive: true });
  // The pane stays after the program exits, so a test can still read its last screen.
  const conf = `${temp}/tmux.conf`;
  await Deno.writeTextFile(conf, "set -g remain-on-exit on\nset -g history-limit 5000\nset -g status off\n");
  const realHome = Deno.env.get("HOME") ?? "";
  const denoDir = Deno.env.get("DENO_DIR") ?? (realHome ? `${realHome}/.cache/deno` : undefined);
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: home,
    ...(denoDir ? { DENO_DIR: denoDir } : {}),
    ...options.env,
  };
  const command = [Deno.execPath(), "run", "--quiet", "-A", "--config", CONFIG, MAIN, ...args];
  const start = await new Deno.Command("tmux", {
    args: [
      "-L",
      socket,
      "-f",
      conf,
      "new-session",
      "-d",
      "-s",
      "main",
      "-x",
      String(options.columns ?? 100),
      "-y",
      String(options.rows ?? 30),
      "-c",
      cwd,
      ...command,
    ],
    env,
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!start.success) {
    throw new Error(`Cannot start tmux: ${new TextDecoder().decode(start.stderr).trim()}`);
  }

  const capture = async ({ visible = false } = {}) =>
    (await tmux(socket, ["capture-pane", "-p", "-J", ...(visible ? [] : ["-S", "-"]), "-t", "main"]))
      .replace(/\s+$/, "");
  return {
    keys: async (...names) => void await tmux(socket, ["send-keys", "-t", "main", ...names]),
    type: async (text) => void await tmux(socket, ["send-keys", "-t", "main", "-l", text]),
    capture,
    async waitFor(pattern, { timeoutMs = 60_000, visible = false } = {}) {
      const test = typeof pattern === "string"
        ? (pane: string) => pane.includes(pattern)
        : pattern instanceof RegExp
        ? (pane: string) => pattern.test(pane)
        : pattern;
      const deadline = Date.now() + timeoutMs;
      let pane = "";
      while (Date.now() < deadline) {
        pane = await capture({ visible });
        if (await test(pane)) return pane;
        // Polling the pane is the synchronisation: wait for the next poll, not for a guessed duration.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(
        `Cannot find ${String(pattern)} in the pane within ${timeoutMs} ms. The pane:\n${pane}`,
      );
    },
    resize: async (columns, rows) =>
      void await tmux(socket, ["resize-window", "-t", "main", "-x", String(columns), "-y", String(rows)]),
    exited: async () =>
      (await tmux(socket, ["display-message", "-p", "-t", "main", "#{pane_dead}"])).trim() === "1",
    async close() {
      await tmux(socket, ["kill-server"]).catch(() => {});
      await Deno.remove(temp, { recursive: true }).catch(() => {});
    },
  };
}
