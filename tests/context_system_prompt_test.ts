import { deepEqual, equal, rejects } from "node:assert/strict";
import { UsageError } from "../lib/core/errors.ts";
import {
  buildSystemPrompt,
  builtInSystemPrompt,
  readTextOrFile,
  type ToolSummary,
} from "../lib/context/mod.ts";

/** The lines of a list of warnings. */
const texts = (warnings: readonly { text: string }[]) => warnings.map((w) => w.text);
import { makeTree } from "./support/file_tree.ts";

const TOOLS: ToolSummary[] = [
  { name: "read", description: "Read a file.\nSupports offset and limit." },
  { name: "bash", description: "  Run a shell command." },
];
const DATE = new Date(2025, 0, 15, 23, 59);

function options(tree: { path(relative: string): string }, cwd = "p") {
  return { cwd: tree.path(cwd), home: tree.path("home"), tools: TOOLS, date: DATE, platform: "linux" };
}

Deno.test("the system prompt for a small tree is exactly the built-in prompt, appends, context and skills", async () => {
  await using tree = await makeTree({
    "home/.nanocode/AGENTS.md": "Global rules.\n",
    "home/.nanocode/APPEND_SYSTEM.md": "\n\nGlobal append.\n\n",
    "p/.nanocode/AGENTS.md": "Project rules.\n",
    "p/.nanocode/append-system.md": "Project append.\n",
    "p/.nanocode/skills/review/SKILL.md":
      "---\nname: review\ndescription: |\n  Review code\n  carefully.\n---\n",
  });
  const result = await buildSystemPrompt({ ...options(tree), appendOverride: "Flag append." });
  const expected =
    `You are nanocode, a coding agent working in the user's terminal. You help with software work: \
reading and changing code, running commands, tracking down bugs and explaining what you find.

Tools:
- read: Read a file.
- bash: Run a shell command.

How to work:
- Understand before you change: read the relevant code and look for related uses first.
- Make focused changes that follow the project's existing style, libraries and layout; edit files rather \
than rewriting them.
- Check your work: run the tests, the type checker or the program where you can, and say what you ran and \
what happened.
- Look facts up with the tools instead of guessing; ask the user when a request is unclear.
- Never discard work you did not create (uncommitted changes, other people's files) unless asked.
- Keep answers short and concrete, and name files by their paths.

Environment:
- Working directory: ${tree.path("p")}
- Platform: linux
- Date: 2025-01-15

Global append.

Project append.

Flag append.

# Context files

The user's standing instructions, outermost folder first; where two files differ, the later (nearer) one \
wins.

## ${tree.path("home/.nanocode/AGENTS.md")}

Global rules.

## ${tree.path("p/.nanocode/AGENTS.md")}

Project rules.

# Skills

A skill holds instructions for one kind of task. When a task matches a skill's description, read the \
skill's file with the read tool before starting and follow it; resolve relative paths in it against the \
skill's folder.

- review: Review code carefully.
  File: ${tree.path("p/.nanocode/skills/review/SKILL.md")}`;
  equal(result.prompt, expected);
  deepEqual(texts(result.warnings), []);
  equal(result.systemPromptPath, null);
  deepEqual(result.appendPaths, [
    tree.path("home/.nanocode/APPEND_SYSTEM.md"),
    tree.path("p/.nanocode/append-system.md"),
  ]);
  deepEqual(result.contextFiles.map((file) => file.content), ["Global rules.\n", "Project rules.\n"]);
  deepEqual(result.skills.map((skill) => skill.name), ["review"]);
});

Deno.test("the built-in prompt says when no tools are available", () => {
  const prompt = builtInSystemPrompt({ cwd: "/w", tools: [], date: DATE, platform: "darwin" });
  equal(prompt.includes("Tools:\n- none in this session: answer from the conversation alone.\n\n"), true);
  equal(prompt.endsWith("- Working directory: /w\n- Platform: darwin\n- Date: 2025-01-15"), true);
});

Deno.test("the nearest project SYSTEM.md replaces the base prompt before the global one", async () => {
  await using tree = await makeTree({
    "home/.nanocode/SYSTEM.md": "Global system.",
    "p/.nanocode/SYSTEM.md": "Outer system.",
    "p/q/.nanocode/system.md": "Inner system.",
  });
  const inner = await buildSystemPrompt(options(tree, "p/q"));
  equal(inner.prompt, "Inner system.");
  equal(inner.systemPromptPath, tree.path("p/q/.nanocode/system.md"));
  equal((await buildSystemPrompt(options(tree, "p"))).prompt, "Outer system.");
  equal((await buildSystemPrompt(options(tree, "elsewhere"))).prompt, "Global system.");
});

