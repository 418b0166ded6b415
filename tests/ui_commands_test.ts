/** Slash commands against a recording host, without a terminal. */
import { type ContextReport, InputQueue } from "../lib/agent/mod.ts";
import type { AgentEvent, Message, Provider, ProviderDelta, Tool } from "../lib/core/mod.ts";
import { createPalette, visibleWidth } from "../lib/ui/ansi.ts";
import {
  type CommandHost,
  COMMANDS,
  contextLines,
  helpLines,
  parseCommand,
  runCommand,
} from "../lib/ui/commands/mod.ts";
import { matchModels } from "../lib/ui/commands/model.ts";
import { parseQueueJson } from "../lib/ui/commands/queue.ts";
import { completions, nearest } from "../lib/ui/commands/suggest.ts";
import type { ReplAgent, ReplRuntime } from "../lib/ui/runtime.ts";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { NO_SESSIONS } from "./support/repl.ts";

/** A conversation the commands act on: no model behind it, its messages open to the test. */
class FakeAgent implements ReplAgent {
  messages: Message[] = [{ role: "system", content: "sys" }];
  model = "mock-model";
  tools: Tool[] = [];
  setModel(model: string): void {
    this.model = model;
  }
  clear(): void {
    this.messages = this.messages.filter((m) => m.role === "system");
  }
  fork(): ReplAgent {
    throw new Error("the commands do not fork; the REPL does");
  }
  // deno-lint-ignore require-yield
  async *run(): AsyncGenerator<AgentEvent> {
    throw new Error("the commands do not run the agent; the REPL does");
  }
  report: ContextReport = {
    total: 12_000,
    system: 1_000,
    tools: 3_000,
    messages: 8_000,
    anchored: true,
    window: 128_000,
    trigger: 108_800,
    wouldKeep: 5_000,
    auto: true,
  };
  contextReport(): ContextReport {
    return this.report;
  }
  // deno-lint-ignore require-yield
  async *compact(): AsyncGenerator<AgentEvent> {
    throw new Error("the commands ask the host to compact; the REPL runs it");
  }
}

interface Recorded {
  host: CommandHost;
  runtime: ReplRuntime;
  agent: FakeAgent;
  /** The runtime's queue, with the methods the agent's loop drains it by. */
  queue: InputQueue;
  /** What `host.busy` answers; a test may change it (a run ending while the editor is open). */
  busy: boolean;
  /** How often the host was asked to run what is queued. */
  queueRuns: number;
  printed: string[];
  sent: { text: string; echo?: boolean }[];
  followUps: string[];
  side: { question: string; tools: boolean }[];
  /** The instructions of each compaction the host was asked for. */
  compactions: (string | undefined)[];
  quit: boolean;
  /** Runs a typed command line. */
  run(line: string): Promise<string>;
}

function recorder(options: {
  models?: string[] | Error;
  busy?: boolean;
  /** The user's edit; it may also change the recorder, as things that happen while the editor is open. */
  edit?: (text: string, r: Recorded) => string;
  skills?: ReplRuntime["skills"];
  /** What `/skill:<name>` expands to (default: the name and the arguments). */
  expandSkill?: ReplRuntime["expandSkill"];
} = {}): Recorded {
  const provider: Provider = {
    async *stream(): AsyncGenerator<ProviderDelta> {
      yield { type: "done", reason: "stop", message: { role: "assistant", content: "" }, toolCalls: [] };
    },
    listModels() {
      const models = options.models ?? ["mock-model"];
      return models instanceof Error ? Promise.reject(models) : Promise.resolve(models);
    },
  };
  const agent = new FakeAgent();
  const queue = new InputQueue();
  const runtime: ReplRuntime = {
    agent,
    provider,
    config: { showThinking: true, baseUrl: "http://127.0.0.1:9/v1" },
    queue,
    tools: [],
    readOnlyTools: [],
    omitted: [{ name: "bash", flags: ["--allow-run"] }],
    skills: options.skills ?? [],
    expandSkill: options.expandSkill ?? ((name, args) => Promise.resolve(`skill ${name}: ${args}`)),
    reload: () => Promise.resolve(["AGENTS.md could not be read"]),
    sessions: NO_SESSIONS,
  };
  const r: Recorded = {
    runtime,
    agent,
    queue,
    busy: options.busy ?? false,
    queueRuns: 0,
    printed: [],
    sent: [],
    followUps: [],
    side: [],
    compactions: [],
    quit: false,
    host: {
      runtime,
      palette: createPalette(false),
      get busy() {
        return r.busy;
      },
      columns: 100,
      print: (lines) => r.printed.push(...lines),
      send: (text, o) => r.sent.push({ text, echo: o?.echo }),
      followUp: (text) => r.followUps.push(text),
      sideQuestion: (question, o) => Promise.resolve(void r.side.push({ question, tools: o.tools })),
      editText: (text) => {
        if (!options.edit) return Promise.reject(new Error("Cannot open an editor: set $VISUAL or $EDITOR."));
        return Promise.resolve(options.edit(text, r));
      },
      runQueue: () => void r.queueRuns++,
      pickSession: () => Promise.reject(new Error("the session commands are tested in ui_sessions_test.ts")),
      compact: (instructions) => Promise.resolve(void r.compactions.push(instructions)),
      quit: () => void (r.quit = true),
    },
    async run(line) {
      const before = r.printed.length;
      const command = parseCommand(line);
      assert(command, `${line} is not a command`);
      await runCommand(r.host, command);
      return r.printed.slice(before).join("\n");
    },
  };
  return r;
}

