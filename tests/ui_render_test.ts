/** Agent events to terminal lines, without a terminal. */
import type { AgentEvent } from "../lib/core/mod.ts";
import { createPalette, stripAnsi } from "../lib/ui/ansi.ts";
import {
  EventRenderer,
  formatCost,
  formatElapsed,
  formatTokens,
  formatUsage,
  jobResultLine,
  SILENCE_MS,
  userLines,
} from "../lib/ui/render.ts";
import { activityLine, activityText } from "../lib/ui/spinner.ts";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";

const usage = { promptTokens: 1200, completionTokens: 80, totalTokens: 1280 };

function renderer(options: { color?: boolean; showThinking?: boolean; now?: () => number } = {}) {
  return new EventRenderer({
    palette: createPalette(options.color ?? false),
    showThinking: options.showThinking ?? true,
    now: options.now ?? (() => 0),
  });
}

/** Feeds events and returns every finished line. */
function feed(r: EventRenderer, events: AgentEvent[]): string[] {
  return events.flatMap((e) => r.push(e));
}

const start: AgentEvent = { type: "agent_start", model: "m", cwd: "/", tools: [] };

Deno.test("streamed text is printed line by line and the unfinished line stays live", () => {
  const r = renderer();
  assertEquals(feed(r, [start, { type: "turn_start", turn: 1 }, { type: "text_delta", text: "Hel" }]), [""]);
  assertEquals(r.live(80), ["Hel"]);
  assertEquals(r.push({ type: "text_delta", text: "lo\nwor" }), ["Hello"]);
  assertEquals(r.live(80), ["wor"]);
  assertEquals(r.flush(), ["wor"]);
  assertEquals(r.live(80), []);
});

Deno.test("blank lines at the start of an answer are dropped and runs of them shrink to one", () => {
  const r = renderer();
  const lines = feed(r, [start, { type: "text_delta", text: "\n\nfirst\n\n\n\nsecond\n\n" }]);
  assertEquals(lines, ["", "first", "", "second"]);
  assertEquals(r.flush(), []);
});

Deno.test("blank lines inside a fenced code block are kept", () => {
  const r = renderer();
  const lines = feed(r, [start, { type: "text_delta", text: "```\na\n\n\nb\n```\n" }]);
  assertEquals(lines, ["", "```", "a", "", "", "b", "```"]);
});

Deno.test("reasoning is shown dimmed and hidden when thinking is turned off", () => {
  const shown = renderer({ color: true });
  const lines = feed(shown, [start, { type: "thinking_delta", text: "hmm\n" }, {
    type: "text_delta",
    text: "answer\n",
  }]);
  assertEquals(lines.map(stripAnsi), ["", "∴ thinking", "hmm", "", "answer"]);
  assertStringIncludes(lines[2], "\x1b[2m");

  const hidden = renderer({ showThinking: false });
  const events: AgentEvent[] = [start, { type: "turn_start", turn: 1 }, {
    type: "thinking_delta",
    text: "secret\n",
  }];
  assertEquals(feed(hidden, events), []);
  assertEquals(hidden.activity?.label, "thinking", "the spinner says so while reasoning is hidden");
  assertEquals(feed(hidden, [{ type: "text_delta", text: "answer\n" }]), ["", "answer"]);
  assertEquals(hidden.activity, undefined);
});

Deno.test("a tool call shows as ⏺ name(args) and its result as one line under it", () => {
  const r = renderer();
  const lines = feed(r, [
    start,
    { type: "text_delta", text: "Let me look." },
    { type: "tool_call", id: "1", name: "bash", args: { command: "ls -la" } },
    { type: "tool_result", id: "1", name: "bash", isError: false, text: "a.txt\nb.txt\nc.txt\n" },
    { type: "tool_call", id: "2", name: "read", args: { path: "x" } },
    { type: "tool_result", id: "2", name: "read", isError: true, text: "Cannot read x: no such file" },
  ]);
  assertEquals(lines, [
    "",
    "Let me look.",
    "",
    '⏺ bash(command="ls -la")',
    "  ⎿  a.txt … +2 lines",
    "",
    '⏺ read(path="x")',
    "  ⎿  Cannot read x: no such file",
  ]);
});