Deno.test("without any SYSTEM.md the built-in prompt is the base", async () => {
  await using tree = await makeTree({ "p/.nanocode/AGENTS.md": "Rules." });
  const result = await buildSystemPrompt(options(tree));
  equal(result.prompt.startsWith(builtInSystemPrompt(options(tree)) + "\n\n# Context files\n\n"), true);
});

Deno.test("only the nearest project append file counts, and APPEND_SYSTEM.md wins over the other spellings", async () => {
  await using tree = await makeTree({
    "p/.nanocode/APPEND_SYSTEM.md": "Outer append.",
    "p/q/.nanocode/append_system.md": "Inner append.",
    "p/q/.nanocode/append-system.md": "Inner hyphen append.",
    "p/q/.nanocode/SYSTEM.md": "Base.",
  });
  const result = await buildSystemPrompt(options(tree, "p/q"));
  equal(result.prompt, "Base.\n\nInner append.");
  deepEqual(texts(result.warnings), [
    `Ignored ${tree.path("p/q/.nanocode/append-system.md")}: append_system.md in the same folder is used ` +
    "instead; merge the two files.",
  ]);
});

Deno.test("a system prompt override replaces SYSTEM.md but keeps appends and context files", async () => {
  await using tree = await makeTree({
    "p/.nanocode/SYSTEM.md": "File system.",
    "p/.nanocode/APPEND_SYSTEM.md": "File append.",
    "p/.nanocode/AGENTS.md": "Rules.",
  });
  const result = await buildSystemPrompt({ ...options(tree), systemPromptOverride: "Flag system." });
  equal(
    result.prompt,
    `Flag system.\n\nFile append.\n\n# Context files\n\nThe user's standing instructions, outermost folder ` +
      `first; where two files differ, the later (nearer) one wins.\n\n## ${
        tree.path("p/.nanocode/AGENTS.md")
      }\n\nRules.`,
  );
  equal(result.systemPromptPath, null);
});

Deno.test("noContextFiles leaves out every file but keeps the built-in prompt and the overrides", async () => {
  await using tree = await makeTree({
    "home/.nanocode/AGENTS.md": "Global rules.",
    "home/.nanocode/APPEND_SYSTEM.md": "Global append.",
    "p/.nanocode/SYSTEM.md": "File system.",
    "p/.nanocode/skills/review/SKILL.md": "---\nname: review\ndescription: Review.\n---\n",
    "p/.nanocode/AGENTS.md": null,
  });
  const plain = await buildSystemPrompt({ ...options(tree), noContextFiles: true });
  deepEqual(plain, {
    prompt: builtInSystemPrompt(options(tree)),
    contextFiles: [],
    skills: [],
    warnings: [],
    systemPromptPath: null,
    appendPaths: [],
  });
  const flags = await buildSystemPrompt({
    ...options(tree),
    noContextFiles: true,
    systemPromptOverride: "Flag system.",
    appendOverride: "Flag append.",
  });
  equal(flags.prompt, "Flag system.\n\nFlag append.");
});

Deno.test("skills are left out of the prompt when no read tool is offered", async () => {
  await using tree = await makeTree({
    "p/.nanocode/SYSTEM.md": "Base.",
    "p/.nanocode/skills/review/SKILL.md": "---\nname: review\ndescription: Review.\n---\n",
  });
  const result = await buildSystemPrompt({
    ...options(tree),
    tools: [{ name: "bash", description: "Run." }],
  });
  equal(result.prompt, "Base.");
  deepEqual(result.skills.map((skill) => skill.name), ["review"]);
});

Deno.test("an unreadable SYSTEM.md is reported and the next one is used", async () => {
  await using tree = await makeTree({
    "home/.nanocode/SYSTEM.md": "Global system.",
    "p/.nanocode/SYSTEM.md": new Uint8Array([0xc3, 0x28]),
  });
  const result = await buildSystemPrompt(options(tree));
  equal(result.prompt, "Global system.");
  deepEqual(texts(result.warnings), [
    `Skipped ${tree.path("p/.nanocode/SYSTEM.md")}: it is not valid UTF-8; save it as UTF-8.`,
  ]);
});