Deno.test("a command line splits into name and arguments, and paths are not commands", () => {
  assertEquals(parseCommand("/model  gpt 4 "), { name: "model", args: "gpt 4" });
  assertEquals(parseCommand("/skill:review the parser"), { name: "skill:review", args: "the parser" });
  assertEquals(parseCommand("/usr/bin/env fails here"), undefined);
  assertEquals(parseCommand("hello /model"), undefined);
  assertEquals(parseCommand("exit"), { name: "q", args: "" });
  assertEquals(parseCommand("/"), { name: "", args: "" });
});

Deno.test("the nearest name prefers a prefix, then the fewest edits", () => {
  const names = ["help", "model", "tools", "queue", "dequeue"];
  assertEquals(nearest("modle", names), "model");
  assertEquals(nearest("he", names), "help");
  assertEquals(nearest("deque", names), "dequeue");
  assertEquals(nearest("x", []), undefined);
});

Deno.test("the nearest name is only suggested within a typo's distance", () => {
  const names = ["help", "c", "q", "model", "tools", "queue", "dequeue"];
  assertEquals(nearest("foo", names), undefined);
  assertEquals(nearest("x", names), undefined, "a one-letter word is not a typo of another");
  assertEquals(nearest("frobnicate", names), undefined);
  assertEquals(nearest("hlep", names), "help");
  assertEquals(nearest("dequeueue", names), "dequeue");
});

Deno.test("an unknown command says so and suggests the nearest", async () => {
  const r = recorder();
  assertEquals(await r.run("/tols"), "✗ Unknown command /tols: did you mean /tools? /help lists them.");
  assertEquals(await r.run("/qiut"), "✗ Unknown command /qiut: did you mean /quit? /help lists them.");
});

Deno.test("an unknown command far from every name gets no suggestion, and never the ? alias", async () => {
  const r = recorder();
  assertEquals(await r.run("/wibble"), "✗ Unknown command /wibble; /help lists the commands.");
  assertEquals(await r.run("/x"), "✗ Unknown command /x; /help lists the commands.");
  assertStringIncludes(await r.run("/?"), "Commands:", "the alias itself still works");
});

Deno.test("/help lists every command's usage", async () => {
  const text = await recorder().run("/help");
  for (const command of COMMANDS) assertStringIncludes(text, command.usage);
  assertEquals(await recorder().run("/"), text, "a bare slash shows the help too");
});

Deno.test("/help wraps a long summary under its own column, within the terminal's width", () => {
  const lines = helpLines(createPalette(false), { width: 72 });
  const first = lines.find((l) => l.startsWith("  /dequeue"))!;
  const column = first.indexOf("take");
  const after = lines[lines.indexOf(first) + 1];
  assert(after.startsWith(" ".repeat(column)) && after[column] !== " ", JSON.stringify([first, after]));
  for (const line of lines) assert(visibleWidth(line) <= 72, line);
  const narrow = helpLines(createPalette(false), { width: 40 });
  for (const line of narrow) assert(visibleWidth(line) <= 40, line);
  assertEquals(narrow[1], "  /help", "in a narrow terminal the summary goes under the usage");
  assertEquals(narrow[2], "      list the commands");
});

