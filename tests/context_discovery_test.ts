import { deepEqual, equal, match, rejects } from "node:assert/strict";
import { discoverContextFiles, discoverSkills, expandSkillCommand } from "../lib/context/mod.ts";

/** The lines of a list of warnings. */
const texts = (warnings: readonly { text: string }[]) => warnings.map((w) => w.text);
import { makeTree } from "./support/file_tree.ts";

const INVALID_UTF8 = new Uint8Array([0x23, 0x20, 0xff, 0xfe, 0x0a]);

function skill(name: string, description: string, body = "Body.\n"): string {
  return `---\nname: ${name}\ndescription: ${description}\n---\n${body}`;
}

/** Whether this file system keeps `A` and `a` apart (Linux does; macOS and Windows usually do not). */
async function caseSensitive(): Promise<boolean> {
  await using tree = await makeTree({ "x/A": "upper", "x/a": "lower" });
  return (await Deno.readTextFile(tree.path("x/A"))) === "upper";
}
const CASE_SENSITIVE = await caseSensitive();

Deno.test("context files come global first, then from the outermost project folder down to the cwd", async () => {
  await using tree = await makeTree({
    "home/.nanocode/AGENTS.md": "global",
    "home/work/.nanocode/AGENTS.md": "work",
    "home/work/app/.nanocode/CLAUDE.md": "app claude",
    "home/work/app/src/.nanocode/agents.md": "src agents",
    "home/work/app/src/.nanocode/CLAUDE.md": "src claude",
  });
  const result = await discoverContextFiles({ cwd: tree.path("home/work/app/src"), home: tree.path("home") });
  deepEqual(result.files, [
    { path: tree.path("home/.nanocode/AGENTS.md"), content: "global" },
    { path: tree.path("home/work/.nanocode/AGENTS.md"), content: "work" },
    { path: tree.path("home/work/app/.nanocode/CLAUDE.md"), content: "app claude" },
    { path: tree.path("home/work/app/src/.nanocode/agents.md"), content: "src agents" },
    { path: tree.path("home/work/app/src/.nanocode/CLAUDE.md"), content: "src claude" },
  ]);
  deepEqual(texts(result.warnings), []);
});

Deno.test("the home folder's context files are read once when the cwd is home itself", async () => {
  await using tree = await makeTree({
    "home/.nanocode/AGENTS.md": "global",
    "home/.nanocode/CLAUDE.md": "global claude",
  });
  const result = await discoverContextFiles({ cwd: tree.path("home"), home: tree.path("home") });
  deepEqual(result.files.map((file) => file.content), ["global", "global claude"]);
});

Deno.test("a project outside home gets the global file and its own", async () => {
  await using tree = await makeTree({
    "home/.nanocode/AGENTS.md": "global",
    "srv/project/.nanocode/AGENTS.md": "project",
  });
  const result = await discoverContextFiles({ cwd: tree.path("srv/project"), home: tree.path("home") });
  deepEqual(result.files.map((file) => file.content), ["global", "project"]);
});

Deno.test(
  "when both spellings of a context file exist the upper-case one is read and the other reported",
  { ignore: !CASE_SENSITIVE },
  async () => {
    await using tree = await makeTree({
      "p/.nanocode/AGENTS.md": "upper",
      "p/.nanocode/agents.md": "lower",
    });
    const result = await discoverContextFiles({ cwd: tree.path("p"), home: tree.path("home") });
    deepEqual(result.files, [{ path: tree.path("p/.nanocode/AGENTS.md"), content: "upper" }]);
    equal(result.warnings.length, 1);
    match(
      result.warnings[0].text,
      /^Ignored .*\/p\/\.nanocode\/agents\.md: AGENTS\.md in the same folder is used/,
    );
  },
);

Deno.test("missing context files and folders are skipped without a warning", async () => {
  await using tree = await makeTree({
    "home": null,
    "p/.nanocode/README.md": "not a context file",
    "p/q/.nanocode": "a file where a folder could be",
  });
  const result = await discoverContextFiles({ cwd: tree.path("p/q"), home: tree.path("home") });
  deepEqual(result, { files: [], warnings: [] });
});

