/** Elicitation when nobody can be asked: defaults accepted, anything else declined. */
import { assertEquals } from "./support/assert.ts";
import { makeTree } from "./support/file_tree.ts";
import { fixtureCommand } from "./support/mcp_fixture.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { runMain } from "./support/run_main.ts";
import { answerWithDefaults } from "../lib/mcp/mod.ts";

Deno.test("with a default for every required field, the request is accepted with the defaults", () => {
  const answer = answerWithDefaults({
    message: "Confirm the deployment",
    requestedSchema: {
      type: "object",
      properties: {
        target: { type: "string", default: "staging" },
        replicas: { type: "integer", default: 2 },
        note: { type: "string" },
      },
      required: ["target"],
    },
  });
  assertEquals(answer, { action: "accept", content: { target: "staging", replicas: 2 } });
});

Deno.test("a required field without a default is declined, never guessed", () => {
  const answer = answerWithDefaults({
    message: "Your password",
    requestedSchema: { type: "object", properties: { password: { type: "string" } }, required: ["password"] },
  });
  assertEquals(answer, { action: "decline" });
  assertEquals(answerWithDefaults({ message: "", requestedSchema: {} }), { action: "accept", content: {} });
});

Deno.test("a headless run answers a real server's question with the defaults, or declines it", async () => {
  await using tree = await makeTree({ "home/.nanocode": null, "proj/.nanocode": null });
  await Deno.writeTextFile(
    tree.path("proj/.nanocode/mcp.json"),
    JSON.stringify({ mcpServers: { fx: fixtureCommand("--elicit") } }),
  );
  const withDefaults = {
    type: "object",
    properties: { target: { type: "string", default: "staging" }, replicas: { type: "integer", default: 2 } },
    required: ["target"],
  };
  const mock = await startMockLlm();
  try {
    mock.push(
      { toolCalls: [{ id: "a", name: "mcp_call", arguments: { server: "fx", tool: "ask", arguments: {} } }] },
      {
        toolCalls: [{
          id: "b",
          name: "mcp_call",
          arguments: { server: "fx", tool: "ask", arguments: { schema: withDefaults } },
        }],
      },
      { text: "done" },
    );
    const result = await runMain(["-p", "ask twice"], {
      cwd: tree.path("proj"),
      env: { OPENAI_BASE_URL: mock.url, MODEL: "mock-model", HOME: tree.path("home") },
    });
    assertEquals([result.code, result.stdout], [0, "done\n"], result.stderr);
    const messages = mock.requests[2].body.messages as { role: string; content: string }[];
    const results = messages.filter((m) => m.role === "tool").map((m) => JSON.parse(m.content));
    assertEquals(results, [
      { action: "decline" },
      { action: "accept", content: { target: "staging", replicas: 2 } },
    ]);
  } finally {
    await mock.close();
  }
});
