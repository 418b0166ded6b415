/**
 * Sessions over ACP: the model selector reaching the request, a saved session listed, loaded with
 * its whole conversation replayed and then continued, and the slash commands.
 */
import type { SessionUpdate } from "@agentclientprotocol/sdk";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { acpFixture, agentText, initialize, startEditor } from "./support/acp_client.ts";
import { protocolProblems } from "./support/acp_schema.ts";
import { fixtureCommand } from "./support/mcp_fixture.ts";
import { loggedPids, waitGone } from "./support/processes.ts";

function chunkText(update: SessionUpdate): string {
  const chunk = update as { content?: { type?: string; text?: string } };
  return chunk.content?.type === "text" ? chunk.content.text ?? "" : "";
}

Deno.test("the endpoint's models are the model selector, and the chosen one reaches the next request", async () => {
  await using fx = await acpFixture({
    models: ["mock-model", "other-model", "third-model"],
    turns: [{ text: "one" }, { text: "two" }, { text: "three" }],
  });
  await initialize(fx.editor);
  const created = await fx.editor.agent.request("session/new", { cwd: fx.cwd, mcpServers: [] });
  const selector = created.configOptions?.find((o) => o.id === "model");
  assert(selector && selector.type === "select");
  assertEquals(selector.category, "model");
  assertEquals(selector.currentValue, "mock-model");
  assertEquals(
    (selector.options as { value: string }[]).map((o) => o.value),
    ["mock-model", "other-model", "third-model"],
  );
  const id = created.sessionId;
  await fx.prompt(id, "first");
  const set = await fx.editor.agent.request("session/set_config_option", {
    sessionId: id,
    configId: "model",
    value: "other-model",
  });
  assertEquals(set.configOptions.find((o) => o.id === "model")?.currentValue, "other-model");
  await fx.prompt(id, "second");
  // The older form some editors still send.
  await fx.editor.agent.request("session/set_model", { sessionId: id, modelId: "third-model" });
  await fx.prompt(id, "third");
  const requests = await fx.mock.waitForRequests(3);
  assertEquals(requests.map((r) => r.body.model), ["mock-model", "other-model", "third-model"]);
  let message = "";
  try {
    await fx.editor.agent.request("session/set_config_option", {
      sessionId: id,
      configId: "model",
      value: "nope",
    });
  } catch (error) {
    message = (error as Error).message;
  }
  assertStringIncludes(message, 'Cannot use model "nope": the endpoint does not list it');
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("a saved session is listed, loads with its whole conversation replayed first, and goes on", async () => {
  await using fx = await acpFixture({
    turns: [
      {
        reasoning: "Read it first.",
        toolCalls: [{ id: "r1", name: "read", arguments: { path: "notes.txt" } }],
      },
      { text: "The notes say hello." },
      { text: "Still hello." },
    ],
  });
  await Deno.writeTextFile(`${fx.cwd}/notes.txt`, "hello\n");
  const id = await fx.open();
  await fx.prompt(id, "read the notes");
  assertEquals(await fx.editor.close(), 0, "nanocode exits when the editor closes the connection");

  await using editor = startEditor({ env: fx.env, cwd: fx.cwd });
  await initialize(editor);
  const listed = await editor.agent.request("session/list", { cwd: fx.cwd });
  assertEquals(listed.sessions.map((s) => [s.sessionId, s.cwd, s.title]), [[id, fx.cwd, "read the notes"]]);
  assert(Date.now() - Date.parse(listed.sessions[0].updatedAt!) < 60_000, "updatedAt is recent");
  assertEquals(
    (await editor.agent.request("session/list", {})).sessions.length,
    1,
    "every folder's, without cwd",
  );

  const loaded = await editor.agent.request("session/load", { sessionId: id, cwd: fx.cwd, mcpServers: [] });
  assertEquals(loaded.modes?.currentModeId, "ask");
  const replayed = editor.updates(id).filter((u) => u.sessionUpdate !== "available_commands_update");
  const shape = replayed.map((u: SessionUpdate) =>
    u.sessionUpdate === "tool_call"
      ? [u.sessionUpdate, u.toolCallId, u.status, u.title]
      : [u.sessionUpdate, chunkText(u)]
  );
  assertEquals(shape, [
    ["user_message_chunk", "read the notes"],
    ["agent_thought_chunk", "Read it first."],
    ["tool_call", "r1", "completed", "Read notes.txt"],
    ["agent_message_chunk", "The notes say hello."],
  ]);
  const call = replayed[2];
  assert(call.sessionUpdate === "tool_call");
  assertEquals(call.content, [{ type: "content", content: { type: "text", text: "hello\n" } }]);
  // Every replayed update came before the load's answer.
  const answeredAt = editor.received.findIndex((m) =>
    "result" in (m as object) && "modes" in (m as { result: object }).result
  );
  const lastReplay = editor.received.findLastIndex((m) =>
    (m as { params?: { update?: { sessionUpdate?: string } } }).params?.update?.sessionUpdate ===
      "agent_message_chunk"
  );
  assert(lastReplay < answeredAt, "replay before the response");

  const from = editor.notifications.length;
  await editor.agent.request("session/prompt", {
    sessionId: id,
    prompt: [{ type: "text", text: "and now?" }],
  });
  assertEquals(agentText(editor.updates(id, from)), "Still hello.");
  const [, , third] = await fx.mock.waitForRequests(3);
  assertEquals(
    third.body.messages.filter((m: { role: string }) => m.role !== "system").map((m: { role: string }) =>
      m.role
    ),
    ["user", "assistant", "tool", "assistant", "user"],
  );
  assertEquals(third.headers["x-opencode-session"], id, "the same session goes on");

  let message = "";
  try {
    await editor.agent.request("session/load", { sessionId: "no-such", cwd: fx.cwd, mcpServers: [] });
  } catch (error) {
    message = (error as Error).message;
  }
  assertStringIncludes(message, 'Cannot load session "no-such"');
  assertEquals(protocolProblems(editor), []);
});

Deno.test("the slash commands are announced and answered: skills, a skill, context, mcp and compact", async () => {
  await using fx = await acpFixture({ turns: [{ text: "Hello, Bob." }, { text: "Second answer." }] });
  await Deno.mkdir(`${fx.cwd}/.nanocode/skills/greet`, { recursive: true });
  await Deno.writeTextFile(
    `${fx.cwd}/.nanocode/skills/greet/SKILL.md`,
    "---\nname: greet\ndescription: Greets someone warmly\n---\nSay hello to the person named.\n",
  );
  const id = await fx.open();
  const announced = await fx.editor.waitFor((u) => u.sessionUpdate === "available_commands_update");
  assert(announced.sessionUpdate === "available_commands_update");
  assertEquals(announced.availableCommands.map((c) => c.name), [
    "compact",
    "context",
    "skills",
    "skill:greet",
    "mcp",
  ]);
  const said = async (text: string) => {
    const from = fx.editor.notifications.length;
    const response = await fx.prompt(id, text);
    assertEquals(response.stopReason, "end_turn", text);
    return agentText(fx.editor.updates(id, from));
  };
  assertStringIncludes(await said("/skills"), "- greet: Greets someone warmly");
  assertEquals(await said("/skill:greet Bob"), "Hello, Bob.");
  const [request] = await fx.mock.waitForRequests(1);
  const sent = request.body.messages.at(-1).content as string;
  assertStringIncludes(sent, '<skill name="greet">\nSay hello to the person named.\n</skill>');
  assert(sent.endsWith("\n\nBob"), "the arguments follow the skill");
  assertEquals(await said("a second prompt"), "Second answer.");
  assertStringIncludes(await said("/context"), "Context: about");
  assertStringIncludes(await said("/mcp"), "No MCP servers are configured");
  fx.mock.push({ text: "## Summary\nThe user was greeted." });
  assertStringIncludes(await said("/compact keep the names"), "Compacted the conversation");
  const summary = (await fx.mock.waitForRequests(3))[2];
  assertStringIncludes(JSON.stringify(summary.body.messages), "keep the names");
  // A path is not a command.
  fx.mock.push({ text: "That folder holds logs." });
  assertEquals(await said("/var/log what is here?"), "That folder holds logs.");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("the editor's MCP servers join the session: their tools are offered, a call asks first, and they stop with nanocode", async () => {
  await using fx = await acpFixture({
    turns: [
      {
        toolCalls: [{
          id: "m1",
          name: "mcp_call",
          arguments: { server: "fx", tool: "echo", arguments: { text: "hi mcp" } },
        }],
      },
      { text: "It echoed." },
    ],
  });
  const log = `${fx.home}/mcp.log`;
  const { command, args } = fixtureCommand(`--log=${log}`);
  await initialize(fx.editor);
  const { sessionId: id } = await fx.editor.agent.request("session/new", {
    cwd: fx.cwd,
    mcpServers: [{ name: "fx", command, args, env: [{ name: "FIXTURE_NOTE", value: "from the editor" }] }],
  });
  await fx.prompt(id, "echo through the editor's server");
  assertEquals(fx.editor.permissions.map((p) => p.toolCall.title), ["MCP fx: echo"]);
  const done = fx.editor.updates(id).filter((u) =>
    u.sessionUpdate === "tool_call_update" && u.toolCallId === "m1"
  ).at(-1);
  assert(done?.sessionUpdate === "tool_call_update");
  assertEquals(done.status, "completed");
  assertStringIncludes(JSON.stringify(done.content), "hi mcp");
  const [first] = await fx.mock.waitForRequests(1);
  assertStringIncludes(first.body.messages[0].content, "- fx");
  const pids = await loggedPids(log);
  assert(pids.length > 0, "the server started");
  assertEquals(await fx.editor.close(), 0);
  assertEquals(await waitGone(pids), [], "the editor's server stops when nanocode does");
  assertEquals(protocolProblems(fx.editor), []);
});
