/** Compaction: the estimate, the trigger, pruning, the cut, summaries, and never compacting in a loop. */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import {
  Agent,
  ContextMeter,
  estimateMessage,
  findCut,
  planPrune,
  planSummary,
  replay,
  triggerAt,
} from "../lib/agent/mod.ts";
import type {
  AgentEvent,
  AssembledToolCall,
  ChatRequest,
  CompactionSettings,
  Message,
  Provider,
  ProviderDelta,
  Tool,
} from "../lib/core/mod.ts";
import { DEFAULT_COMPACTION, textResult } from "../lib/core/mod.ts";
import { compactionSettings } from "../lib/config/mod.ts";

const call = (id: string, name = "look", args = "{}") => ({
  id,
  type: "function" as const,
  function: { name, arguments: args },
});
const text = (n: number) => "x".repeat(n);

Deno.test("the trigger is the window less the larger of the reserve and the remaining share", () => {
  assertEquals(triggerAt(DEFAULT_COMPACTION), 128_000 - 19_200);
  assertEquals(triggerAt({ ...DEFAULT_COMPACTION, window: 50_000 }), 50_000 - 16_384);
});

Deno.test("settings come from the environment, and a bad value warns and keeps the default", () => {
  const env: Record<string, string> = {
    NANOCODE_CONTEXT_WINDOW_TOKENS: "200000",
    NANOCODE_COMPACTION_KEEP_RECENT_TOKENS: "lots",
    NANOCODE_COMPACTION_TRIGGER_RATIO: "0.8",
    NANOCODE_COMPACTION: "0",
  };
  const { settings, warnings } = compactionSettings((name) => env[name]);
  assertEquals(settings.window, 200_000);
  assertEquals(settings.keepRecent, 20_000);
  assertEquals(Math.round(settings.remainingRatio * 100), 20);
  assertEquals(settings.auto, false);
  assertEquals(warnings, [
    "NANOCODE_COMPACTION_KEEP_RECENT_TOKENS=lots is not a whole number from 0 to 200000; using 20000.",
  ]);
  const small = compactionSettings((name) => (name === "NANOCODE_CONTEXT_WINDOW_TOKENS" ? "100" : undefined));
  assertEquals(small.settings.window, 128_000);
  assertEquals(small.warnings.length, 1);
});

Deno.test("the estimate is anchored to the endpoint's count plus what was appended since", () => {
  const messages: Message[] = [{ role: "system", content: text(400) }, { role: "user", content: text(40) }];
  const meter = new ContextMeter(messages);
  assertEquals(meter.use(messages).total, estimateMessage(messages[0]) + estimateMessage(messages[1]));
  meter.anchor(5_000, 2);
  const reply: Message = { role: "assistant", content: text(800) };
  messages.push(reply);
  meter.follow({ type: "message", message: reply }, messages);
  const use = meter.use(messages);
  assertEquals(use.total, 5_000 + estimateMessage(reply));
  assertEquals(use.anchored, true);
  // A change that is not an append drops the anchor: the figure no longer describes the conversation.
  meter.follow({ type: "clear" }, messages.slice(0, 1));
  assertEquals(meter.use(messages.slice(0, 1)).anchored, false);
});

Deno.test("the estimate counts reasoning, tool-call JSON and images", () => {
  const plain = estimateMessage({ role: "assistant", content: text(400) });
  const withAll = estimateMessage({
    role: "assistant",
    content: text(400),
    reasoning_content: text(400),
    tool_calls: [call("c1", "read", JSON.stringify({ path: text(100) }))],
  });
  assert(withAll >= plain + 100 + 25, `${withAll} vs ${plain}`);
  const image = estimateMessage({
    role: "user",
    content: [{ type: "image_url", image_url: { url: "data:," } }],
  });
  assert(image >= 1000);
});

/** A conversation: system, then `turns` of user → assistant call → tool result of `size` characters. */
function conversation(turns: number, size: number): Message[] {
  const messages: Message[] = [{ role: "system", content: "system with AGENTS.md inside" }];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: "user", content: `request ${i}` });
    messages.push({ role: "assistant", content: null, tool_calls: [call(`c${i}`)] });
    messages.push({ role: "tool", tool_call_id: `c${i}`, content: text(size) });
  }
  return messages;
}

