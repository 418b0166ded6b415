/**
 * End-to-end: main.ts runs as a child process against the scripted mock endpoint, as a user or CI
 * job would run it.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./support/assert.ts";
import { type MockLlm, startMockLlm } from "./support/mock_llm.ts";
import { runMain, spawnMain } from "./support/run_main.ts";
import { VERSION } from "../lib/core/mod.ts";
import type { AgentEvent } from "../lib/core/mod.ts";
import { replay } from "../lib/agent/mod.ts";

async function withMock(fn: (mock: MockLlm, env: Record<string, string>) => Promise<void>): Promise<void> {
  const mock = await startMockLlm();
  try {
    await fn(mock, { OPENAI_BASE_URL: mock.url, MODEL: "mock-model" });
  } finally {
    await mock.close();
  }
}

function events(stdout: string): AgentEvent[] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line));
}

function toolNames(body: { tools?: { function: { name: string } }[] }): string[] {
  return (body.tools ?? []).map((t) => t.function.name);
}

/** Reads a child's stdout line by line until a predicate holds; returns the lines so far. */
async function readUntil(
  child: Deno.ChildProcess,
  predicate: (line: string) => boolean,
  stream: ReadableStream<Uint8Array> = child.stdout,
): Promise<string[]> {
  const lines: string[] = [];
  let buffer = "";
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stdout ended before the expected line:\n${lines.join("\n")}`);
    buffer += value;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      if (predicate(line)) {
        reader.releaseLock();
        return lines;
      }
    }
  }
}

Deno.test("--version prints the version and --help names every flag", async () => {
  const version = await runMain(["--version"]);
  assertEquals(version.code, 0);
  assertEquals(
    version.stdout,
    `nanocode ${VERSION} (deno ${Deno.version.deno}, ${Deno.build.os} ${Deno.build.arch})\n`,
  );
  const help = await runMain(["--help"]);
  assertEquals(help.code, 0);
  for (
    const flag of [
      "--print",
      "--mode",
      "--quiet",
      "--model",
      "--system-prompt",
      "--append-system-prompt",
      "--tools",
      "--no-context-files",
      "--version",
    ]
  ) assertStringIncludes(help.stdout, flag);
});

Deno.test("an unknown flag is a one-line usage error with exit code 2", async () => {
  const result = await runMain(["--frobnicate"]);
  assertEquals(result.code, 2);
  assertEquals(result.stderr.trim().split("\n").length, 1);
  assertMatch(result.stderr, /^nanocode: Cannot parse the command line: .*--frobnicate.*--help/);
});

Deno.test("headless without a prompt is a usage error", async () => {
  const result = await runMain(["-p"], { env: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" } });
  assertEquals(result.code, 2);
  assertMatch(result.stderr, /without a prompt/);
});

Deno.test("no key for a remote endpoint fails before any request, naming the variables", async () => {
  const result = await runMain(["-p", "hi"], { env: {} });
  assertEquals(result.code, 1);
  assertEquals(
    result.stderr,
    "nanocode: Cannot call https://opencode.ai/zen/go/v1: no API key found; set OPENCODE_API_KEY (or OPENCODE_GO_API_KEY, OPENAI_API_KEY), or log in with OpenCode\n",
  );
});

Deno.test("--print prints the final answer and sends the agent's headers", async () => {
  await withMock(async (mock, env) => {
    mock.push({ text: "Hello there." });
    const result = await runMain(["-p", "say hello"], { env: { ...env, OPENAI_API_KEY: "sk-test" } });
    assertEquals([result.code, result.stdout], [0, "Hello there.\n"]);
    const [request] = mock.requests;
    assertEquals(request.headers["user-agent"], `nanocode/${VERSION}`);
    assertEquals(request.headers["authorization"], "Bearer sk-test");
    assertMatch(request.headers["x-opencode-session"], /^[0-9a-f-]{36}$/);
    assertEquals(request.body.model, "mock-model");
    assertEquals(request.body.stream, true);
    assertEquals(request.body.messages.at(-1), { role: "user", content: "say hello" });
    assertEquals(request.body.messages[0].role, "system");
  });
});

Deno.test("the prompt may come on standard input, joined after an argument", async () => {
  await withMock(async (mock, env) => {
    mock.push({ text: "a" }, { text: "b" });
    const piped = await runMain(["-p"], { env, stdin: "from stdin\n" });
    assertEquals(piped.code, 0);
    assertEquals(mock.requests[0].body.messages.at(-1).content, "from stdin");
    const both = await runMain(["-p", "summarise"], { env, stdin: "the text" });
    assertEquals(both.code, 0);
    assertEquals(mock.requests[1].body.messages.at(-1).content, "summarise\n\nthe text");
  });
});

Deno.test("a bash tool call runs, its result goes back, and the session id stays stable", async () => {
  await withMock(async (mock, env) => {
    mock.push({ toolCalls: [{ name: "bash", arguments: { command: "echo from-bash" } }] }, {
      text: "ran it",
    });
    const result = await runMain(["-p", "run echo"], { env });
    assertEquals([result.code, result.stdout], [0, "ran it\n"]);
    assertStringIncludes(result.stderr, '⏺ bash(command="echo from-bash")');
    const second = mock.requests[1].body.messages;
    const toolMessage = second.find((m: { role: string }) => m.role === "tool");
    assertEquals(toolMessage.content, "from-bash");
    assertEquals(
      mock.requests[0].headers["x-opencode-session"],
      mock.requests[1].headers["x-opencode-session"],
    );
  });
});

Deno.test("--mode json carries whole messages: replaying them rebuilds each request the endpoint got", async () => {
  await withMock(async (mock, env) => {
    const dir = await Deno.makeTempDir();
    await Deno.writeTextFile(`${dir}/a.txt`, "alpha\n");
    await Deno.writeTextFile(`${dir}/b.txt`, "beta\n");
    mock.push(
      {
        reasoning: "read both",
        toolCalls: [
          { id: "c1", name: "read", arguments: { path: "a.txt" } },
          { id: "c2", name: "read", arguments: { path: "b.txt" } },
        ],
      },
      {
        reasoning: "now a command",
        toolCalls: [{ id: "c3", name: "bash", arguments: { command: "echo hi" } }],
      },
      { text: "all done" },
    );
    const result = await runMain(["--mode", "json", "read a.txt and b.txt"], { env, cwd: dir });
    assertEquals(result.code, 0, result.stderr);
    const list = events(result.stdout);
    const turnStarts = list.flatMap((e, i) => (e.type === "turn_start" ? [i] : []));
    assertEquals(turnStarts.length, 3);
    assertEquals(mock.requests.length, 3);
    for (const [n, at] of turnStarts.entries()) {
      const rebuilt = replay(list.slice(0, at));
      assertEquals(rebuilt.messages, mock.requests[n].body.messages);
    }
    const first = list.slice(0, turnStarts[0]).map((e) => e.type);
    assertEquals(first, ["agent_start", "system_prompt", "message"]);
    const assistant = list.find((e) => e.type === "message" && e.message.role === "assistant");
    assert(assistant?.type === "message" && assistant.message.role === "assistant");
    assertEquals(assistant.message.reasoning_content, "read both");
    await Deno.remove(dir, { recursive: true });
  });
});

Deno.test("--mode json prints one event per line from agent_start to agent_end", async () => {
  await withMock(async (mock, env) => {
    mock.push(
      {
        reasoning: "thinking it over",
        toolCalls: [{ name: "bash", arguments: { command: "echo json-mode" } }],
      },
      { text: "done", usage: { prompt_tokens: 7, completion_tokens: 3 } },
    );
    const result = await runMain(["--mode", "json", "go"], { env });
    assertEquals(result.code, 0);
    const list = events(result.stdout);
    const types = list.map((e) => e.type);
    assertEquals(types[0], "agent_start");
    assertEquals(types.at(-1), "agent_end");
    for (
      const t of [
        "turn_start",
        "thinking_delta",
        "tool_call",
        "tool_result",
        "text_delta",
        "usage",
        "turn_end",
      ]
    ) {
      assert(types.includes(t as AgentEvent["type"]), `missing ${t} in ${types.join(",")}`);
    }
    const call = list.find((e) => e.type === "tool_call");
    assertEquals(call?.type === "tool_call" && call.args, { command: "echo json-mode" });
    const end = list.at(-1);
    assert(end?.type === "agent_end");
    assertEquals([end.text, end.reason, end.turns], ["done", "stop", 2]);
  });
});

Deno.test("--quiet prints only the answer; the trace otherwise shows reasoning unless SHOW_THINKING=0", async () => {
  await withMock(async (mock, env) => {
    const turns = () => [
      { reasoning: "secret plan", toolCalls: [{ name: "bash", arguments: { command: "true" } }] },
      { text: "ok" },
    ];
    mock.push(...turns());
    const quiet = await runMain(["-p", "-q", "x"], { env });
    assertEquals([quiet.code, quiet.stdout, quiet.stderr], [0, "ok\n", ""]);
    mock.push(...turns());
    const loud = await runMain(["-p", "x"], { env });
    assertStringIncludes(loud.stderr, "secret plan");
    assertStringIncludes(loud.stderr, "⏺ bash");
    mock.push(...turns());
    const hidden = await runMain(["-p", "x"], { env: { ...env, SHOW_THINKING: "0" } });
    assertEquals(hidden.stderr.includes("secret plan"), false);
    assertStringIncludes(hidden.stderr, "⏺ bash");
  });
});

Deno.test("--tools narrows the surface and rejects unknown names", async () => {
  await withMock(async (mock, env) => {
    mock.push({ text: "a" }, { text: "b" }, { text: "c" });
    await runMain(["-p", "--tools", "none", "x"], { env });
    assertEquals(mock.requests[0].body.tools, undefined);
    await runMain(["-p", "--tools", "read,bash", "x"], { env });
    assertEquals(toolNames(mock.requests[1].body), ["read", "bash"]);
    await runMain(["-p", "x"], { env });
    assertEquals(toolNames(mock.requests[2].body), [
      "read",
      "write",
      "edit",
      "bash",
      "glob",
      "find",
      "ls",
      "grep",
      "webfetch",
      "websearch",
      "nanocode",
    ]);
    const bad = await runMain(["-p", "--tools", "read,teleport", "x"], { env });
    assertEquals(bad.code, 2);
    assertMatch(bad.stderr, /unknown tool teleport: choose from read, write/);
  });
});

Deno.test("tools without their Deno permission are left out, and the user is told the flag", async () => {
  await withMock(async (mock, env) => {
    mock.push({ text: "a" });
    const cwd = await Deno.makeTempDir();
    const result = await runMain(["-p", "x"], {
      env,
      cwd,
      permissions: ["--allow-read", "--allow-env", "--allow-net=127.0.0.1", "--allow-sys"],
    });
    assertEquals(result.code, 0, result.stderr);
    const names = toolNames(mock.requests[0].body);
    for (const absent of ["write", "edit", "bash"]) assertEquals(names.includes(absent), false, absent);
    assert(names.includes("read"));
    assertMatch(result.stderr, /write \(needs --allow-write\)/);
    assertMatch(result.stderr, /bash \(needs --allow-run\)/);
    assertMatch(mock.requests[0].body.messages[0].content, /bash \(needs --allow-run\)/);
  });
});

Deno.test("--system-prompt replaces and --append-system-prompt (text or file) extends the prompt", async () => {
  await withMock(async (mock, env) => {
    const dir = await Deno.makeTempDir();
    await Deno.writeTextFile(`${dir}/extra.md`, "Appended from a file.");
    mock.push({ text: "a" });
    await runMain(["-p", "--system-prompt", "You are terse.", "--append-system-prompt", "extra.md", "x"], {
      env,
      cwd: dir,
    });
    assertEquals(mock.requests[0].body.messages[0], {
      role: "system",
      content: "You are terse.\n\nAppended from a file.",
    });
  });
});

Deno.test("a malformed tool call goes back to the model as a tool error and the run goes on", async () => {
  await withMock(async (mock, env) => {
    mock.push(
      {
        toolCalls: [{ name: "bash", arguments: '{"command": "echo' }, { name: "nosuchtool", arguments: {} }],
      },
      { text: "recovered" },
    );
    const result = await runMain(["-p", "x"], { env });
    assertEquals([result.code, result.stdout], [0, "recovered\n"]);
    const tools = mock.requests[1].body.messages.filter((m: { role: string }) => m.role === "tool");
    assertEquals(tools.length, 2);
    assertMatch(tools[0].content, /not valid JSON/);
    assertMatch(tools[1].content, /Unknown tool "nosuchtool"/);
  });
});

Deno.test("HTTP errors are one line with the server's message and exit code 1", async () => {
  await withMock(async (mock, env) => {
    mock.push({ status: 401, body: { error: { message: "Invalid API key provided" } } });
    const unauthorized = await runMain(["-p", "x"], { env });
    assertEquals(unauthorized.code, 1);
    assertEquals(unauthorized.stderr.trim().split("\n").length, 1, unauthorized.stderr);
    assertStringIncludes(unauthorized.stderr, "Invalid API key provided");
    assertMatch(unauthorized.stderr, /key/i);
    mock.push({ status: 404, body: { error: { message: "model not found" } } });
    const missing = await runMain(["-p", "x"], { env });
    assertEquals(missing.code, 1);
    assertMatch(
      missing.stderr,
      /model not found.*(unknown model|base URL)|(unknown model|base URL).*model not found/,
    );
    mock.push({
      status: 400,
      body: { error: { message: "This model's maximum context length is 8192 tokens" } },
    });
    const overflow = await runMain(["-p", "x"], { env });
    assertEquals(overflow.code, 1);
    assertMatch(overflow.stderr, /too long|context/i);
  });
});

Deno.test("retryable failures are retried with events; an exhausted quota is not", async () => {
  await withMock(async (mock, env) => {
    mock.push(
      { status: 503, body: { error: { message: "overloaded" } }, headers: { "retry-after": "0" } },
      { status: 429, body: { error: { message: "slow down" } }, headers: { "retry-after-ms": "10" } },
      { text: "third time lucky" },
    );
    const result = await runMain(["--mode", "json", "x"], { env });
    assertEquals(result.code, 0, result.stderr);
    const retries = events(result.stdout).filter((e) => e.type === "retry");
    assertEquals(retries.length, 2);
    assertEquals(mock.requests.length, 3);

    mock.push({
      status: 429,
      body: { error: { message: "You exceeded your quota", type: "insufficient_quota" } },
    });
    const quota = await runMain(["-p", "x"], { env });
    assertEquals(quota.code, 1);
    assertStringIncludes(quota.stderr, "exceeded your quota");
    assertEquals(mock.requests.length, 4);
  });
});

Deno.test("--max-retries bounds the retries", async () => {
  await withMock(async (mock, env) => {
    mock.push(
      { status: 500, headers: { "retry-after": "0" } },
      { status: 500, headers: { "retry-after": "0" } },
      { text: "never reached" },
    );
    const result = await runMain(["-p", "--max-retries", "1", "x"], { env });
    assertEquals(result.code, 1);
    assertEquals(mock.requests.length, 2);
  });
});

Deno.test("a stream cut after output began is reported and never replayed", async () => {
  await withMock(async (mock, env) => {
    mock.push({ text: "partial answer that goes on and on", cutAfterChunks: 2 }, {
      text: "must not be requested",
    });
    const result = await runMain(["-p", "x"], { env });
    assertEquals(result.code, 1);
    assertEquals(mock.requests.length, 1);
    assertEquals(result.stderr.trim().split("\n").length, 1, result.stderr);
  });
});

Deno.test("kimi reasoning is sent back as reasoning_content on the tool-call turn", async () => {
  await withMock(async (mock, env) => {
    mock.push(
      { reasoning: "I should list files", toolCalls: [{ name: "bash", arguments: { command: "true" } }] },
      { text: "ok" },
    );
    const result = await runMain(["-p", "--model", "kimi-k2.6", "x"], { env });
    assertEquals(result.code, 0, result.stderr);
    const assistant = mock.requests[1].body.messages.find((m: { role: string }) => m.role === "assistant");
    assertEquals(assistant.reasoning_content, "I should list files");
    assertEquals(assistant.tool_calls[0].function.name, "bash");
  });
});

Deno.test("Ctrl-C during a stream ends the run with exit code 130", async () => {
  await withMock(async (mock, env) => {
    mock.push({ text: "never finishes", hangAfterChunks: 1 });
    const child = spawnMain(["-p", "x"], { env });
    await mock.waitForRequests(1);
    child.kill("SIGINT");
    const { code } = await child.output();
    assertEquals(code, 130);
  });
});

/** Signals nanocode while a bash call runs; checks the exit code and that the shell is gone. */
async function signalDuringBash(signal: Deno.Signal, expectedCode: number): Promise<void> {
  await withMock(async (mock, env) => {
    const dir = await Deno.makeTempDir();
    mock.push({
      toolCalls: [{ name: "bash", arguments: { command: "echo $$ > shell.pid; echo started; sleep 30" } }],
    });
    const child = spawnMain(["--mode", "json", "x"], { env, cwd: dir });
    await readUntil(child, (line) => line.includes('"type":"tool_update"'));
    child.kill(signal);
    const { code } = await child.status;
    assertEquals(code, expectedCode);
    await child.stderr.cancel();
    const pid = (await Deno.readTextFile(`${dir}/shell.pid`)).trim();
    assertEquals(await processGone(pid), true, `bash (pid ${pid}) still runs`);
  });
}

Deno.test("Ctrl-C during a long bash call kills the command and exits 130", () =>
  signalDuringBash("SIGINT", 130));

/** True once the process is gone or a zombie, polled for up to five seconds. */
async function processGone(pid: string): Promise<boolean> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => undefined);
    if (stat === undefined || / Z /.test(stat)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

Deno.test("under a narrowed --allow-read, skipped context folders are summed up in one line", async () => {
  await withMock(async (mock, env) => {
    mock.push({ text: "a" });
    const cwd = await Deno.makeTempDir();
    const result = await runMain(["-p", "x"], {
      env,
      cwd,
      permissions: [`--allow-read=${cwd}`, "--allow-env", "--allow-net=127.0.0.1"],
    });
    assertEquals(result.code, 0, result.stderr);
    const lines = result.stderr.trim().split("\n").filter((l) => l.includes("--allow-read"));
    assertEquals(lines.length, 1, result.stderr);
    assertMatch(lines[0], /^nanocode: Context discovery skipped \d+ folders outside --allow-read/);
  });
});

Deno.test("edit calls in the legacy and string forms pass the loop's checks and apply", async () => {
  await withMock(async (mock, env) => {
    const cwd = await Deno.makeTempDir();
    await Deno.writeTextFile(`${cwd}/f.txt`, "one\ntwo\nthree\n");
    mock.push(
      {
        toolCalls: [
          { name: "edit", arguments: { path: "f.txt", oldText: "one", newText: "1" } },
          {
            name: "edit",
            arguments: { path: "f.txt", edits: JSON.stringify([{ oldText: "two", newText: "2" }]) },
          },
        ],
      },
      { text: "edited" },
    );
    const result = await runMain(["-p", "x"], { env, cwd });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(await Deno.readTextFile(`${cwd}/f.txt`), "1\n2\nthree\n");
    const tools = mock.requests[1].body.messages.filter((m: { role: string }) => m.role === "tool");
    assertEquals(tools.map((t: { content: string }) => t.content.startsWith("Successfully replaced")), [
      true,
      true,
    ]);
  });
});

Deno.test("an answer cut at the model's output limit is printed with a warning on stderr", async () => {
  await withMock(async (mock, env) => {
    mock.push({ text: "half an answ", finishReason: "length" });
    const result = await runMain(["-p", "x"], { env });
    assertEquals([result.code, result.stdout], [0, "half an answ\n"]);
    assertStringIncludes(result.stderr, "the answer was cut off: the model reached its output limit");
  });
});

Deno.test("SIGTERM during a bash call kills its process group and exits 143", () =>
  signalDuringBash("SIGTERM", 143));

Deno.test("an unknown --tools name is a usage error even before a key is found", async () => {
  const result = await runMain(["-p", "--tools", "foo", "hi"], { env: {} });
  assertEquals(result.code, 2);
  assertMatch(result.stderr, /unknown tool foo/);
});

Deno.test("a prompt argument waits for piped stdin, saying so when it stays silent", async () => {
  await withMock(async (mock, env) => {
    mock.push({ text: "joined" });
    const child = spawnMain(["-p", "summarise"], { env, stdin: "" });
    await readUntil(child, (line) => line.includes("waiting for standard input to end"), child.stderr);
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("late text"));
    await writer.close();
    const { code } = await child.status;
    await child.stdout.cancel();
    assertEquals(code, 0);
    assertEquals(mock.requests[0].body.messages.at(-1).content, "summarise\n\nlate text");
  });
});

Deno.test("a --system-prompt value that looks like a missing file is used as text with a warning", async () => {
  await withMock(async (mock, env) => {
    mock.push({ text: "a" });
    const result = await runMain(["-p", "--system-prompt", "prompts/missing.md", "x"], { env });
    assertEquals(result.code, 0, result.stderr);
    assertStringIncludes(result.stderr, "--system-prompt prompts/missing.md: no such file");
    assertEquals(mock.requests[0].body.messages[0].content.startsWith("prompts/missing.md"), true);
  });
});

Deno.test("a stream cut after some text prints that text, then the error, and exits 1", async () => {
  await withMock(async (mock, env) => {
    mock.push(...Array(5).fill({ text: "The first half of the answer arrives and then", cutAfterChunks: 2 }));
    const result = await runMain(["-p", "--max-retries", "0", "explain"], { env });
    assertEquals(result.code, 1, result.stderr);
    assert(result.stdout.trim().length > 0, "the partial text reached stdout");
    assert("The first half of the answer arrives and then".startsWith(result.stdout.trim()), result.stdout);
    assertMatch(result.stderr, /nanocode: .+/);
  });
});

Deno.test("an empty answer exits 0 with a warning on stderr", async () => {
  await withMock(async (mock, env) => {
    mock.push({ text: "" });
    const result = await runMain(["-p", "say nothing"], { env });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout, "");
    assertStringIncludes(result.stderr, "nanocode: the model's answer was empty (no text and no tool calls)");
  });
});

Deno.test("a reader that closes standard output early ends the run quietly with 0", async () => {
  await withMock(async (mock, env) => {
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join("\n");
    mock.push({ text: lines });
    const child = spawnMain(["--mode", "json", "print a lot"], { env });
    const reader = child.stdout.getReader();
    await reader.read();
    await reader.cancel();
    const status = await child.status;
    const stderr = await new Response(child.stderr).text();
    assertEquals(status.code, 0, stderr);
    assert(!/broken pipe/i.test(stderr), stderr);
  });
});

Deno.test("--max-turns stops a headless run after that many model calls with exit code 1", async () => {
  await withMock(async (mock, env) => {
    for (let i = 0; i < 5; i++) {
      mock.push({ toolCalls: [{ name: "bash", arguments: { command: `echo ${i}` } }] });
    }
    const result = await runMain(["-p", "--max-turns", "2", "loop"], { env });
    assertEquals(result.code, 1);
    assertEquals(mock.requests.length, 2);
    assertStringIncludes(result.stderr, "Stopped after 2 model calls (--max-turns 2)");
  });
});

Deno.test("a background process a command started does not outlive nanocode", async () => {
  await withMock(async (mock, env) => {
    const cwd = await Deno.makeTempDir();
    mock.push(
      {
        toolCalls: [{
          name: "bash",
          arguments: { command: "sleep 120 > /dev/null 2>&1 & echo $! > bg.pid" },
        }],
      },
      { text: "started a server" },
    );
    const result = await runMain(["-p", "start it"], { env, cwd });
    assertEquals(result.code, 0, result.stderr);
    const pid = Number((await Deno.readTextFile(`${cwd}/bg.pid`)).trim());
    // runMain returned once nanocode exited: the process must already be gone (or a zombie).
    const state = await Deno.readTextFile(`/proc/${pid}/stat`).then(
      (s) => s.slice(s.lastIndexOf(")") + 2)[0],
      () => "gone",
    );
    assert(state === "gone" || state === "Z", `process ${pid} is still ${state}`);
    await Deno.remove(cwd, { recursive: true });
  });
});
