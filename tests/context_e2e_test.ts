/**
 * The system prompt the model actually receives, end to end: main.ts against the mock endpoint with
 * a temporary HOME and project tree.
 */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { runMain } from "./support/run_main.ts";

async function tree(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "nanocode-ctx-" });
  for (const [path, content] of Object.entries(files)) {
    const full = `${root}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, content);
  }
  return root;
}

async function systemPrompt(
  args: string[],
  root: string,
  cwd: string,
): Promise<{ prompt: string; stderr: string }> {
  const mock = await startMockLlm({ turns: [{ text: "ok" }] });
  try {
    const result = await runMain(["-p", ...args, "hi"], {
      env: { OPENAI_BASE_URL: mock.url, HOME: `${root}/home` },
      cwd,
    });
    assertEquals(result.code, 0, result.stderr);
    const [system] = mock.requests[0].body.messages;
    assertEquals(system.role, "system");
    return { prompt: system.content, stderr: result.stderr };
  } finally {
    await mock.close();
  }
}

const SKILL =
  "---\nname: deploy\ndescription: Ship the app to production safely.\n---\nRun the deploy script.\n";

Deno.test("the model receives the built-in prompt, appends, context files in order and skills", async () => {
  const root = await tree({
    "home/.nanocode/AGENTS.md": "GLOBAL RULES",
    "project/.nanocode/AGENTS.md": "PROJECT RULES",
    "project/.nanocode/APPEND_SYSTEM.md": "PROJECT APPEND",
    "project/.nanocode/skills/deploy/SKILL.md": SKILL,
    "project/sub/.nanocode/CLAUDE.md": "SUB RULES",
  });
  const cwd = `${root}/project/sub`;
  const { prompt } = await systemPrompt([], root, cwd);
  assert(prompt.startsWith("You are nanocode"), prompt.slice(0, 80));
  assertStringIncludes(prompt, `- Working directory: ${cwd}`);
  assertStringIncludes(prompt, "- bash: ");
  const order = [
    "PROJECT APPEND",
    "GLOBAL RULES",
    "PROJECT RULES",
    "SUB RULES",
    "Ship the app to production safely.",
  ]
    .map((marker) => prompt.indexOf(marker));
  assert(order.every((i) => i >= 0), `missing a marker: ${order}`);
  assertEquals([...order].sort((a, b) => a - b), order);
  assertStringIncludes(prompt, `${root}/project/.nanocode/skills/deploy/SKILL.md`);
  assertStringIncludes(prompt, `${root}/project/sub/.nanocode/CLAUDE.md`);
});

Deno.test("--no-context-files leaves context files and skills out of the prompt", async () => {
  const root = await tree({
    "home/.nanocode/AGENTS.md": "GLOBAL RULES",
    "project/.nanocode/AGENTS.md": "PROJECT RULES",
    "project/.nanocode/skills/deploy/SKILL.md": SKILL,
  });
  const { prompt } = await systemPrompt(["--no-context-files"], root, `${root}/project`);
  assert(prompt.startsWith("You are nanocode"));
  for (const absent of ["GLOBAL RULES", "PROJECT RULES", "deploy"]) {
    assertEquals(prompt.includes(absent), false, absent);
  }
});

Deno.test("a project SYSTEM.md replaces the built-in prompt; bad skills are reported in one line each", async () => {
  const root = await tree({
    "project/.nanocode/SYSTEM.md": "CUSTOM BASE PROMPT",
    "project/.nanocode/skills/broken/SKILL.md": "---\nname: broken\n---\nno description\n",
  });
  const { prompt, stderr } = await systemPrompt([], root, `${root}/project`);
  assert(prompt.startsWith("CUSTOM BASE PROMPT"), prompt.slice(0, 80));
  assertEquals(prompt.includes("You are nanocode"), false);
  const warning = stderr.split("\n").filter((l) => l.includes("broken/SKILL.md"));
  assertEquals(warning.length, 1, stderr);
});
