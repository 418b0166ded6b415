import { assertEquals } from "./support/assert.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { Agent, checkArguments, coerceArguments } from "../lib/agent/mod.ts";
import { createOpenAIProvider } from "../lib/provider/mod.ts";
import { type JsonSchema, textResult, type Tool } from "../lib/core/mod.ts";

const SCHEMA: JsonSchema = {
  type: "object",
  properties: { limit: { type: "integer" }, offset: { type: "number" }, path: { type: "string" } },
  required: ["path"],
};

Deno.test("validation rejects 1.5 for an integer parameter and accepts a whole number", () => {
  assertEquals(checkArguments(SCHEMA, { path: "a", limit: 1.5 }), [
    '"limit" must be integer, got a number (1.5)',
  ]);
  assertEquals(checkArguments(SCHEMA, { path: "a", limit: 3, offset: 1.5 }), []);
});

Deno.test("agent answers a call with 1.5 for an integer parameter with a tool error and does not run the tool", async () => {
  const calls: Record<string, unknown>[] = [];
  const tool: Tool = {
    name: "list",
    description: "Lists entries.",
    parameters: SCHEMA,
    permissions: [],
    execute(args) {
      calls.push(args);
      return Promise.resolve(textResult("ran"));
    },
  };
  const llm = await startMockLlm({
    turns: [{ toolCalls: [{ id: "t", name: "list", arguments: { path: "a", limit: 1.5 } }] }, { text: "ok" }],
  });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const agent = new Agent({ provider, tools: [tool], model: "m", cwd: "/" });
    for await (const _ of agent.run("go", new AbortController().signal)) { /* drain */ }
    assertEquals(calls, []);
    const sent = llm.requests[1].body.messages.find((m: { role: string }) => m.role === "tool");
    assertEquals(sent, {
      role: "tool",
      tool_call_id: "t",
      content:
        'Cannot run list: "limit" must be integer, got a number (1.5). Call it again with arguments that match its parameters.',
    });
  } finally {
    await llm.close();
  }
});

Deno.test("validation converts a negative number sent as a string like a positive one", () => {
  const args = coerceArguments(SCHEMA, { path: "-5", limit: "-5", offset: "-2.5" });
  assertEquals(args, { path: "-5", limit: -5, offset: -2.5 });
  assertEquals(coerceArguments(SCHEMA, { path: "a", limit: "42" }), { path: "a", limit: 42 });
  assertEquals(checkArguments(SCHEMA, args), []);
});
