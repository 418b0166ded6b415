/** What keeps a run honest: the turn limit, the repeat note, interrupts the model hears of, raw arguments. */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { Agent, InputQueue } from "../lib/agent/mod.ts";
import type { Tool } from "../lib/core/mod.ts";
import { answering as answer, calling, drain, scripted } from "./support/scripted.ts";
import { textResult } from "../lib/core/mod.ts";

const look: Tool = {
  name: "look",
  description: "Looks.",
  parameters: { type: "object", properties: { at: { type: "string" } } },
  permissions: [],
  readOnly: true,
  execute: () => Promise.resolve(textResult("the same view")),
};

Deno.test("--max-turns stops a run after that many model calls with an error that says what to do", async () => {
  const { provider, requests } = scripted((_, n) =>
    calling([{ id: `c${n}`, name: "look", arguments: `{"at":"${n}"}` }])
  );
  const agent = new Agent({ provider, tools: [look], model: "m", cwd: "/", maxTurns: 3 });
  const events = await drain(agent.run("look around", new AbortController().signal));
  assertEquals(requests.length, 3);
  const end = events.at(-1)!;
  assert(end.type === "agent_end");
  assertEquals([end.reason, end.turns], ["error", 3]);
  assertEquals(
    end.error,
    "Stopped after 3 model calls (--max-turns 3); send a new prompt to go on, or raise the limit.",
  );
  // Every call made got its result: the conversation can go on.
  assertEquals(agent.messages.filter((m) => m.role === "tool").length, 3);
});

Deno.test("the fifth identical call in a row tells the model it is repeating itself", async () => {
  const { provider, requests } = scripted((_, n) =>
    n <= 6
      ? calling([{ id: `c${n}`, name: "look", arguments: n === 3 ? '{"at": "x"}' : '{"at":"x"}' }])
      : answer("ok")
  );
  const agent = new Agent({ provider, tools: [look], model: "m", cwd: "/" });
  await drain(agent.run("go", new AbortController().signal));
  const results = requests.at(-1)!.messages.filter((m) => m.role === "tool").map((m) => String(m.content));
  assertEquals(
    results.slice(0, 4),
    Array(4).fill("the same view"),
    "spacing in the JSON does not make it a new call",
  );
  assertStringIncludes(results[4], "this is call 5 in a row with the same tool and the same arguments");
  assertStringIncludes(results[5], "this is call 6 in a row");
});

Deno.test("a different call in between starts the count again", async () => {
  const args = ["a", "a", "a", "a", "b", "a", "a", "a", "a"];
  const { provider, requests } = scripted((_, n) =>
    n <= args.length
      ? calling([{ id: `c${n}`, name: "look", arguments: `{"at":"${args[n - 1]}"}` }])
      : answer("ok")
  );
  const agent = new Agent({ provider, tools: [look], model: "m", cwd: "/" });
  await drain(agent.run("go", new AbortController().signal));
  const results = requests.at(-1)!.messages.filter((m) => m.role === "tool").map((m) => String(m.content));
  assert(results.every((r) => r === "the same view"), results.join(" | "));
});

Deno.test("an interrupted answer is kept with a note that the user interrupted it", async () => {
  const controller = new AbortController();
  const { provider, requests } = scripted((_, n) => {
    if (n === 2) return answer("next");
    controller.abort();
    return [
      { type: "text", text: "half an ans" },
      {
        type: "done",
        reason: "aborted",
        message: { role: "assistant", content: "half an ans" },
        toolCalls: [],
      },
    ];
  });
  const agent = new Agent({ provider, tools: [], model: "m", cwd: "/" });
  const events = await drain(agent.run("explain", controller.signal));
  const end = events.at(-1)!;
  assert(end.type === "agent_end" && end.reason === "aborted");
  await drain(agent.run("go on", new AbortController().signal));
  assertEquals(requests[1].messages.slice(-2), [
    { role: "assistant", content: "half an ans\n\n[Interrupted by the user.]" },
    { role: "user", content: "go on" },
  ]);
});

Deno.test("steering still queued when a run was interrupted goes before the next prompt", async () => {
  const queue = new InputQueue();
  const controller = new AbortController();
  const { provider, requests } = scripted((_, n) => {
    if (n === 1) {
      queue.steer("use the staging database");
      controller.abort();
      return [{
        type: "done",
        reason: "aborted",
        message: { role: "assistant", content: null },
        toolCalls: [],
      }];
    }
    return answer("done");
  });
  const agent = new Agent({ provider, tools: [], model: "m", cwd: "/", queue });
  await drain(agent.run("migrate the schema", controller.signal));
  await drain(agent.run("now run it", new AbortController().signal));
  assertEquals(requests[1].messages.map((m) => m.content), [
    "migrate the schema",
    "[Interrupted by the user.]",
    "use the staging database",
    "now run it",
  ]);
});

Deno.test("tool_call events always carry an object, and the raw text when the arguments did not parse", async () => {
  const { provider } = scripted((_, n) =>
    n === 1
      ? calling([
        { id: "ok", name: "look", arguments: '{"at":"here"}' },
        { id: "bad", name: "look", arguments: '{"at": "unterminated' },
        { id: "list", name: "look", arguments: "[1,2]" },
      ])
      : answer("ok")
  );
  const agent = new Agent({ provider, tools: [look], model: "m", cwd: "/" });
  const events = await drain(agent.run("go", new AbortController().signal));
  const calls = events.filter((e) => e.type === "tool_call");
  assertEquals(calls.map((e) => e.type === "tool_call" && [e.args, e.rawArgs]), [
    [{ at: "here" }, undefined],
    [{}, '{"at": "unterminated'],
    [{}, "[1,2]"],
  ]);
});
