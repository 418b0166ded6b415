/** A stalled model stream: no byte for the idle limit, before the response, before output, after. */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { createOpenAIProvider } from "../lib/provider/mod.ts";
import type { ProviderDelta } from "../lib/core/mod.ts";

async function collect(stream: AsyncIterable<ProviderDelta>): Promise<ProviderDelta[]> {
  const out: ProviderDelta[] = [];
  for await (const delta of stream) out.push(delta);
  return out;
}

Deno.test("a stream that stalls before any output is retried like a dropped connection", async () => {
  const mock = await startMockLlm({ turns: [{ text: "never", hangAfterChunks: 0 }, { text: "second try" }] });
  try {
    const provider = createOpenAIProvider({
      baseUrl: mock.url,
      sessionId: "s",
      idleMs: 200,
      sleep: () => Promise.resolve(),
    });
    const deltas = await collect(provider.stream({ model: "m", messages: [] }, new AbortController().signal));
    const retry = deltas.find((d) => d.type === "retry");
    assert(retry?.type === "retry");
    assertStringIncludes(
      retry.reason,
      "the stream stalled (no data for 200 ms, NANOCODE_STREAM_IDLE_TIMEOUT)",
    );
    const done = deltas.at(-1);
    assertEquals(done?.type === "done" && [done.reason, done.message.content], ["stop", "second try"]);
  } finally {
    await mock.close();
  }
});

Deno.test("a stream that stalls after output began ends the turn with one line, and is not replayed", async () => {
  const mock = await startMockLlm({
    turns: [{ text: "one two three four", hangAfterChunks: 2 }, { text: "unused" }],
  });
  try {
    const provider = createOpenAIProvider({
      baseUrl: mock.url,
      sessionId: "s",
      idleMs: 200,
      sleep: () => Promise.resolve(),
    });
    const deltas = await collect(provider.stream({ model: "m", messages: [] }, new AbortController().signal));
    const done = deltas.at(-1);
    assert(done?.type === "done");
    assertEquals(done.reason, "error");
    assertStringIncludes(done.error!, "the stream stalled");
    assert(!done.error!.includes("\n"));
    assert(deltas.some((d) => d.type === "text"), "the text before the stall was passed on");
    assertEquals(mock.requests.length, 1);
  } finally {
    await mock.close();
  }
});

Deno.test("a server that never answers the request counts as stalled too", async () => {
  const pending: (() => void)[] = [];
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    if (++hits === 1) await new Promise<void>((resolve) => pending.push(resolve));
    return new Response(
      'data: {"choices":[{"delta":{"content":"late"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
      {
        headers: { "content-type": "text/event-stream" },
      },
    );
  });
  try {
    const provider = createOpenAIProvider({
      baseUrl: `http://127.0.0.1:${server.addr.port}/v1`,
      sessionId: "s",
      idleMs: 200,
      sleep: () => Promise.resolve(),
    });
    const deltas = await collect(provider.stream({ model: "m", messages: [] }, new AbortController().signal));
    const retry = deltas.find((d) => d.type === "retry");
    assert(retry?.type === "retry");
    assertStringIncludes(retry.reason, "no response for 200 ms (NANOCODE_STREAM_IDLE_TIMEOUT)");
    const done = deltas.at(-1);
    assertEquals(done?.type === "done" && done.message.content, "late");
  } finally {
    for (const release of pending) release();
    await server.shutdown();
  }
});
