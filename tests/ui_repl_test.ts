/**
 * The REPL driven through its stdin/stdout interfaces with a scripted provider: plain output without
 * a terminal, colour rules, side questions on a copy of the conversation, and what happens to queued
 * messages when a run ends or is interrupted.
 */
import { Agent, InputQueue } from "../lib/agent/mod.ts";
import type { ChatRequest, Provider, ProviderDelta, Tool } from "../lib/core/mod.ts";
import { textResult } from "../lib/core/mod.ts";
import type { ReplRuntime } from "../lib/ui/runtime.ts";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { driveRepl, NO_SESSIONS, type ReplDriver } from "./support/repl.ts";

type Turn = (signal: AbortSignal) => AsyncGenerator<ProviderDelta>;

/** A turn that answers with text. */
function answer(text: string): Turn {
  return async function* () {
    yield { type: "text", text };
    yield { type: "done", reason: "stop", message: { role: "assistant", content: text }, toolCalls: [] };
  };
}

/** A turn that hangs until the run is aborted. */
const hang: Turn = async function* (signal) {
  yield { type: "text", text: "working" };
  await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
  yield {
    type: "done",
    reason: "aborted",
    message: { role: "assistant", content: "working" },
    toolCalls: [],
  };
};

class ScriptedProvider implements Provider {
  requests: ChatRequest[] = [];
  constructor(readonly turns: Turn[]) {}
  async *stream(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ProviderDelta> {
    this.requests.push(structuredClone(request));
    const turn = this.turns.shift();
    if (!turn) throw new Error("the script has no turn left");
    yield* turn(signal);
  }
  listModels(): Promise<string[]> {
    return Promise.resolve(["scripted"]);
  }
}

/**
 * A turn that streams `<word> `, then waits until `release()` before finishing with `<word> done`, so a
 * test can act while the model is mid-answer.
 */
function gatedAnswer(word: string): { turn: Turn; release: () => void } {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const turn: Turn = async function* () {
    yield { type: "text", text: `${word} ` };
    await gate;
    yield {
      type: "done",
      reason: "stop",
      message: { role: "assistant", content: `${word} done` },
      toolCalls: [],
    };
  };
  return { turn, release: () => release() };
}

interface Harness extends ReplDriver {
  provider: ScriptedProvider;
  runtime: ReplRuntime;
}

function start(options: {
  turns: Turn[];
  tty?: boolean;
  env?: Record<string, string>;
  initialPrompt?: string;
  /** The whole tool surface. */
  tools?: Tool[];
  /** The tools that only read (what `/btw --tools` offers). */
  readOnlyTools?: Tool[];
  /** The tools the main agent offers (default none). */
  agentTools?: Tool[];
}): Harness {
  const provider = new ScriptedProvider(options.turns);
  const queue = new InputQueue();
  const agent = new Agent({
    provider,
    tools: options.agentTools ?? [],
    model: "scripted",
    cwd: "/",
    systemPrompt: "sys",
    queue,
  });
  const runtime: ReplRuntime = {
    agent,
    provider,
    config: { showThinking: true },
    queue,
    tools: options.tools ?? [],
    readOnlyTools: options.readOnlyTools ?? [],
    skills: [],
    expandSkill: (name) => Promise.reject(new Error(`Cannot expand ${name}: the test loads no skills`)),
    reload: () => Promise.resolve([]),
    sessions: NO_SESSIONS,
  };
  const driver = driveRepl(runtime, {
    tty: options.tty,
    env: options.env,
    initialPrompt: options.initialPrompt,
  });
  return { ...driver, provider, runtime };
}

Deno.test("without a terminal the REPL reads lines and writes plain text with no escape sequences", async () => {
  const h = start({ turns: [answer("**Hi** there")], tty: false });
  h.stdin.push("hello\n");
  await h.waitFor("**Hi** there");
  h.stdin.end();
  assertEquals(await h.exit, 0);
  assert(!h.output().includes("\x1b"), JSON.stringify(h.output()));
  assertStringIncludes(h.output(), "❯ hello\n\n**Hi** there\n");
});

Deno.test("in a terminal the REPL uses raw mode and gives it back when it quits", async () => {
  const h = start({ turns: [] });
  await h.waitFor("❯");
  assert(h.stdin.raw);
  h.stdin.push("\x04");
  assertEquals(await h.exit, 0);
  assert(!h.stdin.raw);
  assertStringIncludes(h.output(), "\x1b[?2004l");
});

Deno.test("NO_COLOR keeps the live prompt but drops every colour", async () => {
  const h = start({ turns: [answer("# Title")], env: { NO_COLOR: "1" }, initialPrompt: "go" });
  await h.waitFor("Title");
  h.stdin.push("/q\r");
  await h.exit;
  assertStringIncludes(h.output(), "\x1b[?2026h");
  // deno-lint-ignore no-control-regex
  assertEquals(h.output().match(/\x1b\[[0-9;]*m/g), null);
});

Deno.test("colour is on in a terminal without NO_COLOR", async () => {
  const h = start({ turns: [answer("# Title")], initialPrompt: "go" });
  await h.waitFor("Title");
  h.stdin.push("/q\r");
  await h.exit;
  assertStringIncludes(h.output(), "\x1b[1m");
});

Deno.test("the initial prompt is sent as if typed", async () => {
  const h = start({ turns: [answer("Started.")], initialPrompt: "begin here", env: { NO_COLOR: "1" } });
  await h.waitFor("Started.");
  h.stdin.push("\x04");
  await h.exit;
  assertStringIncludes(h.output(), "❯ begin here");
  assertEquals(h.provider.requests[0].messages.at(-1), { role: "user", content: "begin here" });
});

Deno.test("/btw --tools works on a copy of the conversation, with only the read-only tools", async () => {
  const calls: unknown[] = [];
  const poke: Tool = {
    name: "poke",
    description: "Changes things.",
    parameters: { type: "object", properties: {} },
    permissions: [],
    execute: () => Promise.reject(new Error("a side question ran a tool that changes things")),
  };
  const look: Tool = {
    name: "look",
    description: "Looks.",
    parameters: { type: "object", properties: {} },
    permissions: [],
    execute(args) {
      calls.push(args);
      return Promise.resolve(textResult("seen"));
    },
  };
  const lookCall: Turn = async function* () {
    const call = { id: "c1", name: "look", arguments: "{}" };
    yield {
      type: "done",
      reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c1", type: "function", function: { name: "look", arguments: "{}" } }],
      },
      toolCalls: [call],
    };
  };
  const h = start({
    turns: [answer("Main."), lookCall, answer("Side.")],
    tools: [look, poke],
    readOnlyTools: [look],
    agentTools: [look, poke],
    initialPrompt: "main question",
  });
  await h.waitFor("Main.");
  const before = structuredClone(h.runtime.agent.messages);
  h.stdin.push("/btw --tools where is it?\r");
  await h.waitFor("Side.");
  await h.waitFor(() => h.output().includes("2 calls"));
  assertEquals(h.runtime.agent.messages, before);
  assertEquals(calls.length, 1);
  assertEquals(h.provider.requests[0].tools?.map((t) => t.name), ["look", "poke"]);
  const side = h.provider.requests[1];
  assertEquals(
    side.tools?.map((t) => t.name),
    ["look"],
    "the side question is offered the read-only tools only",
  );
  const question = side.messages.at(-1)!;
  assertEquals(question.role, "user");
  assertStringIncludes(String(question.content), "do not modify anything");
  assertStringIncludes(String(question.content), "where is it?");
  h.stdin.push("\x04");
  await h.exit;
});

Deno.test("steering typed after the last model call starts the next run", async () => {
  const { turn: slow, release } = gatedAnswer("First");
  const h = start({ turns: [slow, answer("Second.")], initialPrompt: "one" });
  await h.waitFor("First");
  h.stdin.push("and another thing\r");
  await h.waitFor("queued steer: and another thing");
  release();
  await h.waitFor("Second.");
  assertEquals(h.provider.requests[1].messages.at(-1), { role: "user", content: "and another thing" });
  assertEquals(h.runtime.queue.list(), []);
  h.stdin.push("\x04");
  await h.exit;
});

Deno.test("Ctrl-C during a run interrupts it and keeps the queued messages", async () => {
  const h = start({ turns: [hang], initialPrompt: "long job" });
  await h.waitFor("working");
  h.stdin.push("/queue later\r");
  await h.waitFor("queued follow-up: later");
  h.stdin.push("\x03");
  await h.waitFor("Interrupted.");
  await h.waitFor("1 queued message kept");
  assertEquals(h.runtime.queue.list(), [{ kind: "followup", text: "later" }]);
  assertEquals(h.provider.requests.length, 1);
  h.stdin.push("\x03");
  await h.waitFor("Press Ctrl-C again to exit.");
  h.stdin.push("\x03");
  assertEquals(await h.exit, 0);
});

Deno.test("Ctrl-C with text on the prompt clears the text instead of arming the exit", async () => {
  const h = start({ turns: [] });
  await h.waitFor("❯");
  // Had the text survived, Enter would have sent it to the model.
  h.stdin.push("draft\x03\r");
  h.stdin.push("\x03");
  await h.waitFor("Press Ctrl-C again to exit.");
  h.stdin.push("\x03");
  assertEquals(await h.exit, 0);
  assertEquals(h.provider.requests.length, 0);
});

Deno.test("Tab completes a command name after the slash", async () => {
  const h = start({ turns: [], env: { NO_COLOR: "1" } });
  await h.waitFor("❯");
  h.stdin.push("/hel\t\r");
  await h.waitFor("Commands:");
  assertStringIncludes(h.output(), "❯ /help");
  h.stdin.push("\x04");
  await h.exit;
});

Deno.test("/btw while the agent works answers from the conversation so far and prints the answer whole", async () => {
  const { turn: slow, release } = gatedAnswer("Main");
  const h = start({
    turns: [slow, answer("Side answer.")],
    initialPrompt: "main task",
    env: { NO_COLOR: "1" },
  });
  await h.waitFor("Main");
  h.stdin.push("/btw quick one?\r");
  await h.waitFor("Side answer.");
  assertStringIncludes(
    h.output(),
    "↳ btw: quick one? (side answer, not kept in the\r\nconversation)\r\n\r\nSide answer.",
  );
  const side = h.provider.requests[1].messages;
  assertEquals(side.slice(0, 2), [{ role: "system", content: "sys" }, {
    role: "user",
    content: "main task",
  }]);
  release();
  await h.waitFor(() => h.runtime.agent.messages.length === 3);
  assertEquals(h.runtime.agent.messages.at(-1), { role: "assistant", content: "Main done" });
  h.stdin.push("\x04");
  await h.exit;
});

Deno.test("SIGTERM during a run aborts it and ends the REPL with exit code 143", async () => {
  const h = start({ turns: [hang], initialPrompt: "long job" });
  await h.waitFor("working");
  h.signal("SIGTERM");
  assertEquals(await h.exit, 143);
  assertEquals(h.provider.requests.length, 1);
  assert(!h.stdin.raw, "raw mode is given back");
});

Deno.test("SIGHUP (the terminal closed) ends the REPL with exit code 129", async () => {
  const h = start({ turns: [] });
  await h.waitFor("❯");
  h.signal("SIGHUP");
  assertEquals(await h.exit, 129);
});

Deno.test("Ctrl-C during a side question cancels only the side question, and a second one stops the run", async () => {
  let mainSignal: AbortSignal | undefined;
  const main: Turn = (signal) => {
    mainSignal = signal;
    return hang(signal);
  };
  const h = start({ turns: [main, hang], initialPrompt: "long job", env: { NO_COLOR: "1" } });
  await h.waitFor("working");
  h.stdin.push("/btw quick one?\r");
  await h.waitFor(() => h.provider.requests.length === 2);
  h.stdin.push("\x03");
  await h.waitFor("↳ btw: quick one? (side answer");
  assert(!mainSignal!.aborted, "the first Ctrl-C stopped the main run too");
  h.stdin.push("\x03");
  await h.waitFor(() => mainSignal!.aborted);
  await h.waitFor(() => h.output().split("Interrupted.").length === 3);
  h.stdin.push("\x04");
  assertEquals(await h.exit, 0);
});

Deno.test("SIGINT in raw mode acts as the Ctrl-C key: it stops the run, and twice at the prompt quits cleanly", async () => {
  const h = start({ turns: [hang], initialPrompt: "long job" });
  await h.waitFor("working");
  h.signal("SIGINT");
  await h.waitFor(() => {
    const text = h.output();
    const interrupted = text.indexOf("Interrupted.");
    return interrupted >= 0 && text.indexOf("/help for commands", interrupted) >= 0;
  });
  h.signal("SIGINT");
  await h.waitFor("Press Ctrl-C again to exit.");
  h.signal("SIGINT");
  assertEquals(await h.exit, 0);
  assert(!h.stdin.raw, "raw mode is given back");
  assertStringIncludes(h.output(), "\x1b[?2004l", "bracketed paste is turned off");
});

/** A tool `wait` that runs until `release()`, and the model turn that calls it. */
function gatedTool(): { tool: Tool; call: Turn; release: () => void } {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const tool: Tool = {
    name: "wait",
    description: "Waits.",
    parameters: { type: "object", properties: {} },
    permissions: [],
    async execute() {
      await gate;
      return textResult("released");
    },
  };
  const call: Turn = async function* () {
    yield {
      type: "done",
      reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "w1", type: "function", function: { name: "wait", arguments: "{}" } }],
      },
      toolCalls: [{ id: "w1", name: "wait", arguments: "{}" }],
    };
  };
  return { tool, call, release: () => release() };
}

