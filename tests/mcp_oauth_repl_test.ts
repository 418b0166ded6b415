/**
 * OAuth in the REPL, on the command line's real runtime driven in-process, against a real SDK-built
 * MCP server behind OAuth (tests/support/mcp_oauth_server.ts), with `$BROWSER` standing in for the
 * user's browser: `/mcp` shows that a server waits for a login, `/mcp login` authorizes it and the
 * next request's system prompt names its tools, and a server asking for more scope mid-call has its
 * page shown and opened, after which the call goes on. Headless, the same call fails saying to log in.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { type MockTurn, systemPromptOf, toolResultsOf } from "./support/mock_llm.ts";
import { type OAuthMcpServer, startOAuthMcpServer } from "./support/mcp_oauth_server.ts";
import { runMain } from "./support/run_main.ts";
import { type CliRepl, withCliRepl } from "./support/cli_repl.ts";
const BROWSER = `${Deno.execPath()} run -A ${
  new URL("./support/oauth_browser.ts", import.meta.url).pathname
}`;

/** The REPL with `server` configured as `remote`, the mock endpoint answering `turns` in order. */
function withRepl(
  server: OAuthMcpServer,
  turns: MockTurn[],
  body: (r: CliRepl) => Promise<void>,
  options: { timeoutMs?: number; browser?: string } = {},
): Promise<void> {
  return withCliRepl({
    turns,
    allTools: true,
    env: { BROWSER: options.browser ?? BROWSER, PATH: Deno.env.get("PATH") ?? "" },
    before: async ({ cwd }) => {
      await Deno.mkdir(join(cwd, ".nanocode"));
      await Deno.writeTextFile(
        join(cwd, ".nanocode/mcp.json"),
        JSON.stringify({
          mcpServers: {
            remote: { url: server.url, description: "The protected one", timeoutMs: options.timeoutMs },
          },
        }),
      );
    },
  }, body);
}

Deno.test("/mcp shows a server waiting for a login; /mcp login authorizes it and the next request names its tools", async () => {
  await using server = startOAuthMcpServer();
  await withRepl(server, [{ text: "first" }], async ({ llm, runtime, home, send, next, repl }) => {
    await runtime.mcp!.settled();
    send("/mcp");
    await next("needs /mcp login remote");
    assertStringIncludes(repl.output(), "last error: it needs an OAuth login: run /mcp login remote");

    send("/mcp login remote");
    await next("Logged in to remote: 2 tools.");
    assertStringIncludes(repl.output(), "Authorize nanocode for remote in your browser: http://127.0.0.1:");
    assertEquals(server.grants, ["authorization_code"]);
    const kept = JSON.parse(await Deno.readTextFile(join(home, "mcp-auth.json")));
    assertEquals(kept.servers.remote.url, server.url);

    send("/mcp");
    await next("OAuth");
    send("hello");
    await next("first");
    const prompt = systemPromptOf(llm.requests[0]);
    assertStringIncludes(prompt, "- remote: The protected one (2 tools)");
    assert(!prompt.includes("needs an OAuth login"), prompt);

    send("/mcp logout remote");
    await next("Logged out of remote: its tokens are forgotten.");
  });
});

Deno.test("a server asking for more scope mid-call: the REPL shows the page, the browser authorizes, the call goes on", async () => {
  await using server = startOAuthMcpServer();
  const admin = {
    toolCalls: [{ id: "a1", name: "mcp_call", arguments: { server: "remote", tool: "admin" } }],
  };
  await withRepl(
    server,
    [admin, { text: "admin finished" }],
    async ({ llm, runtime, home, cwd, send, next, repl }) => {
      await runtime.mcp!.settled();
      send("/mcp login remote");
      await next("Logged in to remote: 2 tools.");
      send("do the admin work");
      await next("admin finished");
      // The page is shown (the screen wraps the long address onto its own line) with the wider scope.
      assertStringIncludes(repl.output(), "! remote asks for an authorization: finish it in your browser:");
      assert(
        /\/authorize\?[^\s]*scope=admin/.test(repl.output()),
        "the page shown does not ask for the admin scope",
      );
      assertEquals(toolResultsOf(llm.requests[1]), ["admin work done"]);
      // The second authorization asked for the scope the server named.
      assertEquals(server.grants, ["authorization_code", "authorization_code"]);
      assertEquals(server.scopes.at(-1), "admin");

      // Headless, with a fresh token lacking the scope, nobody can authorize: the call says to log in.
      await runtime.mcp!.logout("remote");
      const login = await runMain(["mcp", "login", "remote"], {
        cwd,
        env: { HOME: home, NANOCODE_DIR: home, BROWSER },
      });
      assertEquals(login.code, 0, login.stderr);
      llm.push(admin, { text: "could not" });
      const headless = await runMain(["-p", "do the admin work"], {
        cwd,
        env: {
          HOME: home,
          NANOCODE_DIR: home,
          OPENAI_BASE_URL: llm.url,
          MODEL: "mock-model",
          BROWSER: "false",
        },
      });
      assertEquals([headless.code, headless.stdout], [0, "could not\n"], headless.stderr);
      assertStringIncludes(toolResultsOf(llm.requests[3])[0], "needs an OAuth login");
      assertEquals(server.grants.filter((g) => g === "authorization_code").length, 3);
    },
  );
});

Deno.test("a call's timeout stands still while the user approves a step-up in the browser", async () => {
  await using server = startOAuthMcpServer();
  const admin = {
    toolCalls: [{ id: "a1", name: "mcp_call", arguments: { server: "remote", tool: "admin" } }],
  };
  await withRepl(server, [admin, { text: "admin finished" }], async ({ llm, runtime, send, next }) => {
    await runtime.mcp!.settled();
    send("/mcp login remote");
    await next("Logged in to remote: 2 tools.");
    send("do the admin work");
    await next("admin finished");
    assertEquals(toolResultsOf(llm.requests[1]), ["admin work done"]);
  }, {
    // The user takes 1.5 s to approve; the call's whole timeout is 1 s.
    timeoutMs: 1000,
    browser: `${BROWSER} --delay-ms=1500`,
  });
});
