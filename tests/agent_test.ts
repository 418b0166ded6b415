import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { Agent, InputQueue } from "../lib/agent/mod.ts";
import type {
  AgentEvent,
  AssembledToolCall,
  ChatRequest,
  Message,
  Provider,
  ProviderDelta,
  Tool,
} from "../lib/core/mod.ts";
import { textResult, ToolError } from "../lib/core/mod.ts";

type Script = (request: ChatRequest, signal: AbortSignal) => ProviderDelta[] | Promise<ProviderDelta[]>;

/** A provider that answers each request with the next scripted list of deltas. */
function scriptedProvider(...turns: Script[]): Provider & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    requests,
    async *stream(request, signal) {
      requests.push(structuredClone(request));
      const script = turns.shift();
      if (!script) throw new Error("no scripted turn left");
      for (const delta of await script(request, signal)) yield delta;
    },
    listModels() {
      return Promise.resolve(["fake"]);
    },
  };
}

function answer(text: string): Script {
  return () => [
    { type: "text", text },
    { type: "usage", usage: { promptTokens: 10, completionTokens: 2, totalTokens: 12 } },
    { type: "done", reason: "stop", message: { role: "assistant", content: text }, toolCalls: [] },
  ];
}

function callTools(...calls: AssembledToolCall[]): Script {
  return () => [
    ...calls.map((call): ProviderDelta => ({ type: "tool_call", call })),
    {
      type: "done",
      reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        tool_calls: calls.map((c) => ({
          id: c.id,
          type: "function" as const,
          function: { name: c.name, arguments: c.arguments },
        })),
      },
      toolCalls: calls,
    },
  ];
}

const echoTool: Tool = {
  name: "echo",
  description: "Echoes its text.",
  parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  permissions: [],
  execute(args, ctx) {
    ctx.update(`echoing ${args.text}`);
    return Promise.resolve(textResult(String(args.text), { length: String(args.text).length }));
  },
};

/** A tool that answers with a text part and an image, as read does for a picture. */
const imageTool: Tool = {
  ...echoTool,
  name: "img",
  execute() {
    return Promise.resolve({
      content: [
        { type: "text", text: "Read image file [image/png]" },
        { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
      ],
    });
  },
};

async function collect(run: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of run) events.push(event);
  return events;
}

function toolMessages(messages: readonly Message[]) {
  return messages.filter((m) => m.role === "tool");
}

Deno.test("agent streams a plain answer and ends with its text and usage", async () => {
  const provider = scriptedProvider(answer("hello"));
  const agent = new Agent({ provider, tools: [], model: "m", cwd: "/", systemPrompt: "sys" });
  const events = await collect(agent.run("hi", new AbortController().signal));
  assertEquals(events.map((e) => e.type), [
    "agent_start",
    "system_prompt",
    "message",
    "turn_start",
    "text_delta",
    "usage",
    "message",
    "turn_end",
    "agent_end",
  ]);
  const end = events.at(-1)!;
  assert(end.type === "agent_end");
  assertEquals(end.text, "hello");
  assertEquals(end.usage.totalTokens, 12);
  assertEquals(provider.requests[0].messages, [
    { role: "system", content: "sys" },
    { role: "user", content: "hi" },
  ]);
});

Deno.test("agent runs tool calls in order, streams updates, and sends results back", async () => {
  const provider = scriptedProvider(
    callTools(
      { id: "a", name: "echo", arguments: '{"text":"one"}' },
      { id: "b", name: "echo", arguments: '{"text":"two"}' },
    ),
    answer("done"),
  );
  const agent = new Agent({ provider, tools: [echoTool], model: "m", cwd: "/" });
  const events = await collect(agent.run("go", new AbortController().signal));
  const results = events.filter((e) => e.type === "tool_result");
  assertEquals(results.map((r) => r.type === "tool_result" && r.text), ["one", "two"]);
  const updates = events.filter((e) => e.type === "tool_update");
  assertEquals(updates.map((u) => u.type === "tool_update" && u.text), ["echoing one", "echoing two"]);
  const second = provider.requests[1].messages;
  assertEquals(toolMessages(second), [
    { role: "tool", tool_call_id: "a", content: "one" },
    { role: "tool", tool_call_id: "b", content: "two" },
  ]);
  assertEquals(provider.requests[0].tools?.map((t) => t.name), ["echo"]);
});

Deno.test("agent returns a tool error for an unknown tool and goes on", async () => {
  const provider = scriptedProvider(callTools({ id: "x", name: "nope", arguments: "{}" }), answer("ok"));
  const agent = new Agent({ provider, tools: [echoTool], model: "m", cwd: "/" });
  const events = await collect(agent.run("go", new AbortController().signal));
  const result = events.find((e) => e.type === "tool_result");
  assert(result?.type === "tool_result");
  assert(result.isError);
  assertMatch(result.text, /Unknown tool "nope". Available tools: echo/);
  assertEquals(events.at(-1)?.type === "agent_end" && events.at(-1), {
    type: "agent_end",
    text: "ok",
    reason: "stop",
    usage: { promptTokens: 10, completionTokens: 2, totalTokens: 12 },
    turns: 2,
  });
});

