import { assert, assertEquals, assertMatch, assertRejects } from "./support/assert.ts";
import { type MockLlm, startMockLlm } from "./support/mock_llm.ts";

const decoder = new TextDecoder();

async function withMock(options: Parameters<typeof startMockLlm>[0], fn: (llm: MockLlm) => Promise<void>) {
  const llm = await startMockLlm(options);
  try {
    await fn(llm);
  } finally {
    await llm.close();
  }
}

function chat(llm: MockLlm, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}) {
  return fetch(`${llm.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: JSON.stringify({ model: "m1", messages: [{ role: "user", content: "hi" }], stream: true }),
    signal: init.signal,
  });
}

/** The JSON payloads of an SSE body, `[DONE]` kept as a string. */
function events(body: string): unknown[] {
  return body.split("\n\n").filter((e) => e.startsWith("data: ")).map((e) => {
    const data = e.slice(6);
    return data === "[DONE]" ? data : JSON.parse(data);
  });
}

// deno-lint-ignore no-explicit-any
type Chunk = any;

/** The text a streamed body carries, its pieces joined. */
function streamedText(body: string): string {
  return (events(body) as Chunk[]).map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
}

Deno.test("mock streams a text turn as chunks ending in a usage chunk and [DONE]", async () => {
  await withMock({
    turns: [{ text: "Hello there, world", usage: { prompt_tokens: 3, completion_tokens: 4 } }],
  }, async (llm) => {
    const response = await chat(llm);
    assertEquals(response.headers.get("content-type"), "text/event-stream");
    const all = events(await response.text()) as Chunk[];
    assertEquals(all.at(-1), "[DONE]");
    const chunks = all.slice(0, -1);
    assertEquals(chunks[0].choices[0].delta.role, "assistant");
    assertEquals(chunks[0].model, "m1");
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    assertEquals(text, "Hello there, world");
    assert(chunks.filter((c) => c.choices[0]?.delta.content).length > 1, "text comes in several chunks");
    assertEquals(chunks.at(-2).choices[0].finish_reason, "stop");
    assertEquals(chunks.at(-1).choices, []);
    assertEquals(chunks.at(-1).usage, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
  });
});

Deno.test("mock streams tool calls as id and name first, then argument fragments", async () => {
  const turn = {
    toolCalls: [{ name: "read", arguments: { path: "a.txt" } }, { id: "c2", name: "ls", arguments: "{}" }],
  };
  await withMock({ turns: [turn] }, async (llm) => {
    const chunks = (events(await (await chat(llm)).text()) as Chunk[]).slice(0, -1);
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    assertEquals(deltas[0], {
      index: 0,
      id: "call_1_0",
      type: "function",
      function: { name: "read", arguments: "" },
    });
    const args0 = deltas.filter((d: Chunk) => d.index === 0).map((d: Chunk) => d.function.arguments).join("");
    assertEquals(JSON.parse(args0), { path: "a.txt" });
    assert(deltas.filter((d: Chunk) => d.index === 0).length > 2, "arguments come in fragments");
    assertEquals(deltas.find((d: Chunk) => d.index === 1).id, "c2");
    assertEquals(chunks.at(-2).choices[0].finish_reason, "tool_calls");
  });
});

Deno.test("mock streams reasoning before text in the chosen field", async () => {
  await withMock({
    turns: [
      { reasoning: "think", text: "answer" },
      { reasoning: "hmm", reasoningField: "reasoning", text: "a" },
      { reasoning: "deep", reasoningField: "reasoning_details", text: "b" },
    ],
  }, async (llm) => {
    const first = (events(await (await chat(llm)).text()) as Chunk[]).slice(1, -3).map((c) =>
      c.choices[0].delta
    );
    assertEquals(first.map((d) => d.reasoning_content ?? "").join(""), "think");
    assert(first.findIndex((d) => d.content) > first.findLastIndex((d) => d.reasoning_content));
    const second = (events(await (await chat(llm)).text()) as Chunk[]).map((c) =>
      c.choices?.[0]?.delta ?? {}
    );
    assertEquals(second.map((d) => d.reasoning ?? "").join(""), "hmm");
    const third = (events(await (await chat(llm)).text()) as Chunk[]).map((c) => c.choices?.[0]?.delta ?? {});
    const details = third.flatMap((d) => d.reasoning_details ?? []);
    assertEquals(details.map((d: Chunk) => d.text).join(""), "deep");
    assertEquals(details[0].type, "reasoning.text");
  });
});

Deno.test("mock records chat requests with lowercase headers, parsed body and arrival time", async () => {
  await withMock({ turns: [{ text: "x" }] }, async (llm) => {
    const before = performance.timeOrigin + performance.now();
    await (await chat(llm, { headers: { "X-Custom": "yes", Authorization: "Bearer k" } })).text();
    const [request] = await llm.waitForRequests(1);
    assertEquals(request.method, "POST");
    assertEquals(request.path, "/v1/chat/completions");
    assertEquals(request.headers["x-custom"], "yes");
    assertEquals(request.headers.authorization, "Bearer k");
    assertEquals(request.body.model, "m1");
    assert(request.receivedAt >= before && request.receivedAt <= performance.timeOrigin + performance.now());
    assertEquals(llm.requests.length, 1);
  });
});

Deno.test("mock answers 500 when no scripted turn is left", async () => {
  await withMock({}, async (llm) => {
    const response = await chat(llm);
    assertEquals(response.status, 500);
    assertEquals(await response.json(), { error: { message: "mock: no scripted turn left" } });
  });
});

Deno.test("mock lists its models", async () => {
  await withMock({ models: ["a", "b"] }, async (llm) => {
    const list = await (await fetch(`${llm.url}/models`)).json();
    assertEquals(list.object, "list");
    assertEquals(list.data.map((m: { id: string }) => m.id), ["a", "b"]);
  });
  await withMock({}, async (llm) => {
    const list = await (await fetch(`${llm.url}/models`)).json();
    assertEquals(list.data.map((m: { id: string }) => m.id), ["mock-model"]);
  });
});

Deno.test("mock with an api key refuses requests without the matching bearer token", async () => {
  await withMock({ apiKey: "secret", turns: [{ text: "ok" }] }, async (llm) => {
    const refused = await chat(llm, { headers: { authorization: "Bearer wrong" } });
    assertEquals(refused.status, 401);
    await refused.body?.cancel();
    assertEquals(await fetch(`${llm.url}/models`).then(async (r) => (await r.body?.cancel(), r.status)), 401);
    const accepted = await chat(llm, { headers: { authorization: "Bearer secret" } });
    assertEquals(accepted.status, 200);
    assertEquals(streamedText(await accepted.text()), "ok");
    assertEquals(llm.requests.length, 2);
  });
});

Deno.test("mock answers a status turn with its JSON or text body and headers", async () => {
  await withMock({
    turns: [
      { status: 429, body: { error: { message: "slow down" } }, headers: { "retry-after": "3" } },
      { status: 502, body: "bad gateway" },
    ],
  }, async (llm) => {
    const first = await chat(llm);
    assertEquals(first.status, 429);
    assertEquals(first.headers.get("retry-after"), "3");
    assertEquals(await first.json(), { error: { message: "slow down" } });
    const second = await chat(llm);
    assertEquals(second.status, 502);
    assertEquals(await second.text(), "bad gateway");
  });
});

Deno.test("mock sends a raw turn's body byte for byte", async () => {
  const raw = ': keep-alive\r\ndata:{"x":1}\r\n\r\nevent: data\ndata: [DONE]\n\n';
  await withMock({ turns: [{ raw }] }, async (llm) => {
    const response = await chat(llm);
    assertEquals(response.headers.get("content-type"), "text/event-stream");
    assertEquals(await response.text(), raw);
  });
});

Deno.test("mock answers a json turn with a non-streamed chat completion", async () => {
  await withMock({
    turns: [{ json: true, text: "hi", toolCalls: [{ id: "t", name: "ls", arguments: { path: "." } }] }],
  }, async (llm) => {
    const response = await chat(llm);
    assertEquals(response.headers.get("content-type"), "application/json");
    const body = await response.json();
    assertEquals(body.object, "chat.completion");
    assertEquals(body.choices[0].message, {
      role: "assistant",
      content: "hi",
      tool_calls: [{ id: "t", type: "function", function: { name: "ls", arguments: '{"path":"."}' } }],
    });
    assertEquals(body.choices[0].finish_reason, "tool_calls");
  });
});

Deno.test("mock uses pushed turns after the initial ones", async () => {
  await withMock({ turns: [{ text: "one" }] }, async (llm) => {
    llm.push({ text: "two" }, { text: "three" });
    const texts = [];
    for (let i = 0; i < 3; i++) texts.push(streamedText(await (await chat(llm)).text()));
    assertEquals(texts, ["one", "two", "three"]);
  });
});

Deno.test("mock waitForRequests resolves when the requests arrive", async () => {
  await withMock({ turns: [{ text: "a" }, { text: "b" }] }, async (llm) => {
    const waiting = llm.waitForRequests(2);
    await (await chat(llm)).text();
    assertEquals(llm.requests.length, 1);
    await (await chat(llm)).text();
    const requests = await waiting;
    assertEquals(requests.length, 2);
  });
});

Deno.test("mock waitForRequests rejects after its timeout, naming how many arrived", async () => {
  await withMock({}, async (llm) => {
    await assertRejects(() => llm.waitForRequests(1, { timeoutMs: 10 }), /only 0 arrived within 10 ms/);
  });
});

Deno.test("mock cuts the connection abruptly after the given number of chunks", async () => {
  await withMock({ turns: [{ text: "abcdefghi", cutAfterChunks: 2 }] }, async (llm) => {
    const response = await chat(llm);
    await assertRejects(() => response.text(), /error reading a body/);
  });
});

Deno.test("mock keeps a hanging stream open until the client aborts", async () => {
  await withMock({ turns: [{ text: "abcdefghi", hangAfterChunks: 2 }] }, async (llm) => {
    const controller = new AbortController();
    const response = await chat(llm, { signal: controller.signal });
    const reader = response.body!.getReader();
    let received = "";
    while (!received.includes("abc")) received += decoder.decode((await reader.read()).value);
    assertEquals(events(received).length, 2);
    controller.abort();
    await assertRejects(() => reader.read(), /abort/i);
  });
});

Deno.test("mock close ends a stream that is still hanging", async () => {
  const llm = await startMockLlm({ turns: [{ text: "abcdefghi", hangAfterChunks: 1 }] });
  const response = await chat(llm);
  const reader = response.body!.getReader();
  await reader.read();
  const closing = llm.close();
  await assertRejects(async () => {
    while (!(await reader.read()).done) { /* drain */ }
  }, /error reading a body/);
  await closing;
});

Deno.test("mock spaces chunks by chunkDelayMs", async () => {
  await withMock({ turns: [{ text: "abc", chunkDelayMs: 15 }] }, async (llm) => {
    const started = performance.now();
    const body = await (await chat(llm)).text();
    // role, 3 text pieces, finish, usage, [DONE]: six gaps of at least 15 ms.
    assertEquals(events(body).length, 7);
    assert(performance.now() - started >= 6 * 15, "the chunks were delayed");
  });
});

Deno.test("mock runs as a program that prints its URL first and serves a script", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/turns.json`;
    await Deno.writeTextFile(script, JSON.stringify([{ text: "from a script" }]));
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./support/mock_llm.ts", import.meta.url).pathname, "--script", script],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const line = out.split("\n")[0];
    assertMatch(line, /^MOCK_URL=http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const url = line.slice("MOCK_URL=".length);
    const body = await (await fetch(`${url}/chat/completions`, { method: "POST", body: "{}" })).text();
    assertEquals(streamedText(body), "from a script");
    child.kill();
    await reader.cancel();
    await child.status;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mock gives a turn with match only to requests whose first user message contains it", async () => {
  await withMock({ turns: [{ text: "child", match: "TASK-A" }, { text: "parent" }] }, async (llm) => {
    const ask = (first: string) =>
      fetch(`${llm.url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "m1",
          messages: [{ role: "system", content: "s" }, { role: "user", content: first }],
          stream: true,
        }),
      }).then((r) => r.text());
    assertEquals(streamedText(await ask("hello")), "parent");
    assertEquals(streamedText(await ask("do TASK-A now")), "child");
  });
});
