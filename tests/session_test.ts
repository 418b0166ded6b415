/** Saved sessions: the file format, writing as it happens, reading back, listing and exporting. */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./support/assert.ts";
import { replay } from "../lib/core/mod.ts";
import {
  cwdSlug,
  findSession,
  listSessions,
  parseSession,
  readSession,
  sessionHtml,
  sessionMarkdown,
  sessionsFolder,
  SessionWriter,
  summarizeSession,
} from "../lib/session/mod.ts";

const HEADER = { id: "11111111-aaaa", cwd: "/work/app", model: "m1", endpoint: "host:1", nanocode: "0.0.0" };

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "nanocode-sessions-" });
}

function write(dir: string, header = HEADER): SessionWriter {
  const writer = new SessionWriter({ dir, header });
  writer.record({ type: "system_prompt", prompt: "sys" });
  writer.record({ type: "message", message: { role: "user", content: "fix the parser" } });
  writer.record({
    type: "message",
    message: { role: "assistant", content: "done", reasoning_content: "think" },
  });
  return writer;
}

Deno.test("nothing is written until the first user message exists, then everything held is written first", async () => {
  const dir = await tempDir();
  const writer = new SessionWriter({ dir, header: HEADER });
  writer.record({ type: "system_prompt", prompt: "sys" });
  writer.record({ type: "model_change", model: "m2" });
  assertEquals(writer.path, undefined);
  assertEquals([...Deno.readDirSync(dir)].length, 0, "no empty session litters the folder");
  writer.record({ type: "message", message: { role: "user", content: "hello" } });
  const lines = Deno.readTextFileSync(writer.path!).trimEnd().split("\n").map((l) => JSON.parse(l));
  assertEquals(lines.map((l) => l.type), ["session", "system_prompt", "model_change", "message"]);
  assertEquals(lines.slice(1).map((l) => l.id), ["e1", "e2", "e3"]);
  assertEquals(lines[0].version, 1);
  assertEquals(lines[0].endpoint, "host:1");
  assertMatch(writer.path!, /\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-11111111-aaaa\.jsonl$/);
  assertEquals(Deno.statSync(writer.path!).mode! & 0o777, 0o600);
  writer.close();
});

Deno.test("each entry is on disk as soon as it is recorded", async () => {
  const dir = await tempDir();
  const writer = write(dir);
  // Read with a separate handle while the writer stays open, as a crash would leave it.
  const loaded = await readSession(writer.path!);
  assertEquals(loaded.messages.map((m) => m.role), ["system", "user", "assistant"]);
  writer.record({ type: "message", message: { role: "user", content: "again" } });
  assertEquals((await readSession(writer.path!)).messages.length, 4);
  writer.close();
});

Deno.test("reading back rebuilds the conversation, the model and the name", async () => {
  const dir = await tempDir();
  const writer = write(dir);
  writer.record({ type: "model_change", model: "m9" });
  writer.record({ type: "name", name: "parser fix" });
  writer.record({ type: "name", name: "parser fix, take two" });
  writer.close();
  const loaded = await readSession(writer.path!);
  assertEquals(loaded.messages, [
    { role: "system", content: "sys" },
    { role: "user", content: "fix the parser" },
    { role: "assistant", content: "done", reasoning_content: "think" },
  ]);
  assertEquals(loaded.model, "m9");
  assertEquals(loaded.name, "parser fix, take two");
  assertEquals(loaded.warnings, []);
});

Deno.test("a torn last line is skipped with one warning and appending goes on from a fresh line", async () => {
  const dir = await tempDir();
  const writer = write(dir);
  writer.close();
  const path = writer.path!;
  Deno.writeTextFileSync(path, '{"type":"message","message":{"role":"user","con', { append: true });
  const torn = await readSession(path);
  assertEquals(torn.messages.length, 3);
  assertEquals(torn.warnings.length, 1);
  assertStringIncludes(torn.warnings[0], "the last line was cut off");
  const resumed = new SessionWriter({ dir, header: HEADER, resume: { path, entries: torn.entries.length } });
  resumed.record({ type: "message", message: { role: "user", content: "after the crash" } });
  resumed.close();
  const again = await readSession(path);
  assertEquals(again.messages.at(-1), { role: "user", content: "after the crash" });
  assertEquals(again.entries.at(-1)?.id, "e4");
  // The torn line is still there but now ends with a newline: it reads as one broken line, said so.
  assertStringIncludes(again.warnings.join(" "), "skipped 1 unreadable line (line 5)");
});

Deno.test("broken lines and entries from a newer nanocode are skipped, and each kind is said once", () => {
  const text = [
    JSON.stringify({ type: "session", version: 1, ...HEADER, created: "2026-01-01T00:00:00.000Z" }),
    JSON.stringify({ type: "message", id: "e1", time: "t", message: { role: "user", content: "a" } }),
    "not json at all",
    JSON.stringify({ type: "hologram", id: "e2", time: "t" }),
    JSON.stringify({ type: "hologram", id: "e3", time: "t" }),
    JSON.stringify({ type: "message", id: "e4", time: "t", message: { role: "wizard" } }),
    "",
  ].join("\n");
  const loaded = parseSession("/s.jsonl", text);
  assertEquals(loaded.messages, [{ role: "user", content: "a" }]);
  assertEquals(loaded.warnings, [
    "/s.jsonl: skipped 2 unreadable lines (line 3, line 6); the conversation may miss what they held.",
    "/s.jsonl: skipped 2 entries of a kind this nanocode does not know (written by a newer one?); update nanocode to keep them.",
  ]);
});

