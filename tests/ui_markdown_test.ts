/** Streaming markdown styled line by line: inline styles, code blocks and tables. */
import { createPalette, stripAnsi, visibleWidth } from "../lib/ui/ansi.ts";
import { highlightLine } from "../lib/ui/highlight.ts";
import { inline, MarkdownStyler } from "../lib/ui/markdown.ts";
import { renderTable, splitRow } from "../lib/ui/table.ts";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";

const color = createPalette(true);
const plain = createPalette(false);

/** Feeds complete lines and returns every finished row, then what the end of the block flushes. */
function feed(md: MarkdownStyler, lines: string[]): string[] {
  return [...lines.flatMap((line) => md.line(line)), ...md.end()];
}

Deno.test("headings are bold without their hashes", () => {
  const md = new MarkdownStyler(color);
  const [h1] = md.line("# Title");
  const [h2] = md.line("## Part two ##");
  assertEquals(stripAnsi(h1), "Title");
  assertEquals(stripAnsi(h2), "Part two");
  assertStringIncludes(h1, "\x1b[1m");
  assertStringIncludes(h1, "\x1b[4m");
});

Deno.test("list items get bullets, numbers keep their number, task boxes become check marks", () => {
  const md = new MarkdownStyler(color);
  const rows = feed(md, ["- item", "  * nested", "3. third", "- [x] done", "- [ ] todo"]).map(stripAnsi);
  assertEquals(rows, ["• item", "  • nested", "3. third", "• ☑ done", "• ☐ todo"]);
});

Deno.test("a code block gets its language as a label and a gutter, and its content is not markdown", () => {
  const md = new MarkdownStyler(color);
  assertEquals(md.line("```ts").map(stripAnsi), ["╭─ ts"]);
  assert(md.inCode);
  assertEquals(md.line("# not a heading **nor bold**").map(stripAnsi), ["│ # not a heading **nor bold**"]);
  assertEquals(md.line("").map(stripAnsi), ["│"], "a blank code line keeps its gutter");
  assertEquals(md.line("```").map(stripAnsi), ["╰─"], "the closing fence is not printed as typed");
  assert(!md.inCode);
  assertEquals(md.line("# heading again").map(stripAnsi), ["heading again"]);
});

Deno.test("a wrapped code line keeps its gutter on every row", () => {
  const md = new MarkdownStyler(color, { width: () => 20 });
  md.line("```");
  const rows = md.line("const answer = computeTheAnswer(forty, two);").map(stripAnsi);
  assert(rows.length > 1, JSON.stringify(rows));
  for (const row of rows) {
    assert(row.startsWith("│ "), row);
    assert(visibleWidth(row) <= 20, row);
  }
  const strip = (text: string) => text.replace(/\s+/g, "");
  assertEquals(
    strip(rows.map((r) => r.slice(2)).join("")),
    strip("const answer = computeTheAnswer(forty, two);"),
  );
});

Deno.test("code of a known language is lightly coloured, only with colour", () => {
  const md = new MarkdownStyler(color);
  md.line("```ts");
  const [row] = md.line(`const x = "hi"; // note`);
  assertStringIncludes(row, "\x1b[35mconst\x1b[39m", "keywords");
  assertStringIncludes(row, '\x1b[32m"hi"\x1b[39m', "strings");
  assertStringIncludes(row, "\x1b[90m// note\x1b[39m", "comments");
  const noColor = new MarkdownStyler(plain, { layout: true });
  noColor.line("```ts");
  assertEquals(noColor.line(`const x = "hi";`), [`│ const x = "hi";`]);
});

Deno.test("a block comment stays coloured across the lines it spans", () => {
  const first = highlightLine("let a = 1; /* starts", "js", { palette: color });
  assert(first.inComment);
  const second = highlightLine("still */ let b", "js", { palette: color, inComment: true });
  assert(!second.inComment);
  assertStringIncludes(second.text, "\x1b[90mstill */\x1b[39m");
  assertStringIncludes(second.text, "\x1b[35mlet\x1b[39m");
  assertEquals(highlightLine("plain words", "klingon", { palette: color }).text, "plain words");
});

Deno.test("a fence closes only with the same marker, at least as long", () => {
  const md = new MarkdownStyler(color);
  md.line("````");
  md.line("```");
  assert(md.inCode, "a shorter fence is content");
  md.line("~~~~");
  assert(md.inCode, "another marker is content");
  md.line("````");
  assert(!md.inCode);
});

Deno.test("an unfinished line is styled without changing the block state", () => {
  const md = new MarkdownStyler(color);
  assertEquals(md.partial("```py").map(stripAnsi), ["╭─ py"], "a fence in progress is never shown as typed");
  assert(!md.inCode, "a partial fence does not open a block");
  assertEquals(md.partial("**bol").map(stripAnsi), ["**bol"], "unclosed emphasis is shown as typed");
  assertEquals(md.partial("**bold**").map(stripAnsi), ["bold"]);
});

Deno.test("inline code is taken literally while emphasis around it is styled", () => {
  const styled = inline("**bold** and `**code**` and *it* and ~~gone~~", color);
  assertEquals(stripAnsi(styled), "bold and **code** and it and gone");
  assertStringIncludes(styled, "\x1b[36m**code**");
  assertStringIncludes(styled, "\x1b[3mit");
  assertStringIncludes(styled, "\x1b[9mgone");
});