Deno.test("a directory where a context file should be is reported once and skipped", async () => {
  await using tree = await makeTree({
    "p/.nanocode/AGENTS.md": null,
    "p/.nanocode/CLAUDE.md": "kept",
  });
  const result = await discoverContextFiles({ cwd: tree.path("p"), home: tree.path("home") });
  deepEqual(result.files.map((file) => file.content), ["kept"]);
  deepEqual(texts(result.warnings), [
    `Skipped context file ${tree.path("p/.nanocode/AGENTS.md")}: it is a directory; ` +
    "replace it with a text file or remove it.",
  ]);
});

Deno.test("a context file that is not valid UTF-8 is reported and skipped", async () => {
  await using tree = await makeTree({ "home/.nanocode/AGENTS.md": INVALID_UTF8 });
  const result = await discoverContextFiles({ cwd: tree.path("p"), home: tree.path("home") });
  deepEqual(result.files, []);
  deepEqual(texts(result.warnings), [
    `Skipped context file ${tree.path("home/.nanocode/AGENTS.md")}: it is not valid UTF-8; save it as UTF-8.`,
  ]);
});

Deno.test(".pi folders are never read for context files or skills", async () => {
  await using tree = await makeTree({
    "home/.pi/agent/AGENTS.md": "pi global",
    "home/.pi/agent/skills/pi-skill/SKILL.md": skill("pi-skill", "From pi."),
    "p/.pi/AGENTS.md": "pi project",
    "p/.pi/skills/pi-skill/SKILL.md": skill("pi-skill", "From pi."),
    "p/AGENTS.md": "outside .nanocode",
  });
  const options = { cwd: tree.path("p"), home: tree.path("home") };
  deepEqual(await discoverContextFiles(options), { files: [], warnings: [] });
  deepEqual(await discoverSkills(options), { skills: [], warnings: [] });
});

Deno.test("skills are found in ancestor, global and .agents folders and sorted by name", async () => {
  await using tree = await makeTree({
    "p/.nanocode/skills/outer/SKILL.md": skill("outer", "Outer project skill."),
    "p/q/.nanocode/skills/inner/SKILL.md": skill("inner", "Inner project skill."),
    "home/.nanocode/skills/global/SKILL.md": skill("global", "Global skill."),
    "home/.agents/skills/agents/SKILL.md": skill("agents", "Shared skill."),
  });
  const result = await discoverSkills({ cwd: tree.path("p/q"), home: tree.path("home") });
  deepEqual(texts(result.warnings), []);
  deepEqual(result.skills, [
    {
      name: "agents",
      description: "Shared skill.",
      path: tree.path("home/.agents/skills/agents/SKILL.md"),
      baseDir: tree.path("home/.agents/skills/agents"),
    },
    {
      name: "global",
      description: "Global skill.",
      path: tree.path("home/.nanocode/skills/global/SKILL.md"),
      baseDir: tree.path("home/.nanocode/skills/global"),
    },
    {
      name: "inner",
      description: "Inner project skill.",
      path: tree.path("p/q/.nanocode/skills/inner/SKILL.md"),
      baseDir: tree.path("p/q/.nanocode/skills/inner"),
    },
    {
      name: "outer",
      description: "Outer project skill.",
      path: tree.path("p/.nanocode/skills/outer/SKILL.md"),
      baseDir: tree.path("p/.nanocode/skills/outer"),
    },
  ]);
});

Deno.test("the nearer skill wins a name clash and the warning names both files", async () => {
  await using tree = await makeTree({
    "home/.agents/skills/deploy/SKILL.md": skill("deploy", "Agents folder."),
    "home/.nanocode/skills/deploy/SKILL.md": skill("deploy", "Global."),
    "p/.nanocode/skills/deploy/SKILL.md": skill("deploy", "Outer."),
    "p/q/.nanocode/skills/deploy/SKILL.md": skill("deploy", "Nearest."),
  });
  const result = await discoverSkills({ cwd: tree.path("p/q"), home: tree.path("home") });
  deepEqual(result.skills.map((s) => s.description), ["Nearest."]);
  const winner = tree.path("p/q/.nanocode/skills/deploy/SKILL.md");
  deepEqual(
    texts(result.warnings),
    [
      "p/.nanocode/skills/deploy/SKILL.md",
      "home/.nanocode/skills/deploy/SKILL.md",
      "home/.agents/skills/deploy/SKILL.md",
    ].map((loser) =>
      `Skipped skill ${
        tree.path(loser)
      }: the skill "deploy" at ${winner} takes precedence; rename one of them.`
    ),
  );
});

