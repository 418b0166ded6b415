import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { type MockLlm, type MockTurn, startMockLlm } from "./support/mock_llm.ts";
import {
  backoffDelay,
  createOpenAIProvider,
  type OpenAIProviderOptions,
  retryAfterMs,
} from "../lib/provider/mod.ts";
import type { ProviderDelta } from "../lib/core/mod.ts";

type Done = Extract<ProviderDelta, { type: "done" }>;
type Retry = Extract<ProviderDelta, { type: "retry" }>;

const request = { model: "gpt-test", messages: [{ role: "user" as const, content: "hi" }] };

/** Runs one request against scripted turns; sleeps are recorded and return at once. */
async function run(turns: MockTurn[], options: Partial<OpenAIProviderOptions> = {}) {
  const llm = await startMockLlm({ turns });
  try {
    const slept: number[] = [];
    const provider = createOpenAIProvider({
      baseUrl: llm.url,
      sessionId: "s",
      sleep: (ms) => (slept.push(ms), Promise.resolve()),
      random: () => 0,
      ...options,
    });
    const deltas: ProviderDelta[] = [];
    for await (const delta of provider.stream(request, new AbortController().signal)) deltas.push(delta);
    const done = deltas.at(-1) as Done;
    const retries = deltas.filter((d): d is Retry => d.type === "retry");
    return { deltas, done, retries, slept, requests: llm.requests.length, url: llm.url };
  } finally {
    await llm.close();
  }
}

function assertOneLine(text: string | undefined) {
  assert(text !== undefined && !text.includes("\n"), `one line: ${text}`);
}

Deno.test("provider explains a 401 with the server's message and where the key comes from", async () => {
  const { done, requests } = await run([{
    status: 401,
    body: { error: { message: "Invalid API key provided" } },
  }]);
  assertEquals(done.reason, "error");
  assertEquals(
    done.error,
    "Cannot use the model endpoint: the API key was refused (HTTP 401: Invalid API key provided); check your API key",
  );
  assertEquals(requests, 1);
  // The message names the variable the key came from, never one that plays no part on this endpoint.
  const named = await run([{ status: 401, body: { error: { message: "bad key" } } }], {
    keySource: "OPENAI_API_KEY",
  });
  assertEquals(
    named.done.error,
    "Cannot use the model endpoint: the API key was refused (HTTP 401: bad key); check OPENAI_API_KEY (the key in use)",
  );
});

Deno.test("provider explains a 402 as out of credits", async () => {
  const { done } = await run([{
    status: 402,
    body: { error: { message: "Insufficient credits", code: 402 } },
  }]);
  assertMatch(
    done.error!,
    /^Cannot get a reply from gpt-test: the account is out of credits \(HTTP 402: Insufficient credits\)/,
  );
});

Deno.test("provider explains a 404 as an unknown model or a wrong base URL", async () => {
  const { done, url } = await run([{ status: 404, body: { error: { message: "model not found" } } }]);
  assertStringIncludesAll(done.error!, ["unknown model or wrong base URL", url, "model not found"]);
  assertOneLine(done.error);
});

Deno.test("provider recognises every context overflow form as such", async () => {
  const forms: MockTurn[] = [
    { status: 400, body: { error: { message: "This model's maximum context length is 128000 tokens." } } },
    { status: 400, body: { error: { message: "Request exceeds the context window of this model" } } },
    { status: 400, body: { error: { message: "prompt is too long: 210000 tokens > 200000 maximum" } } },
    {
      status: 400,
      body: { error: { message: "The input token count (1200000) exceeds the maximum number" } },
    },
    { status: 400, body: { error: { message: "Please reduce the length of the messages or completion." } } },
    { status: 400, body: "" },
    { status: 413 },
  ];
  for (const form of forms) {
    const { done, requests } = await run([form]);
    assertEquals(done.reason, "error");
    assertEquals(done.contextOverflow, true, `overflow: ${JSON.stringify(form.body)}`);
    assertMatch(done.error!, /^Cannot send the conversation: it is too long for gpt-test/);
    assertOneLine(done.error);
    assertEquals(requests, 1);
  }
});

Deno.test("provider does not retry a plain 400 and shows its message", async () => {
  const { done, requests } = await run([{
    status: 400,
    body: { error: { message: "tools[0].name is invalid" } },
  }]);
  assertEquals(done.contextOverflow, undefined);
  assertEquals(
    done.error,
    "Cannot get a reply from gpt-test: the request was rejected (HTTP 400: tools[0].name is invalid)",
  );
  assertEquals(requests, 1);
});