Deno.test("/model shows the current model and the endpoint's list with the current one marked", async () => {
  const r = recorder({ models: ["mock-model", "big-model"] });
  const text = await r.run("/model");
  assertStringIncludes(text, "Model: mock-model at http://127.0.0.1:9/v1");
  assertStringIncludes(text, "● mock-model\n  big-model");
});

Deno.test("/model lists a long catalogue only in part and points to the search", async () => {
  const ids = Array.from({ length: 100 }, (_, i) => `model-${i}`);
  const text = await recorder({ models: ids }).run("/model");
  assertStringIncludes(text, "Models at the endpoint (100):");
  assertStringIncludes(text, "… 40 more: /model <words> searches them.");
  assert(!text.includes("model-99"));
});

Deno.test("/model with an exact id switches, and a search only shows matches", async () => {
  const r = recorder({ models: ["mock-model", "big-model", "big-thinker"] });
  const search = await r.run("/model big");
  assertStringIncludes(search, 'Models matching "big" (2):\n  big-model\n  big-thinker');
  assertEquals(r.runtime.agent.model, "mock-model");
  assertStringIncludes(await r.run("/model big-thinker"), "Model set to big-thinker.");
  assertEquals(r.runtime.agent.model, "big-thinker");
  assertStringIncludes(
    await r.run("/model nothing-like-it"),
    'No model at the endpoint matches "nothing-like-it"',
  );
  assertEquals(r.runtime.agent.model, "big-thinker");
});

Deno.test("/model sets the id directly when the endpoint cannot list models", async () => {
  const r = recorder({ models: new Error("Cannot list models: HTTP 404") });
  const text = await r.run("/model local-llama");
  assertStringIncludes(text, "Model set to local-llama.");
  assertStringIncludes(text, "cannot list models (Cannot list models: HTTP 404)");
  assertEquals(r.runtime.agent.model, "local-llama");
  assertStringIncludes(await r.run("/model"), "✗ Cannot list models: HTTP 404");
});

Deno.test("model search matches every word, ignoring case", () => {
  assertEquals(matchModels(["Kimi-K2.6", "kimi-k2-thinking", "glm-4.6"], "kimi think"), ["kimi-k2-thinking"]);
});

Deno.test("/c clears the conversation but not while the agent works", async () => {
  const r = recorder();
  r.agent.messages.push({ role: "user", content: "hi" });
  assertEquals(await r.run("/c"), "Conversation cleared.");
  assertEquals(r.agent.messages, [{ role: "system", content: "sys" }]);
  const busy = recorder({ busy: true });
  busy.agent.messages.push({ role: "user", content: "hi" });
  assertStringIncludes(await busy.run("/c"), "Cannot clear the conversation while the agent works");
  assertEquals(busy.agent.messages.length, 2);
});

Deno.test("/tools lists the active tools and says which flags would add the missing ones", async () => {
  const text = await recorder().run("/tools");
  assertStringIncludes(text, "No tools are active.");
  assertStringIncludes(text, "bash left out: start nanocode with --allow-run to add it.");
});

Deno.test("/steer, /queue and /followup hand their message to the host; empty ones are refused", async () => {
  const r = recorder({ busy: true });
  await r.run("/steer use tabs");
  await r.run("/queue then test");
  await r.run("/followup then lint");
  assertEquals(r.sent, [{ text: "use tabs", echo: false }]);
  assertEquals(r.followUps, ["then test", "then lint"]);
  assertStringIncludes(await r.run("/steer"), "Cannot steer with nothing");
  assertStringIncludes(await r.run("/followup"), "Cannot queue an empty follow-up");
});

Deno.test("/queue lists the queue and /dequeue empties it, printing each message for re-entry", async () => {
  const r = recorder();
  assertEquals(await r.run("/queue"), "The queue is empty.");
  r.runtime.queue.steer("one");
  r.runtime.queue.followUp("two\nlines");
  assertEquals(await r.run("/queue"), "Queued (2):\n  1. steer: one\n  2. follow-up: two ⏎ lines");
  assertEquals(await r.run("/dequeue"), "Took 2 messages off the queue:\none\ntwo\nlines");
  assertEquals(r.runtime.queue.list(), []);
});