Deno.test("agent returns a tool error for arguments that are not JSON", async () => {
  const provider = scriptedProvider(
    callTools({ id: "x", name: "echo", arguments: '{"text": "unclosed' }),
    answer("ok"),
  );
  const agent = new Agent({ provider, tools: [echoTool], model: "m", cwd: "/" });
  await collect(agent.run("go", new AbortController().signal));
  const [tool] = toolMessages(provider.requests[1].messages);
  assert(tool.role === "tool");
  assertMatch(tool.content, /arguments are not valid JSON/);
});

Deno.test("agent returns a tool error for missing required fields and wrong types", async () => {
  const provider = scriptedProvider(
    callTools({ id: "x", name: "echo", arguments: "{}" }, {
      id: "y",
      name: "echo",
      arguments: '{"text": 5}',
    }),
    answer("ok"),
  );
  const agent = new Agent({ provider, tools: [echoTool], model: "m", cwd: "/" });
  await collect(agent.run("go", new AbortController().signal));
  const [missing, wrong] = toolMessages(provider.requests[1].messages);
  assertMatch(missing.content as string, /missing required parameter "text"/);
  assertMatch(wrong.content as string, /"text" must be string, got a number \(\d+\)/);
});

Deno.test("agent turns a thrown tool error into an error result with its details", async () => {
  const failing: Tool = {
    ...echoTool,
    name: "fail",
    execute() {
      return Promise.reject(new ToolError("it broke\nCommand exited with code 3", { exitCode: 3 }));
    },
  };
  const provider = scriptedProvider(
    callTools({ id: "f", name: "fail", arguments: '{"text":"x"}' }),
    answer("ok"),
  );
  const agent = new Agent({ provider, tools: [failing], model: "m", cwd: "/" });
  const events = await collect(agent.run("go", new AbortController().signal));
  const result = events.find((e) => e.type === "tool_result");
  assertEquals(result, {
    type: "tool_result",
    id: "f",
    name: "fail",
    isError: true,
    text: "it broke\nCommand exited with code 3",
    details: { exitCode: 3 },
  });
});

Deno.test("agent reports a provider error and does not run half-streamed tool calls", async () => {
  let ran = false;
  const tool: Tool = {
    ...echoTool,
    execute() {
      ran = true;
      return Promise.resolve(textResult("ran"));
    },
  };
  const provider = scriptedProvider(() => [
    { type: "text", text: "partial" },
    {
      type: "done",
      reason: "error",
      error: "Cannot read the model's answer: the connection closed mid-stream",
      message: {
        role: "assistant",
        content: "partial",
        tool_calls: [{ id: "t", type: "function", function: { name: "echo", arguments: '{"te' } }],
      },
      toolCalls: [{ id: "t", name: "echo", arguments: '{"te' }],
    },
  ]);
  const agent = new Agent({ provider, tools: [tool], model: "m", cwd: "/" });
  const events = await collect(agent.run("go", new AbortController().signal));
  assertEquals(ran, false);
  const end = events.at(-1);
  assert(end?.type === "agent_end");
  assertEquals(end.reason, "error");
  assertMatch(end.error ?? "", /connection closed/);
  assert(events.some((e) => e.type === "error"));
  assertEquals(agent.messages.at(-1), { role: "assistant", content: "partial" });
});

Deno.test("agent abort during a tool leaves every tool call with a result", async () => {
  const controller = new AbortController();
  const slow: Tool = {
    ...echoTool,
    name: "slow",
    execute(_args, ctx) {
      controller.abort();
      return Promise.reject(new Error(ctx.signal.aborted ? "aborted by the user" : "not aborted"));
    },
  };
  const provider = scriptedProvider(
    callTools(
      { id: "1", name: "slow", arguments: '{"text":"a"}' },
      { id: "2", name: "slow", arguments: '{"text":"b"}' },
    ),
  );
  const agent = new Agent({ provider, tools: [slow], model: "m", cwd: "/" });
  const events = await collect(agent.run("go", controller.signal));
  const tools = toolMessages(agent.messages);
  assertEquals(tools.map((m) => m.role === "tool" && m.tool_call_id), ["1", "2"]);
  assertMatch(tools[0].content as string, /aborted by the user/);
  assertMatch(tools[1].content as string, /skipped/);
  const end = events.at(-1);
  assert(end?.type === "agent_end");
  assertEquals(end.reason, "aborted");
  assertEquals(provider.requests.length, 1);
});

