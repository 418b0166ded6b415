/**
 * The saved-session commands and the picker in the REPL, against the command line's real runtime:
 * session files written by the session writer in a temporary nanocode folder, requests to the mock
 * endpoint.
 */
import { join } from "node:path";
import { readSession } from "../lib/session/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import type { MockTurn } from "./support/mock_llm.ts";
import { type SeedSession, writeSession } from "./support/saved_sessions.ts";
import { type CliRepl, IDLE, withCliRepl } from "./support/cli_repl.ts";

interface Context extends CliRepl {
  /** Paths of the seeded sessions, by id. */
  seeded: Record<string, string>;
}

const MINUTE = 60_000;

async function withSessions(
  setup: {
    /** Sessions to write first; `cwd: "."` stands for the REPL's folder. */
    seeds?: SeedSession[];
    turns?: MockTurn[];
    pickSession?: boolean;
    initialPrompt?: string;
  },
  body: (c: Context) => Promise<void>,
): Promise<void> {
  const seeded: Record<string, string> = {};
  await withCliRepl({
    turns: setup.turns ?? [],
    // Wide enough that no line of interest wraps (the notes hold whole paths).
    drive: { pickSession: setup.pickSession, initialPrompt: setup.initialPrompt },
    waitIdle: false,
    before: async (folders) => {
      for (const seed of setup.seeds ?? []) {
        seeded[seed.id] = await writeSession(folders.home, {
          ...seed,
          cwd: seed.cwd === "." ? folders.cwd : seed.cwd,
        });
      }
    },
  }, (repl) => body({ ...repl, seeded }));
}

const ago = (minutes: number) => new Date(Date.now() - minutes * MINUTE);

const SEEDS: SeedSession[] = [
  { id: "1111aaaa-parser", cwd: ".", prompts: ["fix the parser"], updated: ago(5) },
  {
    id: "2222bbbb-docs",
    cwd: ".",
    prompts: ["write the README", "and the changelog"],
    name: "Docs day",
    model: "kimi-k2.6",
    updated: ago(180),
  },
  { id: "3333cccc-other", cwd: "/elsewhere", prompts: ["other folder work"], updated: ago(1440) },
];

Deno.test("/sessions lists this folder's sessions newest first with age, size, id, title and model; --all every folder's", async () => {
  await withSessions({ seeds: SEEDS }, async (c) => {
    await c.repl.waitFor(IDLE);
    c.send("/sessions");
    await c.next("Resume one with /resume <id|name|text>.");
    const text = c.repl.output();
    assertStringIncludes(text, "Sessions of this folder (2), newest first:");
    assert(/5m ago +2 msgs {2}1111aaaa {2}fix the parser {2}\(mock-model\)/.test(text), text);
    assert(/3h ago +4 msgs {2}2222bbbb {2}Docs day {2}\(kimi-k2\.6\)/.test(text), text);
    assert(text.indexOf("fix the parser") < text.indexOf("Docs day"), "newest first");
    assert(!text.includes("other folder work"), "another folder's session is not listed");
    c.send("/sessions --all");
    await c.next("Sessions of every folder (3), newest first:");
    await c.next("1d ago     2 msgs  3333cccc  other folder work  (mock-model)  /elsewhere");
    c.send("/sessions everything");
    await c.next(
      '✗ Cannot list sessions with "everything": use /sessions, or /sessions --all for every folder.',
    );
  });
});

Deno.test("/resume <text> goes on with the matching session: the next request carries its conversation and id", async () => {
  await withSessions({ seeds: SEEDS, turns: [{ text: "Resumed answer." }] }, async (c) => {
    await c.repl.waitFor(IDLE);
    c.send("/resume PARSER");
    await c.next('↻ Resumed "fix the parser" · 2 messages · mock-model');
    await c.next("last asked: fix the parser");
    await c.next("last answer: answer 1");
    assertEquals(c.runtime.sessions.path, c.seeded["1111aaaa-parser"]);
    c.send("and now?");
    await c.next("Resumed answer.");
    const [request] = await c.llm.waitForRequests(1);
    assertEquals(request.headers["x-opencode-session"], "1111aaaa-parser");
    const messages = request.body.messages;
    assertEquals(messages.slice(1), [
      { role: "user", content: "fix the parser" },
      { role: "assistant", content: "answer 1" },
      { role: "user", content: "and now?" },
    ]);
    await c.repl.waitFor(() => c.runtime.agent.messages.length === 5);
    const saved = await readSession(c.seeded["1111aaaa-parser"]);
    assertEquals(saved.messages.slice(1).map((m) => m.content), [
      "fix the parser",
      "answer 1",
      "and now?",
      "Resumed answer.",
    ]);
  });
});