Deno.test("/dequeue edit replaces the queue with the edited JSON", async () => {
  const r = recorder({ edit: (text) => text.replace("one", "uno") });
  r.runtime.queue.steer("one");
  r.runtime.queue.followUp("two");
  const text = await r.run("/dequeue edit");
  assertStringIncludes(text, "Queue replaced: 2 messages.");
  assertEquals(r.runtime.queue.list(), [{ kind: "steer", text: "uno" }, { kind: "followup", text: "two" }]);
});

Deno.test("/dequeue edit prints the queue as stored, steering first", async () => {
  const r = recorder({
    edit: () => JSON.stringify([{ kind: "followup", text: "later" }, { kind: "steer", text: "now" }]),
  });
  r.runtime.queue.steer("old");
  assertEquals(
    await r.run("/dequeue edit"),
    "Queue replaced: 2 messages.\n  1. steer: now\n  2. follow-up: later",
  );
  assertEquals(r.runtime.queue.list(), [{ kind: "steer", text: "now" }, { kind: "followup", text: "later" }]);
});

Deno.test("/dequeue edit holds the messages back while the editor is open and keeps what was queued meanwhile", async () => {
  let delivered: string[] = [];
  const r = recorder({
    busy: true,
    edit(text, r) {
      // While the user edits, the agent reaches a boundary and the user queues more.
      delivered = r.queue.takeSteering();
      r.queue.steer("steered meanwhile");
      r.queue.followUp("typed meanwhile");
      return text.replace("one", "uno");
    },
  });
  r.runtime.queue.steer("one");
  r.runtime.queue.followUp("two");
  const text = await r.run("/dequeue edit");
  assertEquals(delivered, [], "a message being edited was delivered");
  assertEquals(r.runtime.queue.list(), [
    { kind: "steer", text: "uno" },
    { kind: "steer", text: "steered meanwhile" },
    { kind: "followup", text: "two" },
    { kind: "followup", text: "typed meanwhile" },
  ]);
  assertEquals(
    text,
    "Queue replaced: 2 messages, then 2 queued while the editor was open.\n" +
      "  1. steer: uno\n  2. steer: steered meanwhile\n  3. follow-up: two\n  4. follow-up: typed meanwhile",
  );
  assertEquals(r.queueRuns, 0, "the run still works and will take the queue itself");
});

Deno.test("/dequeue edit starts the next run when the run ended while the editor was open", async () => {
  const r = recorder({
    busy: true,
    edit(text, r) {
      r.busy = false;
      return text;
    },
  });
  r.runtime.queue.followUp("next");
  await r.run("/dequeue edit");
  assertEquals(r.queueRuns, 1);
  assertEquals(r.runtime.queue.list(), [{ kind: "followup", text: "next" }]);

  const idle = recorder({ edit: (text) => text });
  idle.runtime.queue.followUp("kept after an interrupt");
  await idle.run("/dequeue edit");
  assertEquals(idle.queueRuns, 0, "a queue kept while idle waits for the user");
});

Deno.test("/dequeue edit puts the messages back, then those queued meanwhile, on invalid JSON or without an editor", async () => {
  const bad = recorder({
    edit(_, r) {
      r.queue.followUp("typed meanwhile");
      return "not json\n";
    },
  });
  bad.runtime.queue.steer("keep me");
  const error = await bad.run("/dequeue edit");
  assertStringIncludes(error, "✗ Cannot read the edited queue: invalid JSON");
  // JSON.parse's message quotes the input, newline included: the end of the line must survive it.
  assert(error.endsWith("; the queue is unchanged."), error);
  assert(!error.includes("\n"), error);
  assertEquals(bad.runtime.queue.list(), [{ kind: "steer", text: "keep me" }, {
    kind: "followup",
    text: "typed meanwhile",
  }]);

  const none = recorder();
  none.runtime.queue.steer("keep me");
  const text = await none.run("/dequeue edit");
  assertStringIncludes(text, "set $VISUAL or $EDITOR");
  assert(text.endsWith("The queue is unchanged."), text);
  assertEquals(none.runtime.queue.list(), [{ kind: "steer", text: "keep me" }]);
});

