/**
 * Saved sessions end to end: main.ts runs against the mock endpoint, writes its session, is killed
 * at the worst moments, and is resumed, listed and exported from another process.
 */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { type MockLlm, startMockLlm } from "./support/mock_llm.ts";
import { runMain, spawnMain } from "./support/run_main.ts";

const KEY = "sk-session-test-9f8e7d6c5b4a";

interface Env {
  mock: MockLlm;
  env: Record<string, string>;
  /** NANOCODE_DIR: sessions go under it. */
  home: string;
  cwd: string;
}

async function withEnv(fn: (e: Env) => Promise<void>): Promise<void> {
  const mock = await startMockLlm();
  const home = await Deno.makeTempDir({ prefix: "nanocode-dir-" });
  const cwd = await Deno.makeTempDir({ prefix: "nanocode-cwd-" });
  try {
    await fn({
      mock,
      home,
      cwd,
      env: { OPENAI_BASE_URL: mock.url, MODEL: "mock-model", NANOCODE_DIR: home, OPENAI_API_KEY: KEY },
    });
  } finally {
    await mock.close();
    await Deno.remove(home, { recursive: true }).catch(() => {});
    await Deno.remove(cwd, { recursive: true }).catch(() => {});
  }
}

function sessionFiles(home: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".jsonl")) out.push(path);
    }
  };
  try {
    walk(`${home}/sessions`);
  } catch {
    // No sessions folder yet.
  }
  return out;
}

