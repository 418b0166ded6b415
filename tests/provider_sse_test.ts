import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { type MockTurn, startMockLlm } from "./support/mock_llm.ts";
import { createOpenAIProvider, readChatStream } from "../lib/provider/mod.ts";
import { addUsage, type ProviderDelta, ZERO_USAGE } from "../lib/core/mod.ts";

type Done = Extract<ProviderDelta, { type: "done" }>;

/** One chunk with a delta for choice 0. */
function chunk(delta: Record<string, unknown>, finish: string | null = null) {
  return { id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] };
}

/** An SSE body: objects become `data:` events, strings are sent as they are. */
function sse(...parts: unknown[]): string {
  return parts.map((p) => typeof p === "string" ? p : `data: ${JSON.stringify(p)}\n\n`).join("");
}

async function run(turn: MockTurn): Promise<{ deltas: ProviderDelta[]; done: Done; text: string }> {
  const llm = await startMockLlm({ turns: [turn] });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const deltas: ProviderDelta[] = [];
    const request = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };
    for await (const delta of provider.stream(request, new AbortController().signal)) deltas.push(delta);
    return summarize(deltas);
  } finally {
    await llm.close();
  }
}

function summarize(deltas: ProviderDelta[]) {
  const done = deltas.at(-1) as Done;
  assertEquals(done.type, "done");
  assertEquals(deltas.filter((d) => d.type === "done").length, 1, "exactly one done delta");
  const text = deltas.map((d) => d.type === "text" ? d.text : "").join("");
  return { deltas, done, text };
}

Deno.test("provider reads events framed with CRLF line ends", async () => {
  const body = [
    `data: ${JSON.stringify(chunk({ content: "Hel" }))}\r\n\r\n`,
    `data: ${JSON.stringify(chunk({ content: "lo" }, "stop"))}\r\n\r\n`,
    "data: [DONE]\r\n\r\n",
  ].join("");
  const { done, text } = await run({ raw: body });
  assertEquals(text, "Hello");
  assertEquals(done.reason, "stop");
  assertEquals(done.message.content, "Hello");
});

Deno.test("provider reads events framed with bare CR line ends", async () => {
  const body = `data: ${JSON.stringify(chunk({ content: "a" }))}\r\rdata: ${
    JSON.stringify(chunk({ content: "b" }, "stop"))
  }\r\rdata: [DONE]\r\r`;
  const { done } = await run({ raw: body });
  assertEquals(done.message.content, "ab");
  assertEquals(done.reason, "stop");
});

Deno.test("provider ignores comment and keep-alive lines", async () => {
  const body = sse(
    ": OPENROUTER PROCESSING\n\n",
    chunk({ content: "x" }),
    ":\n: another comment\n\n",
    chunk({}, "stop"),
    "data: [DONE]\n\n",
  );
  const { done, text } = await run({ raw: body });
  assertEquals(text, "x");
  assertEquals(done.reason, "stop");
});

Deno.test("provider treats event: data lines like plain data", async () => {
  const body = `event: data\ndata: ${JSON.stringify(chunk({ content: "a" }))}\n\nevent: message\ndata: ${
    JSON.stringify(chunk({ content: "b" }, "stop"))
  }\n\nevent: data\ndata: [DONE]\n\n`;
  const { done } = await run({ raw: body });
  assertEquals(done.message.content, "ab");
});

Deno.test("provider joins multi-line data fields with a newline", async () => {
  const body =
    `data: {"choices":[{"index":0,\ndata: "delta":{"content":"joined"},\ndata: "finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`;
  const { done } = await run({ raw: body });
  assertEquals(done.message.content, "joined");
  assertEquals(done.reason, "stop");
});

Deno.test("provider accepts data fields without a space after the colon", async () => {
  const body = `data:${JSON.stringify(chunk({ content: "tight" }, "stop"))}\n\ndata:[DONE]\n\n`;
  const { done } = await run({ raw: body });
  assertEquals(done.message.content, "tight");
});