Deno.test("the edited queue must be an array of {kind, text}", () => {
  assertEquals(parseQueueJson('[{"kind":"followup","text":"x"}]'), [{ kind: "followup", text: "x" }]);
  try {
    parseQueueJson("[\n  nope\n]\n");
    throw new Error("accepted invalid JSON");
  } catch (error) {
    assert(!(error as Error).message.includes("\n"), "the error spans lines");
  }
  for (
    const [text, why] of [["{}", "expected a JSON array"], [
      '[{"kind":"later","text":"x"}]',
      "item 1 must be",
    ]]
  ) {
    try {
      parseQueueJson(text);
      throw new Error(`accepted ${text}`);
    } catch (error) {
      assertStringIncludes((error as Error).message, why);
    }
  }
});

Deno.test("/btw passes the question and whether tools are allowed, even while the agent works", async () => {
  const r = recorder();
  await r.run("/btw what is this?");
  await r.run("/btw --tools where is main?");
  assertEquals(r.side, [{ question: "what is this?", tools: false }, {
    question: "where is main?",
    tools: true,
  }]);
  assertStringIncludes(await r.run("/btw"), "Cannot ask an empty side question");
  const busy = recorder({ busy: true });
  await busy.run("/btw hm");
  assertEquals(busy.side, [{ question: "hm", tools: false }]);
});

Deno.test("/skill:<name> sends the skill's expanded text, and suggests a name on a typo", async () => {
  const asked: string[][] = [];
  const r = recorder({
    skills: [{ name: "review", description: "Review code. Then more." }],
    expandSkill(name, args) {
      asked.push([name, args]);
      return Promise.resolve(`Read the diff first.\n\n${args}`);
    },
  });
  await r.run("/skill:review the parser");
  assertEquals(asked, [["review", "the parser"]]);
  assertEquals(r.sent, [{ text: "Read the diff first.\n\nthe parser", echo: false }]);
  assertStringIncludes(await r.run("/skill:reveiw"), "did you mean /skill:review?");
  assertEquals(asked.length, 1, "an unknown name is not expanded");
  assertStringIncludes(await r.run("/skills"), "review — Review code.");
});

Deno.test("/skill:<name> whose file cannot be read says why on one line and sends nothing", async () => {
  const r = recorder({
    skills: [{ name: "gone", description: "Was here." }],
    expandSkill: () => Promise.reject(new Error("Cannot read skill gone:\nno such file")),
  });
  assertEquals(await r.run("/skill:gone"), "✗ Cannot read skill gone: no such file");
  assertEquals(r.sent, []);
});

Deno.test("Tab completes commands and skills, never the skill:<name> placeholder", () => {
  const skills = [{ name: "review" }, { name: "release" }];
  assertEquals(completions("mo", { commands: COMMANDS, skills }), ["model"]);
  assertEquals(completions("skill:re", { commands: COMMANDS, skills }), ["skill:review", "skill:release"]);
  assert(!completions("", { commands: COMMANDS, skills: [] }).includes("skill:<name>"));
});

Deno.test("/skills says where to add skills when there are none", async () => {
  assertStringIncludes(await recorder().run("/skills"), "No skills found: add a folder with a SKILL.md");
});

Deno.test("/reload rebuilds the prompt and prints the warnings it returns", async () => {
  const text = await recorder().run("/reload");
  assertStringIncludes(text, "Reloaded context files and skills (0 skills).");
  assertStringIncludes(text, "! AGENTS.md could not be read");
  assert(!text.includes("MCP"), text);
});

Deno.test("/reload names the MCP servers it restarted, and waits until the agent is idle", async () => {
  const r = recorder();
  r.runtime.mcp = {
    servers: () => [{ name: "fx", state: "starting", transport: "stdio", tools: [], fromCache: false }],
    start: () => {},
  };
  assertStringIncludes(await r.run("/reload"), "Restarted 1 MCP server from mcp.json; /mcp shows them.");
  r.busy = true;
  assertEquals(
    await r.run("/reload"),
    "✗ Cannot reload while the agent works: wait for it to finish, or press Ctrl-C to stop it.",
  );
});