/** Waits for a condition that a child process makes true; the deadline only bounds a hang. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

Deno.test("a resumed run sends the conversation it left off, under the same session id", async () => {
  await withEnv(async ({ mock, env, home, cwd }) => {
    mock.push(
      {
        reasoning: "check first",
        toolCalls: [{ id: "t1", name: "bash", arguments: { command: "echo one" } }],
      },
      { text: "first answer" },
      { text: "second answer" },
    );
    const first = await runMain(["-p", "start the work"], { env, cwd });
    assertEquals(first.code, 0, first.stderr);
    const [file] = sessionFiles(home);
    assert(file, "the run was saved");
    const second = await runMain(["-p", "--continue", "go on"], { env, cwd });
    assertEquals(second.code, 0, second.stderr);
    assertEquals(second.stdout.trim(), "second answer");
    assertEquals(sessionFiles(home), [file], "the resumed run appends to the same file");

    const before = mock.requests[1].body.messages;
    const resumed = mock.requests[2].body.messages;
    assertEquals(resumed, [...before, { role: "assistant", content: "first answer" }, {
      role: "user",
      content: "go on",
    }]);
    assertEquals(resumed[2].reasoning_content, "check first");
    const id = JSON.parse(Deno.readTextFileSync(file).split("\n")[0]).id;
    assertEquals(mock.requests.map((r) => r.headers["x-opencode-session"]), [id, id, id]);
  });
});

Deno.test("a run killed in the middle of a streamed answer keeps the prompt and resumes cleanly", async () => {
  await withEnv(async ({ mock, env, home, cwd }) => {
    mock.push({ text: "this answer never finishes because the stream hangs", hangAfterChunks: 1 }, {
      text: "back",
    });
    const child = spawnMain(["-p", "a question worth keeping"], { env, cwd });
    await mock.waitForRequests(1);
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    const resumed = await runMain(["-p", "-c", "are you there?"], { env, cwd });
    assertEquals(resumed.code, 0, resumed.stderr);
    assert(!resumed.stderr.includes("skipped"), resumed.stderr);
    const sent = mock.requests[1].body.messages.slice(1);
    assertEquals(sent, [
      { role: "user", content: "a question worth keeping" },
      { role: "user", content: "are you there?" },
    ]);
    assertEquals(sessionFiles(home).length, 1);
  });
});

Deno.test("a run killed in the middle of a tool call resumes with that call answered as interrupted", async () => {
  await withEnv(async ({ mock, env, cwd }) => {
    const marker = `${cwd}/started`;
    mock.push(
      {
        toolCalls: [{
          id: "slow",
          name: "bash",
          arguments: { command: `echo $$ > ${marker}; exec sleep 30` },
        }],
      },
      { text: "resumed fine" },
    );
    const child = spawnMain(["-p", "run the slow thing"], { env, cwd });
    await until("the command to start", () => {
      try {
        return Deno.readTextFileSync(marker).trim() !== "";
      } catch {
        return false;
      }
    });
    const pid = Number(Deno.readTextFileSync(marker).trim());
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    // kill -9 gives nanocode no chance to stop the command's group; the test does it.
    try {
      Deno.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
    const resumed = await runMain(["-p", "-c", "what happened?"], { env, cwd });
    assertEquals(resumed.code, 0, resumed.stderr);
    assertStringIncludes(resumed.stderr, "1 tool call was cut off when the session stopped");
    const sent = mock.requests[1].body.messages;
    const tool = sent.find((m: { role: string }) => m.role === "tool");
    assertEquals(tool.tool_call_id, "slow");
    assertStringIncludes(tool.content, "Tool call interrupted");
    assertEquals(sent.at(-1), { role: "user", content: "what happened?" });
  });
});

Deno.test("--continue takes the newest session of this folder, not of another", async () => {
  await withEnv(async ({ mock, env, cwd }) => {
    const other = await Deno.makeTempDir({ prefix: "nanocode-other-" });
    mock.push({ text: "a" }, { text: "b" }, { text: "c" });
    assertEquals((await runMain(["-p", "here first"], { env, cwd })).code, 0);
    assertEquals((await runMain(["-p", "elsewhere later"], { env, cwd: other })).code, 0);
    const resumed = await runMain(["-p", "-c", "again here"], { env, cwd });
    assertEquals(resumed.code, 0, resumed.stderr);
    const sent = mock.requests[2].body.messages.map((m: { content: string }) => m.content);
    assertEquals(sent.slice(1), ["here first", "a", "again here"]);
    await Deno.remove(other, { recursive: true });
  });
});

Deno.test("--resume finds a session by text of its first prompt, and alone it lists them", async () => {
  await withEnv(async ({ mock, env, cwd }) => {
    mock.push({ text: "apples answer" }, { text: "pears answer" }, { text: "resumed" });
    await runMain(["-p", "tell me about apples"], { env, cwd });
    await runMain(["-p", "tell me about pears"], { env, cwd });
    const listed = await runMain(["-r"], { env, cwd });
    assertEquals(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trim().split("\n");
    assertEquals(lines.length, 2);
    assertStringIncludes(lines[0], "tell me about pears", "newest first");
    assertStringIncludes(lines[1], "2 msgs");
    const resumed = await runMain(["-p", "-r", "APPLES", "and more"], { env, cwd });
    assertEquals(resumed.code, 0, resumed.stderr);
    const sent = mock.requests[2].body.messages.map((m: { content: string }) => m.content);
    assertEquals(sent.slice(1), ["tell me about apples", "apples answer", "and more"]);
    const missing = await runMain(["-p", "-r", "bananas", "x"], { env, cwd });
    assertEquals(missing.code, 1);
    assertStringIncludes(missing.stderr, 'Cannot find a session matching "bananas"');
  });
});

Deno.test("--no-session writes nothing, and a bad combination of session flags is a usage error", async () => {
  await withEnv(async ({ mock, env, home, cwd }) => {
    mock.push({ text: "ok" });
    const result = await runMain(["-p", "--no-session", "hello"], { env, cwd });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(sessionFiles(home), []);
    const both = await runMain(["-p", "-c", "--no-session", "x"], { env, cwd });
    assertEquals(both.code, 2);
    assertStringIncludes(both.stderr, "Cannot resume with --no-session");
    const none = await runMain(["-p", "-c", "x"], { env, cwd });
    assertEquals(none.code, 1);
    assertStringIncludes(none.stderr, "Cannot continue: no saved session for");
  });
});

Deno.test("--export writes Markdown to stdout and one self-contained HTML file", async () => {
  await withEnv(async ({ mock, env, cwd }) => {
    mock.push({ reasoning: "hmm", text: "the **answer**" });
    await runMain(["-p", "explain <this>"], { env, cwd });
    const md = await runMain(["--export", "explain"], { env, cwd });
    assertEquals(md.code, 0, md.stderr);
    assertStringIncludes(md.stdout, "# explain <this>");
    assertStringIncludes(md.stdout, "the **answer**");
    const html = await runMain(["--export", "explain", "out.html"], { env, cwd });
    assertEquals(html.code, 0, html.stderr);
    assertStringIncludes(html.stderr, `wrote ${cwd}/out.html`);
    const page = Deno.readTextFileSync(`${cwd}/out.html`);
    assertStringIncludes(page, "explain &#60;this&#62;");
    assert(!/<script|<link| src=|https?:\/\//.test(page), "no outside resources");
  });
});

Deno.test("no session file holds the API key, whatever the run did", async () => {
  await withEnv(async ({ mock, env, home, cwd }) => {
    mock.push(
      { toolCalls: [{ name: "bash", arguments: { command: "echo hi" } }] },
      { text: "done" },
      { text: "again" },
    );
    await runMain(["-p", "do a thing"], { env, cwd });
    await runMain(["-p", "-c", "more", "--model", "other-model"], { env, cwd });
    assertEquals(mock.requests[0].headers.authorization, `Bearer ${KEY}`, "the key was in use");
    const files = sessionFiles(home);
    assertEquals(files.length, 1);
    for (const file of files) {
      const text = Deno.readTextFileSync(file);
      assert(!text.includes(KEY), `${file} holds the key`);
      assert(!/authorization|bearer/i.test(text), `${file} holds an authorization header`);
      assertStringIncludes(text, '"type":"model_change","model":"other-model"');
    }
  });
});

Deno.test("a run that may not write the sessions folder says so once, saves nothing and still answers", async () => {
  await withEnv(async ({ mock, env, home, cwd }) => {
    mock.push({ text: "read-only answer" });
    const result = await runMain(["-p", "review this"], {
      env,
      cwd,
      permissions: [`--allow-read`, `--allow-write=${cwd}`, "--allow-env", "--allow-net=127.0.0.1"],
    });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout.trim(), "read-only answer");
    const notes = result.stderr.split("\n").filter((l) => l.includes("Sessions are not saved"));
    assertEquals(notes, [
      `nanocode: Sessions are not saved: nanocode may not write to ${home}/sessions (grant --allow-write for it, or pass --no-session).`,
    ]);
    assertEquals(sessionFiles(home), []);
  });
});

Deno.test("with no home folder visible, sessions are not saved, and never into the project", async () => {
  await withEnv(async ({ mock, env, cwd }) => {
    mock.push({ text: "fine" });
    const { NANOCODE_DIR: _, ...rest } = env;
    const result = await runMain(["-p", "hello"], { env: { ...rest, HOME: "" }, cwd });
    assertEquals(result.code, 0, result.stderr);
    assertStringIncludes(result.stderr, "Sessions are not saved: no home folder is visible");
    assertEquals([...Deno.readDirSync(cwd)].map((e) => e.name), []);
    const resume = await runMain(["-p", "-c", "x"], { env: { ...rest, HOME: "" }, cwd });
    assertEquals(resume.code, 1);
    assertStringIncludes(resume.stderr, "Cannot resume a session: no home folder is visible");
  });
});
