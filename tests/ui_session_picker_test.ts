/** The session picker as state and rows, driven by keys without a terminal. */
import type { Key } from "../lib/ui/input.ts";
import { KeyDecoder } from "../lib/ui/input.ts";
import { SessionPicker } from "../lib/ui/session_picker.ts";
import { sessionFacts, timeAgo } from "../lib/ui/session_line.ts";
import type { SessionInfo } from "../lib/session/mod.ts";
import { assert, assertEquals } from "./support/assert.ts";
import { visibleWidth } from "../lib/ui/ansi.ts";

const NOW = new Date("2026-12-01T12:00:00Z");

function info(id: string, firstPrompt: string, options: Partial<SessionInfo> & { minutesAgo?: number } = {}) {
  const updated = new Date(NOW.getTime() - (options.minutesAgo ?? 1) * 60_000);
  const session: SessionInfo = {
    path: `/sessions/${id}.jsonl`,
    id,
    cwd: "/work",
    firstPrompt,
    messages: 4,
    model: "mock-model",
    created: updated,
    updated,
    ...options,
  };
  return session;
}

const SESSIONS = [
  info("a1b2c3d4-0001", "fix the parser", { minutesAgo: 5, messages: 12 }),
  info("e5f6a7b8-0002", "write the README", { minutesAgo: 180, name: "Docs day", model: "kimi-k2.6" }),
  info("c9d0e1f2-0003", "Refactor the Parser tests", { minutesAgo: 3 * 1440, messages: 1 }),
];

function keys(picker: SessionPicker, typed: string) {
  let last;
  for (const key of new KeyDecoder().feed(typed)) last = picker.handle(key);
  return last;
}

Deno.test("the picker shows each session's title, age, size and model, the first one chosen", () => {
  const picker = new SessionPicker(SESSIONS, { now: () => NOW });
  const row = (mark: string, title: string, facts: string) =>
    `${mark} ${title}${" ".repeat(80 - 2 - title.length - facts.length)}${facts}`;
  assertEquals(picker.render(80), [
    "Resume a session (3) · type to filter · ↑/↓ · Enter resumes · Esc cancels",
    "❯ ",
    row("›", "fix the parser", "5m ago · 12 msgs · mock-model"),
    row(" ", "Docs day", "3h ago · 4 msgs · kimi-k2.6"),
    row(" ", "Refactor the Parser tests", "3d ago · 1 msg · mock-model"),
  ]);
  assertEquals(picker.selected?.id, "a1b2c3d4-0001");
});

Deno.test("typing filters by name, first prompt or id, ignoring case, every word counting", () => {
  const picker = new SessionPicker(SESSIONS, { now: () => NOW });
  keys(picker, "PARSER");
  assertEquals(picker.matches.map((s) => s.id), ["a1b2c3d4-0001", "c9d0e1f2-0003"]);
  keys(picker, " tests");
  assertEquals(picker.matches.map((s) => s.id), ["c9d0e1f2-0003"]);
  assertEquals(
    picker.render(80)[0],
    "Resume a session (1 of 3) · type to filter · ↑/↓ · Enter resumes · Esc cancels",
  );
  keys(picker, "\x15docs");
  assertEquals(picker.matches.map((s) => s.id), ["e5f6a7b8-0002"], "the name matches");
  keys(picker, "\x15e5f6");
  assertEquals(picker.matches.map((s) => s.id), ["e5f6a7b8-0002"], "the id matches");
  assertEquals(picker.query, "e5f6");
  assertEquals(picker.layout(80).cursorRow, 1);
  assertEquals(picker.layout(80).cursorCol, 6);
});

Deno.test("a filter nothing matches says so, and Enter then picks nothing", () => {
  const picker = new SessionPicker(SESSIONS, { now: () => NOW });
  keys(picker, "zebra");
  assertEquals(picker.render(90).slice(2), [
    '  No session matches "zebra": Backspace widens the search, Esc cancels.',
  ]);
  assertEquals(picker.handle({ name: "enter" }), undefined);
  keys(picker, "\x7f\x7f\x7f\x7f\x7f");
  assertEquals(picker.matches.length, 3);
});