Deno.test("a failed tool result is red when colour is on", () => {
  const r = renderer({ color: true });
  const lines = feed(r, [
    start,
    { type: "tool_call", id: "1", name: "bash", args: { command: "false" } },
    { type: "tool_result", id: "1", name: "bash", isError: true, text: "exit code 1" },
  ]);
  assertStringIncludes(lines[lines.length - 1], "\x1b[31mexit code 1");
});

Deno.test("a running command's latest output is shown live under its call and cleared by the result", () => {
  const r = renderer({ now: () => 5000 });
  feed(r, [start, { type: "tool_call", id: "1", name: "bash", args: { command: "make" } }]);
  assertEquals(r.activity, { label: "running bash", since: 5000 });
  r.push({ type: "tool_update", id: "1", name: "bash", text: "1\n2\n3\n4\n5\n6\n" });
  assertEquals(r.live(80).map((l) => l.trim()), ["3", "4", "5", "6"]);
  r.push({ type: "tool_result", id: "1", name: "bash", isError: false, text: "6" });
  assertEquals(r.live(80), []);
  assertEquals(r.activity, { label: "waiting for the model", since: 5000 }, "the next model call comes next");
});

Deno.test("a tool counts as running from its call's line until its result's, or the end of the run", () => {
  const r = renderer();
  feed(r, [start, { type: "turn_start", turn: 1 }]);
  assert(!r.toolRunning);
  r.push({ type: "tool_call", id: "1", name: "bash", args: { command: "make" } });
  assert(r.toolRunning);
  r.push({ type: "tool_update", id: "1", name: "bash", text: "building" });
  assert(r.toolRunning);
  r.push({ type: "tool_result", id: "1", name: "bash", isError: false, text: "done" });
  assert(!r.toolRunning);
  r.push({ type: "tool_call", id: "2", name: "bash", args: { command: "sleep 9" } });
  r.push({ type: "agent_end", text: "", reason: "aborted", usage, turns: 1 });
  assert(!r.toolRunning);
});

Deno.test("queue deliveries, retries and errors each get a line of their own", () => {
  const r = renderer();
  const lines = feed(r, [
    start,
    { type: "queue", kind: "steer", text: "use tabs" },
    { type: "queue", kind: "followup", text: "then test" },
    { type: "retry", attempt: 1, maxRetries: 4, delayMs: 1500, reason: "HTTP 503" },
    { type: "error", message: "Cannot reach the model: HTTP 401" },
  ]);
  assertEquals(lines, [
    "",
    "» steering: use tabs",
    "",
    "» follow-up: then test",
    "↻ retry 1/4 in 1.5s: HTTP 503",
    "✗ Cannot reach the model: HTTP 401",
  ]);
});

Deno.test("a background job's delivered result gets one line: id, how it ended, exit code and time", () => {
  const r = renderer();
  const lines = feed(r, [
    start,
    { type: "job_result", id: "nano-1", status: "done", exitCode: 0, elapsedSeconds: 12 },
    { type: "job_result", id: "nano-2", status: "cancelled", exitCode: null, elapsedSeconds: 3.4 },
  ]);
  assertEquals(lines, [
    "",
    "◌ background job nano-1 done (exit 0, 12 s)",
    "",
    "◌ background job nano-2 cancelled (3 s)",
  ]);
  assertEquals(
    jobResultLine({ type: "job_result", id: "nano-3", status: "failed", exitCode: 1, elapsedSeconds: 0.2 }),
    "◌ background job nano-3 failed (exit 1, 0 s)",
  );
});

Deno.test("the end of a run prints its token usage, and an interrupt says so", () => {
  let now = 1000;
  const r = renderer({ now: () => now });
  r.push(start);
  now = 4400;
  const lines = r.push({ type: "agent_end", text: "", reason: "aborted", usage, turns: 2 });
  assertEquals(lines, ["", "⎿  Interrupted.", "↑ 1.2k in · ↓ 80 out · 2 calls · 3.4s"]);
});

