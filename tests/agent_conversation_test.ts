/** The conversation as an event log: one owner, whole-message events, replay, forks. */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { Agent, consistentPrefix, Conversation, InputQueue, replay } from "../lib/agent/mod.ts";
import type { AgentEvent, ChatRequest, Message, Provider, ProviderDelta, Tool } from "../lib/core/mod.ts";
import { textResult } from "../lib/core/mod.ts";
import { bashTool } from "../lib/tools/bash.ts";
import { answering, calling } from "./support/scripted.ts";
import { readTool } from "../lib/tools/read.ts";

/** A 1×1 PNG, so `read` answers with an image part. */
const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

Deno.test("replaying the whole-message events rebuilds every request the provider received", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/dot.png`, PNG);
  const queue = new InputQueue();
  const log: AgentEvent[] = [];
  const checked: ChatRequest[] = [];
  const scripts: ((request: ChatRequest) => ProviderDelta[])[] = [
    // Run 1: a tool that queues steering and a follow-up while it runs, an image, reasoning.
    () => calling([{ id: "r1", name: "read", arguments: '{"path":"dot.png"}' }], "look at it first"),
    () => calling([{ id: "q1", name: "note", arguments: '{"text":"noted"}' }]),
    () => answering("a dot"),
    () => answering("follow-up answered"),
    // Run 2, after a model switch: interrupted in the middle of a command.
    () => calling([{ id: "b1", name: "bash", arguments: '{"command":"echo started; sleep 30"}' }], "run it"),
    // Run 3, after /c.
    () => answering("fresh start"),
  ];
  const provider: Provider = {
    async *stream(request) {
      // The events consumed so far are exactly what happened before this request.
      const rebuilt = replay(log);
      assertEquals(rebuilt.messages, request.messages);
      assertEquals(rebuilt.model ?? "m1", request.model);
      checked.push(structuredClone(request));
      const script = scripts.shift();
      assert(script, "no scripted turn left");
      for (const delta of script(request)) yield delta;
    },
    listModels: () => Promise.resolve([]),
  };
  const note: Tool = {
    name: "note",
    description: "Takes a note.",
    parameters: { type: "object", properties: { text: { type: "string" } } },
    permissions: [],
    execute() {
      queue.steer("steer: also mention the colour");
      queue.followUp("and then summarise");
      return Promise.resolve(textResult("ok"));
    },
  };
  const agent = new Agent({
    provider,
    tools: [readTool, bashTool, note],
    model: "m1",
    cwd: dir,
    systemPrompt: "you are a test",
    queue,
  });

  for await (const event of agent.run("what is in dot.png?", new AbortController().signal)) log.push(event);
  agent.setModel("m2");
  const controller = new AbortController();
  for await (const event of agent.run("run the command", controller.signal)) {
    log.push(event);
    if (event.type === "tool_update" && event.text.includes("started")) controller.abort();
  }
  agent.clear();
  for await (const event of agent.run("after the clear", new AbortController().signal)) log.push(event);

  assertEquals(checked.length, 6);
  assertEquals(scripts.length, 0);
  // The log holds what each feature needed: the image, the reasoning, the steering, the abort.
  const requestWithImage = checked[1].messages.find((m) => Array.isArray(m.content));
  assert(requestWithImage, "the image went to the model");
  assertEquals(
    checked[1].messages.find((m) => m.role === "assistant"),
    {
      role: "assistant",
      content: null,
      reasoning_content: "look at it first",
      tool_calls: [{
        id: "r1",
        type: "function",
        function: { name: "read", arguments: '{"path":"dot.png"}' },
      }],
    },
  );
  assertEquals(checked[2].messages.at(-1), { role: "user", content: "steer: also mention the colour" });
  assertEquals(checked[3].messages.at(-1), { role: "user", content: "and then summarise" });
  assertEquals(checked[4].model, "m2");
  assertEquals(checked[5].messages, [
    { role: "system", content: "you are a test" },
    { role: "user", content: "after the clear" },
  ]);
  const aborted = log.find((e) => e.type === "tool_result" && e.id === "b1");
  assert(aborted?.type === "tool_result" && aborted.isError);
  // The whole log also rebuilds the conversation as it stands now.
  assertEquals(replay(log).messages, agent.messages);
  assertEquals(replay(log).model, "m2");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("changes between runs reach subscribers at once and the next run's stream first", async () => {
  const provider: Provider = {
    async *stream() {
      yield* answering("ok");
    },
    listModels: () => Promise.resolve([]),
  };
  const agent = new Agent({ provider, tools: [], model: "a", cwd: "/", systemPrompt: "one" });
  const seen: string[] = [];
  agent.subscribe((event) => seen.push(event.type));
  agent.setModel("b");
  agent.setSystemPrompt("two");
  assertEquals(seen, ["model_change", "system_prompt"]);
  const types: string[] = [];
  for await (const event of agent.run("hi", new AbortController().signal)) types.push(event.type);
  assertEquals(types.slice(0, 5), [
    "agent_start",
    "system_prompt",
    "model_change",
    "system_prompt",
    "message",
  ]);
  assertEquals(seen, ["model_change", "system_prompt", "message", "message"]);
});

Deno.test("a model switched during a run is in the stream before the request that uses it", async () => {
  // The tool switches the model of the agent it runs in, made below.
  const holder: { agent?: Agent } = {};
  const models: string[] = [];
  const switcher: Tool = {
    name: "switch",
    description: "Switches the model.",
    parameters: { type: "object", properties: {} },
    permissions: [],
    execute() {
      holder.agent!.setModel("second");
      return Promise.resolve(textResult("switched"));
    },
  };
  const scripts = [calling([{ id: "s", name: "switch", arguments: "{}" }]), answering("done")];
  const provider: Provider = {
    async *stream(request) {
      models.push(request.model);
      yield* scripts.shift()!;
    },
    listModels: () => Promise.resolve([]),
  };
  const agent = new Agent({ provider, tools: [switcher], model: "first", cwd: "/" });
  holder.agent = agent;
  const log: AgentEvent[] = [];
  for await (const event of agent.run("go", new AbortController().signal)) log.push(event);
  assertEquals(models, ["first", "second"]);
  const change = log.findIndex((e) => e.type === "model_change");
  const secondTurn = log.findLastIndex((e) => e.type === "turn_start");
  assert(change >= 0 && change < secondTurn, "the switch is logged before the second request");
});

Deno.test("a fork copies the answered part of the conversation and never changes the original", async () => {
  const requests: ChatRequest[] = [];
  let release: (() => void) | undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const slow: Tool = {
    name: "slow",
    description: "Waits.",
    parameters: { type: "object", properties: {} },
    permissions: [],
    async execute() {
      await gate;
      return textResult("slow done");
    },
  };
  const scripts = [
    calling([{ id: "w", name: "slow", arguments: "{}" }]),
    answering("side"),
    answering("main"),
  ];
  const provider: Provider = {
    async *stream(request) {
      requests.push(structuredClone(request));
      yield* scripts.shift()!;
    },
    listModels: () => Promise.resolve([]),
  };
  const agent = new Agent({ provider, tools: [slow], model: "m", cwd: "/", systemPrompt: "sys" });
  const run = agent.run("start", new AbortController().signal);
  for await (const event of run) {
    if (event.type !== "tool_call") continue;
    // Mid-run: the assistant's call has no result yet, so the fork stops before it.
    const side = agent.fork({ tools: [] });
    assertEquals(side.tools, []);
    for await (const _ of side.run("side question", new AbortController().signal)) { /* drain */ }
    assertEquals(requests[1].messages, [
      { role: "system", content: "sys" },
      { role: "user", content: "start" },
      { role: "user", content: "side question" },
    ]);
    release!();
  }
  assertEquals(agent.messages.map((m) => m.role), ["system", "user", "assistant", "tool", "assistant"]);
  assert(!agent.messages.some((m) => m.content === "side question"));
});

Deno.test("a second run on the same agent while one is in progress is refused", async () => {
  let started: (() => void) | undefined;
  const streaming = new Promise<void>((resolve) => (started = resolve));
  let release: (() => void) | undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const provider: Provider = {
    async *stream() {
      started!();
      await gate;
      yield* answering("late");
    },
    listModels: () => Promise.resolve([]),
  };
  const agent = new Agent({ provider, tools: [], model: "m", cwd: "/" });
  const first = (async () => {
    const types: string[] = [];
    for await (const event of agent.run("one", new AbortController().signal)) types.push(event.type);
    return types;
  })();
  await streaming;
  let refused = "";
  try {
    await agent.run("two", new AbortController().signal).next();
  } catch (error) {
    refused = (error as Error).message;
  }
  assertStringIncludes(refused, "Cannot start a run while another one is in progress");
  release!();
  assertEquals((await first).at(-1), "agent_end");
  assertEquals(agent.messages.map((m) => m.content), ["one", "late"]);
});

Deno.test("the conversation emits one event per change and replay applies each", () => {
  const conversation = new Conversation({ model: "a" });
  const events: AgentEvent[] = [];
  conversation.subscribe((event) => events.push(event));
  conversation.append({ role: "user", content: "before any system prompt" });
  conversation.setSystemPrompt("first");
  conversation.setSystemPrompt("second");
  conversation.append({ role: "assistant", content: "hi" });
  conversation.setModel("b");
  conversation.clear();
  conversation.append({ role: "user", content: "again" });
  assertEquals(events.map((e) => e.type), [
    "message",
    "system_prompt",
    "system_prompt",
    "message",
    "model_change",
    "clear",
    "message",
  ]);
  const expected: Message[] = [{ role: "system", content: "second" }, { role: "user", content: "again" }];
  assertEquals(conversation.messages, expected);
  assertEquals(replay(events), { messages: expected, model: "b" });
});

Deno.test("a snapshot stops before an assistant turn whose tool calls are unanswered", () => {
  const call = { id: "x", type: "function" as const, function: { name: "t", arguments: "{}" } };
  const messages: Message[] = [
    { role: "user", content: "q" },
    { role: "assistant", content: null, tool_calls: [call] },
  ];
  assertEquals(consistentPrefix(messages), messages.slice(0, 1));
  const answered: Message[] = [...messages, { role: "tool", tool_call_id: "x", content: "r" }];
  assertEquals(consistentPrefix(answered), answered);
  const conversation = new Conversation({ model: "m", messages });
  const copy = conversation.snapshot();
  assertEquals(copy, messages.slice(0, 1));
  (copy[0] as { content: string }).content = "changed";
  assertEquals(conversation.messages[0], { role: "user", content: "q" });
});
