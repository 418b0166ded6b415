/** Tool calls of one assistant message: concurrency, order, abort, the beforeToolCall hook, bounds. */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { Agent, groupCalls, MAX_RESULT_BYTES, prepareCall } from "../lib/agent/mod.ts";
import type {
  AgentEvent,
  AssembledToolCall,
  ChatRequest,
  Provider,
  ProviderDelta,
  Tool,
} from "../lib/core/mod.ts";
import { calling } from "./support/scripted.ts";
import { byteLength, textResult } from "../lib/core/mod.ts";

const done: ProviderDelta[] = [
  { type: "done", reason: "stop", message: { role: "assistant", content: "done" }, toolCalls: [] },
];

function provider(...turns: ProviderDelta[][]): Provider & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    requests,
    async *stream(request) {
      requests.push(structuredClone(request));
      yield* turns.shift() ?? done;
    },
    listModels: () => Promise.resolve([]),
  };
}

/** Records which calls run at the same time; each call finishes only when told to. */
class Tracker {
  running = new Set<string>();
  mostAtOnce = 0;
  log: string[] = [];
  #waiters = new Map<string, () => void>();
  #started: { count: number; resolve: () => void }[] = [];

  tool(name: string, readOnly: boolean): Tool {
    return {
      name,
      description: name,
      parameters: { type: "object", properties: { key: { type: "string" } }, required: ["key"] },
      permissions: [],
      readOnly,
      execute: async (args, ctx) => {
        const key = String(args.key);
        this.running.add(key);
        this.log.push(`start ${key}`);
        this.mostAtOnce = Math.max(this.mostAtOnce, this.running.size);
        for (
          const w of this.#started.filter((w) =>
            this.log.filter((l) => l.startsWith("start")).length >= w.count
          )
        ) {
          w.resolve();
        }
        ctx.update(`${key} working`);
        await new Promise<void>((resolve, reject) => {
          this.#waiters.set(key, resolve);
          ctx.signal.addEventListener("abort", () => reject(new Error(`${key} stopped by the abort`)), {
            once: true,
          });
        }).finally(() => {
          this.running.delete(key);
          this.log.push(`end ${key}`);
        });
        return textResult(`${key} result`);
      },
    };
  }

  /**
   * Resolves once `count` calls have started in all; fails after a deadline that only bounds a hang
   * (calls that should run at once but run one by one would wait for each other forever).
   */
  started(count: number): Promise<void> {
    const started = new Promise<void>((resolve) => {
      if (this.log.filter((l) => l.startsWith("start")).length >= count) resolve();
      else this.#started.push({ count, resolve });
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`only ${this.log.join(", ")} after 20 s; expected ${count} started`)),
        20_000,
      );
    });
    return Promise.race([started, deadline]).finally(() => clearTimeout(timer));
  }

  finish(key: string): void {
    this.#waiters.get(key)?.();
  }
}

function call(id: string, name: string): AssembledToolCall {
  return { id, name, arguments: JSON.stringify({ key: id }) };
}

Deno.test("read-only calls of one message run at once and report in call order", async () => {
  const tracker = new Tracker();
  const read = tracker.tool("look", true);
  const llm = provider(calling([call("a", "look"), call("b", "look"), call("c", "look"), call("d", "look")]));
  const agent = new Agent({ provider: llm, tools: [read], model: "m", cwd: "/" });
  const events: AgentEvent[] = [];
  const running = (async () => {
    for await (const event of agent.run("go", new AbortController().signal)) events.push(event);
  })();
  await tracker.started(4);
  assertEquals(tracker.mostAtOnce, 4);
  // They finish in reverse order; the results still come in the order of the calls.
  for (const key of ["d", "c", "b", "a"]) tracker.finish(key);
  await running;
  const results = events.filter((e) => e.type === "tool_result").map((e) => e.type === "tool_result" && e.id);
  assertEquals(results, ["a", "b", "c", "d"]);
  const updates = events.filter((e) => e.type === "tool_update").map((e) => e.type === "tool_update" && e.id);
  assertEquals([...updates].sort(), ["a", "b", "c", "d"]);
  const sent = llm.requests[1].messages.filter((m) => m.role === "tool").map((m) =>
    m.role === "tool" && m.content
  );
  assertEquals(sent, ["a result", "b result", "c result", "d result"]);
});