Deno.test("a cut-off answer is pointed out", () => {
  const r = renderer();
  const lines = feed(r, [start, { type: "text_delta", text: "partial" }, {
    type: "turn_end",
    turn: 1,
    reason: "length",
  }]);
  assertEquals(lines, ["", "partial", "", "The answer was cut off: the model reached its output limit."]);
});

Deno.test("without colour no escape sequence reaches the output, and model text cannot inject one", () => {
  const r = renderer({ color: false });
  const lines = feed(r, [
    start,
    { type: "text_delta", text: "# Title\n**bold** \x1b[2J`code`\n" },
    { type: "tool_call", id: "1", name: "bash", args: { command: "ls" } },
    { type: "tool_result", id: "1", name: "bash", isError: true, text: "\x1b[31mred\x1b[0m" },
    { type: "agent_end", text: "", reason: "stop", usage, turns: 1 },
  ]);
  assert(lines.every((l) => !l.includes("\x1b")), JSON.stringify(lines));
  assertEquals(lines[1], "# Title");
  assertEquals(lines[2], "**bold** `code`");
});

Deno.test("token counts and durations are formatted briefly", () => {
  assertEquals([formatTokens(950), formatTokens(1234), formatTokens(45_600), formatTokens(2_500_000)], [
    "950",
    "1.2k",
    "46k",
    "2.5M",
  ]);
  assertEquals(
    [formatElapsed(3400), formatElapsed(42_000), formatElapsed(125_000), formatElapsed(3_720_000)],
    [
      "3.4s",
      "42s",
      "2m 05s",
      "1h 02m",
    ],
  );
  assertEquals(formatUsage({ promptTokens: 0, completionTokens: 0, totalTokens: 0 }, { turns: 1 }), "1 call");
  assertEquals(
    formatUsage({ ...usage, cachedTokens: 1000, reasoningTokens: 20 }),
    "↑ 1.2k in (1.0k cached) · ↓ 80 out (20 reasoning)",
  );
});

Deno.test("the user's input is echoed with the prompt mark, continuation lines indented", () => {
  assertEquals(userLines("fix it\nplease", createPalette(false)), ["❯ fix it", "  please"]);
});

Deno.test("the activity line shows a spinner frame, what is awaited, for how long, and how to interrupt", () => {
  const activity = { label: "waiting for the model", since: 0 };
  const line = activityLine(activity, { now: 12_500, palette: createPalette(false) });
  assertEquals(line.slice(2), "waiting for the model · 12s · Ctrl-C to interrupt");
  const later = activityLine(activity, { now: 12_580, palette: createPalette(false) });
  assert(line[0] !== later[0], "the spinner frame advances with time");
});

Deno.test("calls running side by side each get their result directly under their own call line", () => {
  let now = 1000;
  const r = renderer({ now: () => now });
  const grep = (id: string, pattern: string): AgentEvent => ({
    type: "tool_call",
    id,
    name: "grep",
    args: { pattern },
  });
  const update = (id: string, text: string): AgentEvent => ({ type: "tool_update", id, name: "grep", text });
  const result = (id: string, text: string): AgentEvent => ({
    type: "tool_result",
    id,
    name: "grep",
    isError: false,
    text,
  });
  // The first call's line is printed at once; the others wait in the live area.
  assertEquals(feed(r, [start, { type: "turn_start", turn: 1 }, grep("a", "alpha")]), [
    "",
    '⏺ grep(pattern="alpha")',
  ]);
  now = 1200;
  assertEquals(feed(r, [grep("b", "beta"), grep("c", "gamma")]), []);
  assert(r.toolRunning);
  assertEquals(r.activity, { label: "running grep ×3", since: 1000 });
  assertEquals(
    feed(r, [update("b", "b1\nb2\nb3\n"), update("a", "a1\n"), update("c", "c1\n"), update("b", "b4\n")]),
    [],
  );
  assertEquals(r.live(80).map((l) => l.trimEnd()), [
    "     a1",
    '⏺ grep(pattern="beta")',
    "     b4",
    '⏺ grep(pattern="gamma")',
    "     c1",
  ]);
  assertEquals(r.push(result("a", "a.ts:1: alpha")), ["  ⎿  a.ts:1: alpha"]);
  assertEquals(r.activity, { label: "running grep ×2", since: 1000 });
  assertEquals(r.live(80).map((l) => l.trimEnd()), [
    '⏺ grep(pattern="beta")',
    "     b4",
    '⏺ grep(pattern="gamma")',
    "     c1",
  ]);
  assertEquals(r.push(result("b", "b.ts:2: beta")), ["", '⏺ grep(pattern="beta")', "  ⎿  b.ts:2: beta"]);
  assert(r.toolRunning, "a call is still in flight");
  assertEquals(r.push(result("c", "c.ts:3: gamma")), ["", '⏺ grep(pattern="gamma")', "  ⎿  c.ts:3: gamma"]);
  assert(!r.toolRunning);
  assertEquals(r.activity?.label, "waiting for the model");
  assertEquals(r.live(80), []);
});

