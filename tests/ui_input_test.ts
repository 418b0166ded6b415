/** Terminal bytes to keys, and the line editor, without a terminal. */
import { type Key, KeyDecoder, LineEditor } from "../lib/ui/input.ts";
import { assertEquals } from "./support/assert.ts";

function names(keys: Key[]): string[] {
  return keys.map((k) => ("text" in k ? `${k.name}:${k.text}` : k.name));
}

/** An editor after typing `text` (a string of raw key bytes). */
function typed(text: string, editor = new LineEditor()): LineEditor {
  for (const key of new KeyDecoder().feed(text)) editor.handle(key);
  return editor;
}

Deno.test("printable runs become one text key and control bytes become named keys", () => {
  const keys = new KeyDecoder().feed(new TextEncoder().encode("héllo\r\x7f\x03\x04\x17\t"));
  assertEquals(names(keys), [
    "text:héllo",
    "enter",
    "backspace",
    "ctrl-c",
    "ctrl-d",
    "kill-word-back",
    "tab",
  ]);
});

Deno.test("arrow, home, end and delete sequences are decoded in both CSI and SS3 forms", () => {
  const keys = new KeyDecoder().feed("\x1b[A\x1b[B\x1b[C\x1b[D\x1bOH\x1b[F\x1b[1~\x1b[4~\x1b[3~");
  assertEquals(names(keys), ["up", "down", "right", "left", "home", "end", "home", "end", "delete"]);
});

Deno.test("Ctrl and Alt with arrows or letters move and kill by word", () => {
  const keys = new KeyDecoder().feed("\x1b[1;5D\x1b[1;5C\x1bb\x1bf\x1b\x7f\x1bd\x1b\r");
  assertEquals(names(keys), [
    "word-left",
    "word-right",
    "word-left",
    "word-right",
    "kill-word-back",
    "kill-word-forward",
    "newline",
  ]);
});

Deno.test("an escape sequence split across two reads is held until complete", () => {
  const decoder = new KeyDecoder();
  assertEquals(names(decoder.feed("a\x1b[")), ["text:a"]);
  assertEquals(names(decoder.feed("A")), ["up"]);
});

Deno.test("a multi-byte character split across reads is decoded whole", () => {
  const decoder = new KeyDecoder();
  const bytes = new TextEncoder().encode("é");
  assertEquals(names(decoder.feed(bytes.slice(0, 1))), []);
  assertEquals(names(decoder.feed(bytes.slice(1))), ["text:é"]);
});

Deno.test("a bracketed paste arrives as one key, newlines included, even across reads", () => {
  const decoder = new KeyDecoder();
  assertEquals(names(decoder.feed("\x1b[200~line one\r\nline")), []);
  assertEquals(names(decoder.feed(" two\x1b[20")), []);
  assertEquals(decoder.feed("1~x"), [{ name: "paste", text: "line one\nline two" }, {
    name: "text",
    text: "x",
  }]);
});

Deno.test("a pasted newline does not submit: it stays in the text", () => {
  const editor = typed("\x1b[200~a\nb\x1b[201~");
  assertEquals(editor.text, "a\nb");
});

Deno.test("typing inserts at the cursor and backspace and delete remove around it", () => {
  const editor = typed("helo\x1b[D" + "l" + "\x01\x1b[3~" + "H");
  assertEquals(editor.text, "Hello");
  typed("\x05\x7f\x7f", editor);
  assertEquals(editor.text, "Hel");
  assertEquals(editor.cursor, 3);
});

Deno.test("a character outside the basic plane moves and deletes as one", () => {
  const editor = typed("a😀b\x1b[D\x7f");
  assertEquals(editor.text, "ab");
  assertEquals(editor.cursor, 1);
});

Deno.test("word kills go to the kill buffer and Ctrl-Y puts them back", () => {
  const editor = typed("git commit --amend\x17");
  assertEquals(editor.text, "git commit --");
  typed("\x15", editor);
  assertEquals(editor.text, "");
  typed("\x19", editor);
  assertEquals(editor.text, "git commit --");
  typed("\x01\x1bf\x0b", editor);
  assertEquals(editor.text, "git");
});

Deno.test("history recalls earlier lines and restores the unsent draft", () => {
  const editor = new LineEditor();
  typed("first", editor);
  assertEquals(editor.submit(), "first");
  typed("second", editor);
  editor.submit();
  typed("second", editor);
  editor.submit();
  assertEquals(editor.history, ["first", "second"], "a repeated line is recorded once");
  typed("draft", editor);
  typed("\x1b[A", editor);
  assertEquals(editor.text, "second");
  typed("\x1b[A\x1b[A", editor);
  assertEquals(editor.text, "first");
  typed("\x1b[B\x1b[B", editor);
  assertEquals(editor.text, "draft");
});

Deno.test("blank lines are not recorded in history", () => {
  const editor = new LineEditor();
  typed("   ", editor);
  editor.submit();
  assertEquals(editor.history, []);
});

Deno.test("the layout wraps long input after the prompt and places the cursor", () => {
  const editor = typed("abcdefghij");
  assertEquals(editor.layout(6, 2), { rows: ["abcd", "efgh", "ij"], cursorRow: 2, cursorCol: 4 });
  typed("\x01\x1b[C", editor);
  assertEquals(editor.layout(6, 2), { rows: ["abcd", "efgh", "ij"], cursorRow: 0, cursorCol: 3 });
});

Deno.test("a cursor after a full row sits at the start of the next row", () => {
  const editor = typed("abcd");
  assertEquals(editor.layout(6, 2), { rows: ["abcd", ""], cursorRow: 1, cursorCol: 2 });
});

Deno.test("wide characters are not split across rows", () => {
  const editor = typed("ab漢字");
  assertEquals(editor.layout(7, 2).rows, ["ab漢", "字"]);
});

Deno.test("multi-line input is laid out one row per line", () => {
  assertEquals(typed("one\ntwo").text, "one\ntwo", "Ctrl-J inserts a newline");
  const multi = typed("one\x1b\rtwo");
  assertEquals(multi.text, "one\ntwo");
  assertEquals(multi.layout(20, 2), { rows: ["one", "two"], cursorRow: 1, cursorCol: 5 });
  typed("\x01", multi);
  assertEquals(multi.cursor, 4, "Home goes to the start of the current line");
});