Deno.test("provider falls back to the status text when the error body is an HTML page", async () => {
  const { done } = await run([{ status: 400, body: "<html><body><h1>Bad</h1></body></html>" }]);
  assertEquals(
    done.error,
    "Cannot get a reply from gpt-test: the request was rejected (HTTP 400: Bad Request)",
  );
});

Deno.test("provider retries a 429 with exponential backoff and then streams the answer", async () => {
  const limited: MockTurn = { status: 429, body: { error: { message: "Rate limit reached" } } };
  const { deltas, done, retries, slept } = await run([limited, limited, limited, { text: "finally" }]);
  assertEquals(slept, [500, 1000, 2000]);
  assertEquals(retries, [
    { type: "retry", attempt: 1, maxRetries: 4, delayMs: 500, reason: "HTTP 429: Rate limit reached" },
    { type: "retry", attempt: 2, maxRetries: 4, delayMs: 1000, reason: "HTTP 429: Rate limit reached" },
    { type: "retry", attempt: 3, maxRetries: 4, delayMs: 2000, reason: "HTTP 429: Rate limit reached" },
  ]);
  assertEquals(deltas.slice(0, 3).map((d) => d.type), ["retry", "retry", "retry"]);
  assertEquals(done.reason, "stop");
  assertEquals(done.message.content, "finally");
});

Deno.test("backoff doubles from half a second up to eight, plus up to a quarter of jitter", () => {
  assertEquals([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, () => 0)), [
    500,
    1000,
    2000,
    4000,
    8000,
    8000,
    8000,
  ]);
  assertEquals(backoffDelay(0, () => 0.999999), 625);
  assertEquals(backoffDelay(5, () => 0.5), 9000);
});

Deno.test("provider retries every retryable status and gives up after maxRetries", async () => {
  const turns: MockTurn[] = [408, 409, 500, 502, 503, 529].map((status) => ({ status, body: "busy" }));
  const { done, retries, requests } = await run(turns, { maxRetries: 5 });
  assertEquals(requests, 6);
  assertEquals(retries.map((r) => r.reason), [
    "HTTP 408: busy",
    "HTTP 409: busy",
    "HTTP 500: busy",
    "HTTP 502: busy",
    "HTTP 503: busy",
  ]);
  assertEquals(done.reason, "error");
  assertEquals(
    done.error,
    "Cannot get a reply from gpt-test: the server failed (HTTP 529: busy, after 5 retries); try again later",
  );
});

Deno.test("provider honours retry-after in seconds, as an HTTP date and in retry-after-ms", async () => {
  const date = new Date(Date.now() + 30_000).toUTCString();
  const { slept } = await run([
    { status: 429, headers: { "retry-after": "2" }, body: "{}" },
    { status: 503, headers: { "retry-after-ms": "1234", "retry-after": "9" }, body: "{}" },
    { status: 429, headers: { "retry-after": date }, body: "{}" },
    { text: "ok" },
  ]);
  assertEquals(slept.slice(0, 2), [2000, 1234]);
  assert(slept[2] > 25_000 && slept[2] <= 30_000, `waited ${slept[2]} ms for the date`);
});

Deno.test("retryAfterMs ignores unreadable values", () => {
  assertEquals(retryAfterMs(new Headers({ "retry-after": "soon" })), undefined);
  assertEquals(retryAfterMs(new Headers()), undefined);
  assertEquals(retryAfterMs(new Headers({ "retry-after": "1.5" })), 1500);
  assertEquals(retryAfterMs(new Headers({ "retry-after": "Thu, 01 Jan 1970 00:00:00 GMT" }), 5000), 0);
});

Deno.test("provider gives up at once when the server asks to wait longer than a minute", async () => {
  const { done, slept, requests } = await run([
    { status: 429, headers: { "retry-after": "3600" }, body: { error: { message: "Too many requests" } } },
  ]);
  assertEquals(slept, []);
  assertEquals(requests, 1);
  assertMatch(
    done.error!,
    /^Cannot get a reply from gpt-test: the server asks to wait 1h \(HTTP 429: Too many requests\); try again after /,
  );
  assertOneLine(done.error);
});

Deno.test("provider does not retry a 429 that means the quota is exhausted", async () => {
  const bodies = [
    {
      error: {
        message: "You exceeded your current quota",
        type: "insufficient_quota",
        code: "insufficient_quota",
      },
    },
    { type: "error", error: { type: "GoUsageLimitError", message: "Monthly usage limit reached" } },
    { error: { name: "FreeUsageLimitError", message: "Free usage exceeded" } },
  ];
  for (const body of bodies) {
    const { done, retries, requests } = await run([{ status: 429, body }]);
    assertEquals(retries, []);
    assertEquals(requests, 1);
    assertMatch(done.error!, /the usage quota is exhausted/);
  }
});

