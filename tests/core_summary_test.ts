/** The one-line summary of a tool's result, for results cut to a window of their lines. */
import { assertEquals } from "./support/assert.ts";
import { summarizeResult } from "../lib/core/format.ts";

Deno.test("a result cut to its last lines is summarised by the lines it shows of how many", () => {
  const tail = Array.from({ length: 2000 }, (_, i) => String(98001 + i)).join("\n");
  const text = `${tail}\n\n[Showing lines 98001-100000 of 100000. Full output: /tmp/nanocode-bash-1.log]`;
  assertEquals(summarizeResult(text), "98001 … lines 98001-100000 of 100000");
});

Deno.test("a read cut by the byte limit says which lines of the file it shows", () => {
  const text = "alpha\nbeta\n\n[Showing lines 1-2 of 9000 (50.0KB limit). Use offset=3 to continue.]";
  assertEquals(summarizeResult(text), "alpha … lines 1-2 of 9000");
});

Deno.test("a result without a window note keeps its line count", () => {
  assertEquals(summarizeResult("first\nsecond\nthird\n"), "first … +2 lines");
  assertEquals(summarizeResult("[Showing lines 1-2 of 3]"), "[Showing lines 1-2 of 3]");
});
