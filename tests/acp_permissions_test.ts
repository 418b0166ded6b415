/**
 * Permissions and cancellation over ACP: the session modes, the editor's permission question with
 * its four answers, a question cancelled while pending, and a prompt cancelled mid-stream or while a
 * command runs; after each, the next prompt works.
 */
import type { RequestPermissionResponse, SessionUpdate } from "@agentclientprotocol/sdk";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { acpFixture, agentText } from "./support/acp_client.ts";
import { protocolProblems } from "./support/acp_schema.ts";
import { processesMentioning, waitGone } from "./support/processes.ts";

type ToolUpdate = Extract<SessionUpdate, { sessionUpdate: "tool_call" | "tool_call_update" }>;

function finalStatus(updates: readonly SessionUpdate[], id: string): string | null | undefined {
  return updates.filter((u): u is ToolUpdate =>
    (u.sessionUpdate === "tool_call" || u.sessionUpdate === "tool_call_update") && u.toolCallId === id
  ).at(-1)?.status;
}

const answer = (optionId: string): RequestPermissionResponse => ({
  outcome: { outcome: "selected", optionId },
});

function bash(id: string, command: string) {
  return { toolCalls: [{ id, name: "bash", arguments: { command } }] };
}

Deno.test("in ask mode an edit waits for the editor: allowed once it runs, and the next one asks again", async () => {
  await using fx = await acpFixture({
    turns: [
      {
        toolCalls: [{
          id: "e1",
          name: "edit",
          arguments: { path: "a.txt", edits: [{ oldText: "one", newText: "two" }] },
        }],
      },
      { text: "first done" },
      {
        toolCalls: [{
          id: "e2",
          name: "edit",
          arguments: { path: "a.txt", edits: [{ oldText: "two", newText: "three" }] },
        }],
      },
      { text: "second done" },
    ],
    permission: () => answer("allow_once"),
  });
  await Deno.writeTextFile(`${fx.cwd}/a.txt`, "one\n");
  const id = await fx.open();
  await fx.prompt(id, "first");
  await fx.prompt(id, "second");
  assertEquals(fx.editor.permissions.map((p) => p.toolCall.toolCallId), ["e1", "e2"]);
  const [first] = fx.editor.permissions;
  assertEquals(first.sessionId, id);
  assertEquals(first.options.map((o) => o.kind), [
    "allow_once",
    "allow_always",
    "reject_once",
    "reject_always",
  ]);
  assertEquals(first.toolCall.title, "Edit a.txt");
  assertEquals(first.toolCall.content, [{
    type: "diff",
    path: `${fx.cwd}/a.txt`,
    oldText: "one",
    newText: "two",
  }]);
  const updates = fx.editor.updates(id);
  assertEquals([finalStatus(updates, "e1"), finalStatus(updates, "e2")], ["completed", "completed"]);
  assertEquals(await Deno.readTextFile(`${fx.cwd}/a.txt`), "three\n");
  // The question comes after the editor heard of the call, and the call runs only after the answer.
  const toolCallAt = fx.editor.received.findIndex((m) =>
    (m as { params?: { update?: { toolCallId?: string } } }).params?.update?.toolCallId === "e1"
  );
  const askedAt = fx.editor.received.findIndex((m) =>
    (m as { method?: string }).method === "session/request_permission"
  );
  assert(toolCallAt >= 0 && toolCallAt < askedAt, "tool_call before request_permission");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("allow always lets later calls of that tool run without asking", async () => {
  await using fx = await acpFixture({
    turns: [bash("b1", "echo one"), { text: "ok" }, bash("b2", "echo two"), { text: "ok" }],
    permission: () => answer("allow_always"),
  });
  const id = await fx.open();
  await fx.prompt(id, "first");
  await fx.prompt(id, "second");
  assertEquals(fx.editor.permissions.length, 1);
  const updates = fx.editor.updates(id);
  assertEquals([finalStatus(updates, "b1"), finalStatus(updates, "b2")], ["completed", "completed"]);
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("a rejected call ends failed with a note the model reads, and reject always stops asking", async () => {
  const answers = ["reject_once", "reject_always"];
  await using fx = await acpFixture({
    turns: [
      bash("b1", "rm -rf build"),
      { text: "I will not." },
      bash("b2", "rm -rf dist"),
      { text: "Understood." },
      bash("b3", "rm -rf out"),
      { text: "Fine." },
    ],
    permission: () => answer(answers.shift()!),
  });
  const id = await fx.open();
  await fx.prompt(id, "clean");
  await fx.prompt(id, "clean again");
  await fx.prompt(id, "and again");
  assertEquals(
    fx.editor.permissions.map((p) => p.toolCall.toolCallId),
    ["b1", "b2"],
    "b3 is refused without asking",
  );
  const updates = fx.editor.updates(id);
  assertEquals(["b1", "b2", "b3"].map((call) => finalStatus(updates, call)), ["failed", "failed", "failed"]);
  const requests = await fx.mock.waitForRequests(6);
  const note = requests[1].body.messages.find((m: { role: string }) => m.role === "tool").content;
  assertStringIncludes(note, "Cannot run bash: the user rejected this call in the editor");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("cancelling while the editor is asking answers for it: the prompt returns cancelled at once, and the next one works", async () => {
  let asked: () => void = () => {};
  const question = new Promise<void>((resolve) => asked = resolve);
  await using fx = await acpFixture({
    turns: [bash("b1", "echo never"), { text: "after the cancel" }],
    // An editor slow to answer: the question is still open when the user cancels.
    permission: () => {
      asked();
      return new Promise(() => {});
    },
  });
  const id = await fx.open();
  const prompt = fx.prompt(id, "run it");
  await question;
  const started = Date.now();
  await fx.editor.agent.notify("session/cancel", { sessionId: id });
  assertEquals((await prompt).stopReason, "cancelled");
  assert(Date.now() - started < 1000, `cancelled within a second (${Date.now() - started} ms)`);
  assertEquals(finalStatus(fx.editor.updates(id), "b1"), "failed", "the call never stays pending");
  assert(
    fx.editor.received.some((m) => (m as { method?: string }).method === "$/cancel_request"),
    "the editor is told the question is withdrawn",
  );
  fx.mock.push({ text: "after the cancel" });
  const from = fx.editor.notifications.length;
  assertEquals((await fx.prompt(id, "something else")).stopReason, "end_turn");
  assertEquals(agentText(fx.editor.updates(id, from)), "after the cancel");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("edit mode runs edits without asking and asks before a command; auto mode asks nothing", async () => {
  await using fx = await acpFixture({
    turns: [
      {
        toolCalls: [
          { id: "w1", name: "write", arguments: { path: "x.txt", content: "x\n" } },
          { id: "b1", name: "bash", arguments: { command: "cat x.txt" } },
        ],
      },
      { text: "done" },
      bash("b2", "echo auto"),
      { text: "done" },
    ],
  });
  const id = await fx.open();
  await fx.editor.agent.request("session/set_mode", { sessionId: id, modeId: "edit" });
  await fx.prompt(id, "write and show");
  assertEquals(fx.editor.permissions.map((p) => p.toolCall.toolCallId), ["b1"]);
  await fx.editor.agent.request("session/set_mode", { sessionId: id, modeId: "auto" });
  await fx.prompt(id, "once more");
  assertEquals(fx.editor.permissions.length, 1, "auto asks nothing");
  const updates = fx.editor.updates(id);
  assertEquals(["w1", "b1", "b2"].map((call) => finalStatus(updates, call)), [
    "completed",
    "completed",
    "completed",
  ]);
  assert(updates.some((u) => u.sessionUpdate === "current_mode_update" && u.currentModeId === "auto"));
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("read-only mode, set through the config option, offers only tools that read, so a write fails", async () => {
  await using fx = await acpFixture({
    turns: [
      { toolCalls: [{ id: "w1", name: "write", arguments: { path: "x.txt", content: "x" } }] },
      { text: "I cannot write here." },
    ],
  });
  const id = await fx.open();
  const set = await fx.editor.agent.request("session/set_config_option", {
    sessionId: id,
    configId: "mode",
    value: "read-only",
  });
  assertEquals(set.configOptions.find((o) => o.id === "mode")?.currentValue, "read-only");
  await fx.prompt(id, "write x");
  const [request] = await fx.mock.waitForRequests(1);
  const offered = request.body.tools.map((t: { function: { name: string } }) => t.function.name);
  for (const name of ["write", "edit", "bash"]) assert(!offered.includes(name), `${name} is not offered`);
  assert(offered.includes("read") && offered.includes("grep"), "the reading tools are");
  assertEquals(finalStatus(fx.editor.updates(id), "w1"), "failed");
  assertEquals(fx.editor.permissions.length, 0);
  const note = (await fx.mock.waitForRequests(2))[1].body.messages.find((m: { role: string }) =>
    m.role === "tool"
  );
  assertStringIncludes(note.content, 'Unknown tool "write". Available tools: read,');
  assertEquals(await Deno.stat(`${fx.cwd}/x.txt`).then(() => true, () => false), false);
  assert(
    fx.editor.updates(id).some((u) =>
      u.sessionUpdate === "current_mode_update" && u.currentModeId === "read-only"
    ),
  );
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("a prompt cancelled mid-stream returns cancelled within a second, and the next prompt works", async () => {
  await using fx = await acpFixture({
    turns: [{ text: "This answer starts and then the stream hangs for good", hangAfterChunks: 3 }, {
      text: "fresh",
    }],
  });
  const id = await fx.open();
  const prompt = fx.prompt(id, "start");
  await fx.editor.waitFor((u) => u.sessionUpdate === "agent_message_chunk");
  const started = Date.now();
  await fx.editor.agent.notify("session/cancel", { sessionId: id });
  assertEquals((await prompt).stopReason, "cancelled");
  assert(Date.now() - started < 1000, `cancelled within a second (${Date.now() - started} ms)`);
  const from = fx.editor.notifications.length;
  assertEquals((await fx.prompt(id, "again")).stopReason, "end_turn");
  assertEquals(agentText(fx.editor.updates(id, from)), "fresh");
  const [, second] = await fx.mock.waitForRequests(2);
  assertEquals(second.body.messages.at(-1), { role: "user", content: "again" });
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("cancelling while a command runs kills it at once and ends its call failed", async () => {
  const marker = `acp-cancel-${crypto.randomUUID().slice(0, 8)}`;
  await using fx = await acpFixture({ turns: [bash("b1", `sleep 30; echo ${marker}`), { text: "unused" }] });
  const id = await fx.open();
  await fx.editor.agent.request("session/set_mode", { sessionId: id, modeId: "auto" });
  const prompt = fx.prompt(id, "wait");
  await fx.editor.waitFor((u) => u.sessionUpdate === "tool_call_update" && u.status === "in_progress");
  for (let i = 0; i < 100 && (await processesMentioning(marker)).length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const pids = await processesMentioning(marker);
  assert(pids.length > 0, "the command runs");
  const started = Date.now();
  await fx.editor.agent.notify("session/cancel", { sessionId: id });
  assertEquals((await prompt).stopReason, "cancelled");
  assert(Date.now() - started < 1000, `cancelled within a second (${Date.now() - started} ms)`);
  assertEquals(await waitGone(pids, 3000), [], "the command's processes are gone");
  assertEquals(finalStatus(fx.editor.updates(id), "b1"), "failed");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("a signal ends nanocode --acp at once: the running command is stopped and the exit code names it", async () => {
  const marker = `acp-signal-${crypto.randomUUID().slice(0, 8)}`;
  await using fx = await acpFixture({ turns: [bash("b1", `sleep 30; echo ${marker}`)] });
  const id = await fx.open();
  await fx.editor.agent.request("session/set_mode", { sessionId: id, modeId: "auto" });
  fx.prompt(id, "wait").catch(() => {});
  let pids: number[] = [];
  for (let i = 0; i < 200 && pids.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    pids = await processesMentioning(marker);
  }
  assert(pids.length > 0, "the command runs");
  const started = Date.now();
  fx.editor.child.kill("SIGTERM");
  assertEquals((await fx.editor.child.status).code, 143);
  assert(Date.now() - started < 3000, `gone within seconds (${Date.now() - started} ms)`);
  assertEquals(await waitGone(pids, 3000), [], "the command's processes are gone");
  assertEquals(fx.editor.junk, []);
});

Deno.test("a failed model request fails the prompt with the endpoint's message, and the next prompt works", async () => {
  await using fx = await acpFixture({
    turns: [{ status: 400, body: { error: { message: "the model mock-x does not exist" } } }, {
      text: "recovered",
    }],
  });
  const id = await fx.open();
  let message = "";
  try {
    await fx.prompt(id, "first");
  } catch (error) {
    message = (error as Error).message;
  }
  assertStringIncludes(message, "the model mock-x does not exist");
  const from = fx.editor.notifications.length;
  assertEquals((await fx.prompt(id, "second")).stopReason, "end_turn");
  assertEquals(agentText(fx.editor.updates(id, from)), "recovered");
  assertEquals(protocolProblems(fx.editor), []);
});