Deno.test("a group of calls prints the same transcript as the same calls run one at a time", () => {
  const call = (id: string): AgentEvent => ({ type: "tool_call", id, name: "read", args: { path: id } });
  const result = (id: string): AgentEvent => ({
    type: "tool_result",
    id,
    name: "read",
    isError: false,
    text: `contents of ${id}`,
  });
  const grouped = feed(renderer(), [
    start,
    call("x"),
    call("y"),
    call("z"),
    result("x"),
    result("y"),
    result("z"),
  ]);
  const sequential = feed(renderer(), [
    start,
    call("x"),
    result("x"),
    call("y"),
    result("y"),
    call("z"),
    result("z"),
  ]);
  assertEquals(grouped, sequential);
});

Deno.test("one call at a time prints its line at once and its result right under it, as before", () => {
  const r = renderer({ now: () => 7 });
  assertEquals(feed(r, [start, { type: "tool_call", id: "1", name: "bash", args: { command: "make" } }]), [
    "",
    '⏺ bash(command="make")',
  ]);
  assertEquals(r.activity, { label: "running bash", since: 7 });
  r.push({ type: "tool_update", id: "1", name: "bash", text: "compiling\nlinking\n" });
  assertEquals(
    r.live(80).map((l) => l.trim()),
    ["compiling", "linking"],
    "the call line is not repeated live",
  );
  assertEquals(r.push({ type: "tool_result", id: "1", name: "bash", isError: false, text: "built" }), [
    "  ⎿  built",
  ]);
});

Deno.test("many calls side by side list the first few in the live area and count the rest", () => {
  const r = renderer();
  r.push(start);
  for (let i = 0; i < 9; i++) r.push({ type: "tool_call", id: `${i}`, name: "ls", args: { path: `d${i}` } });
  const live = r.live(80);
  assertEquals(live.at(-1)?.trim(), "… 3 more calls running");
  assertEquals(live.filter((l) => l.startsWith("⏺")).length, 5, "the first call's line is in the transcript");
  assertEquals(r.activity?.label, "running ls ×9");
});

/** A renderer that lays markdown out for a terminal, without colour. */
function terminal(options: { now?: () => number; width?: number } = {}) {
  return new EventRenderer({
    palette: createPalette(false),
    showThinking: true,
    now: options.now ?? (() => 0),
    width: () => options.width ?? 80,
    layout: true,
  });
}

Deno.test("the wait for the model is shown before the first token and after a few silent seconds mid-answer", () => {
  let now = 0;
  const r = renderer({ now: () => now });
  feed(r, [start, { type: "turn_start", turn: 1 }]);
  now = 12_000;
  assertEquals(activityText(r.activity!, now), "waiting for the model · 12s");
  r.push({ type: "text_delta", text: "Let me think about " });
  assertEquals(r.activity, undefined, "output is streaming");
  now += SILENCE_MS - 1;
  assertEquals(r.activity, undefined, "a short pause is not a wait");
  now += 5001;
  assertEquals(activityText(r.activity!, now), "waiting for the model · 8s", "timed from the last output");
  r.push({ type: "text_delta", text: "it.\n" });
  assertEquals(r.activity, undefined);
  r.push({ type: "message", message: { role: "assistant", content: "Let me think about it." } });
  now += 60_000;
  assertEquals(r.activity, undefined, "a whole answer waits for nothing");
});

