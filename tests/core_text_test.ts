import { assertEquals } from "./support/assert.ts";
import {
  byteLength,
  formatSize,
  formatToolCall,
  oneLine,
  plainTerminalText,
  summarizeResult,
  truncateHead,
  truncateLine,
  truncateTail,
} from "../lib/core/mod.ts";

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join("\n");

Deno.test("truncateHead leaves text within both limits untouched", () => {
  const result = truncateHead("a\nb\n", { maxLines: 2, maxBytes: 10 });
  assertEquals(result, {
    text: "a\nb\n",
    truncated: false,
    by: null,
    totalLines: 2,
    totalBytes: 4,
    firstLine: 1,
    lastLine: 2,
    lineTooLong: false,
  });
});

Deno.test("truncateHead keeps the first lines and says the line limit cut them", () => {
  const result = truncateHead(lines(10), { maxLines: 3 });
  assertEquals([result.text, result.by, result.firstLine, result.lastLine, result.totalLines], [
    "line 1\nline 2\nline 3",
    "lines",
    1,
    3,
    10,
  ]);
});

Deno.test("truncateHead stops at whole lines under the byte limit", () => {
  const result = truncateHead("aaaa\nbbbb\ncccc", { maxBytes: 9 });
  assertEquals([result.text, result.by, result.lastLine], ["aaaa\nbbbb", "bytes", 2]);
});

Deno.test("truncateHead reports a first line that alone exceeds the byte limit", () => {
  const result = truncateHead("x".repeat(20) + "\nshort", { maxBytes: 10 });
  assertEquals([result.text, result.lineTooLong, result.lastLine], ["", true, 0]);
});

Deno.test("truncateTail keeps the last lines", () => {
  const result = truncateTail(lines(10), { maxLines: 2 });
  assertEquals([result.text, result.firstLine, result.lastLine], ["line 9\nline 10", 9, 10]);
});

Deno.test("truncateTail keeps the end of one enormous line at a character boundary", () => {
  const result = truncateTail("é".repeat(10), { maxBytes: 5 });
  assertEquals([result.text, result.lineTooLong, result.by], ["éé", true, "bytes"]);
});

Deno.test("byte lengths count UTF-8 bytes, including surrogate pairs", () => {
  assertEquals([byteLength("a"), byteLength("é"), byteLength("€"), byteLength("😀")], [1, 2, 3, 4]);
  assertEquals(byteLength("😀"), new TextEncoder().encode("😀").length);
});

Deno.test("sizes are shown with one decimal", () => {
  assertEquals([formatSize(512), formatSize(50 * 1024), formatSize(1.25 * 1024 * 1024)], [
    "512B",
    "50.0KB",
    "1.3MB",
  ]);
});

Deno.test("long lines are cut with a marker", () => {
  assertEquals(truncateLine("abcdef", 3), { text: "abc... [truncated]", cut: true });
  assertEquals(truncateLine("abc", 3), { text: "abc", cut: false });
});

Deno.test("tool calls and results render on one line", () => {
  assertEquals(
    formatToolCall("bash", { command: "ls -la", timeout: 5 }),
    'bash(command="ls -la", timeout=5)',
  );
  assertEquals(formatToolCall("x", '{"broken'), 'x({"broken)');
  assertEquals(oneLine("a\nb", 10), "a ⏎ b");
  assertEquals(oneLine("abcdefghijkl", 5), "abcd…");
  assertEquals(summarizeResult("first\nsecond\nthird\n"), "first … +2 lines");
  assertEquals(summarizeResult("only"), "only");
});

Deno.test("terminal text loses its escapes and keeps the last frame of each redrawn line", () => {
  assertEquals(plainTerminalText("plain text\nstays\n"), "plain text\nstays\n");
  assertEquals(plainTerminalText("\x1b[1;31merror\x1b[0m: bad"), "error: bad");
  assertEquals(plainTerminalText("\x1b]0;window title\x07after"), "after");
  assertEquals(plainTerminalText("\x1b]8;;https://x.dev\x1b\\link\x1b]8;;\x1b\\"), "link");
  assertEquals(plainTerminalText("  0%\r 40%\r100%\ndone\n"), "100%\ndone\n");
  assertEquals(plainTerminalText("windows line\r\nnext\r\n"), "windows line\nnext\n");
  assertEquals(plainTerminalText("\x1b[2K\x1b[1Gspinner \\\rspinner |\rfinished"), "finished");
});