Deno.test("provider ignores anything after [DONE]", async () => {
  const body = sse(chunk({ content: "kept" }, "stop"), "data: [DONE]\n\n", chunk({ content: " ignored" }));
  const { done, text } = await run({ raw: body });
  assertEquals(text, "kept");
  assertEquals(done.message.content, "kept");
});

Deno.test("provider ends cleanly when the stream closes after a finish reason without [DONE]", async () => {
  const { done } = await run({ raw: sse(chunk({ content: "fine" }), chunk({}, "stop")) });
  assertEquals(done.reason, "stop");
  assertEquals(done.error, undefined);
  assertEquals(done.message.content, "fine");
});

Deno.test("provider dispatches a last event that lacks its closing blank line", async () => {
  const { done } = await run({ raw: `data: ${JSON.stringify(chunk({ content: "end" }, "stop"))}` });
  assertEquals(done.reason, "stop");
  assertEquals(done.message.content, "end");
});

Deno.test("provider reports a stream that closes before any finish reason as broken", async () => {
  const { done } = await run({ raw: sse(chunk({ content: "half an ans" })) });
  assertEquals(done.reason, "error");
  assertMatch(done.error!, /^Cannot read the reply of m: the stream ended before the reply was complete/);
  assertEquals(done.message.content, "half an ans");
  assertEquals(done.toolCalls, []);
});

Deno.test("provider reports an error object sent mid-stream with HTTP 200", async () => {
  const body = sse(
    chunk({ content: "partial" }),
    {
      id: "c",
      object: "chat.completion.chunk",
      error: { code: 502, message: "Upstream provider\nwent away" },
      choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
    },
    "data: [DONE]\n\n",
  );
  const { done } = await run({ raw: body });
  assertEquals(done.reason, "error");
  assertEquals(
    done.error,
    "Cannot get a reply from m: the endpoint reported an error (Upstream provider went away)",
  );
  assertEquals(done.message.content, "partial");
});

Deno.test("provider reports an event: error", async () => {
  const body = sse(chunk({ content: "a" })) +
    `event: error\ndata: {"message":"overloaded_error: Overloaded"}\n\n`;
  const { done } = await run({ raw: body });
  assertEquals(done.reason, "error");
  assertMatch(done.error!, /overloaded_error: Overloaded/);
});

Deno.test("provider flags a mid-stream context overflow error", async () => {
  const body = sse({ error: { message: "This model's maximum context length is 8192 tokens" } });
  const { done } = await run({ raw: body });
  assertEquals(done.reason, "error");
  assertEquals(done.contextOverflow, true);
  assertMatch(done.error!, /too long for m/);
});

Deno.test("provider reads usage from a final chunk with empty choices", async () => {
  const body = sse(
    chunk({ content: "hi" }),
    chunk({}, "stop"),
    {
      choices: [],
      usage: {
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 2 },
      },
    },
    "data: [DONE]\n\n",
  );
  const { deltas, done } = await run({ raw: body });
  const usage = deltas.filter((d) => d.type === "usage");
  assertEquals(usage, [{
    type: "usage",
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15, cachedTokens: 4, reasoningTokens: 2 },
  }]);
  assertEquals(done.reason, "stop");
});

Deno.test("provider reads the cost an endpoint reports in usage, and run totals add it up", async () => {
  const body = sse(
    chunk({ content: "hi" }),
    chunk({}, "stop"),
    { choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, cost: 0.00125 } },
    "data: [DONE]\n\n",
  );
  const { deltas } = await run({ raw: body });
  const usage = deltas.find((d) => d.type === "usage");
  assert(usage?.type === "usage");
  assertEquals(usage.usage.cost, 0.00125);
  const total = addUsage(addUsage(ZERO_USAGE, usage.usage), {
    promptTokens: 1,
    completionTokens: 1,
    totalTokens: 2,
    cost: 0.001,
  });
  assert(Math.abs(total.cost! - 0.00225) < 1e-12, String(total.cost));
  assertEquals(
    addUsage(ZERO_USAGE, ZERO_USAGE).cost,
    undefined,
    "no cost is made up where none was reported",
  );
});