Deno.test("stars and underscores that do not hug text are not emphasis", () => {
  assertEquals(stripAnsi(inline("2 * 3 * 4 and snake_case_name", color)), "2 * 3 * 4 and snake_case_name");
  assertEquals(inline("2 * 3 * 4 and snake_case_name", color), "2 * 3 * 4 and snake_case_name");
});

Deno.test("links show their text and, dimmed, their address", () => {
  assertEquals(stripAnsi(inline("see [docs](https://x.dev)", color)), "see docs (https://x.dev)");
});

Deno.test("quotes and rules are drawn with line characters", () => {
  const md = new MarkdownStyler(color);
  assertEquals(md.line("> quoted *text*").map(stripAnsi), ["│ quoted text"]);
  assertEquals(md.line("---").map(stripAnsi), ["─".repeat(24)]);
});

Deno.test("without a terminal markdown is left exactly as the model wrote it", () => {
  const md = new MarkdownStyler(plain);
  const lines = [
    "# Title",
    "- item",
    "**bold** `x`",
    "```ts",
    "code",
    "```",
    "> q",
    "| a | b |",
    "|---|---|",
    "| 1 | 2 |",
  ];
  assertEquals(feed(md, lines), lines);
});

Deno.test("a table is drawn with borders, its columns aligned as the delimiter row says", () => {
  const md = new MarkdownStyler(plain, { layout: true });
  const rows = feed(md, [
    "| Name | Qty | Note |",
    "|:-----|----:|:----:|",
    "| apple | 3 | ripe |",
    "| fig | 12 | x |",
  ]);
  assertEquals(rows, [
    "┌───────┬─────┬──────┐",
    "│ Name  │ Qty │ Note │",
    "├───────┼─────┼──────┤",
    "│ apple │   3 │ ripe │",
    "│ fig   │  12 │  x   │",
    "└───────┴─────┴──────┘",
  ]);
});

Deno.test("table columns are sized by display width: CJK and emoji take two cells", () => {
  const md = new MarkdownStyler(plain, { layout: true });
  const rows = feed(md, [
    "| word | meaning |",
    "|---|---|",
    "| 日本語 | Japanese |",
    "| ✅ | done |",
    "| 🎉 | party |",
  ]);
  const widths = rows.map(visibleWidth);
  assert(widths.every((w) => w === widths[0]), JSON.stringify({ rows, widths }));
  assertEquals(rows[3], "│ 日本語 │ Japanese │");
  assertEquals(rows[4], "│ ✅     │ done     │");
});

Deno.test("a table wider than the terminal wraps its cells inside their columns", () => {
  const md = new MarkdownStyler(plain, { layout: true, width: () => 40 });
  const long = "a rather long description that cannot fit on one row of a narrow terminal";
  const rows = feed(md, ["| key | description |", "| --- | --- |", `| one | ${long} |`, "| two | short |"]);
  for (const row of rows) assertEquals(visibleWidth(row), 40, row);
  const text = rows.filter((r) => r.startsWith("│")).map((r) => r.split("│")[2].trim()).join(" ");
  assertStringIncludes(text.replace(/\s+/g, " "), long);
  assert(rows.findLastIndex((r) => r.startsWith("├")) > 3, "wrapped rows are ruled apart");
});

Deno.test("a table too wide even for narrow columns is left as written", () => {
  const header = "| " + Array.from({ length: 12 }, (_, i) => `c${i}`).join(" | ") + " |";
  const delimiter = "|" + "---|".repeat(12);
  const md = new MarkdownStyler(plain, { layout: true, width: () => 30 });
  assertEquals(feed(md, [header, delimiter]), [header, delimiter]);
});

Deno.test("a streamed table is held until it ends, then drawn once", () => {
  const md = new MarkdownStyler(plain, { layout: true });
  assertEquals(md.line("Here:"), ["Here:"]);
  assertEquals(md.line("| a | b |"), [], "a possible header waits for the next line");
  assertEquals(md.partial(""), ["| a | b |"], "and shows as typed meanwhile");
  assertEquals(md.line("|---|---|"), []);
  assertEquals(md.line("| 1 | 2 |"), []);
  assertEquals(md.partial("| 3 |"), ["┄ table: 1 row so far"], "no half-drawn table in the live area");
  assert(md.holding);
  const rows = md.line("After the table.");
  assertEquals(rows.at(-1), "After the table.");
  assertEquals(rows[0], "┌───┬───┐");
  assertEquals(rows.length, 6);
  assert(!md.holding);
});

Deno.test("a line with a pipe that is not followed by a delimiter row is plain text", () => {
  const md = new MarkdownStyler(plain, { layout: true });
  assertEquals(md.line("use a | b to pipe"), []);
  assertEquals(md.line("and more"), ["use a | b to pipe", "and more"]);
  assertEquals(md.line("x | y"), []);
  assertEquals(md.end(), ["x | y"]);
});

Deno.test("table rows split at unescaped pipes and fill missing cells", () => {
  assertEquals(splitRow("| a | b \\| c |"), ["a", "b | c"]);
  assertEquals(splitRow("a|b"), ["a", "b"]);
  const rows = renderTable({ header: ["x", "y"], aligns: ["left", "left"], rows: [["1"]] }, {
    width: 80,
    palette: plain,
  })!;
  assertEquals(rows[3], "│ 1 │   │");
});
