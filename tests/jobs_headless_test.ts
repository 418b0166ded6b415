/**
 * End-to-end: a headless parent that started background jobs waits for them before it ends, and
 * when it is stopped while it waits, its children go with it.
 */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import {
  call,
  eventually,
  jobMessages,
  parentRequests,
  processesWith,
  runParent,
} from "./support/jobs_parent.ts";

Deno.test("a headless parent waits for its background job and goes on with its result", async () => {
  const run = await runParent([
    { toolCalls: [call({ action: "start", prompt: "CHILD-WAIT count" })] },
    { text: "started nano-1" },
    { text: "the counted answer", chunkDelayMs: 100, match: "CHILD-WAIT" },
    { text: "got the result" },
  ]);
  assertEquals(run.code, 0, run.stderr);
  const ends = run.events.filter((e) => e.type === "agent_end").map((e) => e.type === "agent_end" && e.text);
  assertEquals(ends, ["started nano-1", "got the result"]);
  const last = parentRequests(run.mock).at(-1)!;
  assertEquals(jobMessages(last).length, 1);
  assertStringIncludes(jobMessages(last)[0], "the counted answer");
  const at = run.events.findIndex((e) => e.type === "job_result");
  assert(at > 0 && run.events[at + 1].type === "agent_start", "the notice comes before the run it starts");
});

Deno.test("a parent stopped while it waits for a job leaves no child behind and reports it cancelled", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nanocode-jobs-" });
  const marker = `exit-${crypto.randomUUID()}`;
  const run = await runParent([
    { toolCalls: [call({ action: "start", prompt: "CHILD-EXIT wait", appendSystemPrompt: marker })] },
    { text: "waiting for nano-1" },
    {
      toolCalls: [{ name: "bash", arguments: { command: `touch child-started; sleep 60; echo ${marker}` } }],
      match: "CHILD-EXIT",
    },
  ], {
    cwd: dir,
    started: async (parent) => {
      const up = await eventually(
        () => Deno.stat(`${dir}/child-started`).then(() => true, () => false),
        20_000,
      );
      assert(up, "the child's command started");
      assert((await processesWith(marker)).length >= 2, "the child and its command are running");
      parent.kill("SIGTERM");
    },
  });
  assertEquals(run.code, 143, run.stderr);
  const gone = await eventually(async () => (await processesWith(marker)).length === 0);
  assert(gone, `left behind: ${(await processesWith(marker)).join("\n")}`);
  const notices = run.events.filter((e) => e.type === "job_result");
  assertEquals(notices.map((n) => n.type === "job_result" && [n.id, n.status]), [["nano-1", "cancelled"]]);
});
