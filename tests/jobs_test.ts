/**
 * The job layer and the `nanocode` tool's own logic, without a model: settings, texts, the child's
 * permission flags (in processes started with narrow flags), the cap, and the table's inbox with a
 * stand-in child that prints the events a real child would.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./support/assert.ts";
import { runScript } from "./support/deno_script.ts";
import {
  ChildProgress,
  compactResult,
  cutMiddle,
  Job,
  jobSettings,
  JobTable,
  parsePermissionArgs,
  Slots,
  underDenoRun,
} from "../lib/jobs/mod.ts";
import { callIsReadOnly } from "../lib/core/mod.ts";
import { createNanocodeTool, nanocodeAction } from "../lib/tools/nanocode.ts";
import { buildToolSurface } from "../lib/tools/mod.ts";

const SELF_COMMAND = new URL("../lib/jobs/self_command.ts", import.meta.url).href;

Deno.test("cutMiddle keeps the head and the tail within the limit and says how much it took out", () => {
  const text = "A".repeat(600) + "B".repeat(600);
  const cut = cutMiddle(text, 300, "answer");
  assert(cut.length <= 300, `${cut.length}`);
  assert(cut.startsWith("AAAA") && cut.endsWith("BBBB"));
  assertMatch(cut, /\[… \d+ characters of the answer cut from the middle …\]/);
  assertEquals(cutMiddle("short", 300), "short");
});

Deno.test("job settings come from the environment, with defaults for values out of range", () => {
  const env = (values: Record<string, string>) => (name: string) => values[name];
  assertEquals(jobSettings(env({})), { maxJobs: 4, maxDepth: 2, depth: 0, autoEmitMaxChars: 18_000 });
  assertEquals(
    jobSettings(env({
      NANOCODE_MAX_JOBS: "2",
      NANOCODE_MAX_DEPTH: "3",
      NANOCODE_CHILD: "1",
      NANOCODE_JOB_AUTO_EMIT_MAX_CHARS: "5000",
    })),
    { maxJobs: 2, maxDepth: 3, depth: 1, autoEmitMaxChars: 5000 },
  );
  assertEquals(jobSettings(env({ NANOCODE_MAX_JOBS: "0", NANOCODE_CHILD: "yes" })).maxJobs, 4);
  assertEquals(jobSettings(env({ NANOCODE_CHILD: "yes" })).depth, 1);
});

Deno.test("the surface leaves nanocode out at the depth limit and offers it above", async () => {
  const granted = () => Promise.resolve(true);
  const names = async (values: Record<string, string>) =>
    (await buildToolSurface({ cwd: "/", granted, env: (n) => values[n] })).tools.map((t) => t.name);
  assert((await names({})).includes("nanocode"));
  assert((await names({ NANOCODE_CHILD: "1" })).includes("nanocode"));
  assertEquals((await names({ NANOCODE_CHILD: "2" })).includes("nanocode"), false);
  assertEquals((await names({ NANOCODE_MAX_DEPTH: "0" })).includes("nanocode"), false);
  const withoutRun = await buildToolSurface({ cwd: "/", granted: (p) => Promise.resolve(p !== "run") });
  assertEquals(withoutRun.omitted.find((o) => o.name === "nanocode")?.flags, ["--allow-run"]);
  // --allow-run=bash: bash runs, but a child nanocode could not start.
  const bashOnly = await buildToolSurface({ cwd: "/", granted, mayRunSelf: () => Promise.resolve(false) });
  assertEquals(bashOnly.tools.some((t) => t.name === "bash"), true);
  assertEquals(bashOnly.omitted, [{ name: "nanocode", flags: ["--allow-run"] }]);
});

Deno.test("the tool's action follows the contract: aliases, defaults, and only list/status/read read-only", () => {
  const tool = createNanocodeTool(() => new JobTable({ env: () => undefined }));
  const prepare = (args: Record<string, unknown>) => tool.prepareArguments!(args);
  assertEquals(nanocodeAction(prepare({ task: "do it" })), "run");
  assertEquals(nanocodeAction(prepare({ task: "do it", background: "true" })), "start");
  assertEquals(nanocodeAction(prepare({})), "list");
  assertEquals(prepare({ id: "nano-2", tools: ["read", "grep"] }), { jobId: "nano-2", tools: "read,grep" });
  const readOnly = ["run", "start", "list", "status", "read", "cancel"].map((action) =>
    callIsReadOnly(tool, { action, jobId: "nano-1" })
  );
  assertEquals(readOnly, [false, false, true, true, true, false]);
  assertEquals(tool.concurrent!({ prompt: "x" }), true);
  assertEquals(tool.concurrent!({ prompt: "x", background: true }), false);
});

Deno.test("an unknown job id is an error naming the known ids", async () => {
  const table = new JobTable({ env: () => undefined });
  const tool = createNanocodeTool(() => table);
  const ctx = { cwd: "/", signal: new AbortController().signal, update: () => {} };
  let message = "";
  try {
    await tool.execute({ action: "status", jobId: "nano-9" }, ctx);
  } catch (error) {
    message = (error as Error).message;
  }
  assertEquals(
    message,
    'Cannot find nanocode job "nano-9": no job was started yet; call nanocode with action "list" to see them.',
  );
  const list = await tool.execute({}, ctx);
  assertEquals(list.content, [{ type: "text", text: "No nanocode jobs yet." }]);
});

Deno.test("a compact result stays within maxCharacters, cut in the middle of the answer", () => {
  const job = new Job("nano-1", { prompt: "p", cwd: "/", background: false, autoEmit: false });
  const progress = job.progress;
  progress.push({ type: "turn_start", turn: 1 });
  progress.push({ type: "tool_call", id: "1", name: "grep", args: { pattern: "x" } });
  progress.push({
    type: "agent_end",
    text: "start " + "x".repeat(5000) + " end",
    reason: "stop",
    usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
    turns: 1,
  });
  job.state = "done";
  job.exitCode = 0;
  const text = compactResult(job, 1000);
  assert(text.length <= 1000, `${text.length}`);
  assert(text.startsWith("start x"));
  assertMatch(text, / end\n\n\[nano-1 done in \d+ s · 1 turn · tools: grep · 3 tokens\]$/);
  assertStringIncludes(text, "characters of the child's answer cut from the middle");
});

Deno.test("child progress reads JSON lines and skips the rest", () => {
  const progress = new ChildProgress();
  assertEquals(progress.pushLine("not json"), false);
  progress.pushLine(JSON.stringify({ type: "turn_start", turn: 2 }));
  progress.pushLine(JSON.stringify({ type: "tool_call", id: "a", name: "bash", args: { command: "ls" } }));
  progress.pushLine(
    JSON.stringify({ type: "tool_result", id: "a", name: "bash", isError: false, text: "one\ntwo" }),
  );
  progress.pushLine(JSON.stringify({ type: "text_delta", text: "so far" }));
  assertEquals([progress.events, progress.strayLines, progress.turn], [4, 1, 2]);
  assertEquals(progress.callLines(), ['⏺ bash(command="ls")', "  ⎿  one … +1 line"]);
  assertEquals(progress.output(), "so far");
});

Deno.test("the parent's command line gives the child its permissions, never one not granted now", () => {
  const argv = [
    "deno",
    "run",
    "--allow-read=.,/tmp",
    "-E",
    "--deny-read=/tmp/secret",
    "--allow-net=127.0.0.1:8080",
    "main.ts",
    "--allow-write=/",
    "prompt",
  ];
  const parsed = parsePermissionArgs(argv, { main: "/work/main.ts", cwd: "/work" });
  assertEquals(parsed, {
    allow: { read: [".", "/tmp"], env: [], net: ["127.0.0.1:8080"] },
    deny: { read: ["/tmp/secret"] },
  });
  assertEquals(
    parsePermissionArgs(["deno", "run", "-A", "other.ts"], { main: "/work/main.ts", cwd: "/work" }),
    undefined,
  );
});

Deno.test("a read-only parent's child gets read access only: flags rebuilt from what is granted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nanocode-perm-" });
  const script = `
    import { permissionFlags } from "${SELF_COMMAND}";
    const candidates = { net: ["127.0.0.1:9", "example.com"] };
    console.log(JSON.stringify(await permissionFlags({ argv: null, cwd: ${
    JSON.stringify(dir)
  }, candidates })));
  `;
  const narrow = await runScript(script, {
    flags: [`--allow-read=${dir}`, "--allow-env=HOME,PATH", "--allow-run=bash", "--allow-net=127.0.0.1:9"],
    env: { HOME: "/nonexistent-home" },
  });
  assertEquals(narrow.code, 0, narrow.stderr);
  assertEquals(JSON.parse(narrow.stdout), [
    `--allow-read=${dir}`,
    "--allow-run=bash",
    "--allow-net=127.0.0.1:9",
    "--allow-env=HOME,PATH",
  ]);
  const denied = await runScript(
    `
    import { permissionFlags } from "${SELF_COMMAND}";
    const argv = ["deno", "run", "--allow-read", "--deny-read=${dir}/secret", "--allow-write=/", Deno.mainModule];
    console.log(JSON.stringify(await permissionFlags({ argv, cwd: ${JSON.stringify(dir)} })));
  `,
    { flags: ["--allow-read", `--deny-read=${dir}/secret`] },
  );
  assertEquals(denied.code, 0, denied.stderr);
  assertEquals(JSON.parse(denied.stdout), ["--allow-read", `--deny-read=${dir}/secret`]);
});

Deno.test("under deno run the child is deno with run and flags; a compiled binary starts itself alone", () => {
  assertEquals(underDenoRun("/usr/lib/node_modules/deno/deno"), true);
  assertEquals(underDenoRun("C:\\deno\\deno.exe"), true);
  assertEquals(underDenoRun("/usr/local/bin/nanocode"), false);
  assertEquals(underDenoRun("/opt/denote"), false);
});

Deno.test("slots are taken first come, first served, and a waiter can give up", async () => {
  const slots = new Slots(1);
  const order: string[] = [];
  const first = await slots.take();
  const second = slots.take().then((release) => (order.push("second"), release));
  const controller = new AbortController();
  const third = slots.take(controller.signal).then(() => order.push("third"), () => order.push("gave up"));
  controller.abort();
  await third;
  first();
  (await second)();
  assertEquals(order, ["gave up", "second"]);
  assertEquals(slots.free, 1);
});

/** A stand-in child: reads its prompt and prints the events of a one-turn run answering it. */
const FAKE_CHILD = `
  let prompt = "";
  for await (const chunk of Deno.stdin.readable) prompt += new TextDecoder().decode(chunk);
  const wait = Number(prompt.match(/wait (\\d+)/)?.[1] ?? 0);
  const print = (e) => console.log(JSON.stringify(e));
  print({ type: "turn_start", turn: 1 });
  await new Promise((r) => setTimeout(r, wait));
  print({ type: "agent_end", text: "answer to " + prompt, reason: "stop", turns: 1,
    usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } });
`;

