/** Streaming markdown styled line by line. */
import { createPalette, stripAnsi } from "../lib/ui/ansi.ts";
import { inline, MarkdownStyler } from "../lib/ui/markdown.ts";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";

const color = createPalette(true);

Deno.test("headings are bold without their hashes", () => {
  const md = new MarkdownStyler(color);
  const h1 = md.line("# Title");
  const h2 = md.line("## Part two ##");
  assertEquals(stripAnsi(h1), "Title");
  assertEquals(stripAnsi(h2), "Part two");
  assertStringIncludes(h1, "\x1b[1m");
  assertStringIncludes(h1, "\x1b[4m");
});

Deno.test("list items get bullets, numbers keep their number, task boxes become check marks", () => {
  const md = new MarkdownStyler(color);
  assertEquals(stripAnsi(md.line("- item")), "• item");
  assertEquals(stripAnsi(md.line("  * nested")), "  • nested");
  assertEquals(stripAnsi(md.line("3. third")), "3. third");
  assertEquals(stripAnsi(md.line("- [x] done")), "• ☑ done");
  assertEquals(stripAnsi(md.line("- [ ] todo")), "• ☐ todo");
});

Deno.test("a fenced code block is set apart and its content is not treated as markdown", () => {
  const md = new MarkdownStyler(color);
  md.line("```ts");
  assert(md.inCode);
  const code = md.line("# not a heading **nor bold**");
  assertEquals(stripAnsi(code), "│ # not a heading **nor bold**");
  md.line("```");
  assert(!md.inCode);
  assertEquals(stripAnsi(md.line("# heading again")), "heading again");
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
  assertEquals(stripAnsi(md.partial("```")), "```");
  assert(!md.inCode, "a partial fence does not open a block");
  assertEquals(stripAnsi(md.partial("**bol")), "**bol", "unclosed emphasis is shown as typed");
  assertEquals(stripAnsi(md.partial("**bold**")), "bold");
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
  assertEquals(stripAnsi(md.line("> quoted *text*")), "│ quoted text");
  assertEquals(stripAnsi(md.line("---")), "─".repeat(24));
});

Deno.test("without colour markdown is left exactly as the model wrote it", () => {
  const md = new MarkdownStyler(createPalette(false));
  for (const line of ["# Title", "- item", "**bold** `x`", "```ts", "code", "```", "> q"]) {
    assertEquals(md.line(line), line);
  }
});
