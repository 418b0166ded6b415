import { assertEquals, assertMatch, assertRejects } from "./support/assert.ts";
import { type MockTurn, startMockLlm } from "./support/mock_llm.ts";
import { buildChatBody, createOpenAIProvider } from "../lib/provider/mod.ts";
import { type ChatRequest, type ProviderDelta, ProviderError, VERSION } from "../lib/core/mod.ts";
import { rejects } from "node:assert/strict";

type Done = Extract<ProviderDelta, { type: "done" }>;

const never = new AbortController().signal;

async function collect(stream: AsyncIterable<ProviderDelta>): Promise<ProviderDelta[]> {
  const out: ProviderDelta[] = [];
  for await (const delta of stream) out.push(delta);
  return out;
}

Deno.test("provider posts a streaming chat request with the documented headers", async () => {
  const llm = await startMockLlm({ turns: [{ text: "hi" }] });
  try {
    const provider = createOpenAIProvider({ baseUrl: `${llm.url}/`, apiKey: "sk-test", sessionId: "sess-1" });
    const request: ChatRequest = {
      model: "mock-model",
      messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello" }],
      tools: [{ name: "read", description: "Read a file", parameters: { type: "object" } }],
    };
    await collect(provider.stream(request, never));
    const [recorded] = await llm.waitForRequests(1);
    assertEquals(recorded.method, "POST");
    assertEquals(recorded.path, "/v1/chat/completions");
    assertEquals(recorded.headers.authorization, "Bearer sk-test");
    assertEquals(recorded.headers["user-agent"], `nanocode/${VERSION}`);
    assertEquals(recorded.headers["x-opencode-session"], "sess-1");
    assertEquals(recorded.headers["content-type"], "application/json");
    assertEquals(recorded.body, {
      model: "mock-model",
      messages: request.messages,
      stream: true,
      stream_options: { include_usage: true },
      tools: [{
        type: "function",
        function: { name: "read", description: "Read a file", parameters: { type: "object" } },
      }],
      tool_choice: "auto",
    });
  } finally {
    await llm.close();
  }
});

Deno.test("provider sends the token limit it is given, and none by default", async () => {
  const llm = await startMockLlm({ turns: [{ text: "a" }, { text: "b" }] });
  try {
    const request = { model: "m", messages: [{ role: "user" as const, content: "x" }] };
    await collect(
      createOpenAIProvider({ baseUrl: llm.url, sessionId: "s", maxTokens: 8192 }).stream(request, never),
    );
    await collect(createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" }).stream(request, never));
    const [limited, unlimited] = await llm.waitForRequests(2);
    assertEquals([limited.body.max_tokens, "max_completion_tokens" in limited.body], [8192, false]);
    assertEquals(["max_tokens" in unlimited.body, "tool_choice" in unlimited.body], [false, false]);
  } finally {
    await llm.close();
  }
});

Deno.test("provider posts to the chat URL and lists models at the models URL it is given", async () => {
  const llm = await startMockLlm({ turns: [{ text: "hi" }] });
  try {
    const origin = new URL(llm.url).origin;
    const provider = createOpenAIProvider({
      baseUrl: "http://127.0.0.1:1/unused",
      chatUrl: `${origin}/deployments/x/chat/completions?api-version=2`,
      modelsUrl: `${origin}/deployments/x/models?api-version=2`,
      sessionId: "s",
    });
    await collect(provider.stream({ model: "m", messages: [] }, never));
    const [recorded] = await llm.waitForRequests(1);
    assertEquals(recorded.path, "/deployments/x/chat/completions");
    assertEquals(await provider.listModels(never), ["mock-model"]);
    const elsewhere = createOpenAIProvider({
      baseUrl: llm.url,
      modelsUrl: `${origin}/nothing`,
      sessionId: "s",
    });
    await rejects(elsewhere.listModels(never), (error: Error) => error.message.includes(`${origin}/nothing`));
  } finally {
    await llm.close();
  }
});

Deno.test("the token limit goes as max_completion_tokens to OpenAI's own API, as max_tokens elsewhere", () => {
  const request = { model: "gpt-5", messages: [] };
  const openai = buildChatBody(request, {
    maxTokens: 100,
    url: "https://api.openai.com/v1/chat/completions",
  });
  assertEquals([openai.max_completion_tokens, "max_tokens" in openai], [100, false]);
  const other = buildChatBody(request, {
    maxTokens: 100,
    url: "https://openrouter.ai/api/v1/chat/completions",
  });
  assertEquals([other.max_tokens, "max_completion_tokens" in other], [100, false]);
});

Deno.test("provider sends no authorization without a key, and extra headers override defaults", async () => {
  const llm = await startMockLlm({ turns: [{ text: "hi" }] });
  try {
    const provider = createOpenAIProvider({
      baseUrl: llm.url,
      sessionId: "s",
      userAgent: "custom-agent/1",
      headers: { "X-Title": "nanocode", "User-Agent": "override/2" },
    });
    await collect(
      provider.stream({ model: "m", messages: [{ role: "user", content: "x" }], tools: [] }, never),
    );
    const [recorded] = await llm.waitForRequests(1);
    assertEquals(recorded.headers.authorization, undefined);
    assertEquals(recorded.headers["x-title"], "nanocode");
    assertEquals(recorded.headers["user-agent"], "override/2");
    assertEquals("tools" in recorded.body, false);
  } finally {
    await llm.close();
  }
});

Deno.test("provider streams a plain answer into text deltas, usage and one done", async () => {
  const turn: MockTurn = { text: "Hello, world", usage: { prompt_tokens: 12, completion_tokens: 3 } };
  const llm = await startMockLlm({ turns: [turn] });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const deltas = await collect(provider.stream({ model: "m", messages: [] }, never));
    const types = deltas.map((d) => d.type);
    assertEquals(types.at(-1), "done");
    assertEquals(types.at(-2), "usage");
    assertEquals(new Set(types.slice(0, -2)), new Set(["text"]));
    assertEquals(deltas.at(-2), {
      type: "usage",
      usage: { promptTokens: 12, completionTokens: 3, totalTokens: 15 },
    });
    assertEquals(deltas.at(-1), {
      type: "done",
      reason: "stop",
      message: { role: "assistant", content: "Hello, world" },
      toolCalls: [],
    });
  } finally {
    await llm.close();
  }
});

