import { assertEquals } from "./support/assert.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { Agent } from "../lib/agent/mod.ts";
import { acceptsImages, createOpenAIProvider } from "../lib/provider/mod.ts";
import type { Tool } from "../lib/core/mod.ts";

Deno.test("text-only model families are known; other models are taken to accept images", () => {
  const textOnly = [
    "deepseek-v4-flash",
    "deepseek-reasoner",
    "glm-4.6",
    "glm-5",
    "kimi-k2",
    "kimi-k2-thinking",
    "qwen3-coder",
    "openai/gpt-oss-120b",
    "minimax-m2",
  ];
  const images = ["kimi-k2.6", "kimi-k2.5", "glm-4.6v", "gpt-5", "claude-sonnet-4-5", "mock-model"];
  assertEquals(textOnly.filter(acceptsImages), []);
  assertEquals(images.filter((m) => !acceptsImages(m)), []);
});

Deno.test("image support is decided on the model family behind a provider prefix", () => {
  const textOnly = [
    "moonshotai/kimi-k2",
    "moonshotai/kimi-k2-thinking",
    "z-ai/glm-4.6",
    "deepseek/deepseek-chat",
  ];
  const images = ["moonshotai/kimi-k2.6", "z-ai/glm-4.6v", "openai/gpt-5"];
  assertEquals(textOnly.filter(acceptsImages), []);
  assertEquals(images.filter((m) => !acceptsImages(m)), []);
});

Deno.test("a prefixed text-only model gets the omitted-image note instead of the tool's image", async () => {
  const screenshot: Tool = {
    name: "screenshot",
    description: "Takes a screenshot.",
    parameters: { type: "object", properties: {} },
    permissions: [],
    execute: () =>
      Promise.resolve({
        content: [
          { type: "text", text: "Screenshot [image/png]" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        ],
      }),
  };
  for (const model of ["moonshotai/kimi-k2", "z-ai/glm-4.6"]) {
    const llm = await startMockLlm({
      turns: [{ toolCalls: [{ id: "s", name: "screenshot", arguments: {} }] }, { text: "ok" }],
    });
    try {
      const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
      const agent = new Agent({ provider, tools: [screenshot], model, cwd: "/", acceptsImages });
      for await (const _ of agent.run("look", new AbortController().signal)) { /* drain */ }
      const sent: { role: string; content: unknown }[] = llm.requests[1].body.messages;
      assertEquals(JSON.stringify(sent).includes("image_url"), false, `${model} was sent the image`);
      const note = "[1 image(s) omitted: the current model does not accept images.]";
      assertEquals(sent.find((m) => m.role === "tool")?.content, `Screenshot [image/png]\n${note}`);
    } finally {
      await llm.close();
    }
  }
});
