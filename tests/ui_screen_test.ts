/** Text widths, wrapping, and the screen's redraw of its live area, checked on the bytes written. */
import {
  createPalette,
  sanitize,
  stripAnsi,
  truncateToWidth,
  visibleWidth,
  wrapLine,
} from "../lib/ui/ansi.ts";
import { type LiveView, Screen } from "../lib/ui/screen.ts";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";

Deno.test("display width counts wide characters twice and skips escapes and combining marks", () => {
  assertEquals(visibleWidth("abc"), 3);
  assertEquals(visibleWidth("漢字"), 4);
  assertEquals(visibleWidth("🙂"), 2);
  assertEquals(visibleWidth("e\u0301"), 1);
  assertEquals(visibleWidth("\x1b[31mred\x1b[39m"), 3);
});

Deno.test("wrapping breaks at spaces and splits words longer than the width", () => {
  assertEquals(wrapLine("the quick brown fox", 10), ["the quick", "brown fox"]);
  assertEquals(wrapLine("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
  assertEquals(wrapLine("short", 10), ["short"]);
  assertEquals(wrapLine("", 10), [""]);
});

Deno.test("a style open at a wrap is closed on its row and opened again on the next", () => {
  const p = createPalette(true);
  const rows = wrapLine(p.red("aaaa bbbb"), 5);
  assertEquals(rows.map(stripAnsi), ["aaaa", "bbbb"]);
  assert(rows[0].endsWith("\x1b[0m"), JSON.stringify(rows));
  assert(rows[1].startsWith("\x1b[31m"), JSON.stringify(rows));
  for (const row of rows) assert(visibleWidth(row) <= 5);
});

Deno.test("cutting to a width ends with an ellipsis", () => {
  assertEquals(truncateToWidth("hello world", 6), "hello…");
  assertEquals(truncateToWidth("hi", 6), "hi");
});

Deno.test("printing text from outside removes cursor movement and control characters", () => {
  assertEquals(sanitize("a\x1b[2Jb\x07c\td\r"), "abc    d");
});

interface Fake {
  screen: Screen;
  out: string[];
  setLive(view: LiveView): void;
  setWidth(width: number): void;
}

function fakeScreen(options: { tty?: boolean } = {}): Fake {
  const out: string[] = [];
  let view: LiveView = { rows: ["─────", "❯ "], cursorRow: 1, cursorCol: 2 };
  let width = 20;
  const screen = new Screen({
    write: (text) => out.push(text),
    columns: () => width,
    rows: () => 10,
    tty: options.tty ?? true,
    live: () => view,
  });
  return { screen, out, setLive: (v) => (view = v), setWidth: (w) => (width = w) };
}

Deno.test("a frame prints pending lines above the live area and leaves the cursor in the prompt", () => {
  const f = fakeScreen();
  f.screen.print(["hello"]);
  f.screen.render();
  const frame = f.out.join("");
  assertStringIncludes(frame, "\x1b[?2026h");
  assertStringIncludes(frame, "\r\x1b[Jhello\r\n─────\r\n❯ \r\x1b[2C");
  assert(frame.endsWith("\x1b[?25h\x1b[?2026l"));
});

Deno.test("the next frame first moves up to the live area's top and clears it", () => {
  const f = fakeScreen();
  f.setLive({ rows: ["partial", "─────", "❯ ", "footer"], cursorRow: 2, cursorCol: 2 });
  f.screen.render();
  f.out.length = 0;
  f.screen.print(["done"]);
  f.screen.render();
  assertStringIncludes(f.out.join(""), "\x1b[2A\r\x1b[Jdone\r\n");
});

Deno.test("after a resize the rows to erase are counted at the new width", () => {
  const f = fakeScreen();
  f.setLive({ rows: ["x".repeat(20), "❯ "], cursorRow: 1, cursorCol: 2 });
  f.screen.render();
  f.out.length = 0;
  f.setWidth(10);
  f.screen.render();
  // The 20-cell row now takes two rows of 10 above the prompt.
  assertStringIncludes(f.out.join(""), "\x1b[2A\r\x1b[J");
});

Deno.test("a live area taller than the terminal is cut from the top", () => {
  const f = fakeScreen();
  const rows = Array.from({ length: 15 }, (_, i) => `row ${i}`);
  f.setLive({ rows, cursorRow: 14, cursorCol: 0 });
  f.screen.render();
  const frame = f.out.join("");
  assert(!frame.includes("row 5\r\n"), "rows beyond the screen height are dropped");
  assertStringIncludes(frame, "row 6\r\n");
});

Deno.test("without a terminal only finished lines are written, as plain lines", () => {
  const f = fakeScreen({ tty: false });
  f.screen.print(["one", "two"]);
  f.screen.render();
  assertEquals(f.out.join(""), "one\ntwo\n");
});

Deno.test("closing erases the live area and writes what is pending", () => {
  const f = fakeScreen();
  f.screen.render();
  f.out.length = 0;
  f.screen.print(["last"]);
  f.screen.close();
  assertEquals(f.out.join(""), "\x1b[1A\r\x1b[Jlast\r\n");
  f.screen.print(["after"]);
  f.screen.render();
  assertEquals(f.out.join(""), "\x1b[1A\r\x1b[Jlast\r\n", "nothing is drawn after closing");
});