/** A port nothing listens on (bound, then released). */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("provider retries a refused connection until the server is up", async () => {
  const port = closedPort();
  let llm: MockLlm | undefined;
  try {
    const slept: number[] = [];
    const provider = createOpenAIProvider({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      sessionId: "s",
      random: () => 0,
      // The server comes up while the provider waits to retry: a real refusal, then a real answer.
      sleep: async (ms) => {
        slept.push(ms);
        if (slept.length === 2) llm = await startMockLlm({ port, turns: [{ text: "up now" }] });
      },
    });
    const deltas: ProviderDelta[] = [];
    for await (const delta of provider.stream(request, new AbortController().signal)) deltas.push(delta);
    const retries = deltas.filter((d): d is Retry => d.type === "retry");
    assertEquals(retries.length, 2);
    assertMatch(retries[0].reason, /^network error: /);
    assertEquals((deltas.at(-1) as Done).message.content, "up now");
  } finally {
    await llm?.close();
  }
});

Deno.test("provider reports an unreachable endpoint after its retries", async () => {
  const port = closedPort();
  const provider = createOpenAIProvider({
    baseUrl: `http://127.0.0.1:${port}/v1`,
    sessionId: "s",
    maxRetries: 2,
    sleep: () => Promise.resolve(),
  });
  const deltas: ProviderDelta[] = [];
  for await (const delta of provider.stream(request, new AbortController().signal)) deltas.push(delta);
  const done = deltas.at(-1) as Done;
  assertEquals(deltas.filter((d) => d.type === "retry").length, 2);
  assertMatch(
    done.error!,
    new RegExp(
      `^Cannot reach http://127.0.0.1:${port}/v1/chat/completions: .*\\(after 2 retries\\); check the base URL and your network$`,
    ),
  );
  assertOneLine(done.error);
});

Deno.test("provider stops waiting to retry as soon as it is aborted", async () => {
  const llm = await startMockLlm({ turns: [{ status: 503, headers: { "retry-after": "50" }, body: "{}" }] });
  try {
    // The real sleep: an abort must cut a 50 s wait short.
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const controller = new AbortController();
    const started = performance.now();
    const deltas: ProviderDelta[] = [];
    for await (const delta of provider.stream(request, controller.signal)) {
      deltas.push(delta);
      if (delta.type === "retry") controller.abort();
    }
    assertEquals(deltas.map((d) => d.type), ["retry", "done"]);
    assertEquals((deltas[0] as Retry).delayMs, 50_000);
    assertEquals((deltas[1] as Done).reason, "aborted");
    assert(performance.now() - started < 5_000, "did not wait out the delay");
    assertEquals(llm.requests.length, 1);
  } finally {
    await llm.close();
  }
});

Deno.test("provider reports aborted without a request when the signal is already aborted", async () => {
  const llm = await startMockLlm({ turns: [{ text: "never" }] });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const deltas: ProviderDelta[] = [];
    for await (const delta of provider.stream(request, AbortSignal.abort())) deltas.push(delta);
    assertEquals(deltas, [{
      type: "done",
      reason: "aborted",
      message: { role: "assistant", content: "" },
      toolCalls: [],
    }]);
    assertEquals(llm.requests.length, 0);
  } finally {
    await llm.close();
  }
});

Deno.test("provider aborts a slow stream mid-way and keeps the text so far", async () => {
  const llm = await startMockLlm({ turns: [{ text: "one two three four five six", chunkDelayMs: 5 }] });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const controller = new AbortController();
    const deltas: ProviderDelta[] = [];
    for await (const delta of provider.stream(request, controller.signal)) {
      deltas.push(delta);
      if (delta.type === "text") controller.abort();
    }
    const done = deltas.at(-1) as Done;
    assertEquals(done.reason, "aborted");
    const text = deltas.map((d) => d.type === "text" ? d.text : "").join("");
    assertEquals(done.message.content, text);
    assert(text.length > 0 && text.length < "one two three four five six".length);
  } finally {
    await llm.close();
  }
});

function assertStringIncludesAll(text: string, parts: string[]) {
  for (const part of parts) assert(text.includes(part), `expected ${JSON.stringify(part)} in ${text}`);
}
