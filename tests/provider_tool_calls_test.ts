import { assertEquals } from "./support/assert.ts";
import { type MockTurn, startMockLlm } from "./support/mock_llm.ts";
import { createOpenAIProvider } from "../lib/provider/mod.ts";
import type { AssembledToolCall, ProviderDelta } from "../lib/core/mod.ts";

type Done = Extract<ProviderDelta, { type: "done" }>;

function chunk(delta: Record<string, unknown>, finish: string | null = null) {
  return { id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] };
}

/** A stream of tool-call deltas, one chunk each, then the finish reason and [DONE]. */
function calls(deltas: Record<string, unknown>[][], finish = "tool_calls"): string {
  const events = deltas.map((d) => chunk({ tool_calls: d }));
  events.push(chunk({}, finish));
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("") + "data: [DONE]\n\n";
}

async function run(
  turn: MockTurn,
): Promise<{ deltas: ProviderDelta[]; done: Done; announced: AssembledToolCall[] }> {
  const llm = await startMockLlm({ turns: [turn] });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const deltas: ProviderDelta[] = [];
    const request = { model: "m", messages: [{ role: "user" as const, content: "go" }] };
    for await (const delta of provider.stream(request, new AbortController().signal)) deltas.push(delta);
    const done = deltas.at(-1) as Done;
    const announced = deltas.flatMap((d) => d.type === "tool_call" ? [d.call] : []);
    return { deltas, done, announced };
  } finally {
    await llm.close();
  }
}

Deno.test("provider assembles a tool call streamed as id and name, then argument fragments", async () => {
  const { done, announced } = await run({
    text: "Reading.",
    toolCalls: [{ id: "call_a", name: "read", arguments: { path: "src/main.ts", limit: 20 } }],
  });
  const expected = [{ id: "call_a", name: "read", arguments: '{"path":"src/main.ts","limit":20}' }];
  assertEquals(done.reason, "tool_calls");
  assertEquals(done.toolCalls, expected);
  assertEquals(announced, expected);
  assertEquals(done.message, {
    role: "assistant",
    content: "Reading.",
    tool_calls: [{
      id: "call_a",
      type: "function",
      function: { name: "read", arguments: expected[0].arguments },
    }],
  });
});

Deno.test("provider announces each parallel call once the next one starts", async () => {
  const { deltas, done } = await run({
    toolCalls: [{ id: "a", name: "read", arguments: { path: "x" } }, { id: "b", name: "ls", arguments: {} }],
  });
  const kinds = deltas.map((d) => d.type === "tool_call" ? `call:${d.call.id}` : d.type);
  assertEquals(kinds, ["call:a", "call:b", "usage", "done"]);
  assertEquals(done.toolCalls.map((c) => c.id), ["a", "b"]);
});

Deno.test("provider reads tool calls sent without an index", async () => {
  const raw = calls([
    [{ id: "a", type: "function", function: { name: "read", arguments: '{"path":"a"}' } }],
    [{ id: "b", type: "function", function: { name: "read", arguments: '{"path":"b"}' } }],
  ]);
  const { done } = await run({ raw });
  assertEquals(done.toolCalls, [
    { id: "a", name: "read", arguments: '{"path":"a"}' },
    { id: "b", name: "read", arguments: '{"path":"b"}' },
  ]);
});

Deno.test("provider splits parallel calls sent all at index 0 with different ids", async () => {
  const raw = calls([
    [{ index: 0, id: "a", function: { name: "read", arguments: "" } }],
    [{ index: 0, function: { arguments: '{"path":' } }],
    [{ index: 0, function: { arguments: '"a"}' } }],
    [{ index: 0, id: "b", function: { name: "grep", arguments: "" } }],
    [{ index: 0, function: { arguments: '{"pattern":"x"}' } }],
  ]);
  const { done, announced } = await run({ raw });
  const expected = [
    { id: "a", name: "read", arguments: '{"path":"a"}' },
    { id: "b", name: "grep", arguments: '{"pattern":"x"}' },
  ];
  assertEquals(done.toolCalls, expected);
  assertEquals(announced, expected);
});

Deno.test("provider reads a whole tool call sent in one chunk", async () => {
  const raw = calls([[{
    index: 0,
    id: "z",
    type: "function",
    function: { name: "ls", arguments: '{"path":"."}' },
  }]]);
  const { done } = await run({ raw });
  assertEquals(done.toolCalls, [{ id: "z", name: "ls", arguments: '{"path":"."}' }]);
});