Deno.test("a retry counts down to the next attempt and never says thinking", () => {
  let now = 1000;
  const r = renderer({ now: () => now });
  feed(r, [start, { type: "turn_start", turn: 1 }]);
  r.push({ type: "retry", attempt: 2, maxRetries: 4, delayMs: 3000, reason: "HTTP 503" });
  assertEquals(activityText(r.activity!, now), "retrying in 3s (2/4)");
  now += 1200;
  assertEquals(activityText(r.activity!, now), "retrying in 2s (2/4)");
  now += 1800 + 4000;
  assertEquals(
    activityText(r.activity!, now),
    "waiting for the model · 4s",
    "then the resent request is awaited",
  );
  assert(!activityLine(r.activity!, { now, palette: createPalette(false) }).includes("hink"));
});

Deno.test("after the last tool result the wait for the next model call goes on through the turn's start", () => {
  let now = 0;
  const r = renderer({ now: () => now });
  feed(r, [start, { type: "turn_start", turn: 1 }, { type: "tool_call", id: "1", name: "ls", args: {} }]);
  now = 100;
  r.push({ type: "tool_result", id: "1", name: "ls", isError: false, text: "a" });
  now = 2100;
  r.push({ type: "turn_start", turn: 2 });
  assertEquals(r.activity, { label: "waiting for the model", since: 100 });
});

Deno.test("a compaction shows as one dim line with the tokens before and after", () => {
  const r = renderer({ color: true });
  const lines = feed(r, [start, {
    type: "compaction",
    pruned: [{ index: 3, content: "[Old result of read]" }],
    replaced: 40,
    kept: [1],
    tokensBefore: 98_200,
    tokensAfter: 21_400,
  }]);
  assertEquals(lines.length, 2);
  assertStringIncludes(lines[1], "\x1b[2m");
  assertEquals(
    stripAnsi(lines[1]),
    "✻ Compacted the conversation: 98k → 21k tokens (40 messages summarised, 1 old tool result pruned)",
  );
});

const editDiff = [
  "--- a.ts",
  "+++ a.ts",
  "@@ -1,4 +1,4 @@",
  " keep",
  "-const a = 1;",
  "+const a = 2;",
  " keep",
  "@@ -20,3 +20,4 @@",
  " keep",
  "+added();",
  " keep",
].join("\n");

Deno.test("an edit shows the changed lines of its diff under its call, numbered and coloured", () => {
  const r = renderer({ color: true });
  const lines = feed(r, [
    start,
    { type: "tool_call", id: "1", name: "edit", args: { path: "a.ts", edits: [] } },
    {
      type: "tool_result",
      id: "1",
      name: "edit",
      isError: false,
      text: "Successfully replaced 2 blocks in a.ts.",
      details: { diff: editDiff },
    },
  ]);
  assertEquals(lines.slice(2).map(stripAnsi), [
    "  ⎿  Successfully replaced 2 blocks in a.ts.",
    "      2 - const a = 1;",
    "      2 + const a = 2;",
    "        ⋮",
    "     21 + added();",
  ]);
  assertStringIncludes(lines[3], "\x1b[31m- const a = 1;");
  assertStringIncludes(lines[4], "\x1b[32m+ const a = 2;");
});

Deno.test("a long diff shows a dozen lines, then how many more", () => {
  const body = Array.from({ length: 30 }, (_, i) => `+line ${i + 1}`);
  const r = renderer();
  const lines = feed(r, [start, {
    type: "tool_result",
    id: "1",
    name: "write",
    isError: false,
    text: "Successfully wrote 200 bytes to b.txt",
    details: { diff: ["--- b.txt", "+++ b.txt", "@@ -0,0 +1,30 @@", ...body].join("\n"), created: false },
  }]);
  const shown = lines.slice(2);
  assertEquals(shown.length, 12);
  assertEquals(shown.at(-2), "     11 + line 11");
  assertEquals(shown.at(-1), "     … +19 lines");
});

