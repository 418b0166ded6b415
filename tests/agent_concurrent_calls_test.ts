import { assertEquals } from "./support/assert.ts";
import { groupCalls, prepareCall, runsConcurrently } from "../lib/agent/mod.ts";
import { callIsReadOnly, textResult, type Tool } from "../lib/core/mod.ts";
import { readOnlyTools } from "../lib/tools/mod.ts";

const ro: Tool = {
  name: "ro",
  description: "",
  parameters: { type: "object" },
  permissions: [],
  readOnly: true,
  execute: () => Promise.resolve(textResult("")),
};

/** A tool like `nanocode`: `look` only reads, `spawn` may run beside others, `change` runs alone. */
const mixed: Tool = {
  ...ro,
  name: "mixed",
  readOnly: (args) => args.action === "look",
  concurrent: (args) => args.action === "spawn",
};

const call = (id: string, name: string, args: Record<string, unknown> = {}) =>
  prepareCall({ id, name, arguments: JSON.stringify(args) }, [ro, mixed]);

Deno.test("a readOnly function decides per call whether the call runs beside the reads", () => {
  const calls = [
    call("0", "ro"),
    call("1", "mixed", { action: "look" }),
    call("2", "mixed", { action: "change" }),
    call("3", "mixed", { action: "look" }),
    call("4", "ro"),
  ];
  assertEquals(calls.map(runsConcurrently), [true, true, false, true, true]);
  assertEquals(groupCalls(calls).map((g) => g.map((c) => c.id)), [["0", "1"], ["2"], ["3", "4"]]);
});

Deno.test("calls a tool marks concurrent run together with each other and with the reads", () => {
  const calls = [
    call("0", "mixed", { action: "spawn" }),
    call("1", "mixed", { action: "spawn" }),
    call("2", "ro"),
    call("3", "mixed", { action: "change" }),
    call("4", "mixed", { action: "spawn" }),
  ];
  assertEquals(groupCalls(calls).map((g) => g.map((c) => c.id)), [["0", "1", "2"], ["3"], ["4"]]);
});

Deno.test("a tool read-only only for some calls stays out of the read-only set, and a throwing test says no", () => {
  assertEquals(readOnlyTools([ro, mixed]).map((t) => t.name), ["ro"]);
  const throwing: Tool = {
    ...ro,
    readOnly: () => {
      throw new Error("boom");
    },
  };
  assertEquals(callIsReadOnly(throwing, {}), false);
  assertEquals(callIsReadOnly(mixed, { action: "look" }), true);
  assertEquals(runsConcurrently(call("9", "unknown")), false);
});
