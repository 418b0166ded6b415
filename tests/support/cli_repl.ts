/**
 * The REPL on the command line's real runtime, driven in-process: fresh nanocode and working folders,
 * a mock endpoint answering scripted turns, and helpers to type a line and wait for what follows it.
 * @module
 */

import { assertEquals } from "./assert.ts";
import { type MockLlm, type MockTurn, startMockLlm } from "./mock_llm.ts";
import { type DriveOptions, driveRepl, type ReplDriver } from "./repl.ts";
import { cliRuntime, type CliRuntimeOptions, sessionFolders } from "./saved_sessions.ts";
import type { Runtime } from "../../lib/cli/runtime.ts";

/** What the idle REPL's status line shows. */
export const IDLE = "/help for commands";

/** A REPL under test. */
export interface CliRepl {
  repl: ReplDriver;
  llm: MockLlm;
  runtime: Runtime;
  /** The nanocode home (`NANOCODE_DIR` and `HOME`). */
  home: string;
  /** The working folder. */
  cwd: string;
  /** Types a line and presses Enter. */
  send(line: string): void;
  /** Waits for `text` to appear after everything printed before the last `send`. */
  next(text: string): Promise<void>;
}

/** How the REPL is set up. */
export interface CliReplSetup extends CliRuntimeOptions {
  /** The endpoint's answers, in order. */
  turns?: MockTurn[];
  /** More command-line words (after `--no-context-files --model mock-model`). */
  args?: string[];
  /** Runs on the fresh folders before the runtime is built (to write configuration or sessions). */
  before?: (folders: { home: string; cwd: string }) => Promise<void>;
  /** How the REPL is driven (default: no colour, 400 columns, so lines of interest do not wrap). */
  drive?: DriveOptions;
  /** Wait for the idle status line before `body` (default true). */
  waitIdle?: boolean;
}

/**
 * Runs `body` against the REPL, then ends it with Ctrl-D and checks it exits 0; the MCP servers and
 * the endpoint are closed and the folders removed whatever happened.
 */
export async function withCliRepl(setup: CliReplSetup, body: (r: CliRepl) => Promise<void>): Promise<void> {
  await using folders = await sessionFolders();
  await setup.before?.(folders);
  const llm = await startMockLlm({ turns: setup.turns ?? [] });
  let runtime: Runtime | undefined;
  try {
    ({ runtime } = await cliRuntime(folders, llm.url, setup.args ?? [], setup));
    const repl = driveRepl(runtime, { env: { NO_COLOR: "1" }, columns: 400, rows: 30, ...setup.drive });
    let mark = 0;
    if (setup.waitIdle ?? true) await repl.waitFor(IDLE);
    await body({
      repl,
      llm,
      runtime,
      home: folders.home,
      cwd: folders.cwd,
      send: (line) => {
        mark = repl.output().length;
        repl.stdin.push(`${line}\r`);
      },
      next: (text) => repl.waitFor(() => repl.output().indexOf(text, mark) >= 0),
    });
    repl.stdin.push("\x04");
    assertEquals(await repl.exit, 0);
  } finally {
    await runtime?.mcp?.close();
    await llm.close();
  }
}