Deno.test("a skill named differently from its folder is kept with a warning", async () => {
  await using tree = await makeTree({
    "p/.nanocode/skills/folder/SKILL.md": skill("other-name", "Mismatch."),
  });
  const result = await discoverSkills({ cwd: tree.path("p"), home: tree.path("home") });
  deepEqual(result.skills.map((s) => s.name), ["other-name"]);
  deepEqual(texts(result.warnings), [
    `Skill ${
      tree.path("p/.nanocode/skills/folder/SKILL.md")
    } is named "other-name" but its folder is "folder"; rename one so they match.`,
  ]);
});

Deno.test("a skill without a name takes its folder's name", async () => {
  await using tree = await makeTree({
    "p/.nanocode/skills/unnamed/SKILL.md": "---\ndescription: >\n  Folded\n  description.\n---\nBody\n",
  });
  const result = await discoverSkills({ cwd: tree.path("p"), home: tree.path("home") });
  deepEqual(result.skills.map((s) => [s.name, s.description]), [["unnamed", "Folded description."]]);
  deepEqual(texts(result.warnings), []);
});

Deno.test("skills with bad front matter are skipped with one warning naming the file", async () => {
  const cases: Record<string, [string, string]> = {
    "bad-yaml": [
      '---\nname: bad-yaml\ndescription: "never closed\n---\n',
      "its front matter is not valid YAML",
    ],
    "no-front": ["# Just Markdown\n", "it has no front matter"],
    "no-description": ["---\nname: no-description\n---\nBody\n", "its front matter has no description"],
    "blank-description": [
      '---\nname: blank-description\ndescription: "  "\n---\n',
      "its description is empty",
    ],
    "number-description": [
      "---\nname: number-description\ndescription: 42\n---\n",
      "its description is not text",
    ],
    "long-description": [
      skill("long-description", "x".repeat(1025)),
      "its description has 1025 characters; shorten it to 1024",
    ],
    "bad-name": [skill("Bad_Name", "Upper case."), 'the name "Bad_Name" is not 1-64 lower-case letters'],
    "double-hyphen": [skill("a--b", "Two hyphens."), 'the name "a--b" is not'],
    "too-long-name": [skill("a".repeat(65), "Long name."), "is not 1-64"],
  };
  const files: Record<string, string> = { "p/.nanocode/skills/fine/SKILL.md": skill("fine", "Valid.") };
  for (const [folder, [text]] of Object.entries(cases)) files[`p/.nanocode/skills/${folder}/SKILL.md`] = text;
  await using tree = await makeTree(files);
  const result = await discoverSkills({ cwd: tree.path("p"), home: tree.path("home") });
  deepEqual(result.skills.map((s) => s.name), ["fine"]);
  equal(result.warnings.length, Object.keys(cases).length);
  for (const [folder, [, reason]] of Object.entries(cases)) {
    const path = tree.path(`p/.nanocode/skills/${folder}/SKILL.md`);
    const line = result.warnings.map((w) => w.text).find((warning) =>
      warning.startsWith(`Skipped skill ${path}: `)
    );
    equal(typeof line, "string", `no warning for ${folder}`);
    equal(line!.includes(reason), true, `${line} should say ${reason}`);
    equal(line!.includes("\n"), false);
  }
});

Deno.test("folders without SKILL.md, hidden entries, README.md and files that are not .md are skipped silently", async () => {
  await using tree = await makeTree({
    "p/.nanocode/skills/assets/readme.md": "no SKILL.md here",
    "p/.nanocode/skills/.hidden/SKILL.md": skill("hidden", "Hidden."),
    "p/.nanocode/skills/.dot.md": skill("dot", "Hidden file."),
    "p/.nanocode/skills/README.md": "# About these skills\n",
    "p/.nanocode/skills/notes.txt": skill("notes", "Not Markdown."),
    "p/.nanocode/skills/real/SKILL.md": skill("real", "Real."),
  });
  const result = await discoverSkills({ cwd: tree.path("p"), home: tree.path("home") });
  deepEqual(result.skills.map((s) => s.name), ["real"]);
  deepEqual(texts(result.warnings), []);
});