Deno.test("↑/↓ move the choice, the list scrolls to keep it in view, and Enter picks it", () => {
  const many = Array.from({ length: 8 }, (_, i) => info(`id-${i}`, `task ${i}`, { minutesAgo: i + 1 }));
  const picker = new SessionPicker(many, { now: () => NOW, rows: 3 });
  assertEquals(picker.render(60).slice(2).map((r) => r.slice(0, 8)), [
    "› task 0",
    "  task 1",
    "  task 2",
    "  ↓ 5 ol",
  ]);
  keys(picker, "\x1b[B\x1b[B\x1b[B\x1b[B");
  assertEquals(picker.selected?.id, "id-4");
  assertEquals(picker.render(60).slice(2).map((r) => r.slice(0, 10)), [
    "  ↑ 2 newe",
    "  task 2  ",
    "  task 3  ",
    "› task 4  ",
    "  ↓ 3 olde",
  ]);
  keys(picker, "\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A");
  assertEquals(picker.selected?.id, "id-0", "↑ stops at the newest");
  keys(picker, "\x1b[B");
  assertEquals(picker.handle({ name: "enter" }), { type: "pick", session: many[1] });
});

Deno.test("Esc, Ctrl-C and Ctrl-D cancel the picker", () => {
  for (const key of [{ name: "escape" }, { name: "ctrl-c" }, { name: "ctrl-d" }] as Key[]) {
    assertEquals(new SessionPicker(SESSIONS).handle(key), { type: "cancel" });
  }
});

Deno.test("every row fits the width; on a narrow terminal the model gives way to the title", () => {
  const picker = new SessionPicker(
    [info("x", "a rather long first prompt that goes on and on about what to do", { messages: 50 })],
    { now: () => NOW, current: "/sessions/x.jsonl" },
  );
  for (const width of [20, 40, 60, 100]) {
    for (const row of picker.render(width)) assert(visibleWidth(row) <= width, `${width}: ${row}`);
  }
  assertEquals(picker.render(100)[2].endsWith("1m ago · 50 msgs · mock-model · current"), true);
  const narrow = picker.render(50)[2];
  assert(narrow.startsWith("› a rather long first prompt"), narrow);
  assert(narrow.endsWith("1m ago · 50 msgs"), narrow);
});

Deno.test("a session's title is made safe to print on one line", () => {
  const picker = new SessionPicker([info("x", "evil\x1b[2J prompt\nsecond line")], { now: () => NOW });
  assert(picker.render(60)[2].startsWith("› evil prompt second line "), picker.render(60)[2]);
});

Deno.test("ages read in the largest whole unit", () => {
  const ago = (seconds: number) => timeAgo(new Date(NOW.getTime() - seconds * 1000), NOW);
  assertEquals([ago(5), ago(61), ago(3 * 3600), ago(2 * 86400), ago(15 * 86400), ago(400 * 86400)], [
    "just now",
    "1m ago",
    "3h ago",
    "2d ago",
    "2w ago",
    "1y ago",
  ]);
  assertEquals(sessionFacts(SESSIONS[2], NOW), "3d ago · 1 msg · mock-model");
});

Deno.test("a thousand sessions are painted and filtered from the one listing", () => {
  const many = Array.from({ length: 1000 }, (_, i) => info(`id-${i}`, `task number ${i}: module ${i}`));
  const picker = new SessionPicker(many, { now: () => NOW });
  assertEquals(picker.render(80).length, 13);
  keys(picker, "module 517");
  assertEquals(picker.matches.map((s) => s.id), ["id-517"]);
  keys(picker, "\x15");
  assertEquals(picker.matches.length, 1000);
});
