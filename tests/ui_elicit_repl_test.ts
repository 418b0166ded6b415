/**
 * Elicitation in the REPL against real MCP servers: the model calls a tool whose server asks the user
 * for values in the middle of the call; the REPL's prompt takes the keyboard, asks field by field,
 * and what was typed reaches the server (the tool result the model gets back holds it). Declining,
 * cancelling with Ctrl-C and two questions at once, asked one after the other, too.
 */
import { Agent, InputQueue } from "../lib/agent/mod.ts";
import type { ChatRequest, ProviderDelta } from "../lib/core/mod.ts";
import { answerWithDefaults } from "../lib/mcp/mod.ts";
import { startMcpTools } from "../lib/tools/mcp.ts";
import type { ReplRuntime } from "../lib/ui/runtime.ts";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { makeTree } from "./support/file_tree.ts";
import { fixtureCommand } from "./support/mcp_fixture.ts";
import { EVERYTHING_SERVER, npmServerCommand } from "./support/mcp_servers.ts";
import { driveRepl, NO_SESSIONS, type ReplDriver } from "./support/repl.ts";
import { answering, calling, scripted } from "./support/scripted.ts";

/** Kill to the start of the line (Ctrl-U): a refused answer stays on the line until then. */
const CLEAR = "\x15";

interface Harness {
  repl: ReplDriver;
  /** Copies of what the model was sent, one per request. */
  requests: ChatRequest[];
  /** Types `text` and presses Enter, once `waitFor` shows (the keys would go to the input line before). */
  answer(waitFor: string, text: string): Promise<void>;
}

/**
 * The REPL on a real agent whose tools are the MCP tools of `server`, started the way the command line
 * does it (the manager's elicitor forwards to whatever `runtime.elicit` is now), the model scripted.
 */
async function withServer(
  server: { command: string; args: string[] },
  turns: ProviderDelta[][],
  body: (h: Harness) => Promise<void>,
  options: { tty?: boolean } = {},
): Promise<void> {
  await using tree = await makeTree({ "home/.nanocode": null, "proj": null });
  await Deno.writeTextFile(
    tree.path("home/.nanocode/mcp.json"),
    JSON.stringify({ mcpServers: { fx: { ...server, timeoutMs: 300_000 } } }),
  );
  const env = (name: string) => (name === "HOME" ? tree.path("home") : undefined);
  // The manager comes before the runtime that holds it, as on the command line: its elicitor forwards
  // to whatever `runtime.elicit` is when a server asks.
  const late: { runtime?: ReplRuntime } = {};
  const mcp = await startMcpTools({
    cwd: tree.path("proj"),
    env,
    cacheDir: tree.path("cache"),
    termGraceMs: 500,
    startDelayMs: 0,
    elicit: (request, context) => late.runtime!.elicit!(request, context),
  });
  assert(mcp.manager, "the server is configured");
  const { provider, requests } = scripted((_, n) => turns[n - 1] ?? answering("(the script has ended)"));
  const queue = new InputQueue();
  const agent = new Agent({ provider, tools: mcp.tools, model: "scripted", cwd: tree.path("proj"), queue });
  const runtime: ReplRuntime = {
    // What the command line's runtime starts with; the REPL puts its prompt here while it runs.
    elicit: (request) => Promise.resolve(answerWithDefaults(request)),
    agent,
    provider,
    config: { showThinking: false },
    queue,
    tools: mcp.tools,
    readOnlyTools: [],
    skills: [],
    expandSkill: (name) => Promise.reject(new Error(`Cannot expand ${name}: the test loads no skills`)),
    reload: () => Promise.resolve([]),
    sessions: NO_SESSIONS,
    mcp: mcp.manager,
  };
  late.runtime = runtime;
  const repl = driveRepl(runtime, { env: { NO_COLOR: "1" }, columns: 100, rows: 40, tty: options.tty });
  try {
    await body({
      repl,
      requests,
      async answer(waitFor, text) {
        await repl.waitFor(waitFor);
        // A terminal in raw mode sends Enter as a carriage return; a line-buffered input ends lines with \n.
        repl.stdin.push(`${text}${options.tty === false ? "\n" : "\r"}`);
      },
    });
  } finally {
    repl.stdin.end();
    await repl.exit;
    await mcp.manager.close();
  }
}