Deno.test("command output typed while a tool runs is printed after the tool's result, not between", async () => {
  const wait = gatedTool();
  const h = start({
    turns: [wait.call, answer("All done."), answer("Later done.")],
    agentTools: [wait.tool],
    tty: false,
    initialPrompt: "go",
  });
  await h.waitFor("⏺ wait()");
  // Both lines are handled in one pass, so once the follow-up is queued the listing was printed.
  h.stdin.push("/queue later\n/queue\n");
  await h.waitFor(() => h.runtime.queue.list().length === 1);
  wait.release();
  await h.waitFor("Later done.");
  const text = h.output();
  const result = text.indexOf("⎿  released");
  assert(result > text.indexOf("⏺ wait()"), text);
  assert(text.indexOf("Queued (1):") > result, `the listing split the call from its result:\n${text}`);
  assert(text.indexOf("❯ /queue") > result, `the echoed command split the call from its result:\n${text}`);
  h.stdin.end();
  await h.exit;
});

Deno.test("while a tool runs, held command output shows in the live area, its first rows if it is long", async () => {
  const wait = gatedTool();
  const h = start({
    turns: [wait.call, answer("All done.")],
    agentTools: [wait.tool],
    env: { NO_COLOR: "1" },
    initialPrompt: "go",
  });
  await h.waitFor("running wait");
  h.stdin.push("/help\r");
  await h.waitFor("more lines, printed when the tool finishes");
  assertStringIncludes(h.output(), "Commands:");
  wait.release();
  await h.waitFor("All done.");
  const text = h.output();
  const result = text.indexOf("⎿  released");
  assert(text.lastIndexOf("Commands:") > result, "the help was not printed after the tool's result");
  assert(text.lastIndexOf("Typing while the agent") > result, "the help was not printed whole");
  h.stdin.push("\x04");
  await h.exit;
});