Deno.test("a call that writes runs alone, after the reads before it and before the reads after it", async () => {
  const tracker = new Tracker();
  const tools = [tracker.tool("look", true), tracker.tool("change", false)];
  const llm = provider(
    calling([
      call("r1", "look"),
      call("r2", "look"),
      call("w", "change"),
      call("r3", "look"),
      call("x", "nope"),
    ]),
  );
  const agent = new Agent({ provider: llm, tools, model: "m", cwd: "/" });
  const events: AgentEvent[] = [];
  const running = (async () => {
    for await (const event of agent.run("go", new AbortController().signal)) events.push(event);
  })();
  await tracker.started(2);
  tracker.finish("r2");
  tracker.finish("r1");
  await tracker.started(3);
  tracker.finish("w");
  await tracker.started(4);
  tracker.finish("r3");
  await running;
  assertEquals(tracker.log, [
    "start r1",
    "start r2",
    "end r2",
    "end r1",
    "start w",
    "end w",
    "start r3",
    "end r3",
  ]);
  const results = events.filter((e) => e.type === "tool_result").map((e) => e.type === "tool_result" && e.id);
  assertEquals(results, ["r1", "r2", "w", "r3", "x"]);
  const unknown = events.find((e) => e.type === "tool_result" && e.id === "x");
  assert(unknown?.type === "tool_result" && unknown.isError);
  assertStringIncludes(unknown.text, 'Unknown tool "nope"');
});

Deno.test("groups: runs of read-only calls together, everything else alone", () => {
  const ro: Tool = {
    name: "ro",
    description: "",
    parameters: { type: "object" },
    permissions: [],
    readOnly: true,
    execute: () => Promise.resolve(textResult("")),
  };
  const rw: Tool = { ...ro, name: "rw", readOnly: false };
  const prepared = ["ro", "ro", "rw", "rw", "ro", "zz", "ro"].map((name, i) =>
    prepareCall({ id: String(i), name, arguments: "{}" }, [ro, rw])
  );
  assertEquals(groupCalls(prepared).map((g) => g.map((c) => c.id)), [["0", "1"], ["2"], ["3"], ["4"], ["5"], [
    "6",
  ]]);
});

Deno.test("an abort reaches every running call and each gets a result", async () => {
  const tracker = new Tracker();
  const read = tracker.tool("look", true);
  const llm = provider(calling([call("a", "look"), call("b", "look"), call("c", "look")]));
  const agent = new Agent({ provider: llm, tools: [read], model: "m", cwd: "/" });
  const controller = new AbortController();
  const events: AgentEvent[] = [];
  const running = (async () => {
    for await (const event of agent.run("go", controller.signal)) events.push(event);
  })();
  await tracker.started(3);
  controller.abort();
  await running;
  assertEquals(tracker.running.size, 0);
  const results = events.filter((e) => e.type === "tool_result");
  assertEquals(results.map((e) => e.type === "tool_result" && [e.id, e.isError]), [
    ["a", true],
    ["b", true],
    ["c", true],
  ]);
  const end = events.at(-1);
  assert(end?.type === "agent_end");
  assertEquals(end.reason, "aborted");
  assertEquals(agent.messages.filter((m) => m.role === "tool").length, 3);
});

Deno.test("beforeToolCall can block a call: the tool does not run and the model reads the reason", async () => {
  let ran = false;
  const write: Tool = {
    name: "write",
    description: "Writes.",
    parameters: { type: "object", properties: { path: { type: "string" }, count: { type: "number" } } },
    permissions: [],
    execute() {
      ran = true;
      return Promise.resolve(textResult("written"));
    },
  };
  const asked: unknown[] = [];
  const llm = provider(
    calling([{ id: "w", name: "write", arguments: '{"path":"/etc/passwd","count":"3"}' }]),
  );
  const agent = new Agent({
    provider: llm,
    tools: [write],
    model: "m",
    cwd: "/",
    beforeToolCall: (request) => {
      asked.push(request.args);
      return Promise.resolve({ block: "the user rejected writing /etc/passwd" });
    },
  });
  for await (const _ of agent.run("go", new AbortController().signal)) { /* drain */ }
  assertEquals(ran, false);
  // The hook sees the arguments as the tool would: checked and converted.
  assertEquals(asked, [{ path: "/etc/passwd", count: 3 }]);
  const result = llm.requests[1].messages.find((m) => m.role === "tool");
  assertEquals(result?.content, "Cannot run write: the user rejected writing /etc/passwd");
});

