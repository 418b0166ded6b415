/**
 * Saved sessions for tests: real files written by the session writer into a temporary nanocode
 * folder, and the command line's runtime built on that folder against the mock endpoint.
 * @module
 */

import { join } from "node:path";
import { parseCli } from "../../lib/cli/args.ts";
import { createRuntime, type Runtime } from "../../lib/cli/runtime.ts";
import { resolveConfig } from "../../lib/config/mod.ts";
import type { Message } from "../../lib/core/mod.ts";
import { sessionsFolder, SessionWriter } from "../../lib/session/mod.ts";

/** A session to write. */
export interface SeedSession {
  id: string;
  /** The folder it was started in. */
  cwd: string;
  /** User prompts, each answered by `answer <n>`. */
  prompts: string[];
  name?: string;
  model?: string;
  /** When it was last written (the file's modification time). */
  updated?: Date;
}

/** Writes a session under `<home>/sessions` with the session writer; returns its path. */
export async function writeSession(home: string, seed: SeedSession): Promise<string> {
  const writer = new SessionWriter({
    dir: sessionsFolder(join(home, "sessions"), seed.cwd),
    header: {
      id: seed.id,
      cwd: seed.cwd,
      model: seed.model ?? "mock-model",
      endpoint: "127.0.0.1",
      nanocode: "test",
    },
  });
  writer.record({ type: "system_prompt", prompt: "sys" });
  seed.prompts.forEach((prompt, i) => {
    const user: Message = { role: "user", content: prompt };
    writer.record({ type: "message", message: user });
    writer.record({ type: "message", message: { role: "assistant", content: `answer ${i + 1}` } });
  });
  if (seed.name) writer.record({ type: "name", name: seed.name });
  writer.close();
  const path = writer.path!;
  if (seed.updated) await Deno.utime(path, seed.updated, seed.updated);
  return path;
}

/** A temporary nanocode home and a working folder; `await using` removes them. */
export interface SessionFolders extends AsyncDisposable {
  /** `NANOCODE_DIR`. */
  home: string;
  /** The cwd the runtime works in (a real path, as `Deno.cwd()` reports it). */
  cwd: string;
}

/** Makes a fresh nanocode home and working folder. */
export async function sessionFolders(): Promise<SessionFolders> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "nanocode-sessions-" }));
  const home = join(root, "home");
  const cwd = join(root, "work");
  await Deno.mkdir(home);
  await Deno.mkdir(cwd);
  return {
    home,
    cwd,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }).catch(() => {}),
  };
}

/** What {@link cliRuntime} may be given besides the folders and the endpoint. */
export interface CliRuntimeOptions {
  /** Offer every tool the permissions allow (MCP included), rather than none. */
  allTools?: boolean;
  /** More variables the runtime reads (besides `NANOCODE_DIR`, `HOME` and `OPENAI_BASE_URL`). */
  env?: Record<string, string>;
}

/**
 * The command line's runtime, as `nanocode <args>` builds it, on `folders` against `baseUrl`: no
 * context files and no tools unless `args` or `options` say otherwise. Its notes are collected in `notes`.
 */
export async function cliRuntime(
  folders: { home: string; cwd: string },
  baseUrl: string,
  args: string[] = [],
  options: CliRuntimeOptions = {},
): Promise<{ runtime: Runtime; notes: string[] }> {
  const vars: Record<string, string> = {
    NANOCODE_DIR: folders.home,
    HOME: folders.home,
    OPENAI_BASE_URL: baseUrl,
    ...options.env,
  };
  const env = (name: string) => vars[name];
  const tools = options.allTools ? [] : ["--tools", "none"];
  const cli = parseCli(["--no-context-files", ...tools, "--model", "mock-model", ...args]);
  const config = await resolveConfig({
    flags: { model: cli.model },
    env,
    readFile: () => Promise.resolve(undefined),
  });
  const notes: string[] = [];
  const decoder = new TextDecoder();
  const sink = new WritableStream<Uint8Array>({ write: (chunk) => void notes.push(decoder.decode(chunk)) });
  const runtime = await createRuntime({
    options: cli,
    config,
    io: { stdout: sink, stderr: sink, env, cwd: folders.cwd },
  });
  return { runtime, notes };
}
