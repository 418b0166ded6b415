/**
 * The original nanocode's settings and flags, end to end: main.ts against the mock endpoint, looking at
 * what reaches the model (headers, body, system prompt) and what a bash call sees.
 */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { type MockTurn, type RecordedRequest, startMockLlm } from "./support/mock_llm.ts";
import { runMain } from "./support/run_main.ts";
import { makeTree } from "./support/file_tree.ts";
import { VERSION } from "../lib/core/mod.ts";

/** Runs `nanocode -p <args> hi` against a mock scripted with `turns`; returns the requests it got. */
async function run(
  args: string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    turns?: MockTurn[];
    url?: (base: string) => string;
  } = {},
): Promise<{ requests: RecordedRequest[]; stderr: string }> {
  const mock = await startMockLlm({ turns: options.turns ?? [{ text: "ok" }] });
  try {
    const endpoint: Record<string, string> = options.url
      ? { OPENAI_API_URL: options.url(new URL(mock.url).origin) }
      : { OPENAI_BASE_URL: mock.url };
    const result = await runMain(["-p", ...args, "hi"], {
      env: { ...endpoint, MODEL: "mock-model", ...options.env },
      cwd: options.cwd,
    });
    assertEquals(result.code, 0, result.stderr);
    return { requests: mock.requests, stderr: result.stderr };
  } finally {
    await mock.close();
  }
}

function systemOf(request: RecordedRequest): string {
  const [system] = request.body.messages;
  assertEquals(system.role, "system");
  return system.content;
}

const MISE_LINE = "bash loads the project's mise environment (`mise env`) before every command";

Deno.test("requests carry max_tokens 8192, tool_choice auto and the user agent by default", async () => {
  const { requests: [request] } = await run([]);
  assertEquals([request.body.max_tokens, request.body.tool_choice], [8192, "auto"]);
  assertEquals(request.headers["user-agent"], `nanocode/${VERSION}`);
});

Deno.test("NANOCODE_MAX_TOKENS and NANOCODE_USER_AGENT change what the model request carries", async () => {
  const { requests: [limited] } = await run([], {
    env: { NANOCODE_MAX_TOKENS: "1234", NANOCODE_USER_AGENT: "acme-agent/3" },
  });
  assertEquals([limited.body.max_tokens, limited.headers["user-agent"]], [1234, "acme-agent/3"]);
  const { requests: [unlimited] } = await run(["--tools", "none"], { env: { NANOCODE_MAX_TOKENS: "0" } });
  assertEquals(["max_tokens" in unlimited.body, "tool_choice" in unlimited.body], [false, false]);
});

Deno.test("OPENAI_API_URL sends chat requests to that URL as given", async () => {
  const { requests: [request] } = await run([], {
    url: (origin) => `${origin}/deployments/m/chat/completions?api-version=2`,
  });
  assertEquals(request.path, "/deployments/m/chat/completions");
});

Deno.test("NANOCODE_DIR replaces ~/.nanocode for context files, append files and skills", async () => {
  await using tree = await makeTree({
    "home/.nanocode/AGENTS.md": "OLD GLOBAL RULES",
    "custom/AGENTS.md": "CUSTOM RULES",
    "custom/APPEND_SYSTEM.md": "CUSTOM APPEND",
    "custom/skills/deploy.md": "---\ndescription: Ship the app safely.\n---\nRun it.\n",
    "project/README": "",
  });
  const { requests: [request] } = await run([], {
    env: { HOME: tree.path("home"), NANOCODE_DIR: tree.path("custom") },
    cwd: tree.path("project"),
  });
  const prompt = systemOf(request);
  for (const text of ["CUSTOM RULES", "CUSTOM APPEND", "- deploy: Ship the app safely."]) {
    assertStringIncludes(prompt, text);
  }
  assertEquals(prompt.includes("OLD GLOBAL RULES"), false);
});

Deno.test("-nc leaves out context files, and repeated prompt flags join and add in order", async () => {
  await using tree = await makeTree({
    "project/.nanocode/AGENTS.md": "PROJECT RULES",
    "extra.md": "FROM FILE",
  });
  const { requests: [request] } = await run([
    "-nc",
    "--system-prompt",
    "BASE ONE",
    "--system-prompt",
    "BASE TWO",
    "--append-system-prompt",
    tree.path("extra.md"),
    "--append-system-prompt",
    "APPEND TWO",
  ], { cwd: tree.path("project") });
  assertEquals(systemOf(request), "BASE ONE\n\nBASE TWO\n\nFROM FILE\n\nAPPEND TWO");
});

Deno.test("--tools all and the original's set names offer the same tools as the default", async () => {
  const names = (request: RecordedRequest) =>
    (request.body.tools as { function: { name: string } }[]).map((t) => t.function.name);
  const { requests: [plain] } = await run([]);
  for (const value of ["all", "*", "pi"]) {
    const { requests: [request] } = await run(["--tools", value]);
    assertEquals(names(request), names(plain), value);
  }
});

Deno.test("a skill with disable-model-invocation: true stays out of the prompt the model gets", async () => {
  await using tree = await makeTree({
    "project/.nanocode/skills/manual/SKILL.md":
      "---\nname: manual\ndescription: Only when asked.\ndisable-model-invocation: true\n---\n",
    "project/.nanocode/skills/review/SKILL.md": "---\nname: review\ndescription: Review code.\n---\n",
  });
  const { requests: [request] } = await run([], { cwd: tree.path("project") });
  const prompt = systemOf(request);
  assertStringIncludes(prompt, "- review: Review code.");
  assertEquals(prompt.includes("manual"), false);
});

Deno.test("with mise on PATH the prompt says bash reloads it, and a bash call sees mise's environment", async () => {
  await using tree = await makeTree({
    "bin/mise": '#!/bin/sh\necho "export FROM_MISE=\\"$(cat .tool-versions)\\""\n',
    "project/.tool-versions": "node 22",
  });
  await Deno.chmod(tree.path("bin/mise"), 0o755);
  const PATH = `${tree.path("bin")}:${Deno.env.get("PATH")}`;
  const turns: MockTurn[] = [
    { toolCalls: [{ name: "bash", arguments: { command: 'echo "mise says $FROM_MISE"' } }] },
    { text: "done" },
  ];
  const { requests } = await run([], { env: { PATH }, cwd: tree.path("project"), turns });
  assertStringIncludes(systemOf(requests[0]), MISE_LINE);
  const result = requests[1].body.messages.at(-1);
  assertEquals([result.role, result.content], ["tool", "mise says node 22"]);

  const { requests: [off] } = await run([], { env: { PATH, NANOCODE_MISE_HOT_RELOAD: "0" } });
  assertEquals(systemOf(off).includes("mise"), false);
  const { requests: [missing] } = await run([]);
  assert(!systemOf(missing).includes("mise"));
});
