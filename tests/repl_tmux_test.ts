/**
 * The REPL in a real pseudo-terminal (tmux) against the mock LLM: what the user sees, and what the
 * model endpoint received.
 */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { type MockLlm, type MockTurn, startMockLlm } from "./support/mock_llm.ts";
import { HAS_TMUX, startNanocode, type TmuxSession } from "./support/tmux.ts";
import { COMMANDS } from "../lib/ui/commands/mod.ts";
import { visibleWidth } from "../lib/ui/ansi.ts";
import { sessionFolders, writeSession } from "./support/saved_sessions.ts";
import { fixtureCommand } from "./support/mcp_fixture.ts";

/** Registers a terminal test; without tmux it is ignored and its name says why. */
function tmuxTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name: HAS_TMUX ? name : `${name} (skipped: tmux is not installed)`, ignore: !HAS_TMUX, fn });
}

/** The prompt is ready when the rule and the idle footer are drawn. */
const IDLE = "/help for commands";

/** How long the model requests may take to arrive before a test fails: only a hang should reach it. */
const HANG_MS = 60_000;

interface Harness {
  llm: MockLlm;
  term: TmuxSession;
  /** Types a line and presses Enter. */
  send(line: string): Promise<void>;
  /** The first `n` requests the model endpoint received, once they have arrived. */
  requests(n: number): ReturnType<MockLlm["waitForRequests"]>;
}

/**
 * A bash command that runs until the test opens the gate, so a test can act while the agent works
 * without racing a timed stream. It gives up after two minutes, so a failed test leaves nothing behind.
 */
