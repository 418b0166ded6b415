/**
 * A call's timeout against the real fixture server: progress restarts it, a question the server asks
 * the user holds it for as long as the user takes, and a call that goes quiet still fails in time.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./support/assert.ts";
import { fixtureCommand } from "./support/mcp_fixture.ts";
import { ServerConnection } from "../lib/mcp/client.ts";
import type { McpServerConfig } from "../lib/mcp/config.ts";
import type { ElicitAnswer } from "../lib/mcp/elicit.ts";

function connect(elicit?: () => Promise<ElicitAnswer>): ServerConnection {
  const config: McpServerConfig = {
    name: "fx",
    type: "stdio",
    sseFallback: false,
    ...fixtureCommand("--elicit"),
    env: {},
    headers: {},
    enabled: true,
    disabledTools: [],
    selectedTools: [],
    direct: false,
    timeoutMs: 1000,
    oauth: false,
    source: "test",
  };
  return new ServerConnection({
    config,
    baseEnv: { PATH: Deno.env.get("PATH") ?? "" },
    cwd: Deno.cwd(),
    clientInfo: { name: "nanocode", version: "test" },
    ...(elicit ? { elicit } : {}),
  });
}

function text(result: { content?: unknown }): string {
  return (result.content as { type: string; text?: string }[]).map((p) => p.text ?? "").join("");
}

Deno.test("a 1 s call timeout holds while the user takes 1.5 s to answer the server's question", async () => {
  // The user is slow on purpose: answering takes longer than the call's whole timeout.
  const slowUser = () =>
    new Promise<ElicitAnswer>((resolve) =>
      setTimeout(() => resolve({ action: "accept", content: { name: "Ada", age: 36 } }), 1500)
    );
  const connection = connect(slowUser);
  try {
    await connection.start();
    const result = await connection.callTool("ask", {});
    assertStringIncludes(text(result), '"name":"Ada"');
  } finally {
    await connection.close();
  }
});

Deno.test("progress restarts a call's timeout; a call quiet for longer than it fails, naming the limit", async () => {
  const connection = connect();
  try {
    await connection.start();
    // 2 s in all, with progress every 100 ms: never quiet for 1 s.
    const steady = await connection.callTool("slow", { steps: 20, delayMs: 100 });
    assertEquals(text(steady), "counted to 20");
    await assertRejects(
      () => connection.callTool("slow", { steps: 1, delayMs: 3000 }),
      /^Cannot call fx\.slow: it did not answer within 1s$/,
    );
  } finally {
    await connection.close();
  }
});
