import { bashTool, createBashTool, miseHotReload } from "../lib/tools/bash.ts";
import { type Tool, ToolError, type ToolResult } from "../lib/core/mod.ts";
import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./support/assert.ts";

interface RunOptions {
  cwd?: string;
  signal?: AbortSignal;
  onUpdate?: (text: string) => void;
}

function run(tool: Tool, args: Record<string, unknown>, options: RunOptions = {}): Promise<ToolResult> {
  return tool.execute(args, {
    cwd: options.cwd ?? Deno.cwd(),
    signal: options.signal ?? new AbortController().signal,
    update: options.onUpdate ?? (() => {}),
  });
}

function textOf(result: ToolResult): string {
  const part = result.content[0];
  assert(part.type === "text");
  return part.text;
}

/** Awaits a promise that must reject with a ToolError and returns the error. */
async function toolError(promise: Promise<unknown>): Promise<ToolError> {
  try {
    await promise;
  } catch (error) {
    assert(error instanceof ToolError, `expected a ToolError, got ${error}`);
    return error;
  }
  throw new Error("expected the tool to fail, but it succeeded");
}

/** Fails instead of hanging when `promise` does not settle within `ms`. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A process counts as running unless it is gone or a zombie (this machine's init may never reap it). */
function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(")") + 2)[0];
  return state !== "Z" && state !== "X";
}

