/**
 * The CI recipes in examples/ run as written: each test takes the nanocode command from the workflow
 * file, points it at the mock endpoint on 127.0.0.1 (the only change), and checks what the model was
 * offered and what the narrow permissions allow.
 */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { MAIN } from "./support/run_main.ts";

/** Splits a shell command line into words (quotes, no expansions: the recipes use none inside). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
    out.push(match[1] ?? match[2] ?? match[3]);
  }
  return out;
}

/** The `deno run … jsr:@nanocode/cli …` command of a recipe: its permission flags and nanocode's arguments. */
async function recipe(file: string): Promise<{ flags: string[]; args: string[] }> {
  const text = await Deno.readTextFile(new URL(`../examples/${file}`, import.meta.url));
  const line = text.split("\n").find((l) => l.includes("jsr:@nanocode/cli"));
  assert(line, `no nanocode command in ${file}`);
  const all = words(line.trim().replace(/\s*>.*$/, ""));
  assertEquals(all.slice(0, 2), ["deno", "run"]);
  const at = all.indexOf("jsr:@nanocode/cli");
  return { flags: all.slice(2, at), args: all.slice(at + 1) };
}

async function run(file: string, cwd: string, turns: Parameters<typeof startMockLlm>[0]) {
  const mock = await startMockLlm(turns);
  const { flags, args } = await recipe(file);
  // The one change: the endpoint is the mock on loopback instead of opencode.ai.
  const local = flags.map((f) => (f.startsWith("--allow-net=") ? "--allow-net=127.0.0.1" : f));
  const child = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...local, MAIN, ...args],
    cwd,
    env: {
      OPENAI_BASE_URL: mock.url,
      NO_COLOR: "1",
      HOME: cwd,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  await mock.close();
  const decoder = new TextDecoder();
  return {
    mock,
    code: child.code,
    stdout: decoder.decode(child.stdout),
    stderr: decoder.decode(child.stderr),
    flags,
  };
}

const toolNames = (body: { tools?: { function: { name: string } }[] }) =>
  (body.tools ?? []).map((t) => t.function.name);

Deno.test("the review recipe offers only reading tools, runs to its end and writes the answer as JSON", async () => {
  const cwd = await Deno.realPath(await Deno.makeTempDir());
  await Deno.writeTextFile(`${cwd}/review.diff`, "+ const x = 1;\n");
  try {
    const result = await run("ci-review.yml", cwd, {
      turns: [
        { toolCalls: [{ name: "read", arguments: { path: "review.diff" } }] },
        { toolCalls: [{ name: "write", arguments: { path: "hack.txt", content: "x" } }] },
        { text: "Looks fine: one new constant." },
      ],
    });
    assertEquals(result.code, 0, result.stderr);
    assert(result.flags.includes("--no-prompt") && result.flags.includes("--allow-read=."));
    const offered = toolNames(result.mock.requests[0].body);
    for (const tool of ["read", "ls", "find", "glob", "grep"]) assert(offered.includes(tool), tool);
    for (const tool of ["write", "edit", "bash"]) assert(!offered.includes(tool), `${tool} is offered`);
    const events = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(events.at(-1).type, "agent_end");
    assertEquals(events.at(-1).text, "Looks fine: one new constant.");
    const denied = events.find((e) => e.type === "tool_result" && e.name === "write");
    assertStringIncludes(denied.text, 'Unknown tool "write"');
    assertEquals(await Deno.stat(`${cwd}/hack.txt`).then(() => true, () => false), false);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("the fix-up recipe writes inside the checkout only, and a write outside is one tool error naming the flag", async () => {
  const cwd = await Deno.realPath(await Deno.makeTempDir());
  const outside = await Deno.realPath(await Deno.makeTempDir());
  try {
    const result = await run("ci-fixup.yml", cwd, {
      turns: [
        { toolCalls: [{ name: "write", arguments: { path: "fixed.ts", content: "export const x = 1;\n" } }] },
        { toolCalls: [{ name: "write", arguments: { path: `${outside}/escape.txt`, content: "x" } }] },
        { toolCalls: [{ name: "bash", arguments: { command: "cat fixed.ts" } }] },
        { text: "Fixed." },
      ],
    });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout.trim(), "Fixed.");
    assertEquals(await Deno.readTextFile(`${cwd}/fixed.ts`), "export const x = 1;\n");
    assertEquals(await Deno.stat(`${outside}/escape.txt`).then(() => true, () => false), false);
    const tool = result.mock.requests[2].body.messages.findLast((m: { role: string }) => m.role === "tool");
    assertEquals(
      tool.content,
      `Cannot write ${outside}/escape.txt: nanocode was started without --allow-write for this path`,
    );
    const offered = toolNames(result.mock.requests[0].body);
    for (const name of ["read", "write", "edit", "bash"]) assert(offered.includes(name), name);
    const bash = result.mock.requests[3].body.messages.findLast((m: { role: string }) => m.role === "tool");
    assertEquals(bash.content, "export const x = 1;");
  } finally {
    await Deno.remove(cwd, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
