/**
 * The input history between REPL runs: the file's rules (bounded, deduplicated, no empty lines, never
 * an error), the line editor taking it in, and a line typed in one run recalled with ↑ in the next.
 */
import { join } from "node:path";
import { addToHistory, formatHistory, HistoryFile, parseHistory } from "../lib/session/mod.ts";
import { KeyDecoder, LineEditor } from "../lib/ui/input.ts";
import { assertEquals, assertStringIncludes } from "./support/assert.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { driveRepl } from "./support/repl.ts";
import { cliRuntime, sessionFolders } from "./support/saved_sessions.ts";

Deno.test("a line added again moves to the end, a blank one is never kept, and only the newest stay", () => {
  let entries = ["one", "two", "three"];
  entries = addToHistory(entries, "two");
  assertEquals(entries, ["one", "three", "two"]);
  assertEquals(addToHistory(entries, "   "), entries);
  assertEquals(addToHistory(entries, "four", 3), ["three", "two", "four"]);
});

Deno.test("the history file holds one JSON string per line, so an entry may span lines", () => {
  const text = formatHistory(["first", "a\nmulti-line entry"]);
  assertEquals(text, '"first"\n"a\\nmulti-line entry"\n');
  assertEquals(parseHistory(text), ["first", "a\nmulti-line entry"]);
});

Deno.test("reading a history file drops repeats and blank lines, and takes a line edited by hand as typed", () => {
  assertEquals(parseHistory('"a"\n\n"b"\n"a"\nplain words\n"  "\n'), ["b", "a", "plain words"]);
  assertEquals(parseHistory('"1"\n"2"\n"3"\n', 2), ["2", "3"]);
});

Deno.test("the history file is bounded, deduplicated and rewritten whole, keeping what another run added", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nanocode-history-" });
  try {
    const path = join(dir, "nested", "history");
    const history = new HistoryFile(path, { limit: 3 });
    await history.add("one");
    await history.add("two");
    // Another nanocode wrote meanwhile.
    await new HistoryFile(path, { limit: 3 }).add("elsewhere");
    await history.add("one");
    await history.add("");
    assertEquals(await history.load(), ["two", "elsewhere", "one"]);
    await history.add("three");
    assertEquals(await Deno.readTextFile(path), '"elsewhere"\n"one"\n"three"\n');
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    assertEquals([...Deno.readDirSync(join(dir, "nested"))].map((e) => e.name), ["history"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a history file that cannot be written or read means no history, never an error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nanocode-history-" });
  try {
    // A home that is a file (even root cannot make a folder in it), and a history that is a folder.
    await Deno.writeTextFile(join(dir, "not-a-folder"), "");
    const unwritable = new HistoryFile(join(dir, "not-a-folder", "history"));
    await unwritable.add("lost");
    assertEquals(await unwritable.load(), []);
    await Deno.mkdir(join(dir, "a-folder"));
    const unreadable = new HistoryFile(join(dir, "a-folder"));
    await unreadable.add("lost");
    assertEquals(await unreadable.load(), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the line editor takes earlier runs' lines before this run's, and keeps ↑ in place", () => {
  const editor = new LineEditor();
  const keys = (text: string) => new KeyDecoder().feed(text).forEach((k) => editor.handle(k));
  keys("now");
  editor.submit();
  keys("\x1b[A");
  assertEquals(editor.text, "now");
  editor.loadHistory(["old", "now", "older", "  "]);
  assertEquals(editor.history, ["old", "older", "now"]);
  keys("\x1b[A");
  assertEquals(editor.text, "older", "↑ goes on from the entry it was on");
  keys("\x1b[B\x1b[B");
  assertEquals(editor.text, "", "the draft comes back at the end");
});

Deno.test("a line submitted again moves to the end of the editor's history", () => {
  const editor = new LineEditor();
  for (const line of ["a", "b", "a"]) {
    editor.setText(line);
    editor.submit();
  }
  assertEquals(editor.history, ["b", "a"]);
});

Deno.test("a line typed in one REPL run is recalled with ↑ in the next, from $NANOCODE_DIR/history", async () => {
  await using folders = await sessionFolders();
  const llm = await startMockLlm({ turns: [{ text: "First answer." }, { text: "Second answer." }] });
  try {
    const first = await cliRuntime(folders, llm.url);
    const one = driveRepl(first.runtime, { env: { NO_COLOR: "1" } });
    await one.waitFor("/help for commands");
    one.stdin.push("remember this line\r");
    await one.waitFor("First answer.");
    one.stdin.push("\x04");
    assertEquals(await one.exit, 0);
    assertEquals(await Deno.readTextFile(join(folders.home, "history")), '"remember this line"\n');

    const second = await cliRuntime(folders, llm.url);
    const two = driveRepl(second.runtime, { env: { NO_COLOR: "1" } });
    await two.waitFor("/help for commands");
    two.stdin.push("\x1b[A");
    await two.waitFor("❯ remember this line");
    two.stdin.push("\r");
    await two.waitFor("Second answer.");
    two.stdin.push("\x04");
    assertEquals(await two.exit, 0);
    const requests = await llm.waitForRequests(2);
    assertEquals(requests[1].body.messages.at(-1), { role: "user", content: "remember this line" });
    assertStringIncludes(await Deno.readTextFile(join(folders.home, "history")), "remember this line");
  } finally {
    await llm.close();
  }
});