Deno.test("/mcp shows each server's state, transport, tool count and last error; tools and reload act on them", async () => {
  const r = recorder();
  assertEquals(
    await r.run("/mcp"),
    "No MCP servers are configured: add them to .nanocode/mcp.json (mcpServers), then /mcp reload.",
  );
  let reloads = 0;
  let started = 0;
  const tools = [{ name: "echo", description: "Echo the text. More words." }, {
    name: "add",
    description: "Add.",
  }];
  let servers = [
    { name: "fx", state: "running", transport: "stdio", tools, fromCache: false },
    {
      name: "web",
      state: "failed",
      transport: "http",
      tools: [],
      fromCache: false,
      error: "HTTP 401\nunauthorised",
    },
    { name: "off", state: "disabled", transport: "stdio", tools: [], fromCache: false },
  ];
  const mcp = { servers: () => servers, start: () => void started++ };
  r.runtime.mcp = mcp;
  const status = [
    "MCP servers (3):",
    "  fx  running  stdio  2 tools",
    "  web  failed  http  0 tools",
    "    last error: HTTP 401 unauthorised",
    "  off  disabled  stdio  0 tools",
  ].join("\n");
  assertEquals(await r.run("/mcp"), status);
  assertEquals(await r.run("/mcp status"), status);
  assert(started > 0, "listing the servers starts connecting them");
  assertEquals(await r.run("/mcp tools fx"), "Tools of fx (2):\n  echo — Echo the text.\n  add — Add.");
  assertEquals(await r.run("/mcp tools web"), "web lists no tools yet (failed).");
  assertEquals(
    await r.run("/mcp tools nope"),
    '✗ Cannot find MCP server "nope": the configured servers are fx, web, off.',
  );
  assertEquals(
    await r.run("/mcp search echo"),
    "MCP search is not available: no MCP server is configured.",
  );
  assertEquals(
    await r.run("/mcp reload"),
    "✗ Cannot reload the MCP servers: this session cannot re-read mcp.json.",
  );
  // The runtime's reload replaces the servers (here: the failed one works now) and returns warnings.
  r.runtime.reloadMcp = () => {
    reloads++;
    servers = servers.map((s) => s.state === "failed" ? { ...s, state: "running", error: undefined } : s);
    r.runtime.mcp = mcp;
    return Promise.resolve(['Skipped MCP server "broken" in mcp.json: it names no command or url']);
  };
  const reloaded = await r.run("/mcp reload");
  assertStringIncludes(
    reloaded,
    'Closing the MCP servers and reading mcp.json again…\n! Skipped MCP server "broken"',
  );
  assertStringIncludes(reloaded, "MCP servers (3):\n  fx  running");
  assertEquals(reloads, 1);
  assert(!(await r.run("/mcp")).includes("last error"));
  r.runtime.reloadMcp = () => {
    delete r.runtime.mcp;
    return Promise.resolve([]);
  };
  assertStringIncludes(await r.run("/mcp reload"), "No MCP servers are configured");
  r.busy = true;
  assertEquals(
    await r.run("/mcp reload"),
    "✗ Cannot reload the MCP servers while the agent works: wait for it to finish, or press Ctrl-C to stop it.",
  );
  r.busy = false;
  r.runtime.mcp = mcp;
  assertEquals(
    await r.run("/mcp restart"),
    "✗ Cannot read that: use /mcp status, /mcp tools <server>, /mcp search <query>, /mcp login <server>, /mcp logout <server> or /mcp reload.",
  );
  assertStringIncludes(
    await r.run("/help"),
    "/mcp [subcommand]          the MCP servers: status",
  );
});

