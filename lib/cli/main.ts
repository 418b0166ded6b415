/**
 * Wiring: from parsed flags to a running agent in the REPL or headless. Everything here returns an
 * exit code; only the entry point exits.
 * @module
 */

import { type CliOptions, HELP, parseCli } from "./args.ts";
import { ConfigError, UsageError, VERSION } from "../core/mod.ts";
import { readEnv } from "../config/env.ts";
import { cleanUp } from "../proc/leftovers.ts";

/** The process streams and environment a run uses; tests may replace them. */
export interface CliIo {
  stdout: WritableStream<Uint8Array>;
  stderr: WritableStream<Uint8Array>;
  env: (name: string) => string | undefined;
  cwd: string;
}

const encoder = new TextEncoder();

async function writeLine(stream: WritableStream<Uint8Array>, text: string): Promise<void> {
  const writer = stream.getWriter();
  try {
    await writer.write(encoder.encode(text.endsWith("\n") ? text : text + "\n"));
  } finally {
    writer.releaseLock();
  }
}

/** The real process streams. */
export function processIo(): CliIo {
  return { stdout: Deno.stdout.writable, stderr: Deno.stderr.writable, env: readEnv, cwd: Deno.cwd() };
}

/**
 * Reads standard input to its end. When nothing has arrived after a few seconds, `onSlow` is called
 * once, so a person (or a CI log) learns why nanocode waits instead of seeing it hang.
 */
async function readStdin(onSlow: () => Promise<void>): Promise<string> {
  let received = false;
  const timer = setTimeout(() => void (received || onSlow()), 3000);
  const decoder = new TextDecoder();
  let text = "";
  try {
    for await (const chunk of Deno.stdin.readable) {
      received = true;
      text += decoder.decode(chunk, { stream: true });
    }
  } finally {
    clearTimeout(timer);
  }
  return (text + decoder.decode()).trim();
}

/** Runs nanocode with the given arguments and returns the process exit code. */
export async function main(args: string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await run(args, io);
  } catch (error) {
    return await reportError(error, io);
  } finally {
    // Whatever way the run ended: background jobs its commands started are stopped, their logs removed.
    await cleanUp();
  }
}