Deno.test("a write of a new file shows its line count; the text the model reads is never parsed", () => {
  const r = renderer();
  const lines = feed(r, [
    start,
    { type: "tool_call", id: "1", name: "write", args: { path: "n.md", content: "a\nb\nc\n" } },
    {
      type: "tool_result",
      id: "1",
      name: "write",
      isError: false,
      text: "--- n.md\n+++ n.md\n@@ -0,0 +1 @@\n+not a diff to show",
      details: { path: "/w/n.md", bytes: 6, created: true },
    },
  ]);
  assertEquals(lines.slice(2), ["  ⎿  --- n.md … +3 lines", "     new file · 3 lines"]);
  const failed = feed(renderer(), [start, {
    type: "tool_result",
    id: "2",
    name: "edit",
    isError: true,
    text: "Cannot edit x",
    details: { diff: editDiff },
  }]);
  assertEquals(failed.length, 2, "a failed call shows no diff");
});

Deno.test("without colour reasoning is labelled and tool lines keep their markers", () => {
  const r = terminal();
  const lines = feed(r, [
    start,
    { type: "thinking_delta", text: "Should I look first?\n" },
    { type: "text_delta", text: "Yes.\n" },
    { type: "tool_call", id: "1", name: "edit", args: { path: "a.ts", edits: [] } },
    { type: "tool_result", id: "1", name: "edit", isError: false, text: "ok", details: { diff: editDiff } },
  ]);
  assert(!lines.join("\n").includes("\x1b"));
  assertEquals(lines.slice(0, 6), ["", "∴ thinking", "Should I look first?", "", "Yes.", ""]);
  assertStringIncludes(lines.join("\n"), "⏺ edit(path=");
  assertStringIncludes(lines.join("\n"), "  ⎿  ok\n      2 - const a = 1;\n      2 + const a = 2;");
});

Deno.test("usage after a run shows cached tokens and the cost when the endpoint reports them", () => {
  assertEquals(
    formatUsage({ ...usage, cachedTokens: 1000, cost: 0.00342 }, { turns: 1, elapsedMs: 2000 }),
    "↑ 1.2k in (1.0k cached) · ↓ 80 out · $0.0034 · 1 call · 2.0s",
  );
  assertEquals(formatUsage({ ...usage, cost: 1.5 }), "↑ 1.2k in · ↓ 80 out · $1.50");
  assertEquals(formatCost(0.012), "$0.01");
});

Deno.test("a line of the answer counts as unfinished until its newline, and a table until it ends", () => {
  const r = terminal();
  feed(r, [start, { type: "text_delta", text: "Half a li" }]);
  assert(r.unfinished);
  r.push({ type: "text_delta", text: "ne.\n" });
  assert(!r.unfinished);
  r.push({ type: "text_delta", text: "| a |\n|---|\n" });
  assert(r.unfinished, "a table is still being gathered");
  assertEquals(r.push({ type: "text_delta", text: "| 1 |\n\n" }).at(-1), "└───┘");
  assert(!r.unfinished);
});

Deno.test("a streamed table arriving in pieces is drawn once, when it ends", () => {
  const r = terminal();
  const text = "Sizes:\n| file | size |\n|---|--:|\n| a.ts | 12 |\n| b.ts | 3 |\n";
  const printed: string[] = [];
  const lives: string[][] = [];
  r.push(start);
  for (const piece of text.match(/.{1,5}/gs)!) {
    printed.push(...r.push({ type: "text_delta", text: piece }));
    lives.push(r.live(80));
  }
  assertEquals(printed, ["", "Sizes:"], "nothing of the table is printed before it ends");
  assert(lives.flat().every((row) => !row.startsWith("┌")), "the live area never shows a half-drawn table");
  printed.push(...r.push({ type: "agent_end", text: "", reason: "stop", usage, turns: 1 }));
  assertEquals(printed.slice(2, 8), [
    "┌──────┬──────┐",
    "│ file │ size │",
    "├──────┼──────┤",
    "│ a.ts │   12 │",
    "│ b.ts │    3 │",
    "└──────┴──────┘",
  ]);
});

Deno.test("a code block in an answer is laid out at the terminal's width", () => {
  const r = terminal({ width: 24 });
  const lines = feed(r, [start, {
    type: "text_delta",
    text: "```sh\necho one two three four five six\n```\n",
  }]);
  assertEquals(lines, ["", "╭─ sh", "│ echo one two three", "│ four five six", "╰─"]);
});
