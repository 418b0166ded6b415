import { assert, assertEquals } from "./support/assert.ts";
import { buildChatBody, encodeChatBody } from "../lib/provider/mod.ts";
import type { ChatRequest, Message } from "../lib/core/mod.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const toolCall = {
  id: "t1",
  type: "function" as const,
  function: { name: "bash", arguments: '{"command":"ls"}' },
};

const conversation: Message[] = [
  { role: "system", content: "You are nanocode … a coding agent → be brief" },
  {
    role: "user",
    content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "data:," } }],
  },
  { role: "assistant", content: null, tool_calls: [toolCall], reasoning_content: "think 🤔" },
  { role: "tool", tool_call_id: "t1", content: 'a "quoted"\nline\twith \\ and \u0001 and \ud800 lone' },
  { role: "assistant", content: "done" },
];

Deno.test("encoded request body has exactly the bytes of the serialised body", () => {
  const requests: ChatRequest[] = [
    { model: "mock-model", messages: conversation },
    { model: "mock-model", messages: [], tools: [] },
    {
      model: 'odd "messages":[] model',
      messages: conversation,
      tools: [{ name: "read", description: "Read … a file", parameters: { type: "object" } }],
    },
    // Policies that rewrite assistant messages: the rewritten copies are encoded, not the originals.
    {
      model: "kimi-k2.6",
      messages: conversation.map((m) => m.role === "assistant" ? { ...m, reasoning_content: undefined } : m),
    },
    { model: "deepseek-reasoner", messages: conversation },
  ];
  for (const request of requests) {
    assertEquals(decode(encodeChatBody(request)), JSON.stringify(buildChatBody(request)), request.model);
  }
});

Deno.test("encoded request body follows a conversation that grows and changes its system prompt", () => {
  const messages: Message[] = [...conversation];
  const first = decode(encodeChatBody({ model: "m", messages }));
  messages.push({ role: "user", content: "more" });
  messages[0] = { role: "system", content: "a new prompt" };
  const second = decode(encodeChatBody({ model: "m", messages }));
  assertEquals(second, JSON.stringify(buildChatBody({ model: "m", messages })));
  assert(first !== second);
});