Deno.test("a hook that throws blocks the call with its message, and one that allows lets it run", async () => {
  const echo: Tool = {
    name: "echo",
    description: "Echoes.",
    parameters: { type: "object", properties: {} },
    permissions: [],
    execute: () => Promise.resolve(textResult("echoed")),
  };
  const llm = provider(
    calling([{ id: "1", name: "echo", arguments: "{}" }, { id: "2", name: "echo", arguments: "{}" }]),
  );
  let calls = 0;
  const agent = new Agent({
    provider: llm,
    tools: [echo],
    model: "m",
    cwd: "/",
    beforeToolCall: () => {
      if (++calls === 1) throw new Error("the approval dialog closed");
      return Promise.resolve(undefined);
    },
  });
  for await (const _ of agent.run("go", new AbortController().signal)) { /* drain */ }
  const results = llm.requests[1].messages.filter((m) => m.role === "tool").map((m) => m.content);
  assertEquals(results, ["Cannot run echo: the approval dialog closed", "echoed"]);
});

Deno.test("a result far over the tools' own bounds is cut with a note before the model sees it", async () => {
  const flood: Tool = {
    name: "flood",
    description: "Returns too much.",
    parameters: { type: "object", properties: {} },
    permissions: [],
    execute: () => Promise.resolve(textResult("x".repeat(300_000))),
  };
  const llm = provider(calling([{ id: "f", name: "flood", arguments: "{}" }]));
  const agent = new Agent({ provider: llm, tools: [flood], model: "m", cwd: "/" });
  for await (const _ of agent.run("go", new AbortController().signal)) { /* drain */ }
  const text = String(llm.requests[1].messages.find((m) => m.role === "tool")?.content);
  assert(byteLength(text) < MAX_RESULT_BYTES + 200, `kept ${byteLength(text)} bytes`);
  assertStringIncludes(text, "[Output cut at 100.0KB of 293.0KB");
});

Deno.test("a tool is told the id of its call, and setTools changes what the next request offers", async () => {
  const seen: (string | undefined)[] = [];
  const probe: Tool = {
    name: "probe",
    description: "Says which call it is.",
    parameters: { type: "object", properties: {} },
    permissions: [],
    execute: (_args, ctx) => {
      seen.push(ctx.callId);
      return Promise.resolve(textResult("ok"));
    },
  };
  const other: Tool = { ...probe, name: "other", description: "Another tool, with a longer description." };
  const llm = provider(calling([{ id: "call_42", name: "probe", arguments: "{}" }]), done, done);
  const agent = new Agent({ provider: llm, tools: [probe], model: "m", cwd: "/" });
  for await (const _ of agent.run("go", new AbortController().signal)) { /* drain */ }
  assertEquals(seen, ["call_42"]);
  const before = agent.contextReport().tools;
  agent.setTools([probe, other]);
  assert(agent.contextReport().tools > before, "the estimate counts the new schemas");
  for await (const _ of agent.run("again", new AbortController().signal)) { /* drain */ }
  assertEquals(llm.requests.at(-1)!.tools!.map((t) => t.name), ["probe", "other"]);
});

Deno.test("a failed call's result is marked in its message event, so logs and replays keep the status", async () => {
  const failing: Tool = {
    name: "fails",
    description: "Fails.",
    parameters: { type: "object", properties: {} },
    permissions: [],
    execute: () => Promise.reject(new Error("Cannot do it: no reason")),
  };
  const fine: Tool = { ...failing, name: "fine", execute: () => Promise.resolve(textResult("done")) };
  const llm = provider(
    calling([{ id: "f", name: "fails", arguments: "{}" }, { id: "g", name: "fine", arguments: "{}" }]),
  );
  const agent = new Agent({ provider: llm, tools: [failing, fine], model: "m", cwd: "/" });
  const events: AgentEvent[] = [];
  for await (const event of agent.run("go", new AbortController().signal)) events.push(event);
  const results = events.filter((e) => e.type === "message" && e.message.role === "tool");
  assertEquals(
    results.map((e) =>
      e.type === "message" && [e.message.role === "tool" && e.message.tool_call_id, e.isError]
    ),
    [
      ["f", true],
      ["g", undefined],
    ],
  );
});