/** Waits for a killed process to finish dying; fails if it is still running after `ms`. */
async function assertGone(pid: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (isRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is still running`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function readPid(path: string): Promise<number> {
  const pid = Number((await Deno.readTextFile(path)).trim());
  assert(Number.isInteger(pid) && pid > 0, `no pid in ${path}`);
  return pid;
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "nanocode-bash-test-" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function mkfifo(path: string): Promise<void> {
  const { success } = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert(success, `mkfifo ${path} failed`);
}

Deno.test("bash returns the output of a command and its exit code in the details", async () => {
  const result = await run(bashTool, { command: "echo hello" });
  assertEquals(textOf(result), "hello");
  assertEquals(result.details?.exitCode, 0);
  assertEquals(result.details?.truncated, false);
  assertEquals(typeof result.details?.durationMs, "number");
});

Deno.test("bash merges stderr into stdout in the order it was written", async () => {
  const result = await run(bashTool, { command: "echo one; echo two >&2; echo three; echo four >&2" });
  assertEquals(textOf(result), "one\ntwo\nthree\nfour");
});

Deno.test("bash throws a ToolError with the output and the exit code when the command fails", async () => {
  const error = await toolError(run(bashTool, { command: "echo partial; echo broken >&2; exit 3" }));
  assertEquals(error.message, "partial\nbroken\n\nCommand exited with code 3");
  assertEquals(error.details?.exitCode, 3);
});

Deno.test("bash reports a failing command without output by its exit code alone", async () => {
  const error = await toolError(run(bashTool, { command: "false" }));
  assertEquals(error.message, "Command exited with code 1");
});

Deno.test("bash answers (no output) when the command prints nothing", async () => {
  const result = await run(bashTool, { command: "true" });
  assertEquals(textOf(result), "(no output)");
});

Deno.test("bash runs the command in the context's working folder", async () => {
  await withTempDir(async (dir) => {
    const result = await run(bashTool, { command: "pwd -P" }, { cwd: dir });
    assertEquals(textOf(result), dir);
  });
});

Deno.test("bash closes stdin so a command reading it ends at once", async () => {
  // Run the tool in a child whose own stdin is an open pipe: inheriting it would leave `cat` waiting.
  const module = new URL("../lib/tools/bash.ts", import.meta.url).href;
  const script = `import { bashTool } from ${JSON.stringify(module)};
const ctx = { cwd: Deno.cwd(), signal: new AbortController().signal, update() {} };
const result = await bashTool.execute({ command: "cat; readlink /proc/$$/fd/0" }, ctx);
await Deno.stdout.write(new TextEncoder().encode(result.content[0].text));`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const output = await within(20_000, child.output());
    assertEquals(
      new TextDecoder().decode(output.stdout),
      "/dev/null",
      new TextDecoder().decode(output.stderr),
    );
  } finally {
    await child.stdin.close().catch(() => {});
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }
});

Deno.test("bash kills the whole process group when the timeout expires", async () => {
  await withTempDir(async (dir) => {
    const error = await toolError(
      within(
        10_000,
        run(bashTool, { command: "sleep 100 & echo $! > pid; echo waiting; wait", timeout: 1 }, { cwd: dir }),
      ),
    );
    assertEquals(error.message, "waiting\n\nCommand timed out after 1 second");
    assertEquals(error.details?.timedOut, true);
    await assertGone(await readPid(join(dir, "pid")));
  });
});

Deno.test("bash stops a command at the timeout asked, not later", async () => {
  // The upper bound leaves 4 s for starting bash and stopping it on a loaded machine, far below the
  // 30 s the command would take on its own.
  const started = performance.now();
  const error = await toolError(within(30_000, run(bashTool, { command: "sleep 30", timeout: 1 })));
  const elapsed = performance.now() - started;
  assertEquals(error.message, "Command timed out after 1 second");
  assert(elapsed >= 1000, `stopped after ${Math.round(elapsed)} ms, before the 1 s timeout`);
  assert(elapsed < 5000, `stopped after ${Math.round(elapsed)} ms, more than 4 s past the 1 s timeout`);
});

Deno.test("bash treats a zero or negative timeout as no timeout", async () => {
  for (const timeout of [0, -5]) {
    const result = await run(bashTool, { command: "echo done", timeout });
    assertEquals(textOf(result), "done");
  }
});

Deno.test("bash kills the whole process group promptly when the signal aborts", async () => {
  // A long grace period: if SIGTERM did not stop the group, the call would take 30 s and fail below.
  const tool = createBashTool({ killGraceMs: 30_000 });
  await withTempDir(async (dir) => {
    const controller = new AbortController();
    const started = Date.now();
    const error = await toolError(within(
      20_000,
      run(tool, { command: "sleep 100 & echo $! > pid; echo ready; wait" }, {
        cwd: dir,
        signal: controller.signal,
        onUpdate: (text) => {
          if (text.includes("ready")) controller.abort();
        },
      }),
    ));
    assertEquals(error.message, "ready\n\nCommand aborted");
    assertEquals(error.details?.aborted, true);
    assert(Date.now() - started < 10_000, "the abort was not prompt");
    await assertGone(await readPid(join(dir, "pid")));
  });
});

Deno.test("bash sends SIGKILL to a process group that ignores SIGTERM", async () => {
  const tool = createBashTool({ killGraceMs: 100 });
  await withTempDir(async (dir) => {
    const controller = new AbortController();
    const error = await toolError(within(
      10_000,
      run(tool, { command: "trap '' TERM; sleep 100 & echo $! > pid; echo ready; wait" }, {
        cwd: dir,
        signal: controller.signal,
        onUpdate: (text) => {
          if (text.includes("ready")) controller.abort();
        },
      }),
    ));
    assertMatch(error.message, /Command aborted$/);
    await assertGone(await readPid(join(dir, "pid")));
  });
});

Deno.test("bash does not start the command when the signal is already aborted", async () => {
  await withTempDir(async (dir) => {
    const controller = new AbortController();
    controller.abort();
    const error = await toolError(
      run(bashTool, { command: "touch ran" }, { cwd: dir, signal: controller.signal }),
    );
    assertEquals(error.message, "Command aborted");
    assertEquals(await Deno.stat(join(dir, "ran")).then(() => true, () => false), false);
  });
});

Deno.test("bash returns promptly when a background process keeps the output pipe open", async () => {
  await withTempDir(async (dir) => {
    let pid: number | undefined;
    try {
      const result = await within(
        10_000,
        run(bashTool, { command: "sleep 100 & echo $! > pid; echo started" }, { cwd: dir }),
      );
      pid = await readPid(join(dir, "pid"));
      assertEquals(
        textOf(result),
        "started\n\n[Processes this command started in the background are still running; nanocode stops them when it exits.]",
      );
      assert(isRunning(pid), "the background process should be left running");
    } finally {
      pid ??= await readPid(join(dir, "pid")).catch(() => undefined);
      if (pid) Deno.kill(pid, "SIGKILL");
    }
  });
});

Deno.test("bash shows the last 2000 lines and saves the whole output to a file", async () => {
  await withTempDir(async (dir) => {
    const tool = createBashTool({ tempDir: dir });
    const result = await run(tool, { command: "seq 1 5000" });
    const path = result.details?.fullOutputPath;
    assert(typeof path === "string" && path.startsWith(dir), `no full output path in ${result.details}`);
    const lines = Array.from({ length: 5000 }, (_, i) => String(i + 1));
    assertEquals(
      textOf(result),
      `${lines.slice(3000).join("\n")}\n\n[Showing lines 3001-5000 of 5000. Full output: ${path}]`,
    );
    assertEquals(result.details?.truncated, true);
    assertEquals(await Deno.readTextFile(path), `${lines.join("\n")}\n`);
  });
});

Deno.test("bash cuts long lines by bytes and names the 50.0KB limit in the note", async () => {
  await withTempDir(async (dir) => {
    const tool = createBashTool({ tempDir: dir });
    // 100 lines of 1000 digits: 51 of them fit in 50 KB.
    const result = await run(tool, { command: "for i in $(seq 1 100); do printf '%01000d\\n' $i; done" });
    const path = result.details?.fullOutputPath;
    assert(typeof path === "string");
    const lines = Array.from({ length: 100 }, (_, i) => String(i + 1).padStart(1000, "0"));
    assertEquals(
      textOf(result),
      `${lines.slice(49).join("\n")}\n\n[Showing lines 50-100 of 100 (50.0KB limit). Full output: ${path}]`,
    );
    assertEquals(await Deno.readTextFile(path), `${lines.join("\n")}\n`);
  });
});

Deno.test("bash saves every byte of a large output to the full output file", async () => {
  await withTempDir(async (dir) => {
    const tool = createBashTool({ tempDir: dir });
    const result = await run(tool, { command: "seq 1 1000000" });
    const path = result.details?.fullOutputPath;
    assert(typeof path === "string");
    const expected = Array.from({ length: 1_000_000 }, (_, i) => String(i + 1));
    assertEquals(
      textOf(result),
      `${
        expected.slice(998_000).join("\n")
      }\n\n[Showing lines 998001-1000000 of 1000000. Full output: ${path}]`,
    );
    assertEquals(await Deno.readTextFile(path), `${expected.join("\n")}\n`);
  });
});

Deno.test("bash says the full output was not saved when its temp folder cannot be used", async () => {
  await withTempDir(async (dir) => {
    const tool = createBashTool({ tempDir: join(dir, "missing") });
    const result = await run(tool, { command: "seq 1 3000" });
    assertEquals(result.details?.fullOutputPath, undefined);
    assertMatch(textOf(result), /\n\n\[Showing lines 1001-3000 of 3000\. Full output not saved: .+\]$/);
  });
});

Deno.test("bash decodes a multi-byte character split across two chunks", async () => {
  await withTempDir(async (dir) => {
    await mkfifo(join(dir, "go"));
    let release: Promise<void> | undefined;
    // "é" is C3 A9: the first byte arrives alone, the second only after the fifo is written.
    const result = await within(
      10_000,
      run(bashTool, { command: "printf 'caf\\303'; cat go > /dev/null; printf '\\251!\\n'" }, {
        cwd: dir,
        onUpdate: (text) => {
          if (text === "caf") release ??= Deno.writeTextFile(join(dir, "go"), "go\n");
        },
      }),
    );
    await release;
    assert(release, "the first half never arrived as its own update");
    assertEquals(textOf(result), "café!");
  });
});

Deno.test("bash streams output to the update callback while the command runs", async () => {
  await withTempDir(async (dir) => {
    await mkfifo(join(dir, "go"));
    const updates: string[] = [];
    let release: Promise<void> | undefined;
    // The command cannot finish until the test has seen its first line as an update.
    const result = await within(
      10_000,
      run(bashTool, { command: "echo first; cat go > /dev/null; echo second" }, {
        cwd: dir,
        onUpdate: (text) => {
          updates.push(text);
          if (text.includes("first")) release ??= Deno.writeTextFile(join(dir, "go"), "go\n");
        },
      }),
    );
    await release;
    assertEquals(updates[0], "first\n");
    assertEquals(textOf(result), "first\nsecond");
  });
});

Deno.test("bash sends at most one update per interval", async () => {
  await withTempDir(async (dir) => {
    await mkfifo(join(dir, "go"));
    const tool = createBashTool({ updateIntervalMs: 60_000 });
    const updates: string[] = [];
    let release: Promise<void> | undefined;
    const result = await within(
      10_000,
      run(tool, { command: "echo first; cat go > /dev/null; echo second; echo third >&2" }, {
        cwd: dir,
        onUpdate: (text) => {
          updates.push(text);
          release ??= Deno.writeTextFile(join(dir, "go"), "go\n");
        },
      }),
    );
    await release;
    assertEquals(updates, ["first\n"]);
    assertEquals(textOf(result), "first\nsecond\nthird");
  });
});

/** A folder holding a stand-in `mise` (the given sh script) and a project folder beside it. */
async function withMise(
  script: string,
  fn: (paths: { bin: string; project: string; path: string }) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    const bin = join(dir, "bin");
    const project = join(dir, "project");
    await Deno.mkdir(bin);
    await Deno.mkdir(project);
    await Deno.writeTextFile(join(bin, "mise"), `#!/bin/sh\n${script}`);
    await Deno.chmod(join(bin, "mise"), 0o755);
    await fn({ bin, project, path: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}` });
  });
}

Deno.test("bash activates mise's environment for the working folder when mise is on PATH", async () => {
  const script = `[ "$1" = env ] || exit 1\nprintf "export FROM_MISE='%s in %s'\\n" "$*" "$(pwd -P)"\n`;
  await withMise(script, async ({ project, path }) => {
    const tool = createBashTool({ env: { PATH: path } });
    const result = await run(tool, { command: 'echo "$FROM_MISE"' }, { cwd: project });
    assertEquals(textOf(result), `env -s bash in ${project}`);
  });
});

Deno.test("bash reloads mise's environment before every command, so a changed config counts at once", async () => {
  await withMise(
    'printf "export TOOL_VERSION=%s\\n" "$(cat .tool-versions)"\n',
    async ({ project, path }) => {
      const tool = createBashTool({ env: { PATH: path } });
      await Deno.writeTextFile(join(project, ".tool-versions"), "1");
      assertEquals(textOf(await run(tool, { command: 'echo "$TOOL_VERSION"' }, { cwd: project })), "1");
      await Deno.writeTextFile(join(project, ".tool-versions"), "2");
      assertEquals(textOf(await run(tool, { command: 'echo "$TOOL_VERSION"' }, { cwd: project })), "2");
    },
  );
});

Deno.test("a failing mise env puts its error first in one line and the command still runs", async () => {
  const script =
    'echo "export IGNORED=1"\necho "mise ERROR: config is broken" >&2\necho "  at line 3" >&2\nexit 1\n';
  await withMise(script, async ({ project, path }) => {
    const tool = createBashTool({ env: { PATH: path } });
    const error = await toolError(
      run(tool, { command: 'echo "ran ${IGNORED:-clean}"; exit 3' }, { cwd: project }),
    );
    assertEquals(
      error.message,
      "nanocode: mise env failed, so this command runs without mise's environment: " +
        "mise ERROR: config is broken at line 3\nran clean\n\nCommand exited with code 3",
    );
  });
});

Deno.test("NANOCODE_MISE_HOT_RELOAD=0 turns the mise step off, and without mise nothing is added", async () => {
  await withMise('echo "export FROM_MISE=yes"\n', async ({ project, path }) => {
    const off = createBashTool({ env: { PATH: path, NANOCODE_MISE_HOT_RELOAD: "0" } });
    const command = 'echo "[${FROM_MISE-}]"';
    assertEquals(textOf(await run(off, { command }, { cwd: project })), "[]");
    const on = createBashTool({ env: { PATH: path, NANOCODE_MISE_HOT_RELOAD: "1" } });
    assertEquals(textOf(await run(on, { command }, { cwd: project })), "[yes]");
  });
  const without = createBashTool({ env: { PATH: "/usr/bin:/bin" } });
  assertEquals(textOf(await run(without, { command: "echo only" })), "only");
});

Deno.test("miseHotReload is on when an executable mise is on PATH and NANOCODE_MISE_HOT_RELOAD is not 0", async () => {
  await withMise("exit 0\n", async ({ bin, path }) => {
    const env = (vars: Record<string, string>) => (name: string) => vars[name];
    assertEquals(await miseHotReload(env({ PATH: path })), true);
    assertEquals(await miseHotReload(env({ PATH: path, NANOCODE_MISE_HOT_RELOAD: "0" })), false);
    assertEquals(await miseHotReload(env({ PATH: path, NANOCODE_MISE_HOT_RELOAD: "1" })), true);
    assertEquals(await miseHotReload(env({ PATH: "/nonexistent" })), false);
    assertEquals(await miseHotReload(env({})), false);
    await Deno.chmod(join(bin, "mise"), 0o644);
    assertEquals(await miseHotReload(env({ PATH: bin })), false);
  });
});

Deno.test("bash refuses a call without a command and says what to pass", async () => {
  let message = "";
  try {
    await run(bashTool, {});
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
  }
  assertStringIncludes(message, "Cannot run bash: `command` must be a non-empty string");
});

Deno.test("bash refuses a timeout that is not a number", async () => {
  let message = "";
  try {
    await run(bashTool, { command: "echo no", timeout: "soon" });
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
  }
  assertStringIncludes(message, "Cannot run bash: `timeout` must be a number of seconds");
});

Deno.test("bash folds a timeout sent as a numeric string into a number", () => {
  assert(bashTool.prepareArguments);
  assertEquals(bashTool.prepareArguments({ command: "ls", timeout: "30" }), { command: "ls", timeout: 30 });
  assertEquals(bashTool.prepareArguments({ command: "ls", timeout: "soon" }), {
    command: "ls",
    timeout: "soon",
  });
});

Deno.test("bash declares that it needs the run permission", () => {
  assertEquals([...bashTool.permissions], ["run"]);
});

Deno.test("bash strips terminal escapes and keeps the last frame of a redrawn line; the saved log keeps the bytes", async () => {
  await withTempDir(async (dir) => {
    const result = await run(createBashTool({ tempDir: dir }), {
      command: String.raw`printf '\033[31mred\033[0m plain \033]0;title\007done\n10%%\r50%%\r100%%\n'`,
    });
    assertEquals(textOf(result), "red plain done\n100%");
    const big = await run(createBashTool({ tempDir: dir }), {
      command: String.raw`for i in $(seq 1 3000); do printf '\033[32mline %d\033[0m\n' $i; done`,
    });
    assertStringIncludes(textOf(big), "line 3000\n");
    assert(!textOf(big).includes("\x1b"));
    const saved = await Deno.readTextFile(String(big.details?.fullOutputPath));
    assertStringIncludes(saved, "\x1b[32mline 1\x1b[0m\n");
  });
});

Deno.test("bash has a default timeout from NANOCODE_BASH_TIMEOUT, and a call's own timeout wins", async () => {
  const started = Date.now();
  const error = await toolError(bashTool.execute({ command: "sleep 30" }, {
    cwd: Deno.cwd(),
    signal: new AbortController().signal,
    update: () => {},
    env: (name) => (name === "NANOCODE_BASH_TIMEOUT" ? "1" : undefined),
  }));
  assertStringIncludes(error.message, "Command timed out after 1 second");
  assert(Date.now() - started < 10_000);
  const own = await run(bashTool, { command: "sleep 1.2; echo slept", timeout: 5 });
  assertEquals(textOf(own), "slept");
  assertStringIncludes(bashTool.description, "default 600 (NANOCODE_BASH_TIMEOUT), at most 3600");
});

Deno.test("background processes a command started are stopped, and its logs removed, when nanocode exits", async () => {
  await withTempDir(async (dir) => {
    const script = `${dir}/run.ts`;
    await Deno.writeTextFile(
      script,
      `import { bashTool } from ${JSON.stringify(new URL("../lib/tools/bash.ts", import.meta.url).href)};
import { cleanUp } from ${JSON.stringify(new URL("../lib/proc/mod.ts", import.meta.url).href)};
const ctx = { cwd: ${JSON.stringify(dir)}, signal: new AbortController().signal, update: () => {} };
await bashTool.execute({ command: "sleep 60 > /dev/null 2>&1 & echo $! > pid" }, ctx);
const big = await bashTool.execute({ command: "seq 1 5000" }, ctx);
console.log(big.details?.fullOutputPath);
await cleanUp({ graceMs: 2000 });
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script],
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    const log = new TextDecoder().decode(out.stdout).trim();
    const pid = await readPid(join(dir, "pid"));
    await assertGone(pid);
    assertEquals(await Deno.stat(log).then(() => "exists", () => "removed"), "removed");
  });
});
