import { assertEquals } from "./support/assert.ts";
import { type MockTurn, startMockLlm } from "./support/mock_llm.ts";
import {
  buildChatBody,
  createOpenAIProvider,
  prepareMessages,
  reasoningPolicy,
} from "../lib/provider/mod.ts";
import type { Message, ProviderDelta } from "../lib/core/mod.ts";

type Done = Extract<ProviderDelta, { type: "done" }>;

function chunk(delta: Record<string, unknown>, finish: string | null = null) {
  return { id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] };
}

/** An SSE body with one chunk per delta, the last one finishing with `stop`. */
function deltas(...parts: Record<string, unknown>[]): string {
  return parts.map((d, i) => `data: ${JSON.stringify(chunk(d, i === parts.length - 1 ? "stop" : null))}\n\n`)
    .join("") + "data: [DONE]\n\n";
}

/** Content streamed in the given pieces. */
function content(...pieces: string[]): string {
  return deltas(...pieces.map((p) => ({ content: p })));
}

async function run(turn: MockTurn, model = "m") {
  const llm = await startMockLlm({ turns: [turn] });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const out: ProviderDelta[] = [];
    const request = { model, messages: [{ role: "user" as const, content: "q" }] };
    for await (const delta of provider.stream(request, new AbortController().signal)) out.push(delta);
    const done = out.at(-1) as Done;
    const text = out.map((d) => d.type === "text" ? d.text : "").join("");
    const thinking = out.map((d) => d.type === "thinking" ? d.text : "").join("");
    return { done, text, thinking, deltas: out };
  } finally {
    await llm.close();
  }
}

Deno.test("provider reads reasoning from reasoning_content and keeps it in that field", async () => {
  const { done, thinking, deltas: out } = await run({ reasoning: "Let me think.", text: "Answer." });
  assertEquals(thinking, "Let me think.");
  const firstText = out.findIndex((d) => d.type === "text");
  const lastThinking = out.findLastIndex((d) => d.type === "thinking");
  assertEquals(lastThinking < firstText, true);
  assertEquals(done.message, { role: "assistant", content: "Answer.", reasoning_content: "Let me think." });
});

Deno.test("provider reads reasoning from the reasoning field", async () => {
  const { done, thinking } = await run({ reasoning: "vLLM style", reasoningField: "reasoning", text: "ok" });
  assertEquals(thinking, "vLLM style");
  assertEquals(done.message.reasoning, "vLLM style");
  assertEquals(done.message.reasoning_content, undefined);
});

Deno.test("provider reads reasoning from the reasoning_text field", async () => {
  const { done, thinking } = await run({
    raw: deltas({ reasoning_text: "step " }, { reasoning_text: "two" }),
  });
  assertEquals(thinking, "step two");
  assertEquals(done.message.reasoning_text, "step two");
});

Deno.test("provider reads reasoning_details text and summary, joining streamed fragments", async () => {
  const raw = deltas(
    {
      reasoning_details: [{
        type: "reasoning.text",
        text: "First ",
        index: 0,
        format: "anthropic-claude-v1",
      }],
    },
    { reasoning_details: [{ type: "reasoning.text", text: "thought.", index: 0, signature: "sig==" }] },
    { reasoning_details: [{ type: "reasoning.summary", summary: "In short.", index: 1 }] },
    { reasoning_details: [{ type: "reasoning.encrypted", data: "opaque", index: 2 }] },
    { content: "Done." },
  );
  const { done, thinking } = await run({ raw });
  assertEquals(thinking, "First thought.In short.");
  assertEquals(done.message.reasoning_details, [
    {
      type: "reasoning.text",
      text: "First thought.",
      index: 0,
      format: "anthropic-claude-v1",
      signature: "sig==",
    },
    { type: "reasoning.summary", summary: "In short.", index: 1 },
    { type: "reasoning.encrypted", data: "opaque", index: 2 },
  ]);
  assertEquals(done.message.content, "Done.");
});