Deno.test("/dequeue edit during a run holds the messages back, and a run that ended meanwhile is followed by the edit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nanocode-editor-" });
  const go = `${dir}/go`;
  // The editor waits until the test lets it save, so the run can end meanwhile (a minute at most, so
  // a failed test cannot leave it behind).
  const editor = `${dir}/edit.sh`;
  await Deno.writeTextFile(
    editor,
    `#!/bin/sh\ni=0\nwhile [ ! -e "${go}" ] && [ $i -lt 3000 ]; do sleep 0.02; i=$((i+1)); done\nsed -i 's/alpha/gamma/' "$1"\n`,
  );
  await Deno.chmod(editor, 0o755);
  const { turn: slow, release } = gatedAnswer("Main");
  const h = start({
    turns: [slow, answer("Gamma handled.")],
    initialPrompt: "main task",
    env: { EDITOR: editor, NO_COLOR: "1" },
  });
  try {
    await h.waitFor("Main");
    h.stdin.push("/queue alpha\r");
    await h.waitFor(() => h.runtime.queue.list().length === 1);
    h.stdin.push("/dequeue edit\r");
    // Out of the queue while the editor is open, so the ending run cannot deliver it.
    await h.waitFor(() => h.runtime.queue.list().length === 0);
    release();
    await h.waitFor(() => h.runtime.agent.messages.at(-1)?.content === "Main done");
    await Deno.writeTextFile(go, "");
    await h.waitFor("Gamma handled.");
    assertEquals(h.provider.requests.length, 2);
    assertEquals(h.provider.requests[1].messages.at(-1), { role: "user", content: "gamma" });
    assertEquals(h.runtime.queue.list(), []);
    h.stdin.push("\x04");
    await h.exit;
  } finally {
    await Deno.writeTextFile(go, "");
    await Deno.remove(dir, { recursive: true });
  }
});

