import { assert, assertEquals } from "./support/assert.ts";
import { Agent, InputQueue } from "../lib/agent/mod.ts";
import type { AgentEvent, ChatRequest, Provider, ProviderDelta, Tool } from "../lib/core/mod.ts";
import { textResult } from "../lib/core/mod.ts";

/** A provider answering each request with the next scripted deltas, keeping copies of the requests. */
function scripted(
  ...turns: ((request: ChatRequest) => ProviderDelta[])[]
): Provider & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    requests,
    async *stream(request) {
      requests.push(structuredClone(request));
      const turn = turns.shift();
      if (!turn) throw new Error("no scripted turn left");
      for (const delta of turn(request)) yield delta;
    },
    listModels: () => Promise.resolve([]),
  };
}

const answer = (text: string) => (): ProviderDelta[] => [
  { type: "done", reason: "stop", message: { role: "assistant", content: text }, toolCalls: [] },
];

const callEcho = (): ProviderDelta[] => {
  const call = { id: "c1", name: "echo", arguments: "{}" };
  return [{
    type: "done",
    reason: "tool_calls",
    message: {
      role: "assistant",
      content: null,
      tool_calls: [{ id: "c1", type: "function", function: { name: "echo", arguments: "{}" } }],
    },
    toolCalls: [call],
  }];
};

const echo: Tool = {
  name: "echo",
  description: "echo",
  parameters: { type: "object", properties: {} },
  permissions: [],
  execute: () => Promise.resolve(textResult("ok")),
};

Deno.test("agent delivers inbox messages at the boundary after steering, each once, with its notice", async () => {
  const waiting: { notice: AgentEvent; text: string }[] = [];
  const queue = new InputQueue();
  const notice: AgentEvent = {
    type: "job_result",
    id: "nano-1",
    status: "done",
    exitCode: 0,
    elapsedSeconds: 1,
  };
  const provider = scripted(
    () => {
      queue.steer("steer");
      waiting.push({ notice, text: "<nanocode_job_result>" });
      return callEcho();
    },
    answer("done"),
  );
  const agent = new Agent({
    provider,
    tools: [echo],
    model: "m",
    cwd: "/",
    queue,
    inbox: { take: () => waiting.splice(0) },
  });
  const events: AgentEvent[] = [];
  for await (const event of agent.run("go", new AbortController().signal)) events.push(event);
  const second = provider.requests[1].messages.slice(-2);
  assertEquals(second, [
    { role: "user", content: "steer" },
    { role: "user", content: "<nanocode_job_result>" },
  ]);
  const at = events.findIndex((e) => e.type === "job_result");
  assertEquals(events[at], notice);
  const next = events[at + 1];
  assert(next.type === "message");
  assertEquals(next.message, { role: "user", content: "<nanocode_job_result>" });
  assertEquals(events.filter((e) => e.type === "job_result").length, 1);
  assertEquals(provider.requests[0].messages.filter((m) => m.role === "user").length, 1);
});