Deno.test("provider maps finish reasons length and content_filter", async () => {
  const llm = await startMockLlm({
    turns: [{ text: "cut", finishReason: "length" }, { text: "no", finishReason: "content_filter" }],
  });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const first = (await collect(provider.stream({ model: "m", messages: [] }, never))).at(-1) as Done;
    const second = (await collect(provider.stream({ model: "m", messages: [] }, never))).at(-1) as Done;
    assertEquals([first.reason, second.reason], ["length", "content_filter"]);
  } finally {
    await llm.close();
  }
});

Deno.test("provider reads a non-streamed completion from a server that ignores stream", async () => {
  const llm = await startMockLlm({
    turns: [{
      json: true,
      text: "<think>hidden plan</think>Visible.",
      toolCalls: [{ id: "j1", name: "ls", arguments: { path: "." } }],
      usage: { prompt_tokens: 1, completion_tokens: 2 },
    }],
  });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const deltas = await collect(provider.stream({ model: "m", messages: [] }, never));
    assertEquals(deltas.map((d) => d.type), ["thinking", "text", "tool_call", "usage", "done"]);
    const done = deltas.at(-1) as Done;
    assertEquals(done.reason, "tool_calls");
    assertEquals(done.toolCalls, [{ id: "j1", name: "ls", arguments: '{"path":"."}' }]);
    assertEquals(done.message.content, "Visible.");
    assertEquals(done.message.reasoning_content, "hidden plan");
  } finally {
    await llm.close();
  }
});

Deno.test("listModels returns the endpoint's model ids", async () => {
  const llm = await startMockLlm({ models: ["kimi-k2.6", "glm-4.6"], apiKey: "k" });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, apiKey: "k", sessionId: "s" });
    assertEquals(await provider.listModels(never), ["kimi-k2.6", "glm-4.6"]);
  } finally {
    await llm.close();
  }
});

Deno.test("listModels throws a ProviderError naming the key when it is refused", async () => {
  const llm = await startMockLlm({ apiKey: "right" });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, apiKey: "wrong", sessionId: "s" });
    await rejects(() => provider.listModels(never), (error: unknown) => {
      assertEquals(error instanceof ProviderError, true);
      const e = error as ProviderError;
      assertEquals(e.status, 401);
      assertEquals(e.retryable, false);
      assertMatch(
        e.message,
        /^Cannot list models at .*\/v1\/models: HTTP 401: mock: invalid API key; check your API key/,
      );
      return true;
    });
  } finally {
    await llm.close();
  }
});

Deno.test("listModels throws a retryable ProviderError when the endpoint is unreachable", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const provider = createOpenAIProvider({ baseUrl: `http://127.0.0.1:${port}/v1`, sessionId: "s" });
  await rejects(() => provider.listModels(never), (error: unknown) => {
    assertEquals(error instanceof ProviderError && error.retryable, true);
    assertMatch((error as Error).message, /^Cannot list models at http:\/\/127\.0\.0\.1:\d+\/v1\/models: /);
    return true;
  });
});

Deno.test("listModels rejects a reply that is not a model list", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("<html></html>"),
  );
  try {
    const provider = createOpenAIProvider({
      baseUrl: `http://127.0.0.1:${server.addr.port}`,
      sessionId: "s",
    });
    await assertRejects(
      () => provider.listModels(never),
      /the reply is not a model list; check that the base URL ends in \/v1/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("provider explains a web page answered in place of a model reply", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("<!doctype html><title>Home</title>", { headers: { "content-type": "text/html" } }),
  );
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    const provider = createOpenAIProvider({ baseUrl: base, sessionId: "s" });
    const done = (await collect(provider.stream({ model: "m", messages: [] }, never))).at(-1) as Done;
    assertEquals(done.reason, "error");
    assertEquals(
      done.error,
      `Cannot get a reply from m: ${base}/chat/completions answered with a web page, not a model reply; check the base URL (it usually ends in /v1)`,
    );
  } finally {
    await server.shutdown();
  }
});