Deno.test("agent delivers steering before the next model call and follow-ups after it would stop", async () => {
  const queue = new InputQueue();
  const provider = scriptedProvider(
    () => {
      queue.steer("also do this");
      queue.followUp("then that");
      return callTools({ id: "a", name: "echo", arguments: '{"text":"x"}' })(
        {} as ChatRequest,
        new AbortController().signal,
      );
    },
    answer("first done"),
    answer("second done"),
  );
  const agent = new Agent({ provider, tools: [echoTool], model: "m", cwd: "/", queue });
  const events = await collect(agent.run("start", new AbortController().signal));
  const queued = events.filter((e) => e.type === "queue");
  assertEquals(queued, [
    { type: "queue", kind: "steer", text: "also do this" },
    { type: "queue", kind: "followup", text: "then that" },
  ]);
  assertEquals(provider.requests[1].messages.at(-1), { role: "user", content: "also do this" });
  assertEquals(provider.requests[2].messages.at(-1), { role: "user", content: "then that" });
  const end = events.at(-1);
  assert(end?.type === "agent_end");
  assertEquals(end.text, "second done");
});

Deno.test("agent sends tool images as a user message after the tool results", async () => {
  const provider = scriptedProvider(
    callTools({ id: "i", name: "img", arguments: '{"text":"a"}' }),
    answer("seen"),
  );
  const agent = new Agent({ provider, tools: [imageTool], model: "m", cwd: "/" });
  await collect(agent.run("look", new AbortController().signal));
  const sent = provider.requests[1].messages;
  assertEquals(sent.at(-2), { role: "tool", tool_call_id: "i", content: "Read image file [image/png]" });
  assertEquals(sent.at(-1), {
    role: "user",
    content: [
      { type: "text", text: "Image from tool call i:" },
      { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
    ],
  });
});

Deno.test("agent converts numbers and booleans sent as strings before checking types", async () => {
  let seen: Record<string, unknown> | undefined;
  const typed: Tool = {
    name: "typed",
    description: "Takes typed arguments.",
    parameters: {
      type: "object",
      properties: { n: { type: "integer" }, flag: { type: "boolean" }, label: { type: "string" } },
      required: ["n"],
    },
    permissions: [],
    execute(args) {
      seen = args;
      return Promise.resolve(textResult("ok"));
    },
  };
  const provider = scriptedProvider(
    callTools({ id: "t", name: "typed", arguments: '{"n": "42", "flag": "true", "label": "7"}' }),
    answer("done"),
  );
  const agent = new Agent({ provider, tools: [typed], model: "m", cwd: "/" });
  await collect(agent.run("go", new AbortController().signal));
  assertEquals(seen, { n: 42, flag: true, label: "7" });
});

Deno.test("agent delivers steering typed during the final answer before a queued follow-up", async () => {
  const queue = new InputQueue();
  const provider = scriptedProvider(
    () => {
      queue.steer("steer during final");
      queue.followUp("follow-up during final");
      return answer("first")({} as ChatRequest, new AbortController().signal);
    },
    answer("second"),
    answer("third"),
  );
  const agent = new Agent({ provider, tools: [], model: "m", cwd: "/", queue });
  const events = await collect(agent.run("go", new AbortController().signal));
  assertEquals(events.filter((e) => e.type === "queue").map((e) => e.type === "queue" && e.kind), [
    "steer",
    "followup",
  ]);
  assertEquals(provider.requests[1].messages.at(-1), { role: "user", content: "steer during final" });
  assertEquals(provider.requests[2].messages.at(-1), { role: "user", content: "follow-up during final" });
});

Deno.test("agent keeps malformed tool-call arguments out of the history it sends back", async () => {
  const provider = scriptedProvider(
    callTools({ id: "x", name: "echo", arguments: '{"text": "unclosed' }),
    answer("ok"),
  );
  const agent = new Agent({ provider, tools: [echoTool], model: "m", cwd: "/" });
  await collect(agent.run("go", new AbortController().signal));
  const assistant = provider.requests[1].messages.find((m) => m.role === "assistant");
  assert(assistant?.role === "assistant");
  assertEquals(assistant.tool_calls?.[0].function.arguments, "{}");
});

Deno.test("agent omits tool images for a model that does not accept them, and says so", async () => {
  const provider = scriptedProvider(
    callTools({ id: "i", name: "img", arguments: '{"text":"a"}' }),
    answer("ok"),
  );
  const agent = new Agent({
    provider,
    tools: [imageTool],
    model: "text-only",
    cwd: "/",
    acceptsImages: (model) => model !== "text-only",
  });
  await collect(agent.run("look", new AbortController().signal));
  const sent = provider.requests[1].messages;
  assertEquals(sent.some((m) => Array.isArray(m.content)), false);
  const tool = sent.find((m) => m.role === "tool");
  assertMatch(tool?.content as string, /image\(s\) omitted: the current model does not accept images/);
});