/** The result of the `mcp_call` tool the model was sent in request `n` (from 1). */
function toolResult(requests: ChatRequest[], n: number): string {
  const message = requests[n - 1].messages.findLast((m) => m.role === "tool");
  assert(message && typeof message.content === "string", JSON.stringify(requests[n - 1].messages));
  return message.content as string;
}

function callAsk(args: Record<string, unknown>): ProviderDelta[] {
  return calling([{
    id: "c1",
    name: "mcp_call",
    arguments: JSON.stringify({ server: "fx", tool: "ask", arguments: args }),
  }]);
}

Deno.test("the REPL asks a server's questions field by field and the server gets the typed values", async () => {
  await withServer(
    fixtureCommand("--elicit"),
    [callAsk({ message: "Sign up for the fixture" }), answering("You are signed up.")],
    async ({ repl, requests, answer }) => {
      repl.stdin.push("sign me up\r");
      await answer("fx asks: Sign up for the fixture", "A");
      await answer("✗ Type at least 2 characters.", `${CLEAR}Ada`);
      await answer("Age (integer, 0-150, required)", "200");
      await answer("✗ Type 150 or less.", `${CLEAR}36`);
      await repl.waitFor("1) red  2) green  3) blue");
      await answer("Enter takes the default: green", "3");
      await answer("Subscribe (y/n)", "maybe");
      await answer("✗ Answer y or n.", `${CLEAR}y`);
      await answer("Send these values to fx?", "");
      await repl.waitFor("You are signed up.");

      assertEquals(JSON.parse(toolResult(requests, 2)), {
        action: "accept",
        content: { name: "Ada", age: 36, color: "blue", subscribe: true },
      });
      assertStringIncludes(repl.output(), "? fx asked: Sign up for the fixture");
      assertStringIncludes(
        repl.output(),
        "↳ sent Your name: Ada · Age: 36 · Favourite colour: blue · Subscribe: yes",
      );
    },
  );
});

Deno.test("a question the server gives up on leaves the screen, and the call's result says why", async () => {
  await withServer(
    fixtureCommand("--elicit"),
    [callAsk({ message: "Answer quickly", giveUpMs: 300 }), answering("Too slow.")],
    async ({ repl, requests }) => {
      repl.stdin.push("ask me\r");
      await repl.waitFor("fx asks: Answer quickly");
      // Nobody types: the server's own timeout cancels the request, and the prompt goes away.
      await repl.waitFor("↳ cancelled: nothing was sent");
      await repl.waitFor("Too slow.");
      const output = repl.output();
      assert(
        output.indexOf("↳ cancelled") < output.indexOf("Too slow."),
        "the question stayed until the run ended",
      );
      assertEquals(toolResult(requests, 2), "Cannot call fx.ask: the server answered: Request timed out");
    },
  );
});

Deno.test("two questions at once are asked one after the other; /decline and Ctrl-C answer them, and the REPL goes on", async () => {
  await withServer(
    fixtureCommand("--elicit"),
    [callAsk({ message: "Who are you?", times: 2 }), answering("Understood."), answering("Still here.")],
    async ({ repl, requests, answer }) => {
      repl.stdin.push("ask me twice\r");
      await repl.waitFor("fx asks: Who are you? (1 of 2)");
      await answer("1 more question from MCP servers after this one", "/decline");
      await repl.waitFor("fx asks: Who are you? (2 of 2)");
      // Ctrl-C cancels the question, not the run and not nanocode.
      repl.stdin.push("\x03");
      await repl.waitFor("Understood.");
      assertEquals(JSON.parse(toolResult(requests, 2)), [{ action: "decline" }, { action: "cancel" }]);
      assertStringIncludes(repl.output(), "↳ declined: nothing was sent");
      assertStringIncludes(repl.output(), "↳ cancelled: nothing was sent");

      // The same session goes on: the next message is the third request, after the whole conversation.
      repl.stdin.push("are you there?\r");
      await repl.waitFor("Still here.");
      assertEquals(requests.length, 3);
      assertEquals(requests[2].messages.filter((m) => m.role === "user").length, 2);
    },
  );
});

