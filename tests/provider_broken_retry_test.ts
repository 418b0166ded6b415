import { assertEquals } from "./support/assert.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { createOpenAIProvider } from "../lib/provider/mod.ts";
import type { ProviderDelta } from "../lib/core/mod.ts";

async function collect(stream: AsyncIterable<ProviderDelta>): Promise<ProviderDelta[]> {
  const out: ProviderDelta[] = [];
  for await (const delta of stream) out.push(delta);
  return out;
}

Deno.test("a connection that breaks before any output is retried", async () => {
  const mock = await startMockLlm({ turns: [{ text: "lost", cutAfterChunks: 0 }, { text: "second try" }] });
  try {
    const provider = createOpenAIProvider({
      baseUrl: mock.url,
      sessionId: "s",
      sleep: () => Promise.resolve(),
    });
    const deltas = await collect(provider.stream({ model: "m", messages: [] }, new AbortController().signal));
    assertEquals(deltas.filter((d) => d.type === "retry").length, 1);
    const done = deltas.at(-1);
    assertEquals(done?.type === "done" && [done.reason, done.message.content], ["stop", "second try"]);
    assertEquals(mock.requests.length, 2);
  } finally {
    await mock.close();
  }
});

Deno.test("a connection that breaks after output began is reported, not retried", async () => {
  const mock = await startMockLlm({
    turns: [{ text: "one two three four", cutAfterChunks: 2 }, { text: "unused" }],
  });
  try {
    const provider = createOpenAIProvider({
      baseUrl: mock.url,
      sessionId: "s",
      sleep: () => Promise.resolve(),
    });
    const deltas = await collect(provider.stream({ model: "m", messages: [] }, new AbortController().signal));
    assertEquals(deltas.some((d) => d.type === "retry"), false);
    const done = deltas.at(-1);
    assertEquals(done?.type === "done" && [done.reason, done.broken], ["error", true]);
    assertEquals(mock.requests.length, 1);
  } finally {
    await mock.close();
  }
});