Deno.test("provider reports a connection cut after output as an error and does not send again", async () => {
  const llm = await startMockLlm({ turns: [{ text: "this will be cut short", cutAfterChunks: 2 }] });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const deltas: ProviderDelta[] = [];
    const request = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };
    for await (const delta of provider.stream(request, new AbortController().signal)) deltas.push(delta);
    const { done, text } = summarize(deltas);
    assertEquals(done.reason, "error");
    assertMatch(done.error!, /^Cannot read the reply of m: the connection broke/);
    assert(text.length > 0 && done.message.content === text, "the partial text is kept");
    assertEquals(deltas.filter((d) => d.type === "retry"), []);
    assertEquals(llm.requests.length, 1);
  } finally {
    await llm.close();
  }
});

Deno.test("provider yields text while the response is still streaming", async () => {
  const llm = await startMockLlm({ turns: [{ text: "streamed before the end", hangAfterChunks: 2 }] });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const controller = new AbortController();
    const request = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };
    const seen: ProviderDelta[] = [];
    for await (const delta of provider.stream(request, controller.signal)) {
      seen.push(delta);
      // The server is holding the rest back; text arriving here proves nothing waits for the end.
      if (delta.type === "text") controller.abort();
    }
    const done = seen.at(-1) as Done;
    assertEquals(done.reason, "aborted");
    assert(done.message.content !== "", "the text received before the abort is kept");
  } finally {
    await llm.close();
  }
});

/** A body that delivers `bytes` in pieces of `size` bytes. */
function trickle(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

Deno.test("readChatStream gives the same result when the body arrives one byte at a time", async () => {
  const body = sse(
    ": keep-alive\r\n\r\n",
    chunk({ reasoning_content: "überlegen 🤔" }),
    chunk({ content: "<think>ignored since reasoning came in a field</think>" }),
    chunk({ content: "naïve ✓ " }),
    chunk({ tool_calls: [{ index: 0, id: "t1", function: { name: "write", arguments: '{"text":"日本' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '語 🎉"}' } }] }, "tool_calls"),
    "data: [DONE]\r\n\r\n",
  ).replaceAll("\n\n", "\r\n\r\n");
  const bytes = new TextEncoder().encode(body);
  const whole = await collect(readChatStream(trickle(bytes, bytes.length)));
  const byByte = await collect(readChatStream(trickle(bytes, 1)));
  const wholeDone = whole.at(-1) as Done;
  assertEquals(wholeDone.reason, "tool_calls");
  assertEquals(wholeDone.toolCalls, [{ id: "t1", name: "write", arguments: '{"text":"日本語 🎉"}' }]);
  assertEquals(wholeDone.message.reasoning_content, "überlegen 🤔");
  assertEquals(byByte.at(-1), wholeDone);
  assertEquals(join(byByte, "text"), join(whole, "text"));
  assertEquals(join(byByte, "thinking"), join(whole, "thinking"));
});

Deno.test("readChatStream decodes a character whose bytes are split between network chunks", async () => {
  const bytes = new TextEncoder().encode(sse(chunk({ content: "€" }, "stop")));
  const euro = bytes.indexOf(0xe2);
  const pieces = [bytes.slice(0, euro + 1), bytes.slice(euro + 1, euro + 2), bytes.slice(euro + 2)];
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
  const deltas = await collect(readChatStream(body));
  assertEquals((deltas.at(-1) as Done).message.content, "€");
});

Deno.test("readChatStream cancels the body when the consumer stops early", async () => {
  let cancelled = false;
  const bytes = new TextEncoder().encode(sse(chunk({ content: "a" })));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const delta of readChatStream(body)) {
    assertEquals(delta, { type: "text", text: "a" });
    break;
  }
  assert(cancelled, "the body was cancelled");
});

async function collect(stream: AsyncIterable<ProviderDelta>): Promise<ProviderDelta[]> {
  const out: ProviderDelta[] = [];
  for await (const delta of stream) out.push(delta);
  return out;
}

function join(deltas: ProviderDelta[], type: "text" | "thinking"): string {
  return deltas.map((d) => d.type === type ? d.text : "").join("");
}