Deno.test("provider joins a reasoning signature streamed in fragments instead of keeping the last one", async () => {
  const detail = { type: "reasoning.text", index: 0 };
  const raw = deltas(
    { reasoning_details: [{ ...detail, text: "Thinking." }] },
    { reasoning_details: [{ ...detail, signature: "EqQB" }] },
    { reasoning_details: [{ ...detail, signature: "CkYI" }] },
    { reasoning_details: [{ ...detail, signature: "Aw==" }] },
    { content: "Done." },
  );
  const { done } = await run({ raw });
  assertEquals(done.message.reasoning_details, [{ ...detail, text: "Thinking.", signature: "EqQBCkYIAw==" }]);
});

Deno.test("provider shows reasoning sent in two fields at once only once", async () => {
  const raw = deltas(
    { reasoning: "once", reasoning_details: [{ type: "reasoning.text", text: "once", index: 0 }] },
    { content: "a" },
  );
  const { done, thinking } = await run({ raw });
  assertEquals(thinking, "once");
  assertEquals(done.message.reasoning, "once");
  assertEquals(done.message.reasoning_details, [{ type: "reasoning.text", text: "once", index: 0 }]);
});

Deno.test("provider splits inline <think> reasoning out of the content", async () => {
  const { done, text, thinking } = await run({ raw: content("<think>Plan it.</think>\n\nThe answer.") });
  assertEquals(thinking, "Plan it.");
  assertEquals(text, "The answer.");
  assertEquals(done.message.content, "The answer.");
  assertEquals(done.message.reasoning_content, "Plan it.");
});

Deno.test("provider splits <think> tags that are cut across chunks", async () => {
  const raw = content("\n<th", "ink>mul", "ti-part</th", "in", "k>", "\n", "ans", "wer <", "b>bold</b>");
  const { done, text, thinking } = await run({ raw });
  assertEquals(thinking, "multi-part");
  assertEquals(text, "answer <b>bold</b>");
  assertEquals(done.message.content, "answer <b>bold</b>");
});

Deno.test("provider treats everything before a bare </think> as reasoning", async () => {
  const { done } = await run({
    raw: content("The template opened the tag.", " Still thinking.</th", "ink>Answer."),
  });
  assertEquals(done.message.content, "Answer.");
  assertEquals(done.message.reasoning_content, "The template opened the tag. Still thinking.");
});

Deno.test("provider keeps think tags that appear in the middle of an answer", async () => {
  const answer = "Models wrap reasoning in <think>...</think> tags.";
  const { done, thinking } = await run({
    raw: content("Models wrap reasoning in <thi", "nk>...</think> tags."),
  });
  assertEquals(thinking, "");
  assertEquals(done.message.content, answer);
});

Deno.test("provider keeps an unterminated <think> as reasoning", async () => {
  const { done } = await run({ raw: content("<think>never closed") });
  assertEquals(done.message.reasoning_content, "never closed");
  assertEquals(done.message.content, "");
});

const toolCall = { id: "t1", type: "function" as const, function: { name: "ls", arguments: "{}" } };

Deno.test("request builder adds empty reasoning_content to Kimi tool-call messages", () => {
  const messages: Message[] = [
    { role: "user", content: "q" },
    { role: "assistant", content: null, tool_calls: [toolCall] },
    { role: "tool", tool_call_id: "t1", content: "out" },
    { role: "assistant", content: "final" },
  ];
  const prepared = prepareMessages("moonshotai/kimi-k2-thinking", messages);
  assertEquals(prepared[1], {
    role: "assistant",
    content: null,
    tool_calls: [toolCall],
    reasoning_content: "",
  });
  assertEquals(prepared[3], { role: "assistant", content: "final" });
  assertEquals(messages[1], { role: "assistant", content: null, tool_calls: [toolCall] }, "input untouched");
});