/** A turn that waits until `release()`, then answers with text. */
function gatedTurn(text: string): { turn: Turn; release: () => void } {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const turn: Turn = async function* () {
    await gate;
    yield* answer(text)(new AbortController().signal);
  };
  return { turn, release: () => release() };
}

Deno.test("/context shows the window in use; /compact summarises with the instructions and shows tokens before → after", async () => {
  const summary = gatedTurn("## Goal\nKeep the API names.");
  const h = start({
    turns: [answer("First answer."), summary.turn],
    env: { NO_COLOR: "1" },
    initialPrompt: "remember the API names",
  });
  await h.waitFor("1 call");
  h.stdin.push("/context\r");
  await h.waitFor("Context:");
  await h.waitFor(() => /system prompt\s+\d+[\s\S]*tool schemas\s+0[\s\S]*messages\s+\d+/.test(h.output()));
  assertStringIncludes(h.output(), "of 128k tokens");
  assertStringIncludes(h.output(), "compaction at");
  h.stdin.push("/compact keep the API names\r");
  await h.waitFor("compacting the conversation · ");
  assertStringIncludes(h.output(), "compacting: what you type is sent after it");
  summary.release();
  await h.waitFor("✻ Compacted the conversation: ");
  assert(/Compacted the conversation: \d+ → \d+ tokens \(1\s+message\s+summarised\)/.test(h.output()));
  const request = h.provider.requests[1];
  assertEquals(request.tools, undefined, "the summary request offers no tools");
  const prompt = request.messages.map((m) => typeof m.content === "string" ? m.content : "").join("\n");
  assertStringIncludes(prompt, "keep the API names");
  const kept = h.runtime.agent.messages.map((m) => String(m.content));
  assert(kept.includes("remember the API names"), "the user's message is kept verbatim");
  assert(kept.some((c) => c.includes("<compaction_summary")), JSON.stringify(kept));
  h.stdin.push("\x04");
  assertEquals(await h.exit, 0);
});

