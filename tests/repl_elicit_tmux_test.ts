/**
 * Elicitation through the whole program in a real pseudo-terminal: main.ts with the mock LLM and the
 * fixture MCP server configured; the server asks in the middle of a call, the user answers in the
 * terminal, and the server's answer reaches the model. Ctrl-C there cancels the question only.
 */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { HAS_TMUX, startNanocode } from "./support/tmux.ts";
import { fixtureCommand } from "./support/mcp_fixture.ts";

/** The prompt is ready when the rule and the idle footer are drawn. */
const IDLE = "/help for commands";

/** How long the model requests may take to arrive before the test fails: only a hang should reach it. */
const HANG_MS = 60_000;

// deno-lint-ignore no-explicit-any
function lastToolResult(request: { body: { messages: any[] } }): unknown {
  const tool = request.body.messages.findLast((m) => m.role === "tool");
  assert(tool, JSON.stringify(request.body.messages));
  return JSON.parse(tool.content);
}

function ask(message: string) {
  return {
    toolCalls: [{ name: "mcp_call", arguments: { server: "fx", tool: "ask", arguments: { message } } }],
  };
}

Deno.test({
  name: `the terminal asks the fixture's questions and Ctrl-C cancels one without ending nanocode${
    HAS_TMUX ? "" : " (skipped: tmux is not installed)"
  }`,
  ignore: !HAS_TMUX,
  async fn() {
    const cwd = await Deno.makeTempDir({ prefix: "nanocode-elicit-" });
    await Deno.mkdir(`${cwd}/.nanocode`);
    await Deno.writeTextFile(
      `${cwd}/.nanocode/mcp.json`,
      JSON.stringify({ mcpServers: { fx: { ...fixtureCommand("--elicit"), timeoutMs: 300_000 } } }),
    );
    const llm = await startMockLlm({
      turns: [
        ask("Sign up through the terminal"),
        { text: "Signed up in the terminal." },
        ask("Sign up once more"),
        { text: "Cancelled, fine." },
      ],
    });
    const term = await startNanocode(["--model", "mock-model", "--no-context-files", "--no-session"], {
      env: { OPENAI_BASE_URL: llm.url, NO_COLOR: "1" },
      cwd,
    });
    const answer = async (shown: string, text: string) => {
      await term.waitFor(shown, { visible: true });
      if (text !== "") await term.type(text);
      await term.keys("Enter");
    };
    try {
      await term.waitFor(IDLE);
      await answer(IDLE, "sign me up");
      await answer("? fx asks: Sign up through the terminal", "Ada");
      await answer("Age (integer, 0-150, required)", "36");
      await answer("Enter takes the default: green", "");
      await answer("Subscribe (y/n)", "n");
      const confirm = await term.waitFor("Send these values to fx?", { visible: true });
      assertStringIncludes(confirm, "Favourite colour: green");
      await term.keys("Enter");
      await term.waitFor("Signed up in the terminal.");
      const [, afterCall] = await llm.waitForRequests(2, { timeoutMs: HANG_MS });
      assertEquals(lastToolResult(afterCall), {
        action: "accept",
        content: { name: "Ada", age: 36, color: "green", subscribe: false },
      });

      await term.waitFor((pane) => pane.trimEnd().endsWith(IDLE));
      await answer(IDLE, "once more");
      await term.waitFor("? fx asks: Sign up once more", { visible: true });
      await term.keys("C-c");
      const pane = await term.waitFor("Cancelled, fine.");
      assertStringIncludes(pane, "↳ cancelled: nothing was sent");
      const requests = await llm.waitForRequests(4, { timeoutMs: HANG_MS });
      assertEquals(lastToolResult(requests[3]), { action: "cancel" });
      await term.waitFor((p) => p.trimEnd().endsWith(IDLE));
      assertEquals(await term.exited(), false);
    } finally {
      await term.close();
      await llm.close();
      await Deno.remove(cwd, { recursive: true }).catch(() => {});
    }
  },
});