Deno.test("/resume of another folder's session notes where it was started; one that matches nothing says so", async () => {
  await withSessions({ seeds: SEEDS }, async (c) => {
    await c.repl.waitFor(IDLE);
    c.send("/resume nothing like it");
    await c.next(
      '✗ Cannot resume "nothing like it": no saved session has that id, name or text; /sessions lists this folder\'s, /resume alone opens the picker.',
    );
    assertEquals(c.runtime.agent.messages.filter((m) => m.role !== "system"), []);
    c.send("/resume 3333");
    await c.next('↻ Resumed "other folder work"');
    await c.next("! This session was started in /elsewhere; its tools now work in this folder.");
    c.send(`/resume ${c.seeded["3333cccc-other"]}`);
    await c.next("That is the session you are in.");
  });
});

Deno.test("/resume and /fork are refused while the agent works", async () => {
  await withSessions({ seeds: SEEDS, turns: [{ text: "Working on it", hangAfterChunks: 1 }] }, async (c) => {
    await c.repl.waitFor(IDLE);
    c.send("long task");
    await c.next("working: type to steer");
    c.send("/fork");
    await c.next(
      "✗ Cannot fork the session while the agent works: wait for it to finish, or press Ctrl-C to stop it.",
    );
    c.send("/resume parser");
    await c.next("✗ Cannot switch sessions while the agent works");
    c.send("/resume");
    await c.next("✗ Cannot switch sessions while the agent works");
    c.repl.stdin.push("\x03");
    await c.next("Interrupted.");
    assertEquals(c.runtime.agent.messages.find((m) => m.role === "user")?.content, "long task");
  });
});

Deno.test("/name stores the name in the session file, so /sessions shows it and /resume finds it", async () => {
  await withSessions({ turns: [{ text: "Hello back." }] }, async (c) => {
    await c.repl.waitFor(IDLE);
    c.send("/name early name");
    await c.next('Session named "early name"; the name is saved with the first message.');
    c.send("hello");
    await c.next("Hello back.");
    c.send("/name parser work");
    await c.next('Session named "parser work": /resume parser work finds it again.');
    const saved = await readSession(c.runtime.sessions.path!);
    assertEquals(saved.name, "parser work");
    c.send("/sessions");
    await c.next("parser work");
    c.send("/name");
    await c.next("✗ Cannot name the session without a name: /name <name>.");
  });
});

Deno.test("/fork N goes on in a new file holding what came before user message N; the original stays", async () => {
  await withSessions({ turns: [{ text: "First answer." }, { text: "Second answer." }] }, async (c) => {
    await c.repl.waitFor(IDLE);
    c.send("/fork");
    await c.next("Forked: the new session is saved once it holds a message of yours.");
    c.send("one");
    await c.next("First answer.");
    c.send("two");
    await c.next("Second answer.");
    await c.repl.waitFor(() => c.runtime.agent.messages.length === 5);
    const original = c.runtime.sessions.path!;
    const before = await Deno.readTextFile(original);
    c.send("/fork 2");
    await c.next("Forked before user message 2: the conversation goes on in ");
    await c.next("; the session it came from stays as it was.");
    const forked = c.runtime.sessions.path!;
    assert(forked !== original);
    assertStringIncludes(c.repl.output(), forked);
    const copy = await readSession(forked);
    assertEquals(copy.messages.slice(1).map((m) => m.content), ["one", "First answer."]);
    assertEquals(copy.header.parent?.path, original);
    assertEquals(await Deno.readTextFile(original), before);
    c.send("/fork 5");
    await c.next("✗ Cannot fork at user message 5: this conversation has 1; use 1 to 1.");
    c.send("/fork two");
    await c.next('✗ Cannot fork at "two": give the number of a user message');
  });
});