Deno.test("/mcp login and logout go through the runtime, show the page's address, and say what to do", async () => {
  const r = recorder();
  let servers = [{
    name: "web",
    state: "failed",
    transport: "http",
    tools: [],
    fromCache: false,
    error: "it needs an OAuth login: run /mcp login web",
    auth: "needed",
  }];
  r.runtime.mcp = { servers: () => servers, start: () => {} };
  assertStringIncludes(await r.run("/mcp"), "  web  failed  http  0 tools  needs /mcp login web");
  assertEquals(
    await r.run("/mcp login web"),
    "✗ Cannot log in here: this session has no MCP servers of its own.",
  );
  const logins: string[] = [];
  r.runtime.loginMcp = (name, say) => {
    logins.push(name);
    say(`Authorize nanocode for ${name} in your browser: http://127.0.0.1:1/authorize`);
    servers = [{
      ...servers[0],
      state: "running",
      error: undefined as unknown as string,
      auth: "authorized",
    }];
    return Promise.resolve({ ...servers[0], tools: [{ name: "a", description: "" }] });
  };
  assertEquals(
    await r.run("/mcp login web"),
    [
      "Logging in to web; finish in the browser (nanocode waits up to 5 minutes)…",
      "Authorize nanocode for web in your browser: http://127.0.0.1:1/authorize",
      "✓ Logged in to web: 1 tool.",
    ].join("\n"),
  );
  assertEquals(logins, ["web"]);
  assertStringIncludes(await r.run("/mcp"), "  web  running  http  0 tools  OAuth");
  r.runtime.loginMcp = () =>
    Promise.reject(new Error('Cannot log in to MCP server "web": the login was cancelled.'));
  assertEquals(
    await r.run("/mcp login web"),
    [
      "Logging in to web; finish in the browser (nanocode waits up to 5 minutes)…",
      '✗ Cannot log in to MCP server "web": the login was cancelled.',
    ].join("\n"),
  );
  r.runtime.logoutMcp = () => Promise.resolve(true);
  assertEquals(await r.run("/mcp logout web"), "Logged out of web: its tokens are forgotten.");
  assertEquals(await r.run("/mcp login"), "✗ Cannot log in: name one server, /mcp login <server>.");
  r.busy = true;
  assertEquals(
    await r.run("/mcp login web"),
    "✗ Cannot log in to web while the agent works: wait for it to finish, or press Ctrl-C to stop it.",
  );
});

Deno.test("/mcp search runs the mcp_search tool and prints its lines", async () => {
  const r = recorder();
  const queries: unknown[] = [];
  const search: Tool = {
    name: "mcp_search",
    description: "",
    parameters: {},
    permissions: [],
    execute: (args) => {
      queries.push(args.query);
      return Promise.resolve({ content: [{ type: "text", text: "- fx.echo - Echo the text.\n(1 of 1)" }] });
    },
  };
  r.runtime.tools = [search];
  r.runtime.mcp = { servers: () => [], start: () => {} };
  assertEquals(await r.run("/mcp search echo text"), "- fx.echo - Echo the text.\n(1 of 1)");
  assertEquals(queries, ["echo text"]);
  assertEquals(await r.run("/mcp search"), "✗ Cannot search for nothing: /mcp search <query>.");
});

Deno.test("/jobs lists the child jobs, /jobs cancel <id> stops one, and a bad id or form says what to do", async () => {
  const r = recorder();
  assertEquals(
    await r.run("/jobs"),
    "Background jobs are not available: this nanocode cannot start child jobs.",
  );
  const noResults = { onResult: () => () => {}, takeInput: () => undefined, waiting: 0 };
  const cancelled: string[] = [];
  const jobs = [
    { id: "nano-1", state: "done", elapsedSeconds: () => 12, spec: { prompt: "find the\nflaky test" } },
    { id: "nano-2", state: "running", elapsedSeconds: () => 3, spec: { prompt: "x".repeat(80) } },
  ];
  r.runtime.jobs = {
    ...noResults,
    list: () => jobs,
    cancel: (id) => {
      if (!jobs.some((j) => j.id === id)) {
        return Promise.reject(
          new RangeError(`Cannot find nanocode job "${id}": the known jobs are nano-1, nano-2`),
        );
      }
      cancelled.push(id);
      return Promise.resolve(id === "nano-2");
    },
  };
  assertEquals(
    await r.run("/jobs"),
    `Jobs (2):\n  nano-1  done  12s  find the flaky test\n  nano-2  running  3s  ${"x".repeat(59)}…`,
  );
  assertEquals(await r.run("/jobs cancel nano-2"), "Cancelled nano-2; no result will be delivered for it.");
  assertEquals(await r.run("/jobs cancel nano-1"), "nano-1 had already ended.");
  assertEquals(
    await r.run("/jobs cancel nano-7"),
    '✗ Cannot find nanocode job "nano-7": the known jobs are nano-1, nano-2',
  );
  assertEquals(
    await r.run("/jobs stop"),
    "✗ Cannot read that: use /jobs to list the jobs, or /jobs cancel <id> to stop one.",
  );
  assertEquals(cancelled, ["nano-2", "nano-1"]);
  r.runtime.jobs = { ...noResults, list: () => [], cancel: () => Promise.resolve(false) };
  assertEquals(await r.run("/jobs"), "No nanocode jobs yet: the model starts them with its nanocode tool.");
});