Deno.test("request builder copies reasoning from another field when reasoning_content is required", () => {
  const fromReasoning = prepareMessages("deepseek-v4-flash", [
    { role: "assistant", content: null, tool_calls: [toolCall], reasoning: "from vLLM" },
  ]);
  assertEquals(fromReasoning[0].role === "assistant" && fromReasoning[0].reasoning_content, "from vLLM");
  const fromText = prepareMessages("kimi-k2.6", [
    { role: "assistant", content: null, tool_calls: [toolCall], reasoning_text: "from text" },
  ]);
  assertEquals(fromText[0].role === "assistant" && fromText[0].reasoning_content, "from text");
  const kept = prepareMessages("kimi-k2.5", [
    { role: "assistant", content: null, tool_calls: [toolCall], reasoning_content: "own" },
  ]);
  assertEquals(kept[0].role === "assistant" && kept[0].reasoning_content, "own");
});

Deno.test("request builder strips reasoning_content for legacy deepseek-reasoner", () => {
  const prepared = prepareMessages("deepseek-reasoner", [
    { role: "assistant", content: null, tool_calls: [toolCall], reasoning_content: "r" },
    { role: "assistant", content: "x", reasoning_content: "r2" },
  ]);
  assertEquals(prepared, [
    { role: "assistant", content: null, tool_calls: [toolCall] },
    { role: "assistant", content: "x" },
  ]);
});

Deno.test("request builder sends reasoning_details back unmodified to other models", () => {
  const details = [{ type: "reasoning.encrypted", data: "opaque", index: 0 }];
  const messages: Message[] = [
    { role: "assistant", content: null, tool_calls: [toolCall], reasoning_details: details },
  ];
  assertEquals(reasoningPolicy("anthropic/claude-sonnet-4.5"), "keep");
  assertEquals(prepareMessages("anthropic/claude-sonnet-4.5", messages), messages);
});

Deno.test("request builder uses the first matching rule of the table", () => {
  assertEquals(reasoningPolicy("deepseek-reasoner"), "strip");
  assertEquals(reasoningPolicy("opencode-go/kimi-k2.6"), "require");
  assertEquals(reasoningPolicy("deepseek-v4-pro"), "require");
  assertEquals(reasoningPolicy("deepseek-chat-thinking"), "require");
  assertEquals(reasoningPolicy("deepseek-chat"), "keep");
  assertEquals(reasoningPolicy("gpt-5"), "keep");
});

Deno.test("request builder converts tools to function format and leaves them out when empty", () => {
  const body = buildChatBody({
    model: "kimi-k2.6",
    messages: [{ role: "assistant", content: null, tool_calls: [toolCall] }],
    tools: [{ name: "ls", description: "List", parameters: { type: "object", properties: {} } }],
  });
  assertEquals(body, {
    model: "kimi-k2.6",
    messages: [{ role: "assistant", content: null, tool_calls: [toolCall], reasoning_content: "" }],
    stream: true,
    stream_options: { include_usage: true },
    tools: [{
      type: "function",
      function: { name: "ls", description: "List", parameters: { type: "object", properties: {} } },
    }],
    tool_choice: "auto",
  });
  assertEquals("tools" in buildChatBody({ model: "m", messages: [], tools: [] }), false);
});

Deno.test("provider sends Kimi tool-call history with reasoning_content", async () => {
  const llm = await startMockLlm({ turns: [{ text: "ok" }] });
  try {
    const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
    const messages: Message[] = [
      { role: "user", content: "q" },
      { role: "assistant", content: null, tool_calls: [toolCall] },
      { role: "tool", tool_call_id: "t1", content: "out" },
    ];
    for await (const _ of provider.stream({ model: "kimi-k2.6", messages }, new AbortController().signal)) {
      // drain
    }
    const [request] = await llm.waitForRequests(1);
    assertEquals(request.body.messages[1].reasoning_content, "");
  } finally {
    await llm.close();
  }
});
