/**
 * The editor's own buffers and terminal over ACP: when the client offers `fs`, read, write and edit
 * go through it (unsaved changes seen, edits landing in the buffer, the disk untouched); when it
 * offers `terminal`, bash runs there, embedded in the tool call, killed on cancel and released.
 */
import type { SessionUpdate, ToolCallContent } from "@agentclientprotocol/sdk";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { acpFixture } from "./support/acp_client.ts";
import { protocolProblems } from "./support/acp_schema.ts";

type ToolUpdate = Extract<SessionUpdate, { sessionUpdate: "tool_call" | "tool_call_update" }>;

function calls(updates: readonly SessionUpdate[], id: string): ToolUpdate[] {
  return updates.filter((u): u is ToolUpdate =>
    (u.sessionUpdate === "tool_call" || u.sessionUpdate === "tool_call_update") && u.toolCallId === id
  );
}

function texts(content: readonly ToolCallContent[] | null | undefined): string[] {
  return (content ?? []).flatMap((c) =>
    c.type === "content" && c.content.type === "text" ? [c.content.text] : []
  );
}

const FS = { fs: { readTextFile: true, writeTextFile: true } };

Deno.test("read and edit go through the editor's buffer: the unsaved text is read, and the edit lands in the buffer", async () => {
  const buffers = new Map<string, string>();
  await using fx = await acpFixture({
    buffers,
    turns: [
      { toolCalls: [{ id: "r1", name: "read", arguments: { path: "a.ts" } }] },
      {
        toolCalls: [{
          id: "e1",
          name: "edit",
          arguments: { path: "a.ts", edits: [{ oldText: "// unsaved", newText: "// edited by nanocode" }] },
        }],
      },
      { text: "Edited." },
    ],
  });
  await Deno.writeTextFile(`${fx.cwd}/a.ts`, "const a = 1;\n");
  buffers.set(`${fx.cwd}/a.ts`, "const a = 1; // unsaved\n");
  const id = await fx.open(FS);
  await fx.editor.agent.request("session/set_mode", { sessionId: id, modeId: "auto" });
  await fx.prompt(id, "edit the unsaved line");
  const updates = fx.editor.updates(id);
  assertEquals(texts(calls(updates, "r1").at(-1)?.content), ["const a = 1; // unsaved\n"]);
  const edit = calls(updates, "e1").at(-1)!;
  assertEquals(edit.status, "completed");
  assertEquals(texts(edit.content), ["Successfully replaced 1 block in a.ts."]);
  assertEquals(edit.content?.[0], {
    type: "diff",
    path: `${fx.cwd}/a.ts`,
    oldText: "const a = 1; // unsaved\n",
    newText: "const a = 1; // edited by nanocode\n",
  });
  assertEquals(fx.editor.writes, [{
    path: `${fx.cwd}/a.ts`,
    content: "const a = 1; // edited by nanocode\n",
  }]);
  assertEquals(
    await Deno.readTextFile(`${fx.cwd}/a.ts`),
    "const a = 1;\n",
    "the disk is the editor's to save",
  );
  const [, second] = await fx.mock.waitForRequests(2);
  const read = second.body.messages.find((m: { role: string }) => m.role === "tool");
  assertEquals(read.content, "const a = 1; // unsaved\n", "the model read the buffer");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("a new file is written through the editor, and a missing one reads as no such file", async () => {
  const buffers = new Map<string, string>();
  await using fx = await acpFixture({
    buffers,
    turns: [
      {
        toolCalls: [
          { id: "w1", name: "write", arguments: { path: "docs/new.md", content: "# New\n" } },
          { id: "r1", name: "read", arguments: { path: "missing.txt" } },
        ],
      },
      { text: "Done." },
    ],
  });
  const id = await fx.open(FS);
  await fx.editor.agent.request("session/set_mode", { sessionId: id, modeId: "auto" });
  await fx.prompt(id, "write, then read a missing file");
  const updates = fx.editor.updates(id);
  const write = calls(updates, "w1").at(-1)!;
  assertEquals(write.status, "completed");
  assertEquals(write.content?.[0], {
    type: "diff",
    path: `${fx.cwd}/docs/new.md`,
    oldText: null,
    newText: "# New\n",
  });
  assertEquals(texts(write.content), ["Successfully wrote 6 bytes to docs/new.md"]);
  assertEquals(fx.editor.writes, [{ path: `${fx.cwd}/docs/new.md`, content: "# New\n" }]);
  assertEquals(await Deno.stat(`${fx.cwd}/docs/new.md`).then(() => true, () => false), false, "not on disk");
  const missing = calls(updates, "r1").at(-1)!;
  assertEquals(missing.status, "failed");
  assertMatch(texts(missing.content)[0], /^Cannot read missing\.txt: .*no such file/i);
  for (const update of updates) {
    assert(!JSON.stringify(update).includes("nanocode-editor-"), "no private copy shows through");
  }
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("a window of a buffer is cut the way the read tool cuts it, with the note on how to go on", async () => {
  const buffers = new Map<string, string>();
  await using fx = await acpFixture({ buffers, turns: [] });
  const path = `${fx.cwd}/big.txt`;
  buffers.set(path, "one\ntwo\nthree\nfour\nfive\n");
  fx.mock.push(
    { toolCalls: [{ id: "r1", name: "read", arguments: { path, offset: 2, limit: 2 } }] },
    { text: "Read." },
  );
  const id = await fx.open(FS);
  await fx.prompt(id, "read two lines");
  const read = calls(fx.editor.updates(id), "r1").at(-1)!;
  assertEquals(read.status, "completed");
  assertEquals(texts(read.content), ["two\nthree\n\n[2 more lines in file. Use offset=4 to continue.]"]);
  assertEquals(fx.editor.reads, [path]);
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("bash runs in the editor's terminal, embedded in its call, and the terminal is released after", async () => {
  await using fx = await acpFixture({
    turns: [
      {
        toolCalls: [
          { id: "b1", name: "bash", arguments: { command: "echo from-the-terminal" } },
          { id: "b2", name: "bash", arguments: { command: "echo failing; exit 3" } },
        ],
      },
      { text: "Ran." },
    ],
  });
  const id = await fx.open({ terminal: true });
  await fx.editor.agent.request("session/set_mode", { sessionId: id, modeId: "auto" });
  await fx.prompt(id, "run it");
  const [first, second] = fx.editor.terminals;
  assertEquals(first.request.command, "bash");
  assertEquals(first.request.args, ["-c", "echo from-the-terminal"]);
  assertEquals(first.request.cwd, fx.cwd);
  assertEquals([first.released, second.released], [true, true]);
  const updates = fx.editor.updates(id);
  const embedded = calls(updates, "b1").find((u) => u.content?.some((c) => c.type === "terminal"));
  assertEquals(embedded?.status, "in_progress", "the terminal shows while the command runs");
  const ok = calls(updates, "b1").at(-1)!;
  assertEquals(ok.status, "completed");
  assertEquals(ok.content?.[0], { type: "terminal", terminalId: first.id });
  assertEquals(texts(ok.content), ["from-the-terminal"]);
  const failed = calls(updates, "b2").at(-1)!;
  assertEquals(failed.status, "failed");
  assertEquals(texts(failed.content), ["failing\n\nCommand exited with code 3"]);
  const [, request] = await fx.mock.waitForRequests(2);
  const results = request.body.messages.filter((m: { role: string }) => m.role === "tool").map((
    m: { content: string },
  ) => m.content);
  assertEquals(results, ["from-the-terminal", "failing\n\nCommand exited with code 3"]);
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("cancelling a command in the editor's terminal kills it and releases the terminal", async () => {
  await using fx = await acpFixture({
    turns: [{ toolCalls: [{ id: "b1", name: "bash", arguments: { command: "sleep 30" } }] }, {
      text: "unused",
    }],
  });
  const id = await fx.open({ terminal: true });
  await fx.editor.agent.request("session/set_mode", { sessionId: id, modeId: "auto" });
  const prompt = fx.prompt(id, "wait");
  await fx.editor.waitFor((u) =>
    u.sessionUpdate === "tool_call_update" && !!u.content?.some((c) => c.type === "terminal")
  );
  const started = Date.now();
  await fx.editor.agent.notify("session/cancel", { sessionId: id });
  assertEquals((await prompt).stopReason, "cancelled");
  assert(Date.now() - started < 1000, `cancelled within a second (${Date.now() - started} ms)`);
  const [terminal] = fx.editor.terminals;
  assertEquals([terminal.killed, terminal.released], [true, true]);
  assertEquals(calls(fx.editor.updates(id), "b1").at(-1)?.status, "failed");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("a command in the editor's terminal that outlives its timeout is killed and ends failed", async () => {
  await using fx = await acpFixture({
    env: { NANOCODE_BASH_TIMEOUT: "1" },
    turns: [{ toolCalls: [{ id: "b1", name: "bash", arguments: { command: "echo started; sleep 30" } }] }, {
      text: "It timed out.",
    }],
  });
  const id = await fx.open({ terminal: true });
  await fx.editor.agent.request("session/set_mode", { sessionId: id, modeId: "auto" });
  assertEquals((await fx.prompt(id, "wait for it")).stopReason, "end_turn");
  const [terminal] = fx.editor.terminals;
  assertEquals([terminal.killed, terminal.released], [true, true]);
  const end = calls(fx.editor.updates(id), "b1").at(-1)!;
  assertEquals(end.status, "failed");
  assertEquals(texts(end.content), ["started\n\nCommand timed out after 1 second"]);
  assertEquals(protocolProblems(fx.editor), []);
});