async function gate(): Promise<{ command: string; open(): Promise<void>; close(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "nanocode-gate-" });
  const go = `${dir}/go`;
  return {
    command: `i=0; while [ ! -e ${go} ] && [ $i -lt 2400 ]; do sleep 0.05; i=$((i+1)); done; echo released`,
    open: () => Deno.writeTextFile(go, ""),
    async close() {
      await Deno.writeTextFile(go, "").catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function withRepl(
  setup: {
    turns?: MockTurn[];
    models?: string[];
    env?: Record<string, string>;
    /** Arguments instead of the default `--no-context-files`. */
    args?: string[];
    cwd?: string;
  },
  body: (h: Harness) => Promise<void>,
): Promise<void> {
  const llm = await startMockLlm({ turns: setup.turns ?? [], models: setup.models });
  const term = await startNanocode(["--model", "mock-model", ...(setup.args ?? ["--no-context-files"])], {
    env: { OPENAI_BASE_URL: llm.url, NO_COLOR: "", ...setup.env },
    cwd: setup.cwd,
  });
  try {
    await term.waitFor(IDLE);
    await body({
      llm,
      term,
      send: async (line) => {
        await term.type(line);
        await term.keys("Enter");
      },
      requests: (n) => llm.waitForRequests(n, { timeoutMs: HANG_MS }),
    });
  } finally {
    await term.close();
    await llm.close();
  }
}

// deno-lint-ignore no-explicit-any
function texts(messages: any[], role: string): string[] {
  return messages.filter((m) => m.role === role).map((m) => typeof m.content === "string" ? m.content : "");
}

// deno-lint-ignore no-explicit-any
function firstUser(request: { body: { messages: any[] } }): string {
  return texts(request.body.messages, "user")[0] ?? "";
}

/** The `<nanocode_job_result>` messages a request carried. */
// deno-lint-ignore no-explicit-any
function jobResults(request: { body: { messages: any[] } }): string[] {
  return texts(request.body.messages, "user").filter((t) => t.startsWith("<nanocode_job_result"));
}

tmuxTest(
  "a typed prompt gets its answer streamed, then the usage line and the prompt again",
  () =>
    withRepl(
      { turns: [{ text: "Hello from the mock.\nA **second** line.", chunkDelayMs: 30 }] },
      async (h) => {
        await h.send("say hello");
        const pane = await h.term.waitFor(/A second line\.[\s\S]*↑ \S+ in · ↓ \S+ out · 1 call/);
        assertStringIncludes(pane, "❯ say hello");
        assertStringIncludes(pane, "Hello from the mock.");
        const [request] = await h.requests(1);
        assertEquals(texts(request.body.messages, "user"), ["say hello"]);
        await h.term.waitFor((p) => p.trimEnd().endsWith(IDLE));
      },
    ),
);

tmuxTest(
  "a tool call shows as name(args) with a one-line result",
  () =>
    withRepl({
      turns: [{ toolCalls: [{ name: "bash", arguments: { command: "echo hi; echo there" } }] }, {
        text: "Ran it.",
      }],
    }, async (h) => {
      await h.send("run something");
      const pane = await h.term.waitFor("Ran it.");
      assertStringIncludes(pane, '⏺ bash(command="echo hi; echo there")');
      assertStringIncludes(pane, "  ⎿  hi … +1 line");
    }),
);

tmuxTest(
  "steering typed while the agent works reaches the model before its next request",
  async () => {
    const step = await gate();
    try {
      await withRepl({
        turns: [
          // The text streams slowly, so the steering may be typed while it streams or while the
          // command runs: either way the command holds the run until the steering is queued.
          {
            text: "Looking around first.",
            toolCalls: [{ name: "bash", arguments: { command: step.command } }],
            chunkDelayMs: 100,
          },
          { text: "Steered answer." },
        ],
      }, async (h) => {
        await h.send("start the task");
        await h.term.waitFor("Looking");
        await h.send("also check the README");
        await h.term.waitFor("queued steer: also check the README");
        await step.open();
        const pane = await h.term.waitFor("Steered answer.");
        assertStringIncludes(pane, "» steering: also check the README");
        const requests = await h.requests(2);
        assertEquals(texts(requests[0].body.messages, "user"), ["start the task"]);
        const second = requests[1].body.messages;
        assertEquals(second[second.length - 1], { role: "user", content: "also check the README" });
        assertEquals(second[second.length - 2].role, "tool");
      });
    } finally {
      await step.close();
    }
  },
);

tmuxTest(
  "a follow-up queued during a run is sent once the run would stop",
  async () => {
    const step = await gate();
    try {
      await withRepl({
        turns: [
          { toolCalls: [{ name: "bash", arguments: { command: step.command } }] },
          { text: "First answer." },
          { text: "Second answer." },
        ],
      }, async (h) => {
        await h.send("first question");
        await h.term.waitFor("running bash · ");
        await h.send("/followup then summarise");
        await h.term.waitFor("queued follow-up: then summarise");
        await step.open();
        const pane = await h.term.waitFor("Second answer.");
        assertStringIncludes(pane, "» follow-up: then summarise");
        const requests = await h.requests(3);
        assertEquals(
          texts(requests[1].body.messages, "user"),
          ["first question"],
          "the follow-up came early",
        );
        const third = requests[2].body.messages;
        assertEquals(texts(third, "user"), ["first question", "then summarise"]);
        assertEquals(texts(third, "assistant"), ["", "First answer."]);
      });
    } finally {
      await step.close();
    }
  },
);

tmuxTest(
  "/queue lists, /dequeue edit rewrites or refuses bad JSON, and /dequeue takes the queue back",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "nanocode-editor-" });
    // The first edit renames a message; the second leaves text that is not JSON.
    const editor = `${dir}/edit.sh`;
    await Deno.writeTextFile(
      editor,
      `#!/bin/sh\nif [ -e "${dir}/used" ]; then echo 'not json' > "$1"; else touch "${dir}/used"; sed -i 's/alpha/gamma/' "$1"; fi\n`,
    );
    await Deno.chmod(editor, 0o755);
    try {
      await withRepl(
        { turns: [{ text: "Never sent", hangAfterChunks: 1 }], env: { EDITOR: editor } },
        async (h) => {
          await h.send("a long task");
          // Nothing streams after the first chunk, so the spinner keeps counting.
          await h.term.waitFor(/waiting for the model · \d+s · Ctrl-C to interrupt/);
          await h.send("/queue alpha");
          await h.send("/queue beta");
          await h.send("/queue");
          await h.term.waitFor(/Queued \(2\):\s+1\. follow-up: alpha\s+2\. follow-up: beta/);
          await h.send("/dequeue edit");
          await h.term.waitFor(/Queue replaced: 2 messages\.\s+1\. follow-up: gamma/);
          await h.send("/dequeue edit");
          await h.term.waitFor("Cannot read the edited queue: invalid JSON");
          await h.send("/dequeue");
          const pane = await h.term.waitFor(/Took 2 messages off the queue:\s+gamma\s+beta/);
          assert(!pane.includes("queued follow-up"), "the live area still shows queued messages");
          await h.term.keys("C-c");
          await h.term.waitFor("Interrupted.");
          await h.term.waitFor((p) => p.trimEnd().endsWith(IDLE));
          assertEquals(h.llm.requests.length, 1);
        },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

// A duration no other test (or other copy of this suite) uses, so pgrep finds only this sleep.
const SLEEP = `sleep 29.${crypto.getRandomValues(new Uint32Array(1))[0]}`;

tmuxTest(
  "Ctrl-C stops a long bash command, returns to the prompt and keeps the conversation consistent",
  () =>
    withRepl({
      turns: [{ toolCalls: [{ name: "bash", arguments: { command: SLEEP } }] }, {
        text: "After the stop.",
      }],
    }, async (h) => {
      await h.send("sleep a while");
      await h.term.waitFor("running bash · ");
      const started = Date.now();
      await h.term.keys("C-c");
      await h.term.waitFor("Interrupted.");
      await h.term.waitFor((p) => p.trimEnd().endsWith(IDLE));
      // Well under the sleep's 29 s, with room for a loaded machine.
      assert(Date.now() - started < 20_000, "the interrupt took too long");
      await h.send("what now?");
      await h.term.waitFor("After the stop.");
      const [, second] = await h.requests(2);
      // deno-lint-ignore no-explicit-any
      const messages: any[] = second.body.messages;
      const call = messages.find((m) => m.tool_calls)?.tool_calls[0];
      assert(call, "the assistant's tool call is kept");
      assert(
        messages.some((m) => m.role === "tool" && m.tool_call_id === call.id),
        "the tool call has no result",
      );
      assertEquals(messages[messages.length - 1], { role: "user", content: "what now?" });
      const ps = await new Deno.Command("pgrep", { args: ["-f", SLEEP], stdout: "piped" }).output();
      assertEquals(
        new TextDecoder().decode(ps.stdout).trim(),
        "",
        "the sleep process survived the interrupt",
      );
    }),
);

tmuxTest(
  "/model lists the endpoint's models, searches them, and switches the next request's model",
  () =>
    withRepl(
      { turns: [{ text: "Answered." }], models: ["mock-model", "other-model", "big-thinker-2"] },
      async (h) => {
        await h.send("/model");
        await h.term.waitFor(/Models at the endpoint \(3\):\s+● mock-model\s+other-model\s+big-thinker-2/);
        await h.send("/model thinker");
        await h.term.waitFor(/Models matching "thinker" \(1\):\s+big-thinker-2/);
        await h.send("/model other-model");
        await h.term.waitFor("Model set to other-model.");
        await h.term.waitFor("other-model · /help for commands");
        await h.send("hello");
        await h.term.waitFor("Answered.");
        const [request] = await h.requests(1);
        assertEquals(request.body.model, "other-model");
      },
    ),
);

tmuxTest(
  "/btw answers a side question without adding it to the conversation",
  () =>
    withRepl({
      turns: [{ text: "Main answer." }, { text: "Side answer." }, { text: "Next answer." }],
    }, async (h) => {
      await h.send("main question");
      await h.term.waitFor("Main answer.");
      await h.term.waitFor((p) => p.trimEnd().endsWith(IDLE));
      await h.send("/btw what is the capital of France");
      await h.term.waitFor("Side answer.");
      await h.term.waitFor((p) => p.trimEnd().endsWith(IDLE));
      await h.send("next question");
      await h.term.waitFor("Next answer.");
      const [, side, next] = await h.requests(3);
      assert(JSON.stringify(side.body.messages).includes("what is the capital of France"));
      assertEquals(side.body.tools, undefined);
      assertEquals(texts(next.body.messages, "user"), ["main question", "next question"]);
      assertEquals(texts(next.body.messages, "assistant"), ["Main answer."]);
    }),
);

tmuxTest(
  "an unknown command says so and suggests the nearest one",
  () =>
    withRepl({}, async (h) => {
      await h.send("/modle gpt");
      await h.term.waitFor("Unknown command /modle: did you mean /model?");
      await h.send("/wibble");
      await h.term.waitFor("Unknown command /wibble; /help lists the commands.");
      assertEquals(h.llm.requests.length, 0);
    }),
);

tmuxTest(
  "/help lists every command, long summaries indented under their column, and /q quits",
  () =>
    withRepl({}, async (h) => {
      await h.send("/help");
      const pane = await h.term.waitFor("Ctrl-C stops a run");
      for (const command of COMMANDS) assertStringIncludes(pane, command.usage);
      // A summary too long for the pane goes on under its own column, not at the left edge.
      const lines = pane.split("\n");
      const steer = lines.findIndex((l) => l.startsWith("  /steer <message>"));
      const column = lines[steer].indexOf("tell the working agent");
      assert(/^ +\S/.test(lines[steer + 1]) && lines[steer + 1].search(/\S/) === column, lines[steer + 1]);
      assertStringIncludes(pane, "list the background jobs, or cancel one");
      await h.send("/q");
      await h.term.waitFor(async () => await h.term.exited());
    }),
);

tmuxTest(
  "Ctrl-C twice at an empty prompt quits, and Ctrl-D does too",
  async () => {
    await withRepl({}, async (h) => {
      await h.term.keys("C-c");
      await h.term.waitFor("Press Ctrl-C again to exit.");
      assert(!(await h.term.exited()));
      await h.term.keys("C-c");
      await h.term.waitFor(async () => await h.term.exited());
    });
    await withRepl({}, async (h) => {
      await h.term.keys("C-d");
      await h.term.waitFor(async () => await h.term.exited());
    });
  },
);

tmuxTest(
  "reasoning streams before the answer under a label that NO_COLOR keeps, and SHOW_THINKING=0 hides it",
  async () => {
    const turns = () => [{ reasoning: "Pondering the question deeply.", text: "The answer." }];
    await withRepl({ turns: turns() }, async (h) => {
      await h.send("think");
      const pane = await h.term.waitFor("The answer.");
      assertStringIncludes(pane, "Pondering the question deeply.");
    });
    await withRepl({ turns: turns(), env: { NO_COLOR: "1" } }, async (h) => {
      await h.send("think");
      const pane = await h.term.waitFor("The answer.");
      assertStringIncludes(pane, "∴ thinking\nPondering the question deeply.\n\nThe answer.");
    });
    await withRepl({ turns: turns(), env: { SHOW_THINKING: "0" } }, async (h) => {
      await h.send("think");
      const pane = await h.term.waitFor("The answer.");
      assert(!pane.includes("Pondering"), pane);
    });
  },
);

tmuxTest(
  "a resize redraws the prompt at the new width without leaving old frames behind",
  () =>
    withRepl({}, async (h) => {
      await h.term.type("a draft that stays on the prompt");
      await h.term.waitFor("❯ a draft that stays on the prompt");
      await h.term.resize(50, 30);
      const rule = /^─+$/gm;
      // Only the visible rows: on a resize tmux may move rows above the cursor into its scrollback,
      // where no program can erase them.
      const pane = await h.term.waitFor((p) => /^─{50}$/m.test(p), { visible: true });
      assertEquals(pane.match(rule), ["─".repeat(50)]);
      assertEquals(pane.match(/❯ a draft/g)?.length, 1);
      await h.term.resize(80, 30);
      const wider = await h.term.waitFor((p) => /^─{80}$/m.test(p), { visible: true });
      assertEquals(wider.match(rule), ["─".repeat(80)]);
    }),
);

tmuxTest(
  "/skills lists skills, /skill:<name> sends one, /reload picks up new context, /c clears",
  async () => {
    const cwd = await Deno.makeTempDir({ prefix: "nanocode-skills-" });
    await Deno.mkdir(`${cwd}/.nanocode/skills/greet`, { recursive: true });
    await Deno.writeTextFile(
      `${cwd}/.nanocode/skills/greet/SKILL.md`,
      "---\nname: greet\ndescription: Greets people warmly.\n---\nSay hello to the person named in the arguments.\n",
    );
    await withRepl({
      args: [],
      cwd,
      turns: [{ text: "Hello, Alice!" }, { text: "Still here." }, { text: "Fresh start." }],
    }, async (h) => {
      await h.send("/skills");
      await h.term.waitFor("greet — Greets people warmly.");
      await h.send("/skill:greet Alice");
      await h.term.waitFor("Hello, Alice!");
      const [first] = await h.requests(1);
      const sent = texts(first.body.messages, "user").at(-1) ?? "";
      assertStringIncludes(sent, "Say hello to the person named in the arguments.");
      assertStringIncludes(sent, "Alice");
      await h.term.waitFor((p) => p.trimEnd().endsWith(IDLE));

      await Deno.writeTextFile(`${cwd}/.nanocode/AGENTS.md`, "RELOADED PROJECT RULE");
      await h.send("/reload");
      await h.term.waitFor("Reloaded context files and skills (1 skill).");
      await h.send("and now?");
      await h.term.waitFor("Still here.");
      const [, second] = await h.requests(2);
      assertStringIncludes(second.body.messages[0].content, "RELOADED PROJECT RULE");
      assertEquals(texts(second.body.messages, "assistant"), ["Hello, Alice!"]);
      await h.term.waitFor((p) => p.trimEnd().endsWith(IDLE));

      await h.send("/c");
      await h.term.waitFor("Conversation cleared.");
      await h.send("fresh question");
      await h.term.waitFor("Fresh start.");
      const [, , third] = await h.requests(3);
      assertEquals(third.body.messages.map((m: { role: string }) => m.role), ["system", "user"]);
    });
  },
);

tmuxTest(
  "a background job that ends while the REPL is idle shows its notice and starts a turn with its result, once",
  async () => {
    const step = await gate();
    try {
      await withRepl({
        turns: [
          {
            toolCalls: [{
              name: "nanocode",
              arguments: { action: "start", prompt: "CHILD-IDLE look around" },
            }],
          },
          { text: "Started nano-1; its result comes back by itself." },
          // The child waits for the gate, so it ends only once the REPL is idle.
          { toolCalls: [{ name: "bash", arguments: { command: step.command } }], match: "CHILD-IDLE" },
          { text: "the idle answer", match: "CHILD-IDLE" },
          { text: "The job found the idle answer." },
        ],
      }, async (h) => {
        await h.send("start a job");
        await h.term.waitFor(/its result comes back by itself\.[\s\S]*2 calls[\s\S]*\/help for commands\s*$/);
        assertEquals(h.llm.requests.filter((r) => firstUser(r) === "start a job").length, 2);
        await step.open();
        const pane = await h.term.waitFor(
          /◌ background job nano-1 done \(exit 0, \d+ s\)[\s\S]*The job found the idle answer\.[\s\S]*\/help for commands\s*$/,
        );
        assert(!pane.includes("❯ <nanocode_job_result"), "the result message is not echoed");
        const all = await h.requests(5);
        const parent = all.filter((r) => firstUser(r) === "start a job");
        assertEquals(parent.map((r) => jobResults(r).length), [0, 0, 1]);
        assertStringIncludes(jobResults(parent[2])[0], '<nanocode_job_result id="nano-1" status="done"');
        assertStringIncludes(jobResults(parent[2])[0], "the idle answer");
        // Delivered once: nothing more reaches the model, and the notice shows once.
        await new Promise((resolve) => setTimeout(resolve, 500));
        assertEquals(h.llm.requests.length, 5);
        const final = await h.term.capture();
        assertEquals(final.split("◌ background job nano-1").length, 2);
      });
    } finally {
      await step.close();
    }
  },
);

tmuxTest(
  "/mcp shows the fixture server running with its tools, searches them, and reload starts it again",
  async () => {
    const cwd = await Deno.makeTempDir({ prefix: "nanocode-mcp-" });
    try {
      await Deno.mkdir(`${cwd}/.nanocode`);
      await Deno.writeTextFile(
        `${cwd}/.nanocode/mcp.json`,
        JSON.stringify({ mcpServers: { fx: fixtureCommand() } }),
      );
      await withRepl({ cwd }, async (h) => {
        await h.send("/mcp");
        await h.term.waitFor(/MCP servers \(1\):\s+fx {2}(starting|running) {2}stdio/);
        // The server connects in the background; the status shows it once it runs.
        let pane = "";
        for (let i = 0; i < 100 && !/fx {2}running {2}stdio {2}\d+ tools\n/.test(pane); i++) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          await h.send("/mcp status");
          pane = await h.term.capture();
        }
        assert(/fx {2}running {2}stdio {2}\d+ tools\n/.test(pane), pane);
        await h.send("/mcp tools fx");
        await h.term.waitFor(
          /Tools of fx \(\d+\):[\s\S]*echo — Echo the given text back, optionally repeated\./,
        );
        await h.send("/mcp search add numbers");
        await h.term.waitFor(/- fx\.add - Add two numbers/);
        await h.send("/mcp reload");
        await h.term.waitFor(
          /reading mcp\.json again…\s+MCP servers \(1\):\s+fx {2}(starting|running) {2}stdio/,
        );
        await h.send("/mcp tools nope");
        await h.term.waitFor('✗ Cannot find MCP server "nope": the configured servers are fx.');
        assertEquals(h.llm.requests.length, 0);
      });
    } finally {
      await Deno.remove(cwd, { recursive: true }).catch(() => {});
    }
  },
);

tmuxTest(
  "/tools, /context, /compact, /jobs and /mcp answer in the terminal without calling the model",
  () =>
    withRepl({}, async (h) => {
      await h.send("/tools");
      await h.term.waitFor(/Active tools \(\d+\):[\s\S]*bash —[\s\S]*websearch —/);
      await h.send("/context");
      await h.term.waitFor(/Context: \S+ of 128k tokens[\s\S]*tool schemas +\S+k[\s\S]*compaction at +109k/);
      await h.send("/compact");
      await h.term.waitFor("Nothing to compact yet");
      await h.send("/jobs");
      await h.term.waitFor("No nanocode jobs yet");
      await h.send("/mcp");
      await h.term.waitFor("No MCP servers are configured");
      assertEquals(h.llm.requests.length, 0);
    }),
);

tmuxTest(
  "/steer reaches the model before its next request, /btw --tools offers only the read-only tools, and exit quits",
  async () => {
    const step = await gate();
    try {
      await withRepl({
        turns: [
          { text: "Working on it.", toolCalls: [{ name: "bash", arguments: { command: step.command } }] },
          { text: "Done with the steer." },
          { text: "Side look-up answer." },
        ],
      }, async (h) => {
        await h.send("do the task");
        await h.term.waitFor("running bash · ");
        await h.send("/steer use the short path");
        await h.term.waitFor("queued steer: use the short path");
        await step.open();
        const pane = await h.term.waitFor("Done with the steer.");
        assertStringIncludes(pane, "» steering: use the short path");
        const [first, second] = await h.requests(2);
        const last = second.body.messages[second.body.messages.length - 1];
        assertEquals(last, { role: "user", content: "use the short path" });
        await h.term.waitFor((p) => p.trimEnd().endsWith(IDLE));

        await h.send("/btw --tools which files are here");
        await h.term.waitFor("Side look-up answer.");
        const [, , side] = await h.requests(3);
        // deno-lint-ignore no-explicit-any
        const names = (request: any): string[] => (request.body.tools ?? []).map((t: any) => t.function.name);
        assert(names(side).includes("read"), `the side request offers no read tool: ${names(side)}`);
        for (const name of ["bash", "write", "edit"]) {
          assert(names(first).includes(name), `the main request lacks ${name}`);
          assert(!names(side).includes(name), `the side request offers ${name}`);
        }
        assert(JSON.stringify(side.body.messages).includes("which files are here"));
        await h.term.waitFor((p) => p.trimEnd().endsWith(IDLE));

        await h.send("exit");
        await h.term.waitFor(async () => await h.term.exited());
      });
    } finally {
      await step.close();
    }
  },
);

tmuxTest(
  "command output typed while a tool runs shows at once and lands after the tool's result",
  async () => {
    const step = await gate();
    try {
      await withRepl({
        turns: [{ toolCalls: [{ name: "bash", arguments: { command: step.command } }] }, {
          text: "All done.",
        }],
      }, async (h) => {
        await h.send("wait for it");
        await h.term.waitFor("running bash · ");
        await h.send("/queue");
        // Held in the live area while the command runs: readable, but not yet in the transcript.
        await h.term.waitFor(/⏺ bash\([^\n]*\n[\s\S]*running bash · [\s\S]*❯ \/queue\s+The queue is empty\./);
        await step.open();
        const pane = await h.term.waitFor((p) => p.includes("All done.") && p.trimEnd().endsWith(IDLE));
        const result = pane.indexOf("⎿  released");
        assert(result > pane.indexOf("⏺ bash("), pane);
        assert(pane.indexOf("❯ /queue") > result, `the command split the call from its result:\n${pane}`);
        assertEquals(pane.match(/The queue is empty\./g)?.length, 1, pane);
        assert(pane.indexOf("The queue is empty.") < pane.indexOf("All done."), pane);
      });
    } finally {
      await step.close();
    }
  },
);

/** The nanocode process whose working folder is `cwd` (each tmux test runs in its own). */
async function processIn(cwd: string): Promise<number> {
  const out = await new Deno.Command("pgrep", { args: ["-f", "main.ts"], stdout: "piped" }).output();
  const real = await Deno.realPath(cwd);
  for (const pid of new TextDecoder().decode(out.stdout).split("\n").filter((p) => p !== "")) {
    const where = await Deno.readLink(`/proc/${pid}/cwd`).catch(() => "");
    if (where === real) return Number(pid);
  }
  throw new Error(`Cannot find the nanocode process running in ${cwd}`);
}

tmuxTest(
  "SIGINT from outside acts as Ctrl-C in raw mode: a hint first, then a clean exit",
  async () => {
    const cwd = await Deno.makeTempDir({ prefix: "nanocode-sigint-" });
    try {
      await withRepl({ cwd }, async (h) => {
        const pid = await processIn(cwd);
        Deno.kill(pid, "SIGINT");
        // Without a listener in raw mode the signal would end the process on the spot.
        await h.term.waitFor("Press Ctrl-C again to exit.");
        assert(!(await h.term.exited()));
        Deno.kill(pid, "SIGINT");
        await h.term.waitFor(async () => await h.term.exited());
      });
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  },
);

tmuxTest(
  "nanocode -r alone opens the picker: typing filters, Enter resumes, and the next request carries the old conversation",
  async () => {
    await using folders = await sessionFolders();
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
    for (
      const seed of [
        { id: "1111aaaa-parser", prompts: ["fix the parser"], updated: minutesAgo(5) },
        { id: "2222bbbb-docs", prompts: ["write the README"], name: "Docs day", updated: minutesAgo(90) },
        { id: "3333cccc-tests", prompts: ["add the parser tests"], updated: minutesAgo(600) },
      ]
    ) {
      await writeSession(folders.home, { ...seed, cwd: folders.cwd });
    }
    const llm = await startMockLlm({ turns: [{ text: "Back on the docs." }] });
    const term = await startNanocode(["--model", "mock-model", "--no-context-files", "-r"], {
      env: { OPENAI_BASE_URL: llm.url, NO_COLOR: "", NANOCODE_DIR: folders.home },
      cwd: folders.cwd,
    });
    try {
      let pane = await term.waitFor("Resume a session (3)");
      assert(/› fix the parser +5m ago · 2 msgs · mock-model/.test(pane), pane);
      assert(/ {2}Docs day +1h ago · 2 msgs · mock-model/.test(pane), pane);
      assert(pane.indexOf("fix the parser") < pane.indexOf("Docs day"), "newest first");
      await term.type("DOC");
      pane = await term.waitFor("Resume a session (1 of 3)");
      assert(!pane.slice(pane.lastIndexOf("Resume a session")).includes("fix the parser"), pane);
      await term.keys("Enter");
      await term.waitFor('↻ Resumed "Docs day" · 2 messages · mock-model');
      await term.waitFor((p) => p.trimEnd().endsWith(IDLE));
      await term.type("go on");
      await term.keys("Enter");
      await term.waitFor("Back on the docs.");
      const [request] = await llm.waitForRequests(1, { timeoutMs: HANG_MS });
      assertEquals(request.headers["x-opencode-session"], "2222bbbb-docs");
      assertEquals(texts(request.body.messages, "user"), ["write the README", "go on"]);
    } finally {
      await term.close();
      await llm.close();
    }
  },
);

tmuxTest(
  "/compact keep the API names sends the instructions in the summary request and shows tokens before → after",
  () =>
    withRepl({
      turns: [
        { text: "The API is fetchWidgets; its partner is storeWidgets." },
        { text: "## Goal\nList widgets.\n\n## Critical Context\nfetchWidgets, storeWidgets." },
        { text: "Still on it." },
      ],
    }, async (h) => {
      await h.send("which API lists widgets?");
      await h.term.waitFor(/storeWidgets\.[\s\S]*1 call/);
      await h.term.waitFor((p) => p.trimEnd().endsWith(IDLE));
      await h.send("/compact keep the API names");
      const pane = await h.term.waitFor(
        /✻ Compacted the conversation: \S+ → \S+ tokens \(1 message summarised\)/,
      );
      assertStringIncludes(pane, "❯ /compact keep the API names");
      const requests = await h.requests(2);
      assert(requests[0].body.tools?.length > 0, "the run offers tools");
      // The summary request is the one that offers no tools.
      const summary = requests.find((r) => r.body.tools === undefined);
      assert(summary, "no summary request was sent");
      assertStringIncludes(texts(summary.body.messages, "user").join("\n"), "keep the API names");
      await h.term.waitFor((p) => p.trimEnd().endsWith(IDLE));
      await h.send("go on");
      await h.term.waitFor("Still on it.");
      const [, , next] = await h.requests(3);
      const sent = texts(next.body.messages, "user").join("\n");
      assertStringIncludes(sent, "<compaction_summary");
      assertStringIncludes(sent, "fetchWidgets, storeWidgets.");
    }),
);

/** The rows of the pane that belong to a drawn table (its borders and rows). */
function tableRows(pane: string): string[] {
  return pane.split("\n").filter((line) => /^[┌├└│]/.test(line) && /[┐┤┘│]$/.test(line));
}

tmuxTest(
  "a streamed markdown table is drawn with borders sized by display width, and code blocks get a gutter",
  () =>
    withRepl({
      turns: [{
        text: [
          "Here is the table:",
          "",
          "| name | 説明 |",
          "|---|:-:|",
          "| alpha | 日本語のテキスト |",
          "| ✅ | done |",
          `| long | ${"a cell long enough to need wrapping inside its column ".repeat(3).trim()} |`,
          "",
          "```ts",
          "const answer = 42;",
          "```",
          "End.",
        ].join("\n"),
        chunkDelayMs: 20,
      }],
    }, async (h) => {
      await h.send("show me");
      const pane = await h.term.waitFor(/End\.[\s\S]*1 call/);
      const rows = tableRows(pane);
      assert(rows.length >= 9, pane);
      const widths = rows.map(visibleWidth);
      assert(widths.every((w) => w === widths[0] && w <= 100), JSON.stringify({ rows, widths }));
      assert(rows.some((r) => r.includes("日本語のテキスト")), pane);
      assert(!pane.includes("|---|"), "the delimiter row is not printed as typed");
      assert(!pane.includes("```"), "fences are not printed as typed");
      assertStringIncludes(pane, "╭─ ts\n│ const answer = 42;\n╰─");
    }),
);

tmuxTest(
  "an edit shows its changed lines under the call, and a new file its line count",
  async () => {
    const cwd = await Deno.makeTempDir({ prefix: "nanocode-edit-" });
    await Deno.writeTextFile(`${cwd}/a.txt`, "one\ntwo\nthree\n");
    try {
      await withRepl({
        cwd,
        turns: [
          {
            toolCalls: [
              {
                name: "edit",
                arguments: { path: "a.txt", edits: [{ oldText: "two\n", newText: "TWO\nzwei\n" }] },
              },
            ],
          },
          { toolCalls: [{ name: "write", arguments: { path: "new.md", content: "# New\n\nbody\n" } }] },
          { text: "Edited." },
        ],
      }, async (h) => {
        await h.send("change it");
        const pane = await h.term.waitFor("Edited.");
        assert(
          /⏺ edit\(path="a\.txt"[^\n]*\n +⎿ +Successfully replaced 1 block in a\.txt\.\n +2 - two\n +2 \+ TWO\n +3 \+ zwei\n/
            .test(pane),
          pane,
        );
        assert(/⏺ write\(path="new\.md"[^\n]*\n +⎿ [^\n]*\n +new file · 3 lines/.test(pane), pane);
      });
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  },
);

tmuxTest(
  "a retry counts down to the next attempt instead of saying thinking, then the answer arrives",
  () =>
    withRepl({
      turns: [
        { status: 503, body: { error: { message: "overloaded" } }, headers: { "retry-after-ms": "2500" } },
        { text: "Recovered." },
      ],
    }, async (h) => {
      await h.send("hello");
      const pane = await h.term.waitFor(/retrying in [1-3]s \(1\/\d+\) · Ctrl-C to interrupt/);
      assertStringIncludes(pane, "↻ retry 1/");
      assert(!/thinking/i.test(pane), pane);
      await h.term.waitFor(/Recovered\.[\s\S]*1 call/);
    }),
);

tmuxTest(
  "command output typed while a line of the answer streams shows below it, and lands after the line",
  () =>
    withRepl(
      { turns: [{ text: "Counting: one two three four five six", hangAfterChunks: 3 }] },
      async (h) => {
        await h.send("count");
        await h.term.waitFor("Counting:");
        await h.send("/queue");
        let pane = await h.term.waitFor("The queue is empty.");
        assert(pane.indexOf("The queue is empty.") > pane.lastIndexOf("Counting:"), pane);
        await h.term.keys("C-c");
        pane = await h.term.waitFor(/Interrupted\.[\s\S]*❯ \/queue\s+The queue is empty\./);
        const line = pane.lastIndexOf("Counting:");
        assert(
          line >= 0 && line < pane.lastIndexOf("❯ /queue"),
          `the output landed above the line:\n${pane}`,
        );
      },
    ),
);
