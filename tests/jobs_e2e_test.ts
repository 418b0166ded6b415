/**
 * End-to-end: a parent nanocode runs headless against the mock endpoint and hands work to child
 * nanocode processes through the `nanocode` tool. Parent and children share the mock; the children's
 * turns are reserved for requests whose task (their first user message) carries a marker.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./support/assert.ts";
import type { MockTurn } from "./support/mock_llm.ts";
import {
  call,
  childRequests,
  jobMessages,
  parentRequests,
  processesWith,
  results,
  runParent,
  toolNames,
  waitFor,
} from "./support/jobs_parent.ts";

Deno.test("run: the child's answer comes back with a trace, its calls show live under the parent's call", async () => {
  const run = await runParent([
    { toolCalls: [call({ task: "CHILD-RUN list the files" })] },
    { toolCalls: [{ name: "bash", arguments: { command: "echo from the child" } }], match: "CHILD-RUN" },
    { text: "the child's answer", match: "CHILD-RUN" },
    { text: "parent done" },
  ]);
  assertEquals(run.code, 0, run.stderr);
  const [result] = results(run.events);
  assertEquals(result.isError, false);
  assertMatch(
    result.text,
    /^the child's answer\n\n\[nano-1 done in \d+ s · 2 turns · tools: bash · \d+ tokens\]$/,
  );
  const updates = run.events.filter((e) => e.type === "tool_update" && e.id === result.id);
  assert(
    updates.some((u) => u.type === "tool_update" && u.text.includes('bash(command="echo from the child")')),
  );
  const [childFirst] = childRequests(run.mock, "CHILD-RUN");
  assertStringIncludes(childFirst.body.messages[0].content, "You are a headless child nanocode");
  assertEquals(childFirst.body.model, "mock-model");
  const end = run.events.at(-1);
  assert(end?.type === "agent_end" && end.text === "parent done");
});

Deno.test("run with a timeout stops the child and returns what it said so far with exit code 124", async () => {
  const started = Date.now();
  const run = await runParent([
    { toolCalls: [call({ prompt: "CHILD-SLOW think long", timeoutSeconds: 1 })] },
    { text: "partial thoughts of the child", hangAfterChunks: 2, match: "CHILD-SLOW" },
    { text: "parent done" },
  ]);
  assertEquals(run.code, 0, run.stderr);
  const [result] = results(run.events);
  assertEquals(result.isError, true);
  assertStringIncludes(result.text, "time limit of 1 s (exit code 124)");
  assertStringIncludes(result.text, "Output so far:\npartial");
  assertEquals(result.details?.exitCode, 124);
  assert(Date.now() - started < 15_000, "the child was stopped at its limit, not later");
});

Deno.test("start, status and read; the result is delivered once, at the boundary, while the parent works", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nanocode-jobs-" });
  const run = await runParent([
    { toolCalls: [call({ action: "start", prompt: "CHILD-BG find the answer" })] },
    { toolCalls: [call({ action: "status", id: "nano-1" })] },
    { toolCalls: [{ name: "bash", arguments: { command: waitFor("child-ran", 2) } }] },
    { toolCalls: [{ name: "bash", arguments: { command: "touch child-ran" } }], match: "CHILD-BG" },
    { text: "the background answer", match: "CHILD-BG" },
    { toolCalls: [call({ action: "read", jobId: "nano-1" }), call({ action: "list" })] },
    { text: "parent done" },
  ], { cwd: dir });
  assertEquals(run.code, 0, run.stderr);
  const [start, status, , read, list] = results(run.events);
  assertMatch(start.text, /^Started nanocode job nano-1\. .*do not poll it/);
  assertStringIncludes(status.text, "job nano-1: ");
  assertStringIncludes(status.text, "prompt: CHILD-BG find the answer");
  assertEquals(read.isError, false);
  assertStringIncludes(read.text, "job nano-1: done");
  assertStringIncludes(read.text, "the background answer");
  assertMatch(list.text, /^nano-1 {2}done/);
  const parents = parentRequests(run.mock);
  // Before the bash call's result went back, no result; in the request after it, one; then still one.
  assertEquals(parents.map((r) => jobMessages(r).length), [0, 0, 0, 1, 1]);
  const [message] = jobMessages(parents[3]);
  assertMatch(
    message,
    /^<nanocode_job_result id="nano-1" status="done" exitCode="0" elapsedSeconds="\d+">\n<prompt>\nCHILD-BG find the answer\n<\/prompt>\n<output>\nthe background answer\n/,
  );
  assertMatch(message, /<\/output>\n<\/nanocode_job_result>$/);
  const notices = run.events.filter((e) => e.type === "job_result");
  assertEquals(notices.length, 1);
  assertEquals(notices[0], {
    type: "job_result",
    id: "nano-1",
    status: "done",
    exitCode: 0,
    elapsedSeconds: (notices[0] as { elapsedSeconds: number }).elapsedSeconds,
  });
});

Deno.test("autoEmit false keeps the result for read and delivers nothing by itself", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nanocode-jobs-" });
  const run = await runParent([
    { toolCalls: [call({ prompt: "CHILD-KEEP look around", background: true, autoEmit: false })] },
    { toolCalls: [{ name: "bash", arguments: { command: waitFor("kept", 2) } }] },
    { toolCalls: [{ name: "bash", arguments: { command: "touch kept" } }], match: "CHILD-KEEP" },
    { text: "kept answer", match: "CHILD-KEEP" },
    { toolCalls: [call({ action: "read", jobId: "nano-1" })] },
    { text: "parent done" },
  ], { cwd: dir });
  assertEquals(run.code, 0, run.stderr);
  const [start, , read] = results(run.events);
  assertStringIncludes(start.text, 'Its result is kept until you read it: call nanocode with action "read"');
  assertStringIncludes(read.text, "kept answer");
  assertEquals(parentRequests(run.mock).map((r) => jobMessages(r).length), [0, 0, 0, 0]);
  assertEquals(run.events.filter((e) => e.type === "job_result"), []);
});

Deno.test("cancel stops the child and everything it runs, and no result is delivered for it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nanocode-jobs-" });
  const marker = `cancel-${crypto.randomUUID()}`;
  const run = await runParent([
    { toolCalls: [call({ action: "start", prompt: "CHILD-CANCEL wait" })] },
    { toolCalls: [{ name: "bash", arguments: { command: waitFor("child-started", 0.3) } }] },
    {
      toolCalls: [{ name: "bash", arguments: { command: `touch child-started; sleep 60; echo ${marker}` } }],
      match: "CHILD-CANCEL",
    },
    { toolCalls: [call({ action: "cancel", jobId: "nano-1" })] },
    { toolCalls: [call({ action: "status", jobId: "nano-1" })] },
    { text: "parent done" },
  ], { cwd: dir });
  assertEquals(run.code, 0, run.stderr);
  const [, , cancel, status] = results(run.events);
  assertMatch(
    cancel.text,
    /^nanocode job nano-1 cancelled \(exit code \d+\); no result will be delivered for it\.$/,
  );
  assertStringIncludes(status.text, "job nano-1: cancelled");
  assertEquals(run.events.filter((e) => e.type === "job_result"), []);
  assertEquals(parentRequests(run.mock).flatMap(jobMessages), []);
  assertEquals(await processesWith(marker), []);
});

Deno.test("a child that crashes comes back as a tool error with its exit code", async () => {
  const run = await runParent([
    { toolCalls: [call({ prompt: "CHILD-CRASH go" })] },
    // The child's own command kills the child: it ends without finishing its run.
    { toolCalls: [{ name: "bash", arguments: { command: "kill -9 $PPID" } }], match: "CHILD-CRASH" },
    { text: "parent done" },
  ], { env: { NANOCODE_MISE_HOT_RELOAD: "0" } });
  assertEquals(run.code, 0, run.stderr);
  const [result] = results(run.events);
  assertEquals(result.isError, true);
  assertMatch(result.text, /^nanocode job nano-1 failed: the child exited with code 137 before it finished/);
});

Deno.test("a rate-limited child exits 1 and comes back as a tool error that says why", async () => {
  const run = await runParent([
    { toolCalls: [call({ prompt: "CHILD-LIMITED go" })] },
    {
      status: 429,
      body: { error: { message: "Rate limit reached for requests", type: "rate_limit" } },
      match: "CHILD-LIMITED",
    },
    { text: "parent done" },
  ]);
  assertEquals(run.code, 0, run.stderr);
  const [result] = results(run.events);
  assertEquals(result.isError, true);
  assertMatch(
    result.text,
    /^nanocode job nano-1 failed: the child's run failed \(exit code 1\): .*Rate limit/,
  );
  assertEquals(result.details?.exitCode, 1);
});

Deno.test("a child at the depth limit is not offered the nanocode tool", async () => {
  const run = await runParent([
    { toolCalls: [call({ prompt: "CHILD-DEEP go" })] },
    { text: "deep answer", match: "CHILD-DEEP" },
    { text: "parent done" },
  ], { env: { NANOCODE_CHILD: "1", NANOCODE_MAX_DEPTH: "2" } });
  assertEquals(run.code, 0, run.stderr);
  const [parent] = parentRequests(run.mock);
  const [child] = childRequests(run.mock, "CHILD-DEEP");
  assert(toolNames(parent).includes("nanocode"));
  assertEquals(toolNames(child).includes("nanocode"), false);
  assert(toolNames(child).includes("bash"));
  const atLimit = await runParent([{ text: "no children here" }], { env: { NANOCODE_CHILD: "2" } });
  assertEquals(toolNames(atLimit.mock.requests[0]).includes("nanocode"), false);
});

Deno.test("four runs in one message go two at a time with NANOCODE_MAX_JOBS=2, results in call order", async () => {
  const children = [1, 2, 3, 4].map((n): MockTurn => ({
    text: `answer ${n}`,
    chunkDelayMs: 250,
    match: `CHILD-P${n}`,
  }));
  const run = await runParent([
    { toolCalls: [1, 2, 3, 4].map((n) => call({ prompt: `CHILD-P${n} part ${n}` })) },
    ...children,
    { text: "parent done" },
  ], { env: { NANOCODE_MAX_JOBS: "2" } });
  assertEquals(run.code, 0, run.stderr);
  const found = results(run.events);
  assertEquals(
    found.map((r) => [r.isError, r.text.split("\n")[0]]),
    [1, 2, 3, 4].map((n) => [false, `answer ${n}`]),
  );
  const arrivals = [1, 2, 3, 4].map((n) => childRequests(run.mock, `CHILD-P${n}`)[0].receivedAt).sort((
    a,
    b,
  ) => a - b);
  // Each child streams for about 1.5 s: the second pair can only start once the first pair ended.
  assert(arrivals[1] - arrivals[0] < 1000, `the first two start together: ${arrivals}`);
  assert(arrivals[2] - arrivals[0] > 1000, `the third waits for a slot: ${arrivals}`);
  const waited = run.events.filter((e) =>
    e.type === "tool_update" && e.text.includes("waiting for a free slot")
  );
  assert(waited.length >= 2, "two calls said they waited for a slot");
});

Deno.test("the child of a parent without write permission cannot write files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nanocode-jobs-" });
  const run = await runParent([
    { toolCalls: [call({ prompt: "CHILD-WRITE make a file" })] },
    { toolCalls: [{ name: "write", arguments: { path: "made.txt", content: "x" } }], match: "CHILD-WRITE" },
    { text: "could not write", match: "CHILD-WRITE" },
    { text: "parent done" },
  ], {
    cwd: dir,
    permissions: ["--allow-read", "--allow-env", "--allow-net", "--allow-run", "--allow-sys"],
  });
  assertEquals(run.code, 0, run.stderr);
  const [child] = childRequests(run.mock, "CHILD-WRITE");
  const names = toolNames(child);
  assertEquals([names.includes("write"), names.includes("edit"), names.includes("read")], [
    false,
    false,
    true,
  ]);
  const second = childRequests(run.mock, "CHILD-WRITE")[1];
  assertMatch(second.body.messages.at(-1).content, /Unknown tool "write"/);
  assertEquals(await Deno.stat(`${dir}/made.txt`).then(() => true, () => false), false);
});
