import { assertEquals } from "./support/assert.ts";
import { acceptsImages } from "../lib/provider/mod.ts";

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