Deno.test("a file from a newer format, or with no session header, is a one-line error", () => {
  const newer = JSON.stringify({ type: "session", version: 9, ...HEADER, created: "x" }) + "\n";
  let message = "";
  try {
    parseSession("/n.jsonl", newer);
  } catch (error) {
    message = (error as Error).message;
  }
  assertEquals(
    message,
    "Cannot read session /n.jsonl: it is in format 9, newer than this nanocode reads (1); update nanocode.",
  );
  for (const text of ["", "{}\n", "garbage\n", '{"type":"message"}\n']) {
    let error = "";
    try {
      parseSession("/b.jsonl", text);
    } catch (e) {
      error = (e as Error).message;
    }
    assertEquals(error, "Cannot read session /b.jsonl: its first line is not a nanocode session header.");
  }
});

Deno.test("listing shows this cwd's sessions newest first, with title, count and the last model", async () => {
  const root = await tempDir();
  const here = sessionsFolder(root, "/work/app");
  const older = write(here, { ...HEADER, id: "aaaa-older" });
  older.close();
  Deno.utimeSync(older.path!, new Date(2020, 1, 1), new Date(2020, 1, 1));
  const newer = write(here, { ...HEADER, id: "bbbb-newer" });
  newer.record({ type: "name", name: "release notes" });
  newer.record({ type: "model_change", model: "m7" });
  newer.close();
  const elsewhere = write(sessionsFolder(root, "/other"), { ...HEADER, id: "cccc-other", cwd: "/other" });
  elsewhere.close();

  const list = await listSessions(root, { cwd: "/work/app" });
  assertEquals(list.map((s) => s.id), ["bbbb-newer", "aaaa-older"]);
  assertEquals(list[0].name, "release notes");
  assertEquals(list[0].model, "m7");
  assertEquals(list[0].messages, 2);
  assertEquals(list[1].firstPrompt, "fix the parser");
  assertEquals((await listSessions(root)).length, 3);
  assertEquals(cwdSlug("/work/my app"), "-work-my-app");
});

Deno.test("a resume query matches an id prefix, then a name, then text of the name or first prompt", async () => {
  const root = await tempDir();
  const a = write(root, { ...HEADER, id: "abc123" });
  a.record({ type: "name", name: "alpha" });
  a.close();
  const b = write(root, { ...HEADER, id: "def456" });
  b.record({ type: "message", message: { role: "user", content: "second" } });
  b.close();
  const infos = (await Promise.all([a.path!, b.path!].map(summarizeSession))).filter((i) => i !== undefined);
  assertEquals(findSession(infos, "def")?.id, "def456");
  assertEquals(findSession(infos, "alpha")?.id, "abc123");
  assertEquals(
    findSession(infos, "PARSER")?.id,
    "abc123",
    "the newest of the listing order wins a text match",
  );
  assertEquals(findSession(infos, "nothing like it"), undefined);
  assertEquals(findSession(infos, " "), undefined);
});

Deno.test("export writes user and assistant text, folded reasoning and tool calls with results", async () => {
  const dir = await tempDir();
  const writer = new SessionWriter({ dir, header: HEADER });
  const call = {
    id: "c1",
    type: "function" as const,
    function: { name: "bash", arguments: '{"command":"ls"}' },
  };
  writer.record({ type: "system_prompt", prompt: "secret system prompt" });
  writer.record({ type: "message", message: { role: "user", content: "list <files> & go" } });
  writer.record({
    type: "message",
    message: { role: "assistant", content: null, tool_calls: [call], reasoning_content: "need ls" },
  });
  writer.record({
    type: "message",
    message: { role: "tool", tool_call_id: "c1", content: "a.ts\n```\nb.ts" },
  });
  writer.record({ type: "message", message: { role: "assistant", content: "Two files." } });
  writer.close();
  const loaded = await readSession(writer.path!);

  const md = sessionMarkdown(loaded);
  assertStringIncludes(md, "# list <files> & go");
  assertStringIncludes(md, "<details><summary>Reasoning</summary>\n\nneed ls");
  assertStringIncludes(md, '**Tool call: bash**\n\n```json\n{\n  "command": "ls"\n}\n```');
  // A fence longer than the backticks inside the result, so the result cannot close it.
  assertStringIncludes(md, "````text\na.ts\n```\nb.ts\n````");
  assertStringIncludes(md, "Two files.");
  assert(!md.includes("secret system prompt"), "the system prompt is not part of the export");

  const html = sessionHtml(loaded);
  assertStringIncludes(html, "list &#60;files&#62; &#38; go");
  assertStringIncludes(html, "<details><summary>Reasoning</summary>");
  for (const outside of ["<script", " src=", "<link", "http://", "https://", "@import"]) {
    assert(!html.includes(outside), `the HTML needs nothing outside itself (${outside})`);
  }
  assertEquals(replay(loaded.entries.filter((e) => e.type !== "name")).messages, loaded.messages);
});
