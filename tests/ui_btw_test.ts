/** Side questions: what a fork is given, and how an answer asked while the agent works is collected. */
import type { AgentEvent, Tool } from "../lib/core/mod.ts";
import { createPalette } from "../lib/ui/ansi.ts";
import { BTW_PREFIX, BTW_TOOLS_PREFIX, prepareSideQuestion, SideAnswer } from "../lib/ui/btw.ts";
import { EventRenderer } from "../lib/ui/render.ts";
import type { ReplAgent, ReplRuntime } from "../lib/ui/runtime.ts";
import { assertEquals } from "./support/assert.ts";
import { NO_SESSIONS } from "./support/repl.ts";

function tool(name: string): Tool {
  return {
    name,
    description: `${name}s.`,
    parameters: { type: "object", properties: {} },
    permissions: [],
    execute: () => Promise.reject(new Error("not run here")),
  };
}

/** A runtime whose agent records what each fork is given. */
function runtime(forks: (readonly Tool[])[]): ReplRuntime {
  const agent: ReplAgent = {
    messages: [],
    model: "m",
    tools: [],
    setModel() {},
    clear() {},
    fork(options) {
      forks.push(options.tools);
      return agent;
    },
    run: () => (async function* () {})(),
    contextReport: () => ({
      total: 0,
      system: 0,
      tools: 0,
      messages: 0,
      anchored: false,
      window: 128_000,
      trigger: 108_800,
      auto: true,
    }),
    compact: () => (async function* () {})(),
  };
  const read = tool("read");
  return {
    agent,
    provider: { stream: () => (async function* () {})(), listModels: () => Promise.resolve([]) },
    config: { showThinking: true },
    queue: { steer() {}, followUp() {}, list: () => [], clear: () => [], replace() {} },
    tools: [read, tool("bash"), tool("write"), tool("edit")],
    readOnlyTools: [read],
    skills: [],
    expandSkill: () => Promise.resolve(""),
    reload: () => Promise.resolve([]),
    sessions: NO_SESSIONS,
  };
}

Deno.test("/btw --tools forks with the read-only tools only, and /btw with none", () => {
  const forks: (readonly Tool[])[] = [];
  const r = runtime(forks);
  const withTools = prepareSideQuestion(r, "where is main?", { tools: true });
  const without = prepareSideQuestion(r, "what is this?", { tools: false });
  assertEquals(forks.map((tools) => tools.map((t) => t.name)), [["read"], []]);
  assertEquals(withTools.prompt, `${BTW_TOOLS_PREFIX}\n\nwhere is main?`);
  assertEquals(without.prompt, `${BTW_PREFIX}\n\nwhat is this?`);
});

Deno.test("a side answer collected during a run is printed whole under a header, an error as a red line", async () => {
  const palette = createPalette(false);
  const side = new SideAnswer("quick?", {
    renderer: new EventRenderer({ palette, showThinking: true }),
    palette,
  });
  let updates = 0;
  const events = async function* (): AsyncGenerator<AgentEvent> {
    yield { type: "agent_start", model: "m", cwd: "/", tools: [] };
    yield { type: "text_delta", text: "Part one.\nPart" };
    throw new Error("Cannot reach the model: HTTP 503\nmore detail");
  };
  const lines = await side.collect(events(), () => updates++);
  assertEquals(lines, [
    "",
    "↳ btw: quick? (side answer, not kept in the conversation)",
    "",
    "Part one.",
    "✗ Cannot reach the model: HTTP 503",
    "Part",
  ]);
  assertEquals(updates, 2);
});

Deno.test("a side answer shows its question and its last lines in the live area", async () => {
  const palette = createPalette(false);
  const side = new SideAnswer("quick?", {
    renderer: new EventRenderer({ palette, showThinking: true }),
    palette,
  });
  const events = async function* (): AsyncGenerator<AgentEvent> {
    yield { type: "agent_start", model: "m", cwd: "/", tools: [] };
    yield { type: "turn_start", turn: 1 };
  };
  await side.collect(events(), () => {});
  assertEquals(side.live(60), ["  ↳ btw: quick? (waiting for the model…)"]);
  side.abort();
  assertEquals(side.aborted, true);
  assertEquals(side.signal.aborted, true);
});