Deno.test("the cut keeps the recent part whole: never a tool message first, never a call without its result", () => {
  const messages = conversation(10, 4_000);
  const meter = new ContextMeter(messages);
  for (const keep of [1, 500, 1_500, 3_000, 6_000]) {
    const cut = findCut(messages, meter, keep);
    assert(cut !== undefined && cut > 1, `cut for ${keep}`);
    assert(messages[cut].role !== "tool", `cut ${cut} starts with a tool message`);
    assert(meter.tail(cut) >= keep);
    const kept = messages.slice(cut);
    const answered = new Set(kept.flatMap((m) => (m.role === "tool" ? [m.tool_call_id] : [])));
    for (const m of kept) {
      if (m.role === "assistant") { for (const c of m.tool_calls ?? []) assert(answered.has(c.id)); }
      if (m.role === "tool") {
        assert(
          kept.some((a) => a.role === "assistant" && a.tool_calls?.some((c) => c.id === m.tool_call_id)),
        );
      }
    }
  }
  assertEquals(findCut(messages, meter, 1_000_000), undefined, "everything is recent: nothing to summarise");
});

Deno.test("a single long run can be cut between its tool turns", () => {
  const messages: Message[] = [{ role: "system", content: "s" }, { role: "user", content: "one long task" }];
  for (let i = 0; i < 8; i++) {
    messages.push({ role: "assistant", content: null, tool_calls: [call(`c${i}`)] });
    messages.push({ role: "tool", tool_call_id: `c${i}`, content: text(2_000) });
  }
  const cut = findCut(messages, new ContextMeter(messages), 1_000);
  assert(cut !== undefined && cut > 2);
  assertEquals(messages[cut].role, "assistant");
});

Deno.test("pruning stubs old large tool results, says how to get them back, and leaves recent ones", () => {
  const messages = conversation(6, 3_000);
  (messages[3] as { content: string }).content = `${text(3_000)}\nFull output: /tmp/nanocode-bash-1.log`;
  const meter = new ContextMeter(messages);
  const pruned = planPrune(messages, meter, 1_000);
  assert(pruned.length >= 4 && pruned.length < 6, `${pruned.length} pruned`);
  const last = messages.length - 1;
  assert(!pruned.some((p) => p.index === last), "the most recent result stays");
  const first = pruned.find((p) => p.index === 3)!;
  assertStringIncludes(first.content, "[Old result of look({}) removed to save context (2 lines,");
  assertStringIncludes(first.content, "Read /tmp/nanocode-bash-1.log or run the call again");
  assertEquals(
    planPrune(
      replay([{ type: "compaction", pruned, replaced: 0, kept: [], tokensBefore: 0, tokensAfter: 0 }], {
        messages,
      }).messages,
      meter,
      1_000,
    ),
    [],
  );
});

Deno.test("a summary keeps this run's user messages verbatim, newest first within the budget", () => {
  const messages = conversation(6, 100);
  const plan = planSummary(messages, 13, { runStart: 4, budget: 15 });
  // Run started at "request 1" (index 4); messages 4, 7 and 10 are user messages before the cut.
  assertEquals(plan.kept, [7, 10]);
  assertEquals(plan.input.some((m) => m.content === "request 2"), false);
  assertEquals(plan.input.some((m) => m.content === "request 0"), true);
});

/** Settings that make compaction happen within a few small turns. */
const SMALL: CompactionSettings = {
  auto: true,
  window: 6_000,
  reserve: 1_000,
  remainingRatio: 0.1,
  keepRecent: 1_200,
};

/** A tool returning `size` characters. */
function bigTool(size: number): Tool {
  return {
    name: "look",
    description: "Looks.",
    parameters: { type: "object", properties: {} },
    permissions: [],
    readOnly: true,
    execute: () => Promise.resolve(textResult(`${text(size)}`)),
  };
}

/** An assistant turn calling `look`, with `reasoning` characters of reasoning (which no prune removes). */
function calling(id: string, reasoning = 0): ProviderDelta[] {
  const c: AssembledToolCall = { id, name: "look", arguments: "{}" };
  return [{
    type: "done",
    reason: "tool_calls",
    message: {
      role: "assistant",
      content: null,
      tool_calls: [call(id)],
      ...(reasoning > 0 ? { reasoning_content: text(reasoning) } : {}),
    },
    toolCalls: [c],
  }];
}

function answering(value: string): ProviderDelta[] {
  return [
    { type: "text", text: value },
    { type: "done", reason: "stop", message: { role: "assistant", content: value }, toolCalls: [] },
  ];
}

/** A turn the endpoint refused with `error` (as too long for the context with `overflow`). */
function failing(error: string, options: { overflow?: boolean } = {}): ProviderDelta[] {
  const message = { role: "assistant" as const, content: null };
  return [{
    type: "done",
    reason: "error",
    message,
    toolCalls: [],
    error,
    ...(options.overflow ? { contextOverflow: true } : {}),
  }];
}

const isSummaryRequest = (r: ChatRequest) => !r.tools || r.tools.length === 0;