Deno.test("/context shows the tokens in use of the window, by part, what remains, the trigger and what would be kept", async () => {
  const r = recorder();
  r.agent.messages.push({ role: "user", content: "hi" });
  const text = await r.run("/context");
  assertStringIncludes(text, "Context: 12k of 128k tokens (9.4%)");
  assertStringIncludes(text, "system prompt     1.0k");
  assertStringIncludes(text, "tool schemas      3.0k");
  assertStringIncludes(text, "messages          8.0k");
  assertStringIncludes(text, "remaining         116k  91%");
  assertStringIncludes(text, "compaction at     109k  85% · automatic");
  assertStringIncludes(text, "keep the latest 5.0k tokens as they are and summarise the 3.0k before them");
  assertStringIncludes(text, "the endpoint's last count");
});

Deno.test("/context says when automatic compaction is off and when nothing could be compacted", () => {
  const palette = createPalette(false);
  const report: ContextReport = {
    total: 900,
    system: 500,
    tools: 300,
    messages: 100,
    anchored: false,
    window: 4_000,
    trigger: 3_400,
    auto: false,
  };
  const empty = contextLines(report, { palette, hasMessages: false }).join("\n");
  assertStringIncludes(empty, "automatic compaction is off (NANOCODE_COMPACTION=0): /compact by hand");
  assertStringIncludes(empty, "Nothing to compact yet");
  assertStringIncludes(empty, "Estimated at about 4 characters a token");
  const recent = contextLines(report, { palette, hasMessages: true }).join("\n");
  assertStringIncludes(recent, "The whole conversation is recent");
  const over = contextLines({ ...report, total: 4_500 }, { palette, hasMessages: true }).join("\n");
  assertStringIncludes(over, "over the window by 500 tokens");
});

Deno.test("/compact asks the host to compact with the instructions, never while the agent works", async () => {
  const r = recorder();
  assertStringIncludes(await r.run("/compact"), "Nothing to compact yet");
  r.agent.messages.push({ role: "user", content: "hi" });
  await r.run("/compact keep the API names");
  await r.run("/compact");
  assertEquals(r.compactions, ["keep the API names", undefined]);
  const busy = recorder({ busy: true });
  busy.agent.messages.push({ role: "user", content: "hi" });
  assertStringIncludes(await busy.run("/compact"), "Cannot compact the conversation while the agent works");
  assertEquals(busy.compactions, []);
});

Deno.test("/q, /quit and exit quit", async () => {
  for (const line of ["/q", "/quit", "exit"]) {
    const r = recorder();
    await r.run(line);
    assert(r.quit, line);
  }
});

Deno.test("/mcp waits for servers still starting, then shows how they ended", async () => {
  const r = recorder();
  let state = "starting";
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => settle = resolve);
  r.runtime.mcp = {
    servers: () => [{ name: "fx", state, transport: "stdio", tools: [], fromCache: false }],
    start: () => {},
    settled: () => settled,
  };
  const shown = r.run("/mcp");
  state = "running";
  settle();
  assertEquals(await shown, "Connecting 1 MCP server…\nMCP servers (1):\n  fx  running  stdio  0 tools");
});

Deno.test("/mcp shows what was wrong with the configuration, also when no server is left", async () => {
  const r = recorder();
  const warning =
    'Skipped MCP server "bad" in /p/.nanocode/mcp.json: it needs "command" (a local server) or "url" (a remote one).';
  Object.assign(r.runtime, { mcpWarnings: [warning] });
  assertEquals(
    await r.run("/mcp"),
    `! ${warning}\nNo MCP servers are configured: add them to .nanocode/mcp.json (mcpServers), then /mcp reload.`,
  );
  r.runtime.mcp = {
    servers: () => [{ name: "fx", state: "running", transport: "stdio", tools: [], fromCache: false }],
    start: () => {},
  };
  assertEquals(await r.run("/mcp status"), `MCP servers (1):\n  fx  running  stdio  0 tools\n! ${warning}`);
});