Deno.test("/export writes Markdown by default, and one self-contained HTML file for a .html path", async () => {
  await withSessions({ turns: [{ text: "An **answer**." }] }, async (c) => {
    await c.repl.waitFor(IDLE);
    c.send("/export");
    await c.next("✗ Cannot export yet: nothing of this session has been saved.");
    c.send("what is <this>?");
    await c.next("1 call");
    await c.repl.waitFor(() => c.runtime.agent.messages.length === 3);
    c.send("/export");
    const id = (await readSession(c.runtime.sessions.path!)).header.id;
    const markdown = join(c.cwd, `nanocode-${id.slice(0, 8)}.md`);
    await c.next(`Wrote ${markdown}.`);
    const md = await Deno.readTextFile(markdown);
    assertStringIncludes(md, "## User\n\nwhat is <this>?");
    assertStringIncludes(md, "An **answer**.");
    c.send("/export talk.html");
    await c.next(`Wrote ${join(c.cwd, "talk.html")}.`);
    const html = await Deno.readTextFile(join(c.cwd, "talk.html"));
    assert(html.startsWith("<!doctype html>"), html.slice(0, 40));
    assertStringIncludes(html, "what is &#60;this&#62;?");
    assert(!/<script|<link|\ssrc=|\shref=/i.test(html), "the HTML needs nothing outside itself");
    c.send("/export no/such/folder/out.md");
    await c.next("✗ Cannot export to no/such/folder/out.md: ");
    await c.next("; check the folder exists and can be written");
  });
});

Deno.test("the picker at start lists this folder's sessions; typing filters and Enter resumes the choice", async () => {
  await withSessions(
    { seeds: SEEDS, turns: [{ text: "On with the docs." }], pickSession: true },
    async (c) => {
      await c.repl.waitFor("Resume a session (2)");
      assertStringIncludes(c.repl.output(), "› fix the parser");
      assert(!c.repl.output().includes("other folder work"), "only this folder's sessions");
      c.repl.stdin.push("docs");
      await c.repl.waitFor("Resume a session (1 of 2)");
      await c.repl.waitFor("› Docs day");
      c.send("");
      // The command line's --model wins over the saved one.
      await c.next('↻ Resumed "Docs day" · 4 messages · mock-model');
      await c.next("last asked: and the changelog");
      c.send("go on");
      await c.next("On with the docs.");
      const [request] = await c.llm.waitForRequests(1);
      assertEquals(request.body.model, "mock-model");
      assertEquals(request.headers["x-opencode-session"], "2222bbbb-docs");
      assertEquals(request.body.messages.length, 6);
    },
  );
});

Deno.test("Esc closes the picker on a fresh session, and the initial prompt is sent after it", async () => {
  await withSessions(
    { seeds: SEEDS, turns: [{ text: "Fresh answer." }], pickSession: true, initialPrompt: "start afresh" },
    async (c) => {
      await c.repl.waitFor("Resume a session (2)");
      assertEquals(c.llm.requests.length, 0, "nothing is sent while the picker is open");
      c.repl.stdin.push("\x1b");
      await c.repl.waitFor("No session resumed; this is a new one.");
      await c.repl.waitFor("Fresh answer.");
      const [request] = await c.llm.waitForRequests(1);
      assertEquals(request.body.messages.slice(1), [{ role: "user", content: "start afresh" }]);
    },
  );
});

Deno.test("/resume alone opens the picker: ↓ and Enter resume the second session, Ctrl-C keeps this one", async () => {
  await withSessions({ seeds: SEEDS }, async (c) => {
    await c.repl.waitFor(IDLE);
    c.send("/resume");
    await c.next("Resume a session (2)");
    c.repl.stdin.push("\x1b[B\r");
    await c.next('↻ Resumed "Docs day"');
    assertEquals(c.runtime.sessions.path, c.seeded["2222bbbb-docs"]);
    c.send("/resume");
    await c.next("Docs day");
    // Resuming recorded the command line's model in it, so it is the newest now.
    await c.repl.waitFor(() => /› Docs day +just now · 4 msgs · mock-model · current/.test(c.repl.output()));
    c.repl.stdin.push("\x03");
    await c.next("No session resumed; this one goes on.");
    assertEquals(c.runtime.sessions.path, c.seeded["2222bbbb-docs"]);
  });
});

Deno.test("/resume alone with no saved session for this folder says where to look", async () => {
  await withSessions({}, async (c) => {
    await c.repl.waitFor(IDLE);
    c.send("/resume");
    await c.next("No saved sessions for this folder yet; /sessions --all lists every folder's.");
  });
});
