/**
 * An OAuth login through the whole program in a real pseudo-terminal: main.ts with the mock LLM and
 * a real MCP server behind OAuth configured; `/mcp` shows that it waits for a login, `/mcp login`
 * sends `$BROWSER` (a stand-in that approves at once) to the authorization page, and the model's next
 * call reaches the server with the token.
 */
import { assertEquals, assertStringIncludes } from "./support/assert.ts";
import { startMockLlm, toolResultsOf } from "./support/mock_llm.ts";
import { startOAuthMcpServer } from "./support/mcp_oauth_server.ts";
import { HAS_TMUX, startNanocode } from "./support/tmux.ts";

const IDLE = "/help for commands";
const HANG_MS = 60_000;
const BROWSER = `${Deno.execPath()} run -A ${
  new URL("./support/oauth_browser.ts", import.meta.url).pathname
}`;

Deno.test({
  name:
    `/mcp login in the terminal authorizes a server through the browser, and the model's call goes through${
      HAS_TMUX ? "" : " (skipped: tmux is not installed)"
    }`,
  ignore: !HAS_TMUX,
  async fn() {
    await using server = startOAuthMcpServer();
    const cwd = await Deno.makeTempDir({ prefix: "nanocode-oauth-" });
    await Deno.mkdir(`${cwd}/.nanocode`);
    await Deno.writeTextFile(
      `${cwd}/.nanocode/mcp.json`,
      JSON.stringify({ mcpServers: { remote: { url: server.url } } }),
    );
    const llm = await startMockLlm({
      turns: [
        { toolCalls: [{ name: "mcp_call", arguments: { server: "remote", tool: "whoami" } }] },
        { text: "The server knows us now." },
      ],
    });
    const term = await startNanocode(["--model", "mock-model", "--no-context-files", "--no-session"], {
      env: { OPENAI_BASE_URL: llm.url, NO_COLOR: "1", BROWSER },
      cwd,
    });
    try {
      await term.waitFor(IDLE);
      // /mcp waits for the server still connecting, then shows how it ended.
      await term.type("/mcp");
      await term.keys("Enter");
      await term.waitFor("needs /mcp login remote");
      await term.type("/mcp login remote");
      await term.keys("Enter");
      const pane = await term.waitFor("Logged in to remote: 2 tools.");
      assertStringIncludes(pane, "Authorize nanocode for remote in your browser:");
      assertEquals(server.grants, ["authorization_code"]);
      await term.type("who am I");
      await term.keys("Enter");
      await term.waitFor("The server knows us now.");
      const requests = await llm.waitForRequests(2, { timeoutMs: HANG_MS });
      assertEquals(toolResultsOf(requests[1]), ["you are the authorized nanocode"]);
      assertEquals(await term.exited(), false);
    } finally {
      await term.close();
      await llm.close();
      await Deno.remove(cwd, { recursive: true }).catch(() => {});
    }
  },
});