/** A provider: summary requests get `summary(r)`; others `turn(r, n)` for the nth non-summary request. */
function provider(
  turn: (request: ChatRequest, n: number) => ProviderDelta[],
  summary: (request: ChatRequest) => ProviderDelta[] = () => answering("## Goal\nkeep going"),
): Provider & { requests: ChatRequest[]; summaries: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  const summaries: ChatRequest[] = [];
  return {
    requests,
    summaries,
    async *stream(request) {
      if (isSummaryRequest(request)) {
        summaries.push(structuredClone(request));
        yield* summary(request);
        return;
      }
      requests.push(structuredClone(request));
      yield* turn(request, requests.length);
    },
    listModels: () => Promise.resolve([]),
  };
}

async function drain(events: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

Deno.test("a long run compacts by itself in the middle, and the next request carries the summary", async () => {
  const llm = provider((_, n) => (n <= 12 ? calling(`c${n}`, 2_000) : answering("finished")));
  const agent = new Agent({
    provider: llm,
    tools: [bigTool(3_000)],
    model: "m",
    cwd: "/",
    systemPrompt: "SYSTEM PROMPT with AGENTS.md: always run the tests",
    compaction: SMALL,
  });
  const events = await drain(agent.run("refactor everything", new AbortController().signal));
  const end = events.at(-1)!;
  assert(end.type === "agent_end" && end.reason === "stop", JSON.stringify(end));
  const compactions = events.filter((e) => e.type === "compaction");
  assert(compactions.length >= 1, "it compacted");
  assert(llm.summaries.length >= 1, "a summary was asked for");
  const after = llm.requests.find((r) =>
    r.messages.some((m) => typeof m.content === "string" && m.content.startsWith("<compaction_summary"))
  )!;
  assert(after, "a request carried the summary");
  assertEquals(after.messages[0], {
    role: "system",
    content: "SYSTEM PROMPT with AGENTS.md: always run the tests",
  });
  assertEquals(
    after.messages[1],
    { role: "user", content: "refactor everything" },
    "the user's request stays verbatim",
  );
  assertStringIncludes(String(after.messages[2].content), '<compaction_summary tokensBefore="');
  assert(after.messages[3].role !== "tool");
  // Every request stayed under the window, and the log still rebuilds the conversation.
  assertEquals(replay(events).messages, agent.messages);
  assertStringIncludes(String(llm.summaries[0].messages[1].content), "## Goal");
});

Deno.test("when pruning old results is enough, no summary is asked for", async () => {
  const llm = provider((_, n) => (n <= 8 ? calling(`c${n}`) : answering("done")));
  const agent = new Agent({
    provider: llm,
    tools: [bigTool(4_000)],
    model: "m",
    cwd: "/",
    systemPrompt: "sys",
    compaction: { ...SMALL, window: 8_000, keepRecent: 1_100 },
  });
  const events = await drain(agent.run("go", new AbortController().signal));
  const compactions = events.filter((e) => e.type === "compaction");
  assert(compactions.length >= 1);
  assert(compactions.every((e) => e.type === "compaction" && !e.summary && e.pruned.length > 0));
  assertEquals(llm.summaries.length, 0);
  assertEquals(replay(events).messages, agent.messages);
});

Deno.test("/compact works while idle and passes the instructions to the summary", async () => {
  let n = 0;
  const llm = provider(() => (++n % 2 === 1 ? calling(`c${n}`) : answering("ok")));
  const agent = new Agent({
    provider: llm,
    tools: [bigTool(2_000)],
    model: "m",
    cwd: "/",
    systemPrompt: "sys",
  });
  for (let i = 0; i < 4; i++) await drain(agent.run(`step ${i}`, new AbortController().signal));
  const events = await drain(agent.compact("keep the API names", new AbortController().signal));
  assertEquals(events.map((e) => e.type).filter((t) => t === "compaction").length >= 1, true);
  assertStringIncludes(
    String(llm.summaries[0].messages[1].content),
    "The user asks you to focus on this: keep the API names",
  );
  assertEquals(agent.messages[0], { role: "system", content: "sys" });
  // The next run's stream begins with the compaction, so JSON consumers see it too.
  const next = await drain(agent.run("after", new AbortController().signal));
  assert(next.slice(0, 4).some((e) => e.type === "compaction"));
});

Deno.test("a request rejected as too long compacts once and is sent again", async () => {
  let rejected = false;
  const llm = provider((request, n) => {
    if (n <= 3) return calling(`c${n}`);
    if (!rejected) {
      rejected = true;
      return failing("HTTP 400: maximum context length exceeded", { overflow: true });
    }
    assert(
      request.messages.some((m) => typeof m.content === "string" && m.content.includes("compaction_summary")),
    );
    return answering("fits now");
  });
  const agent = new Agent({
    provider: llm,
    tools: [bigTool(1_500)],
    model: "m",
    cwd: "/",
    systemPrompt: "sys",
    compaction: { ...DEFAULT_COMPACTION, keepRecent: 300 },
  });
  const events = await drain(agent.run("go", new AbortController().signal));
  const end = events.at(-1)!;
  assert(end.type === "agent_end");
  assertEquals([end.reason, end.text], ["stop", "fits now"]);
  assertEquals(llm.summaries.length, 1);
});

Deno.test("a summary request too long for the model drops the oldest input and says so", async () => {
  const llm = provider(
    (_, n) => (n <= 3 ? calling(`c${n}`) : answering("done")),
    (request) =>
      String(request.messages[1].content).length > 6_000
        ? failing("context length exceeded", { overflow: true })
        : answering("## Goal\nshort"),
  );
  const agent = new Agent({
    provider: llm,
    tools: [bigTool(1_900)],
    model: "m",
    cwd: "/",
    systemPrompt: "sys",
  });
  await drain(agent.run("go", new AbortController().signal));
  const events = await drain(agent.compact(undefined, new AbortController().signal));
  const compaction = events.find((e) => e.type === "compaction" && e.summary);
  assert(compaction?.type === "compaction" && compaction.summary, JSON.stringify(events));
  assertStringIncludes(
    String(compaction.summary.content),
    "of the oldest messages did not fit in the summary's input",
  );
  assert(llm.summaries.length >= 2);
  assertStringIncludes(
    String(llm.summaries.at(-1)!.messages[1].content),
    "oldest messages did not fit in this request",
  );
});

Deno.test("a failed summary leaves the conversation as it was and says why", async () => {
  const llm = provider(
    (_, n) => (n <= 2 ? calling(`c${n}`) : answering("done")),
    () => failing("HTTP 503: busy"),
  );
  const agent = new Agent({
    provider: llm,
    tools: [bigTool(1_000)],
    model: "m",
    cwd: "/",
    systemPrompt: "sys",
  });
  await drain(agent.run("go", new AbortController().signal));
  const before = structuredClone(agent.messages);
  const events = await drain(agent.compact(undefined, new AbortController().signal));
  const error = events.find((e) => e.type === "error");
  assert(error?.type === "error");
  assertEquals(
    error.message,
    "Cannot compact: the summary request failed (HTTP 503: busy); the conversation is unchanged.",
  );
  // Pruning is not forced into the conversation when only the summary failed: nothing was big enough.
  assertEquals(agent.messages, before);
});

Deno.test("three failed compactions in a row stop the run with one line saying what to do", async () => {
  const llm = provider(
    (_, n) => (n < 20 ? calling(`c${n}`, 1_000) : answering("the model gave up")),
    () => failing("HTTP 500"),
  );
  const agent = new Agent({
    provider: llm,
    tools: [bigTool(300)],
    model: "m",
    cwd: "/",
    systemPrompt: "sys",
    compaction: { ...SMALL, window: 4_000, reserve: 2_500, keepRecent: 200 },
  });
  const events = await drain(agent.run("go", new AbortController().signal));
  const end = events.at(-1)!;
  assert(end.type === "agent_end" && end.reason === "error");
  assertStringIncludes(end.error!, "Cannot go on: compaction failed 3 times in a row");
  assertEquals(llm.summaries.length, 3);
});

Deno.test("a context that refills right after compacting stops the run after the first compaction", async () => {
  // Every result alone is over the trigger: whatever is summarised, the recent part stays too big.
  const llm = provider((_, n) => (n < 20 ? calling(`c${n}`) : answering("the model gave up")));
  const agent = new Agent({
    provider: llm,
    tools: [bigTool(24_000)],
    model: "m",
    cwd: "/",
    systemPrompt: "sys",
    compaction: { ...SMALL, keepRecent: 100 },
  });
  const events = await drain(agent.run("go", new AbortController().signal));
  const end = events.at(-1)!;
  assert(end.type === "agent_end" && end.reason === "error", JSON.stringify(end));
  assertStringIncludes(end.error!, "Cannot bring the context under");
  assertStringIncludes(end.error!, "lower NANOCODE_COMPACTION_KEEP_RECENT_TOKENS");
  assertEquals(events.filter((e) => e.type === "compaction" && e.summary).length <= 1, true);
  assert(llm.summaries.length <= 1, `${llm.summaries.length} summaries`);
});

Deno.test("the context report splits the estimate and says what a compaction would keep", async () => {
  const llm = provider((_, n) => (n === 1 ? calling("c1") : answering("ok")));
  const agent = new Agent({
    provider: llm,
    tools: [bigTool(2_000)],
    model: "m",
    cwd: "/",
    systemPrompt: text(800),
  });
  await drain(agent.run("go", new AbortController().signal));
  const report = agent.contextReport();
  assertEquals(report.window, 128_000);
  assertEquals(report.trigger, 108_800);
  assert(report.system >= 200 && report.tools > 0 && report.messages > 400, JSON.stringify(report));
  assertEquals(report.total, report.system + report.tools + report.messages);
});