Deno.test("provider assigns a name re-sent on every chunk instead of appending it", async () => {
  const raw = calls([
    [{ index: 0, id: "a", function: { name: "edit", arguments: '{"path":' } }],
    [{ index: 0, function: { name: "edit", arguments: '"f.ts",' } }],
    [{ index: 0, function: { name: "edit", arguments: '"edits":[]}' } }],
  ]);
  const { done } = await run({ raw });
  assertEquals(done.toolCalls, [{ id: "a", name: "edit", arguments: '{"path":"f.ts","edits":[]}' }]);
});

Deno.test("provider keeps one call when every chunk carries a new id", async () => {
  const raw = calls([
    [{ index: 0, id: "k1", function: { name: "bash", arguments: "" } }],
    [{ index: 0, id: "k2", function: { name: "bash", arguments: '{"command":' } }],
    [{ index: 0, id: "k3", function: { arguments: '"ls -la"' } }],
    [{ index: 0, id: "k4", function: { name: "bash", arguments: "}" } }],
  ]);
  const { done } = await run({ raw });
  assertEquals(done.toolCalls, [{ id: "k1", name: "bash", arguments: '{"command":"ls -la"}' }]);
});

Deno.test("provider accepts arguments sent as an object", async () => {
  const raw = calls([[{
    index: 0,
    id: "o",
    function: { name: "read", arguments: { path: "a.ts", offset: 3 } },
  }]]);
  const { done } = await run({ raw });
  assertEquals(done.toolCalls, [{ id: "o", name: "read", arguments: '{"path":"a.ts","offset":3}' }]);
});

Deno.test("provider returns tool calls when the finish reason is stop", async () => {
  const raw = calls([[{ index: 0, id: "s", function: { name: "ls", arguments: "{}" } }]], "stop");
  const { done } = await run({ raw });
  assertEquals(done.reason, "tool_calls");
  assertEquals(done.toolCalls, [{ id: "s", name: "ls", arguments: "{}" }]);
});

Deno.test("provider fills in missing ids and empty arguments", async () => {
  const raw = calls([
    [{ index: 0, function: { name: "ls", arguments: "" } }],
    [{ index: 1, function: { name: "pwd" } }],
  ]);
  const { done } = await run({ raw });
  assertEquals(done.toolCalls, [
    { id: "call_0", name: "ls", arguments: "{}" },
    { id: "call_1", name: "pwd", arguments: "{}" },
  ]);
  assertEquals(done.message.content, null);
});

Deno.test("provider keeps arguments that are not valid JSON for the loop to report", async () => {
  const raw = calls([[{ index: 0, id: "bad", function: { name: "read", arguments: '{"path": "a' } }]]);
  const { done } = await run({ raw });
  assertEquals(done.toolCalls, [{ id: "bad", name: "read", arguments: '{"path": "a' }]);
});

Deno.test("provider returns no tool calls from a stream that broke", async () => {
  const body = [
    chunk({ tool_calls: [{ index: 0, id: "a", function: { name: "read", arguments: '{"path":"a"}' } }] }),
    chunk({ tool_calls: [{ index: 1, id: "b", function: { name: "read", arguments: '{"pa' } }] }),
  ].map((e) => `data: ${JSON.stringify(e)}\n\n`).join("");
  const { done } = await run({ raw: body });
  assertEquals(done.reason, "error");
  assertEquals(done.toolCalls, []);
  assertEquals(done.message.tool_calls, undefined);
});

Deno.test("provider keeps two parallel calls apart when they arrive fragmented without an index in one chunk", async () => {
  const raw = calls([
    [
      { id: "a", type: "function", function: { name: "read", arguments: '{"pa' } },
      { id: "b", type: "function", function: { name: "grep", arguments: '{"pat' } },
    ],
    [{ function: { arguments: 'th":"a.ts"}' } }, { function: { arguments: 'tern":"TODO"}' } }],
  ]);
  const { done, announced } = await run({ raw });
  const expected = [
    { id: "a", name: "read", arguments: '{"path":"a.ts"}' },
    { id: "b", name: "grep", arguments: '{"pattern":"TODO"}' },
  ];
  assertEquals(done.toolCalls, expected);
  assertEquals(announced, expected);
});