Deno.test("a plain .md file in a .nanocode skills folder is a skill, named by its front matter or file", async () => {
  await using tree = await makeTree({
    "p/.nanocode/skills/loose.md": skill("loose", "Loose file."),
    "p/.nanocode/skills/unnamed.md": "---\ndescription: No name.\n---\nBody\n",
    "p/.nanocode/skills/renamed.md": skill("other", "Named otherwise."),
    "home/.nanocode/skills/global-file.md": skill("global-file", "Global file."),
    "home/.agents/skills/shared.md": skill("shared", "Not a folder, so not a skill here."),
    "home/.agents/skills/shared-folder/SKILL.md": skill("shared-folder", "Shared."),
  });
  const result = await discoverSkills({ cwd: tree.path("p"), home: tree.path("home") });
  deepEqual(
    result.skills.map((s) => [s.name, s.path, s.baseDir]),
    [
      ["global-file", "home/.nanocode/skills/global-file.md", "home/.nanocode/skills"],
      ["loose", "p/.nanocode/skills/loose.md", "p/.nanocode/skills"],
      ["other", "p/.nanocode/skills/renamed.md", "p/.nanocode/skills"],
      ["shared-folder", "home/.agents/skills/shared-folder/SKILL.md", "home/.agents/skills/shared-folder"],
      ["unnamed", "p/.nanocode/skills/unnamed.md", "p/.nanocode/skills"],
    ].map(([name, path, dir]) => [name, tree.path(path), tree.path(dir)]),
  );
  deepEqual(texts(result.warnings), [
    `Skill ${
      tree.path("p/.nanocode/skills/renamed.md")
    } is named "other" but its file is "renamed.md"; rename one so they match.`,
  ]);
});

Deno.test("project skills are looked for up to the git root, and past it outside a repository", async () => {
  await using tree = await makeTree({
    "p/.nanocode/skills/above/SKILL.md": skill("above", "Above the repository."),
    "p/repo/.git/HEAD": "ref: refs/heads/main\n",
    "p/repo/.nanocode/skills/root/SKILL.md": skill("root", "At the git root."),
    "p/repo/sub/.nanocode/skills/nearest/SKILL.md": skill("nearest", "In the cwd."),
    "p/repo/sub/.nanocode/AGENTS.md": "Context files still come from every ancestor.",
    "p/.nanocode/AGENTS.md": "Outer rules.",
  });
  const inRepo = await discoverSkills({ cwd: tree.path("p/repo/sub"), home: tree.path("home") });
  deepEqual(inRepo.skills.map((s) => s.name), ["nearest", "root"]);
  const context = await discoverContextFiles({ cwd: tree.path("p/repo/sub"), home: tree.path("home") });
  equal(context.files.length, 2);
  // A worktree or submodule has a .git file instead of a folder.
  await Deno.remove(tree.path("p/repo/.git"), { recursive: true });
  await Deno.writeTextFile(tree.path("p/repo/sub/.git"), "gitdir: ../../elsewhere\n");
  const inWorktree = await discoverSkills({ cwd: tree.path("p/repo/sub"), home: tree.path("home") });
  deepEqual(inWorktree.skills.map((s) => s.name), ["nearest"]);
  await Deno.remove(tree.path("p/repo/sub/.git"));
  const outside = await discoverSkills({ cwd: tree.path("p/repo/sub"), home: tree.path("home") });
  deepEqual(outside.skills.map((s) => s.name), ["above", "nearest", "root"]);
});

Deno.test("disable-model-invocation: true marks a skill hidden; a value that is not a boolean is reported", async () => {
  await using tree = await makeTree({
    "p/.nanocode/skills/manual/SKILL.md":
      "---\nname: manual\ndescription: Only by hand.\ndisable-model-invocation: true\n---\n",
    "p/.nanocode/skills/auto/SKILL.md":
      "---\nname: auto\ndescription: Any time.\ndisable-model-invocation: false\n---\n",
    "p/.nanocode/skills/odd/SKILL.md":
      "---\nname: odd\ndescription: Odd value.\ndisable-model-invocation: yes\n---\n",
  });
  const result = await discoverSkills({ cwd: tree.path("p"), home: tree.path("home") });
  deepEqual(result.skills.map((s) => [s.name, s.hidden ?? false]), [["auto", false], ["manual", true], [
    "odd",
    false,
  ]]);
  deepEqual(texts(result.warnings), [
    `Skill ${
      tree.path("p/.nanocode/skills/odd/SKILL.md")
    } has disable-model-invocation set to something other than true or false, so the model may still use it; write true or false.`,
  ]);
});