Deno.test("warnings from context files and skills reach the prompt's caller", async () => {
  await using tree = await makeTree({
    "p/.nanocode/AGENTS.md": null,
    "p/.nanocode/skills/broken/SKILL.md": "# no front matter\n",
  });
  const result = await buildSystemPrompt(options(tree));
  deepEqual(texts(result.warnings), [
    `Skipped context file ${tree.path("p/.nanocode/AGENTS.md")}: it is a directory; replace it with a text ` +
    "file or remove it.",
    `Skipped skill ${
      tree.path("p/.nanocode/skills/broken/SKILL.md")
    }: it has no front matter; start it with a ` +
    "--- block holding name and description.",
  ]);
});

Deno.test("readTextOrFile reads a value naming a file relative to the cwd", async () => {
  await using tree = await makeTree({ "p/prompts/review.md": "Review prompt.\n" });
  equal(await readTextOrFile("prompts/review.md", tree.path("p")), "Review prompt.\n");
  equal(await readTextOrFile(tree.path("p/prompts/review.md"), "/"), "Review prompt.\n");
});

Deno.test("readTextOrFile returns text that names no file unchanged", async () => {
  await using tree = await makeTree({ "p/prompts": null });
  equal(await readTextOrFile("Be terse.", tree.path("p")), "Be terse.");
  equal(await readTextOrFile("prompts", tree.path("p")), "prompts");
  equal(await readTextOrFile("line one\nline two", tree.path("p")), "line one\nline two");
  equal(await readTextOrFile("", tree.path("p")), "");
});

Deno.test("readTextOrFile rejects a named file that is not valid UTF-8", async () => {
  await using tree = await makeTree({ "p/bad.md": new Uint8Array([0xff]) });
  await rejects(
    readTextOrFile("bad.md", tree.path("p")),
    (error: unknown) =>
      error instanceof UsageError && error.message.startsWith(`Cannot read ${tree.path("p/bad.md")}`),
  );
});

Deno.test("a hidden skill stays out of the prompt but is still found", async () => {
  await using tree = await makeTree({
    "p/.nanocode/SYSTEM.md": "Base.",
    "p/.nanocode/skills/manual/SKILL.md":
      "---\nname: manual\ndescription: Only by hand.\ndisable-model-invocation: true\n---\n",
    "p/.nanocode/skills/review/SKILL.md": "---\nname: review\ndescription: Review.\n---\n",
  });
  const result = await buildSystemPrompt(options(tree));
  equal(result.prompt.includes("manual"), false);
  equal(result.prompt.includes("- review: Review."), true);
  deepEqual(result.skills.map((skill) => skill.name), ["manual", "review"]);
});

Deno.test("nanocodeDir supplies the global SYSTEM.md and APPEND_SYSTEM.md instead of ~/.nanocode", async () => {
  await using tree = await makeTree({
    "home/.nanocode/SYSTEM.md": "Old system.",
    "home/.nanocode/APPEND_SYSTEM.md": "Old append.",
    "custom/SYSTEM.md": "Custom system.",
    "custom/APPEND_SYSTEM.md": "Custom append.",
    "p/.nanocode/AGENTS.md": "",
  });
  const result = await buildSystemPrompt({ ...options(tree), nanocodeDir: tree.path("custom") });
  equal(result.prompt, "Custom system.\n\nCustom append.");
  deepEqual([result.systemPromptPath, result.appendPaths], [
    tree.path("custom/SYSTEM.md"),
    [tree.path("custom/APPEND_SYSTEM.md")],
  ]);
});

Deno.test("the built-in prompt says in one line that bash reloads mise, only when it does", () => {
  const base = { cwd: "/w", tools: TOOLS, date: DATE, platform: "linux" };
  const line = "- bash loads the project's mise environment (`mise env`) before every command, so a change " +
    "to .mise.toml or .tool-versions takes effect in the next command.";
  equal(builtInSystemPrompt({ ...base, miseHotReload: true }).endsWith(`- Date: 2025-01-15\n${line}`), true);
  equal(builtInSystemPrompt(base).includes("mise"), false);
  equal(builtInSystemPrompt({ ...base, miseHotReload: false }).includes("mise"), false);
});