async function fakeTable(env: Record<string, string> = {}): Promise<JobTable> {
  const script = await Deno.makeTempFile({ suffix: ".js" });
  await Deno.writeTextFile(script, FAKE_CHILD);
  return new JobTable({
    env: (name) => env[name],
    command: () => Promise.resolve({ program: Deno.execPath(), args: ["run", "--quiet", script] }),
  });
}

Deno.test("a background result waits in the inbox and is handed out exactly once", async () => {
  const table = await fakeTable();
  const job = table.start({ prompt: "task one", cwd: "/" });
  let heard = 0;
  table.onResult(() => heard++);
  assertEquals(await table.nextResult(), true);
  const [item, ...rest] = table.take();
  assertEquals(rest, []);
  assertEquals(item.notice, {
    type: "job_result",
    id: "nano-1",
    status: "done",
    exitCode: 0,
    elapsedSeconds: job.elapsedSeconds(),
  });
  assertMatch(item.text, /^<nanocode_job_result id="nano-1" status="done" exitCode="0"/);
  assertStringIncludes(item.text, "answer to task one");
  assertEquals([table.take(), table.waiting, heard], [[], 0, 1]);
  assertEquals(await table.nextResult(), false);
});

Deno.test("with one slot a second job waits; cancelled while it waits, it never starts and says nothing", async () => {
  const table = await fakeTable({ NANOCODE_MAX_JOBS: "1" });
  const first = table.start({ prompt: "wait 500", cwd: "/" });
  const second = table.start({ prompt: "second", cwd: "/" });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertEquals(second.state, "queued");
  assertEquals(await table.cancel("nano-2"), true);
  assertEquals([second.state, second.pid], ["cancelled", undefined]);
  await first.finished;
  assertEquals(await table.nextResult(), true);
  assertEquals(table.take().map((i) => i.notice.id), ["nano-1"]);
  assertEquals(await table.cancel("nano-1"), false);
});

Deno.test("stopAll cancels every job not ended and nothing is delivered for them", async () => {
  const table = await fakeTable();
  const job = table.start({ prompt: "wait 30000", cwd: "/" });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const stopped = await table.stopAll();
  assertEquals(stopped.map((j) => [j.id, j.state]), [["nano-1", "cancelled"]]);
  assertEquals([job.ended, table.waiting, await table.nextResult()], [true, 0, false]);
});