Deno.test("/compact is refused while the agent works", async () => {
  const h = start({ turns: [hang], env: { NO_COLOR: "1" }, initialPrompt: "go" });
  await h.waitFor("working");
  h.stdin.push("/compact\r");
  await h.waitFor("Cannot compact the conversation while the agent works");
  assertEquals(h.provider.requests.length, 1);
  h.stdin.push("\x03");
  await h.waitFor("Interrupted.");
  h.stdin.push("\x04");
  await h.exit;
});

Deno.test("command output typed while a line of the answer streams is printed after that line, not above it", async () => {
  const gated = gatedAnswer("alpha");
  const h = start({
    turns: [gated.turn, answer("Later done.")],
    tty: false,
    initialPrompt: "go",
  });
  await h.waitFor(() => h.provider.requests.length === 1);
  // Both lines are handled in one pass, so once the follow-up is queued the listing was made.
  h.stdin.push("/queue later\n/queue\n");
  await h.waitFor(() => h.runtime.queue.list().length === 1);
  assert(!h.output().includes("Queued (1):"), `printed above the unfinished line:\n${h.output()}`);
  gated.release();
  await h.waitFor("Later done.");
  const text = h.output();
  const line = text.indexOf("alpha");
  assert(line > 0, text);
  assert(text.indexOf("Queued (1):") > line, `the listing landed above the unfinished line:\n${text}`);
  assert(text.indexOf("❯ /queue") > line, `the echoed command landed above the unfinished line:\n${text}`);
  h.stdin.end();
  await h.exit;
});

Deno.test("in a terminal, output held for an unfinished line shows at once in the live area", async () => {
  const gated = gatedAnswer("alpha");
  const h = start({ turns: [gated.turn], env: { NO_COLOR: "1" }, initialPrompt: "go" });
  await h.waitFor("alpha");
  h.stdin.push("/queue\r");
  await h.waitFor("The queue is empty.");
  gated.release();
  await h.waitFor("1 call");
  h.stdin.push("\x04");
  await h.exit;
});