/** Writes an error as one line and returns its exit code: 2 for usage, 1 otherwise. */
async function reportError(error: unknown, io: CliIo): Promise<number> {
  const message = error instanceof Error ? error.message : String(error);
  const line = error instanceof UsageError || error instanceof ConfigError ? message : message.split("\n")[0];
  await writeLine(io.stderr, `nanocode: ${line}`);
  return error instanceof UsageError ? 2 : 1;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const options = parseCli(args);
  if (options.help) {
    await writeLine(io.stdout, HELP);
    return 0;
  }
  if (options.version) {
    await writeLine(
      io.stdout,
      `nanocode ${VERSION} (deno ${Deno.version.deno}, ${Deno.build.os} ${Deno.build.arch})`,
    );
    return 0;
  }
  if (options.check) {
    const { runDoctor } = await import("./doctor.ts");
    return await runDoctor(options, io);
  }
  if (options.mcp) {
    const { runMcpCommand } = await import("./mcp_login.ts");
    return await runMcpCommand(options.mcp, io);
  }

  if (options.tools !== undefined) {
    const { checkToolNames } = await import("../tools/mod.ts");
    checkToolNames(options.tools);
  }
  if (options.acp) {
    // Editors: standard output carries the protocol and nothing else.
    const { runAcp } = await import("./acp.ts");
    return await runAcp(options, io);
  }

  const interactive = !options.print && options.mode !== "json" && Deno.stdin.isTerminal();
  if (options.export || (options.resume === "" && !interactive)) {
    return await sessionCommand(options, io);
  }
  let prompt = options.prompt;
  if (!interactive && !Deno.stdin.isTerminal()) {
    const piped = await readStdin(async () => {
      if (!options.quiet) {
        await writeLine(
          io.stderr,
          "nanocode: waiting for standard input to end (it is read as part of the prompt); redirect it from /dev/null to skip it",
        );
      }
    });
    if (piped !== "") prompt = prompt === undefined ? piped : `${prompt}\n\n${piped}`;
  }
  if (!interactive && (prompt === undefined || prompt.trim() === "")) {
    throw new UsageError(
      'Cannot run headless without a prompt: pass it as an argument (nanocode -p "…") or on standard input.',
    );
  }

  const [{ resolveConfig }, { createRuntime }] = await Promise.all([
    import("../config/mod.ts"),
    import("./runtime.ts"),
  ]);
  // Reading saved sessions loads only when one is resumed.
  const resuming = options.continue || options.session !== undefined || !!options.resume;
  const resumed = resuming ? await resumeFrom(options, io) : undefined;
  const config = await resolveConfig({
    flags: { model: options.model, baseUrl: options.baseUrl, maxRetries: options.maxRetries },
    env: io.env,
    readFile: async (path) => {
      try {
        return await Deno.readTextFile(path);
      } catch {
        return undefined;
      }
    },
  });
  // Under a narrowed --allow-net that leaves out the endpoint, stop now with the flag to add.
  const { endpointNetProblem } = await import("./permissions.ts");
  const unreachable = endpointNetProblem(config.chatUrl);
  if (unreachable) throw new ConfigError(unreachable);
  const runtime = await createRuntime({ options, config, io, resume: resumed?.session });
  runtime.warnings.push(...(resumed?.notes ?? []));
  // Notes go to stderr, so they never mix with the answer or the JSON events on stdout.
  if (!options.quiet || interactive) {
    for (const warning of runtime.warnings) await writeLine(io.stderr, `nanocode: ${warning}`);
  }

  if (interactive) {
    const { runRepl } = await import("../ui/mod.ts");
    try {
      return await runRepl(runtime, {
        initialPrompt: prompt,
        env: io.env,
        cwd: io.cwd,
        pickSession: options.resume === "",
      });
    } finally {
      // Quitting cancels every child job still running: none is left behind.
      await runtime.jobs.stopAll();
    }
  }

  // Ctrl-C, a kill or a closed terminal stop the run the same way: the request and every running
  // command's process group are ended before nanocode exits, and the exit code names the signal.
  const controller = new AbortController();
  let signalCode = 130;
  let signalled = false;
  const listeners = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) => {
    const handler = () => {
      signalCode = signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 129;
      signalled = true;
      controller.abort();
    };
    try {
      Deno.addSignalListener(signal, handler);
    } catch {
      // Not every platform has every signal (Windows has no SIGTERM listener).
    }
    return [signal, handler] as const;
  });
  try {
    const [{ runHeadless }, { runUntilJobsEnd }] = await Promise.all([
      import("../headless/mod.ts"),
      import("../jobs/mod.ts"),
    ]);
    // A run that started background jobs waits for them and goes on with their results.
    const run = (input: string) => runtime.agent.run(input, controller.signal);
    const code = await runHeadless(runUntilJobsEnd(runtime.jobs, run, prompt!, controller.signal), {
      mode: options.mode,
      quiet: options.quiet,
      showThinking: config.showThinking,
      stdout: io.stdout,
      stderr: io.stderr,
      color: Deno.stderr.isTerminal() && io.env("NO_COLOR") === undefined,
      onClosed: () => controller.abort(),
    });
    // Stopped while it waited for background jobs, after a run that ended well: the signal still counts.
    return code === 130 || signalled ? signalCode : code;
  } finally {
    await runtime.jobs.stopAll();
    for (const [signal, handler] of listeners) {
      try {
        Deno.removeSignalListener(signal, handler);
      } catch {
        // It was never added.
      }
    }
  }
}

/** The saved session `--continue`, `--resume <query>` or `--session <path>` names. */
async function resumeFrom(options: CliOptions, io: CliIo) {
  const { lookupIn, resolveResume, sessionsRoot } = await import("./sessions.ts");
  return await resolveResume(options, lookupIn(sessionsRoot(io.env), io.cwd, "resume a session"));
}

/** `--export` and a bare `--resume` headless: work on saved sessions, without a model or a key. */
async function sessionCommand(options: CliOptions, io: CliIo): Promise<number> {
  const { exportSession, findSessionFile, formatSessionList, lookupIn, sessionsRoot } = await import(
    "./sessions.ts"
  );
  const { listSessions, readSession } = await import("../session/mod.ts");
  const lookup = lookupIn(
    sessionsRoot(io.env),
    io.cwd,
    options.export ? "export a session" : "list sessions",
  );
  if (!options.export) {
    const sessions = await listSessions(lookup.root, { cwd: io.cwd });
    await writeLine(io.stdout, formatSessionList(sessions).join("\n"));
    if (sessions.length > 0) {
      await writeLine(io.stderr, "nanocode: resume one with nanocode -r <id|name|text>");
    }
    return 0;
  }
  const found = await findSessionFile(options.export.session, lookup);
  const session = await readSession(found.path).catch((error) => {
    throw new ConfigError((error as Error).message);
  });
  for (const note of [...found.notes, ...session.warnings]) await writeLine(io.stderr, `nanocode: ${note}`);
  const written = await exportSession(session, options.export.out, io.cwd);
  if (written.path) await writeLine(io.stderr, `nanocode: wrote ${written.path}`);
  else await writeLine(io.stdout, written.text);
  return 0;
}