Deno.test("a nanocode folder given as nanocodeDir replaces ~/.nanocode for context files and skills", async () => {
  await using tree = await makeTree({
    "home/.nanocode/AGENTS.md": "Not read.",
    "home/.nanocode/skills/old/SKILL.md": skill("old", "Not read."),
    "custom/AGENTS.md": "Custom rules.",
    "custom/skills/custom/SKILL.md": skill("custom", "From NANOCODE_DIR."),
    "home/.agents/skills/shared/SKILL.md": skill("shared", "Still read."),
  });
  const options = { cwd: tree.path("home/work"), home: tree.path("home"), nanocodeDir: tree.path("custom") };
  await Deno.mkdir(options.cwd);
  const context = await discoverContextFiles(options);
  deepEqual(context.files.map((f) => f.path), [tree.path("custom/AGENTS.md")]);
  const skills = await discoverSkills(options);
  deepEqual(skills.skills.map((s) => s.name), ["custom", "shared"]);
  // A NANOCODE_DIR that is some project's .nanocode folder is read once, as the global folder.
  const inside = { ...options, cwd: tree.path("proj"), nanocodeDir: tree.path("proj/.nanocode") };
  await Deno.mkdir(tree.path("proj/.nanocode"), { recursive: true });
  await Deno.writeTextFile(tree.path("proj/.nanocode/AGENTS.md"), "Once.");
  deepEqual((await discoverContextFiles(inside)).files.map((f) => f.content), ["Once."]);
});

Deno.test("an unreadable SKILL.md is reported and skipped", async () => {
  await using tree = await makeTree({
    "home/.agents/skills/dir/SKILL.md": null,
    "home/.agents/skills/binary/SKILL.md": INVALID_UTF8,
  });
  const result = await discoverSkills({ cwd: tree.path("p"), home: tree.path("home") });
  deepEqual(result.skills, []);
  deepEqual(texts(result.warnings), [
    `Skipped skill ${
      tree.path("home/.agents/skills/binary/SKILL.md")
    }: it is not valid UTF-8; save it as UTF-8.`,
    `Skipped skill ${tree.path("home/.agents/skills/dir/SKILL.md")}: it is a directory; ` +
    "replace it with a text file or remove it.",
  ]);
});

Deno.test("a skill command sends the body without front matter, the skill's location and the arguments", async () => {
  await using tree = await makeTree({
    "p/.nanocode/skills/review/SKILL.md": skill(
      "review",
      "Review code.",
      "\n# Review\n\nRead checklist.md.\n",
    ),
  });
  const { skills } = await discoverSkills({ cwd: tree.path("p"), home: tree.path("home") });
  const folder = tree.path("p/.nanocode/skills/review");
  equal(
    await expandSkillCommand(skills[0], "  the parser module \n"),
    `Use the skill "review" below (file ${folder}/SKILL.md; resolve relative paths in it against ${folder}).\n\n` +
      '<skill name="review">\n# Review\n\nRead checklist.md.\n</skill>\n\n' +
      "the parser module",
  );
  equal((await expandSkillCommand(skills[0], "")).endsWith("Read checklist.md.\n</skill>"), true);
});

Deno.test("a skill command for a deleted skill file says to reload", async () => {
  await using tree = await makeTree({ "p/.nanocode/skills/gone/SKILL.md": skill("gone", "Soon deleted.") });
  const { skills } = await discoverSkills({ cwd: tree.path("p"), home: tree.path("home") });
  await Deno.remove(skills[0].path);
  await rejects(expandSkillCommand(skills[0], ""), /Cannot load skill "gone": .* is gone; run \/reload/);
});

Deno.test("a flat SKILL.md is discovered without loading the YAML library", async () => {
  await using tree = await makeTree({
    "home/.nanocode/skills/flat/SKILL.md":
      "---\nname: flat\ndescription: Use it for x:y, see https://x\nlicense: MIT\n---\nBody.\n",
  });
  // With npm resolution off, importing the library fails, so a skill found here never needed it.
  const module = new URL("../lib/context/mod.ts", import.meta.url).href;
  const code = `import { discoverSkills } from ${JSON.stringify(module)};
const result = await discoverSkills({ cwd: ${JSON.stringify(tree.root)}, home: ${
    JSON.stringify(tree.path("home"))
  } });
console.log(JSON.stringify([result.skills.map((s) => [s.name, s.description]), result.warnings]));`;
  const config = new URL("../deno.json", import.meta.url).pathname;
  const { code: status, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-npm", "--config", config, code],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  equal(status, 0);
  deepEqual(JSON.parse(new TextDecoder().decode(stdout)), [[["flat", "Use it for x:y, see https://x"]], []]);
});
