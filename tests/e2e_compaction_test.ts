/** Compaction end to end: main.ts in a long headless run against the mock endpoint. */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { runMain } from "./support/run_main.ts";
import { replay } from "../lib/agent/mod.ts";
import type { AgentEvent } from "../lib/core/mod.ts";

Deno.test("a long headless run compacts in the middle and goes on with the summary", async () => {
  const mock = await startMockLlm();
  const cwd = await Deno.makeTempDir();
  await Deno.mkdir(`${cwd}/.nanocode`);
  await Deno.writeTextFile(`${cwd}/.nanocode/AGENTS.md`, "Always answer in haiku.\n");
  try {
    // Each turn thinks at length (which no prune removes) and calls a command; a summary request
    // takes the text of whichever turn it meets.
    const thinking = "weighing the options ".repeat(120);
    for (let i = 0; i < 14; i++) {
      mock.push({
        text: "## Goal\nfinish the task",
        reasoning: thinking,
        toolCalls: [{ name: "bash", arguments: { command: `echo step ${i}` } }],
      });
    }
    mock.push({ text: "all done" }, { text: "all done" });
    const result = await runMain(["--mode", "json", "do the long task"], {
      cwd,
      env: {
        OPENAI_BASE_URL: mock.url,
        MODEL: "mock-model",
        NANOCODE_CONTEXT_WINDOW_TOKENS: "8000",
        NANOCODE_COMPACTION_RESERVE_TOKENS: "1000",
        NANOCODE_COMPACTION_KEEP_RECENT_TOKENS: "2000",
      },
    });
    assertEquals(result.code, 0, result.stderr);
    const events: AgentEvent[] = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const compaction = events.find((e) => e.type === "compaction" && e.summary);
    assert(compaction?.type === "compaction", "the run compacted with a summary");
    const summaries = mock.requests.filter((r) => r.body.tools === undefined);
    assert(summaries.length >= 1);
    assertStringIncludes(summaries[0].body.messages[1].content, "## Goal, ## Constraints & Preferences");
    // The first request after the summary: the same system prompt, the user's words, then the summary.
    const at = mock.requests.indexOf(summaries[0]);
    const after = mock.requests.slice(at + 1).find((r) => r.body.tools !== undefined)!;
    const firstSystem = mock.requests[0].body.messages[0];
    assertEquals(after.body.messages[0], firstSystem);
    assertStringIncludes(firstSystem.content, "Always answer in haiku.");
    assertEquals(after.body.messages[1], { role: "user", content: "do the long task" });
    assertStringIncludes(after.body.messages[2].content, "<compaction_summary");
    assert(after.body.messages[3].role !== "tool");
    // Replaying the JSON events rebuilds what the last request sent.
    const lastStart = events.findLastIndex((e) => e.type === "turn_start");
    const last = mock.requests.filter((r) => r.body.tools !== undefined).at(-1)!;
    assertEquals(replay(events.slice(0, lastStart)).messages, last.body.messages);
    const end = events.at(-1);
    assert(end?.type === "agent_end" && end.text === "all done");
  } finally {
    await mock.close();
    await Deno.remove(cwd, { recursive: true });
  }
});
