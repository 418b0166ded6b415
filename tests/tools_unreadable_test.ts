/**
 * Files and folders the search tools cannot read are named, counted, rather than left out in silence.
 * The tools run in a child process that cannot read past permission bits: as root, that child runs
 * under `setpriv` without the capabilities that let root read anything (the test is skipped where
 * `setpriv` is missing).
 */
import { assertEquals } from "./support/assert.ts";
import { hasRipgrep, makeTree } from "./support/file_tree.ts";

const RIPGREP = await hasRipgrep();
const TOOLS = new URL("../lib/tools/", import.meta.url).href;

async function hasSetpriv(): Promise<boolean> {
  try {
    return (await new Deno.Command("setpriv", { args: ["--version"], stdout: "null", stderr: "null" })
      .output())
      .success;
  } catch {
    return false;
  }
}

const AS_ROOT = Deno.uid() === 0;
const USABLE = !AS_ROOT || await hasSetpriv();

/** Runs `calls` (tool name, backend, args) in a child that permission bits bind; returns each answer. */
async function runBound(cwd: string, calls: [string, string, Record<string, unknown>][]): Promise<string[]> {
  const script = `
    import { createFindTool } from "${TOOLS}find.ts";
    import { createGlobTool } from "${TOOLS}glob.ts";
    import { createGrepTool } from "${TOOLS}grep.ts";
    import { createLsTool } from "${TOOLS}ls.ts";
    const factories = { find: createFindTool, glob: createGlobTool, grep: createGrepTool, ls: createLsTool };
    const answers = [];
    for (const [name, backend, args] of ${JSON.stringify(calls)}) {
      const tool = factories[name]({ backend });
      try {
        const result = await tool.execute(args, { cwd: Deno.cwd(), signal: new AbortController().signal, update() {} });
        const text = result.content.map((p) => p.text ?? "").join("");
        if (name !== "ls" && result.details.backend !== backend) answers.push("answered by " + result.details.backend);
        else answers.push(text);
      } catch (error) {
        answers.push("ERROR " + error.message);
      }
    }
    console.log(JSON.stringify(answers));
  `;
  const deno = [Deno.execPath(), "run", "--quiet", "-A", "-"];
  const command = AS_ROOT
    ? ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps=-all", ...deno]
    : deno;
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const output = await child.output();
  const stdout = new TextDecoder().decode(output.stdout).trim();
  assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
  return JSON.parse(stdout);
}

async function unreadableTree() {
  const tree = await makeTree({
    "open/b.txt": "hello\n",
    "private/a.txt": "needle\n",
    "secret.txt": "needle\n",
    "link": { link: "private/a.txt" },
    "dangling": { link: "nowhere" },
  });
  await Deno.chmod(tree.path("secret.txt"), 0o000);
  await Deno.chmod(tree.path("private"), 0o000);
  return {
    ...tree,
    async [Symbol.asyncDispose]() {
      await Deno.chmod(tree.path("private"), 0o755);
      await tree[Symbol.asyncDispose]();
    },
  };
}

const BACKENDS = RIPGREP ? ["native", "rg"] : ["native"];

Deno.test({
  name: "grep, find, glob and ls name the files and folders they could not read",
  ignore: !USABLE,
  fn: async () => {
    await using tree = await unreadableTree();
    for (const backend of BACKENDS) {
      const answers = await runBound(tree.root, [
        ["grep", backend, { pattern: "needle" }],
        ["grep", backend, { pattern: "hel+o" }],
        ["find", backend, { pattern: "*.txt" }],
        ["find", backend, { pattern: "*.md" }],
        ["glob", backend, { pattern: "open/*.txt" }],
        ["ls", backend, {}],
      ]);
      const three = "3 paths could not be read: link (permission denied), private/ (permission denied), " +
        "secret.txt (permission denied)";
      const two = "2 paths could not be read: link (permission denied), private/ (permission denied)";
      assertEquals(answers, [
        `No matches found for "needle" in the working folder, but ${three}, so they were not searched.`,
        `open/b.txt:1: hello\n\n[Not searched: ${three}.]`,
        `open/b.txt\nsecret.txt\n\n[Not looked into: ${two}.]`,
        `No files or folders match "*.md" in the working folder, but ${two}, so what they hold was not looked at.`,
        `open/b.txt\n\n[Not looked into: ${two}.]`,
        "dangling\nlink\nopen/\nprivate/\nsecret.txt\n\n[Shown as files, their targets could not be read: link (permission denied)]",
      ], backend);
    }
  },
});

Deno.test({
  name: "a search folder that cannot be read is refused in one line",
  ignore: !USABLE,
  fn: async () => {
    await using tree = await unreadableTree();
    for (const backend of BACKENDS) {
      const answers = await runBound(tree.root, [
        ["grep", backend, { pattern: "x", path: "private" }],
        ["grep", backend, { pattern: "x", path: "secret.txt" }],
        ["find", backend, { pattern: "*", path: "private" }],
        ["ls", backend, { path: "private" }],
      ]);
      assertEquals(answers, [
        "ERROR Cannot search private: permission denied by the operating system",
        "ERROR Cannot search secret.txt: permission denied by the operating system",
        "ERROR Cannot search private: permission denied by the operating system",
        "ERROR Cannot list private: permission denied by the operating system",
      ], backend);
    }
  },
});
