/**
 * `nanocode --acp` driven by the SDK's client side against the mock endpoint: initialize, auth,
 * sessions, prompts with their thoughts, text and tool calls, the stop reasons, and bad input.
 * Every test ends by checking that each line nanocode wrote is a valid ACP message.
 */
import type { SessionUpdate, ToolCallContent } from "@agentclientprotocol/sdk";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./support/assert.ts";
import { acpFixture, agentText, initialize, startEditor } from "./support/acp_client.ts";
import { protocolProblems } from "./support/acp_schema.ts";

type ToolUpdate = Extract<SessionUpdate, { sessionUpdate: "tool_call" | "tool_call_update" }>;

function callUpdates(updates: readonly SessionUpdate[], id: string): ToolUpdate[] {
  return updates.filter((u): u is ToolUpdate =>
    (u.sessionUpdate === "tool_call" || u.sessionUpdate === "tool_call_update") && u.toolCallId === id
  );
}

function texts(content: readonly ToolCallContent[] | null | undefined): string[] {
  return (content ?? []).flatMap((c) =>
    c.type === "content" && c.content.type === "text" ? [c.content.text] : []
  );
}

Deno.test("initialize answers protocol 1, nanocode's name and version, and what it can do", async () => {
  await using fx = await acpFixture();
  const answer = await initialize(fx.editor);
  assertEquals(answer.protocolVersion, 1);
  assertEquals(answer.agentInfo?.name, "nanocode");
  assert(/^\d+\.\d+\.\d+/.test(answer.agentInfo?.version ?? ""), "a version");
  const caps = answer.agentCapabilities!;
  assertEquals(caps.loadSession, true);
  assertEquals(caps.promptCapabilities, { image: true, audio: false, embeddedContext: true });
  assertEquals(caps.mcpCapabilities, { http: true, sse: true });
  assertEquals(caps.sessionCapabilities?.list, {});
  assertEquals(answer.authMethods, [], "a key is set, so nothing to authenticate");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("without a key, session/new answers auth-required and initialize offers an environment-key method", async () => {
  const cwd = await Deno.realPath(await Deno.makeTempDir({ prefix: "nanocode-acp-" }));
  await using editor = startEditor({
    env: { OPENAI_BASE_URL: "https://models.example.invalid/v1", NANOCODE_DIR: `${cwd}/home` },
    cwd,
  });
  const answer = await initialize(editor);
  assertEquals(answer.authMethods?.map((m) => m.id), ["environment-key"]);
  assertStringIncludes(answer.authMethods![0].description ?? "", "OPENAI_API_KEY");
  let code = 0;
  let message = "";
  try {
    await editor.agent.request("session/new", { cwd, mcpServers: [] });
  } catch (error) {
    code = (error as { code: number }).code;
    message = (error as Error).message;
  }
  assertEquals(code, -32000);
  assertStringIncludes(message, "no API key found; set OPENAI_API_KEY");
  await assertRejects(
    () => editor.agent.request("authenticate", { methodId: "environment-key" }),
    /no API key/,
  );
  // Still up: the saved sessions can be listed without a key.
  assertEquals((await editor.agent.request("session/list", { cwd })).sessions, []);
  assertEquals(protocolProblems(editor), []);
  await Deno.remove(cwd, { recursive: true });
});

Deno.test("a prompt streams the model's thoughts and text and ends with end_turn and its usage", async () => {
  await using fx = await acpFixture({
    turns: [{ reasoning: "Let me think about it.", text: "Hello from the mock, in several pieces of text." }],
  });
  const id = await fx.open();
  const response = await fx.prompt(id, "say hello");
  assertEquals(response.stopReason, "end_turn");
  assert(response.usage && response.usage.totalTokens > 0, "usage is reported");
  const updates = fx.editor.updates(id);
  assertEquals(agentText(updates), "Hello from the mock, in several pieces of text.");
  const thought = updates.flatMap((u) =>
    u.sessionUpdate === "agent_thought_chunk" && u.content.type === "text" ? [u.content.text] : []
  ).join("");
  assertEquals(thought, "Let me think about it.");
  const firstThought = updates.findIndex((u) => u.sessionUpdate === "agent_thought_chunk");
  const firstText = updates.findIndex((u) => u.sessionUpdate === "agent_message_chunk");
  assert(firstThought < firstText, "the thinking streams before the answer");
  assert(updates.some((u) => u.sessionUpdate === "usage_update" && u.size > 0), "context use is reported");
  const [request] = await fx.mock.waitForRequests(1);
  assertEquals(request.body.messages.at(-1), { role: "user", content: "say hello" });
  assertEquals(request.headers["x-opencode-session"], id, "the session id is the request's");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("a tool call is announced with its kind, title and file, runs, and ends with what the model read", async () => {
  await using fx = await acpFixture({
    turns: [
      { toolCalls: [{ id: "call-read", name: "read", arguments: { path: "notes.txt" } }] },
      { text: "The notes say hello." },
    ],
  });
  await Deno.writeTextFile(`${fx.cwd}/notes.txt`, "hello\nworld\n");
  const id = await fx.open();
  assertEquals((await fx.prompt(id, "read the notes")).stopReason, "end_turn");
  const calls = callUpdates(fx.editor.updates(id), "call-read");
  assertEquals(calls.map((u) => [u.sessionUpdate, u.status]), [
    ["tool_call", "pending"],
    ["tool_call_update", "in_progress"],
    ["tool_call_update", "completed"],
  ]);
  const [announced, , done] = calls;
  assert(announced.sessionUpdate === "tool_call");
  assertEquals(announced.kind, "read");
  assertEquals(announced.title, "Read notes.txt");
  assertEquals(announced.locations, [{ path: `${fx.cwd}/notes.txt` }]);
  assertEquals(announced.rawInput, { path: "notes.txt" });
  const [, second] = await fx.mock.waitForRequests(2);
  const toolMessage = second.body.messages.find((m: { role: string }) => m.role === "tool");
  assertEquals(texts(done.content), [toolMessage.content], "the editor shows what the model received");
  assertEquals(toolMessage.content, "hello\nworld\n");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("an edit ends with a diff of the whole file before and after", async () => {
  await using fx = await acpFixture({
    turns: [
      {
        toolCalls: [{
          id: "call-edit",
          name: "edit",
          arguments: { path: "app.ts", edits: [{ oldText: "const a = 1;", newText: "const a = 2;" }] },
        }],
      },
      { text: "Changed." },
    ],
  });
  await Deno.writeTextFile(`${fx.cwd}/app.ts`, "// app\nconst a = 1;\nconsole.log(a);\n");
  const id = await fx.open();
  await fx.editor.agent.request("session/set_mode", { sessionId: id, modeId: "auto" });
  assertEquals((await fx.prompt(id, "change a")).stopReason, "end_turn");
  const done = callUpdates(fx.editor.updates(id), "call-edit").at(-1)!;
  assertEquals(done.status, "completed");
  assertEquals(done.content?.[0], {
    type: "diff",
    path: `${fx.cwd}/app.ts`,
    oldText: "// app\nconst a = 1;\nconsole.log(a);\n",
    newText: "// app\nconst a = 2;\nconsole.log(a);\n",
  });
  assertEquals(texts(done.content), ["Successfully replaced 1 block in app.ts."]);
  assertEquals(done.locations, [{ path: `${fx.cwd}/app.ts`, line: 2 }], "the changed line is located");
  assertEquals(await Deno.readTextFile(`${fx.cwd}/app.ts`), "// app\nconst a = 2;\nconsole.log(a);\n");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("writing a new file shows a diff without old text, and a failing command ends failed with its output", async () => {
  await using fx = await acpFixture({
    turns: [
      {
        toolCalls: [
          { id: "call-write", name: "write", arguments: { path: "new/file.md", content: "# New\n" } },
          { id: "call-bash", name: "bash", arguments: { command: "echo checking; exit 3" } },
        ],
      },
      { text: "Done." },
    ],
  });
  const id = await fx.open();
  await fx.editor.agent.request("session/set_mode", { sessionId: id, modeId: "auto" });
  await fx.prompt(id, "write and check");
  const updates = fx.editor.updates(id);
  const write = callUpdates(updates, "call-write").at(-1)!;
  assertEquals(write.status, "completed");
  assertEquals(write.content?.[0], {
    type: "diff",
    path: `${fx.cwd}/new/file.md`,
    oldText: null,
    newText: "# New\n",
  });
  const bash = callUpdates(updates, "call-bash");
  assert(bash[0].sessionUpdate === "tool_call");
  assertEquals([bash[0].kind, bash[0].title], ["execute", "Run `echo checking; exit 3`"]);
  const end = bash.at(-1)!;
  assertEquals(end.status, "failed");
  assertEquals(texts(end.content), ["checking\n\nCommand exited with code 3"]);
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("a cut answer ends with max_tokens and a filtered one with refusal", async () => {
  await using fx = await acpFixture({
    turns: [{ text: "This answer was cut", finishReason: "length" }, {
      text: "",
      finishReason: "content_filter",
    }],
  });
  const id = await fx.open();
  assertEquals((await fx.prompt(id, "a long answer")).stopReason, "max_tokens");
  assertEquals((await fx.prompt(id, "something refused")).stopReason, "refusal");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("an unknown session, an unknown content block and an unknown method get clear errors, and nanocode stays up", async () => {
  await using fx = await acpFixture({ turns: [{ text: "still here" }] });
  const id = await fx.open();
  const failure = async (call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (error) {
      return { code: (error as { code: number }).code, message: (error as Error).message };
    }
    throw new Error("expected an error");
  };
  const unknownSession = await failure(() =>
    fx.editor.agent.request("session/prompt", {
      sessionId: "no-such-session",
      prompt: [{ type: "text", text: "x" }],
    })
  );
  assertEquals(unknownSession.code, -32602);
  assertStringIncludes(unknownSession.message, 'Cannot find session "no-such-session"');
  const unknownBlock = await failure(() =>
    fx.editor.agent.request("session/prompt", {
      sessionId: id,
      prompt: [{ type: "text", text: "look" }, { type: "video", uri: "x" } as never],
    })
  );
  assertEquals(unknownBlock.code, -32602);
  assertStringIncludes(unknownBlock.message, 'block 1 has type "video", which ACP does not define');
  const unknownMethod = await failure(() => fx.editor.agent.request("session/teleport", { sessionId: id }));
  assertEquals(unknownMethod.code, -32601);
  const badParams = await failure(() => fx.editor.agent.request("session/new", { cwd: 42 } as never));
  assertEquals(badParams.code, -32602);
  assertStringIncludes(badParams.message, "cwd");
  const relative = await failure(() =>
    fx.editor.agent.request("session/new", { cwd: "work", mcpServers: [] })
  );
  assertStringIncludes(relative.message, "cwd must be an absolute path");
  assertEquals((await fx.prompt(id, "are you there?")).stopReason, "end_turn");
  assertEquals(agentText(fx.editor.updates(id)), "still here");
  assertEquals(protocolProblems(fx.editor), []);
});

Deno.test("--help names --acp, and --acp takes no prompt or session of its own", async () => {
  const { HELP, parseCli } = await import("../lib/cli/args.ts");
  assertStringIncludes(HELP, "nanocode --acp");
  assertEquals(parseCli(["--acp", "--model", "m"]).acp, true);
  for (const args of [["--acp", "a prompt"], ["--acp", "-p"], ["--acp", "-c"]]) {
    let message = "";
    try {
      parseCli(args);
    } catch (error) {
      message = (error as Error).message;
    }
    assertStringIncludes(message, "Cannot combine --acp", args.join(" "));
  }
});

Deno.test("a prompt's links, embedded files and images reach the model as text and image parts", async () => {
  await using fx = await acpFixture({ turns: [{ text: "Seen." }] });
  const id = await fx.open();
  const png =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
  await fx.editor.agent.request("session/prompt", {
    sessionId: id,
    prompt: [
      { type: "text", text: "Compare " },
      { type: "resource_link", uri: `file://${fx.cwd}/a.ts`, name: "a.ts" },
      { type: "text", text: " with this:" },
      {
        type: "resource",
        resource: { uri: `file://${fx.cwd}/b.ts`, text: "const b = 1;", mimeType: "text/x-typescript" },
      },
      { type: "image", mimeType: "image/png", data: png },
    ],
  });
  const [request] = await fx.mock.waitForRequests(1);
  assertEquals(request.body.messages.at(-1), {
    role: "user",
    content: [
      {
        type: "text",
        text:
          `Compare [@a.ts](file://${fx.cwd}/a.ts) with this:\n<context ref="file://${fx.cwd}/b.ts">\nconst b = 1;\n</context>\n`,
      },
      { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
    ],
  });
  assertEquals(protocolProblems(fx.editor), []);
});