Deno.test("without a terminal the questions are printed line by line and answered the same way", async () => {
  await withServer(
    fixtureCommand("--elicit"),
    [callAsk({ message: "Plain sign-up" }), answering("Plain and done."), callAsk({}), answering("Fine.")],
    async ({ repl, requests, answer }) => {
      repl.stdin.push("sign me up\n");
      await repl.waitFor("? fx asks: Plain sign-up\n  Enter takes the default · /decline declines");
      repl.stdin.push("A\n");
      await answer(
        "  ✗ Type at least 2 characters.\n  Your name (string, at least 2 characters, required)\n",
        "Ada",
      );
      await answer("Age (integer, 0-150, required)\n", "7");
      await answer("Favourite colour (choose one)\n", "red");
      await answer("Subscribe (y/n)\n", "no");
      await answer("Send these values to fx?", "yes");
      await repl.waitFor("Plain and done.");
      assertEquals(JSON.parse(toolResult(requests, 2)), {
        action: "accept",
        content: { name: "Ada", age: 7, color: "red", subscribe: false },
      });
      assert(!repl.output().includes("\x1b"), repl.output());

      // Ctrl-C arrives as a signal there: it cancels the question, and the run goes on.
      repl.stdin.push("again\n");
      await repl.waitFor("? fx asks: Tell the fixture about you");
      repl.signal("SIGINT");
      await repl.waitFor("Fine.");
      assertEquals(JSON.parse(toolResult(requests, 4)), { action: "cancel" });
    },
    { tty: false },
  );
});

Deno.test("server-everything's elicitation of every field kind gets values of the types its schema asks", async () => {
  await withServer(
    npmServerCommand(EVERYTHING_SERVER, "stdio"),
    [
      calling([{
        id: "c1",
        name: "mcp_call",
        arguments: JSON.stringify({ server: "fx", tool: "trigger-elicitation-request", arguments: {} }),
      }]),
      answering("Thanks for the details."),
    ],
    async ({ repl, requests, answer }) => {
      repl.stdin.push("fill in the form\r");
      await answer("fx asks: Please provide inputs for the following fields:", "Ada Lovelace");
      await answer("Boolean (y/n)", "y");
      await answer("Enter takes the default: It was a dark and stormy night.", "");
      await answer("String with email format (email)", "ada@example.com");
      await answer("String with uri format (uri)", "");
      await answer("String with date format (date)", "1815-12-10");
      await answer("Integer (integer, 1-100)", "");
      await answer("Number in range 1-1000 (number, 0-1000)", "2.5");
      await answer("Untitled Single Select Enum (choose one)", "2");
      await answer("Untitled Multiple Select Enum (choose any", "guitar, 3");
      await answer("Titled Single Select Enum (choose one)", "wonder woman");
      await answer("Titled Multiple Select Enum (choose any", "");
      await answer("Legacy Titled Single Select Enum (choose one)", "Dogs");
      await answer("Send these values to fx?", "y");
      await repl.waitFor("Thanks for the details.");

      const result = toolResult(requests, 2);
      assertStringIncludes(result, "User provided the requested information!");
      const raw = JSON.parse(result.slice(result.indexOf("Raw result: ") + "Raw result: ".length));
      assertEquals(raw, {
        action: "accept",
        content: {
          name: "Ada Lovelace",
          check: true,
          firstLine: "It was a dark and stormy night.",
          email: "ada@example.com",
          birthdate: "1815-12-10",
          integer: 42,
          number: 2.5,
          untitledSingleSelectEnum: "Rachel",
          untitledMultipleSelectEnum: ["Guitar", "Violin"],
          titledSingleSelectEnum: "hero-3",
          titledMultipleSelectEnum: ["fish-1"],
          legacyTitledEnum: "pet-2",
        },
      });
    },
  );
});
