/**
 * The REPL's elicitation prompt without a terminal: the fields read from a server's schema, what a
 * typed answer means for each (values of the right type, defaults, a reason to ask again), and the
 * prompt driven by keys to accept, decline or cancel.
 */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { type ElicitField, elicitFields, fieldFacts, parseAnswer } from "../lib/ui/elicit_fields.ts";
import { ElicitPrompt } from "../lib/ui/elicit_prompt.ts";
import type { Key } from "../lib/ui/input.ts";
import type { ReplElicitAnswer } from "../lib/ui/runtime.ts";
import type { JsonSchema } from "../lib/core/mod.ts";

function field(property: JsonSchema, required = false): ElicitField {
  return elicitFields({ type: "object", properties: { f: property }, required: required ? ["f"] : [] })[0];
}

/** The value an answer gives, or the reason it is refused. */
function answer(property: JsonSchema, text: string, required = false): unknown {
  const result = parseAnswer(field(property, required), text);
  return result.ok ? result.value : `✗ ${result.reason}`;
}

/** Types each line on a cleared input and presses Enter; returns the answer once one is given. */
function typeLines(prompt: ElicitPrompt, lines: string[]): ReplElicitAnswer | undefined {
  for (const line of lines) {
    prompt.handle({ name: "end" });
    prompt.handle({ name: "kill-to-start" });
    if (line !== "") prompt.handle({ name: "text", text: line });
    const done = prompt.handle({ name: "enter" });
    if (done) return done;
  }
  return undefined;
}

/** server-everything's request (2026.8.31): every kind of field the specification allows. */
const EVERYTHING_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    name: { title: "String", type: "string", description: "Your full, legal name" },
    check: { title: "Boolean", type: "boolean" },
    integer: { title: "Integer", type: "integer", minimum: 1, maximum: 100, default: 42 },
    untitledSingleSelectEnum: { type: "string", enum: ["Monica", "Rachel", "Joey"], default: "Monica" },
    untitledMultipleSelectEnum: {
      type: "array",
      minItems: 1,
      maxItems: 2,
      items: { type: "string", enum: ["Guitar", "Piano", "Violin"] },
      default: ["Guitar"],
    },
    titledSingleSelectEnum: {
      type: "string",
      oneOf: [{ const: "hero-1", title: "Superman" }, { const: "hero-2", title: "Green Lantern" }],
    },
    titledMultipleSelectEnum: {
      type: "array",
      items: { anyOf: [{ const: "fish-1", title: "Tuna" }, { const: "fish-2", title: "Salmon" }] },
    },
    legacyTitledEnum: { type: "string", enum: ["pet-1", "pet-2"], enumNames: ["Cats", "Dogs"] },
  },
  required: ["name"],
};

Deno.test("the fields of a schema keep its order, titles, defaults and choices, and know their kind", () => {
  const fields = elicitFields(EVERYTHING_SCHEMA);
  assertEquals(fields.map((f) => [f.name, f.kind, f.required]), [
    ["name", "string", true],
    ["check", "boolean", false],
    ["integer", "integer", false],
    ["untitledSingleSelectEnum", "choice", false],
    ["untitledMultipleSelectEnum", "choices", false],
    ["titledSingleSelectEnum", "choice", false],
    ["titledMultipleSelectEnum", "choices", false],
    ["legacyTitledEnum", "choice", false],
  ]);
  assertEquals([fields[0].title, fields[0].description, fields[3].title], [
    "String",
    "Your full, legal name",
    "untitledSingleSelectEnum",
  ]);
  assertEquals(fields[2].default, 42);
  assertEquals(fields[5].choices, [{ value: "hero-1", title: "Superman" }, {
    value: "hero-2",
    title: "Green Lantern",
  }]);
  assertEquals(fields[6].choices.map((c) => c.title), ["Tuna", "Salmon"]);
  assertEquals(fields[7].choices, [{ value: "pet-1", title: "Cats" }, { value: "pet-2", title: "Dogs" }]);
  assertEquals(fieldFacts(fields[2]), "integer, 1-100");
  assertEquals(fieldFacts(fields[0]), "string, required");
  assertEquals(fieldFacts(fields[4]), "choose any, separated by commas, 1-2 of them");
  assertEquals(elicitFields({}), []);
});

Deno.test("numbers come back as numbers, within their bounds, and words are refused with a reason", () => {
  const age = { type: "integer", minimum: 0, maximum: 150 };
  assertEquals(answer(age, " 36 "), 36);
  assertEquals(answer(age, "3.5"), "✗ Type a whole number, e.g. 42.");
  assertEquals(answer(age, "old"), "✗ Type a whole number, e.g. 42.");
  assertEquals(answer(age, "151"), "✗ Type 150 or less.");
  assertEquals(answer(age, "-1"), "✗ Type 0 or more.");
  assertEquals(answer({ type: "number" }, "-2.5e1"), -25);
  assertEquals(answer({ type: "number" }, "0x10"), "✗ Type a number, e.g. 3.5.");
  assertEquals(answer({ type: "number", exclusiveMinimum: 0 }, "0"), "✗ Type more than 0.");
  assertEquals(answer({ type: ["integer", "null"] }, "7"), 7);
});

Deno.test("booleans take y/n and their spellings; anything else asks again", () => {
  const flag = { type: "boolean" };
  assertEquals(["y", "YES", "true", "1", "n", "No", "false", "0"].map((t) => answer(flag, t)), [
    true,
    true,
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
  assertEquals(answer(flag, "maybe"), "✗ Answer y or n.");
});

Deno.test("a choice is taken by its value, its title or its number, and nothing else", () => {
  const colour = { type: "string", enum: ["red", "green", "blue"] };
  assertEquals([answer(colour, "green"), answer(colour, "3"), answer(colour, "RED")], [
    "green",
    "blue",
    "red",
  ]);
  assertEquals(answer(colour, "4"), "✗ Choose one of the values listed, or its number (1-3).");
  assertEquals(answer(colour, "purple"), "✗ Choose one of the values listed, or its number (1-3).");
  const hero = {
    type: "string",
    oneOf: [{ const: "hero-1", title: "Superman" }, { const: "hero-2", title: "Flash" }],
  };
  assertEquals([answer(hero, "flash"), answer(hero, "hero-1"), answer(hero, "2")], [
    "hero-2",
    "hero-1",
    "hero-2",
  ]);
  // A value that is itself a number is taken as the value, not as a position.
  assertEquals(answer({ type: "string", enum: ["10", "20"] }, "20"), "20");
});

Deno.test("several choices are separated by commas, kept once each, and counted against the bounds", () => {
  const instruments = {
    type: "array",
    minItems: 1,
    maxItems: 2,
    items: { type: "string", enum: ["Guitar", "Piano", "Violin"] },
  };
  assertEquals(answer(instruments, "guitar, 3, Guitar"), ["Guitar", "Violin"]);
  assertEquals(answer(instruments, "1,2,3"), "✗ Choose at most 2.");
  assertEquals(
    answer(instruments, "drums"),
    '✗ "drums" is not listed. Choose values listed, or their numbers (1-3), separated by commas.',
  );
  assertEquals(answer({ type: "array", items: { type: "string" } }, "a, b"), ["a", "b"]);
});

Deno.test("strings are checked for length, pattern and the cheap formats", () => {
  assertEquals(answer({ type: "string", minLength: 2 }, "A"), "✗ Type at least 2 characters.");
  assertEquals(answer({ type: "string", maxLength: 3 }, "abcd"), "✗ Type at most 3 characters.");
  assertEquals(answer({ type: "string", maxLength: 3 }, "ééé"), "ééé");
  assertEquals(answer({ type: "string", pattern: "^[a-z]+$" }, "abc1"), "✗ The answer must match ^[a-z]+$.");
  assertEquals(answer({ type: "string", format: "email" }, "ada@example.com"), "ada@example.com");
  assertEquals(
    answer({ type: "string", format: "email" }, "ada"),
    "✗ Type an email address, e.g. ada@example.com.",
  );
  assertEquals(answer({ type: "string", format: "uri" }, "https://example.com/x"), "https://example.com/x");
  assertEquals(
    answer({ type: "string", format: "uri" }, "example"),
    "✗ Type a URI, e.g. https://example.com.",
  );
  assertEquals(answer({ type: "string", format: "date" }, "2024-02-29"), "2024-02-29");
  assertEquals(
    answer({ type: "string", format: "date" }, "2023-02-29"),
    "✗ Type a date as YYYY-MM-DD, e.g. 2024-05-31.",
  );
  assertEquals(
    answer({ type: "string", format: "date-time" }, "2024-05-31T14:30:00Z"),
    "2024-05-31T14:30:00Z",
  );
  assertEquals(
    answer({ type: "string", format: "date-time" }, "2024-05-31"),
    "✗ Type a date and time, e.g. 2024-05-31T14:30:00Z.",
  );
});

Deno.test("an empty answer takes the default, leaves an optional field out, and is refused when required", () => {
  assertEquals(answer({ type: "integer", default: 42 }, ""), 42);
  assertEquals(answer({ type: "array", items: { enum: ["a", "b"] }, default: ["a"] }, "  "), ["a"]);
  assertEquals(answer({ type: "string" }, ""), undefined);
  assertEquals(answer({ type: "string" }, "", true), "✗ An answer is required.");
});

Deno.test("the prompt asks field by field, asks again with a reason, and accepts typed values", () => {
  const prompt = new ElicitPrompt({
    message: "Tell me about you",
    requestedSchema: {
      type: "object",
      properties: {
        name: { type: "string", title: "Your name", minLength: 2 },
        age: { type: "integer", minimum: 0 },
        colour: { type: "string", enum: ["red", "green", "blue"], default: "green" },
        subscribe: { type: "boolean", description: "Send me the newsletter" },
        note: { type: "string" },
      },
      required: ["name", "age"],
    },
  }, { server: "fx" });
  const screen = () => prompt.layout(60).rows.join("\n");
  assertStringIncludes(screen(), "? fx asks: Tell me about you");
  assertStringIncludes(screen(), "Your name (string, at least 2 characters, required)");
  assertStringIncludes(screen(), "field 1 of 5");

  assertEquals(typeLines(prompt, ["", "A"]), undefined);
  assertEquals([prompt.step, prompt.error], [0, "Type at least 2 characters."]);
  assertStringIncludes(screen(), "✗ Type at least 2 characters.");
  // The refused answer stays on the line, to be corrected.
  assertStringIncludes(screen(), "❯ A\n");
  assertEquals(typeLines(prompt, ["Ada", "thirty"]), undefined);
  assertEquals([prompt.step, prompt.error], [1, "Type a whole number, e.g. 42."]);
  assertEquals(typeLines(prompt, ["36"]), undefined);
  assertStringIncludes(screen(), "✓ age: 36");
  assertStringIncludes(screen(), "1) red  2) green  3) blue");
  assertStringIncludes(screen(), "Enter takes the default: green");
  assertEquals(typeLines(prompt, ["3"]), undefined);
  assertStringIncludes(screen(), "Send me the newsletter");
  assertEquals(typeLines(prompt, ["y", ""]), undefined);
  assertStringIncludes(screen(), "Send these values to fx?");
  assertStringIncludes(screen(), "note: (left out)");
  const done = typeLines(prompt, [""]);
  assertEquals(done, {
    action: "accept",
    content: { name: "Ada", age: 36, colour: "blue", subscribe: true },
  });
  assertEquals(prompt.outcomeLines(done!, 80), [
    "? fx asked: Tell me about you",
    "  ↳ sent Your name: Ada · age: 36 · colour: blue · subscribe: yes",
  ]);
});

Deno.test("↑ goes back to the field before with its answer, and the answer can change", () => {
  const prompt = new ElicitPrompt({
    message: "Pick",
    requestedSchema: { type: "object", properties: { a: { type: "string" }, b: { type: "number" } } },
  }, { server: "fx" });
  typeLines(prompt, ["first"]);
  assertEquals(prompt.step, 1);
  prompt.handle({ name: "up" });
  assertEquals(prompt.step, 0);
  assertStringIncludes(prompt.layout(40).rows.join("\n"), "❯ first");
  prompt.handle({ name: "kill-to-start" });
  assertEquals(typeLines(prompt, ["second", "2.5", "y"]), {
    action: "accept",
    content: { a: "second", b: 2.5 },
  });
});

Deno.test("without raw mode a refused answer is typed again from scratch", () => {
  const prompt = new ElicitPrompt(
    { message: "", requestedSchema: { type: "object", properties: { n: { type: "integer" } } } },
    { server: "fx" },
    { keepRefused: false },
  );
  for (const text of ["x", "7"]) {
    prompt.handle({ name: "text", text });
    prompt.handle({ name: "enter" });
  }
  assertEquals([prompt.step, prompt.error], [1, undefined]);
  assertEquals(prompt.handle({ name: "enter" }), { action: "accept", content: { n: 7 } });
});

Deno.test("the prompt declines on /decline or n at the last step, and cancels on Esc, Ctrl-C or /cancel", () => {
  const request = {
    message: "Confirm",
    requestedSchema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] },
  };
  const fresh = () => new ElicitPrompt(request, { server: "fx" });
  assertEquals(typeLines(fresh(), ["/decline"]), { action: "decline" });
  assertEquals(typeLines(fresh(), ["y", "n"]), { action: "decline" });
  assertEquals(typeLines(fresh(), ["/cancel"]), { action: "cancel" });
  for (const key of [{ name: "escape" }, { name: "ctrl-c" }, { name: "ctrl-d" }] as Key[]) {
    assertEquals(fresh().handle(key), { action: "cancel" });
  }
  const unsure = fresh();
  assertEquals(typeLines(unsure, ["y", "perhaps"]), undefined);
  assertEquals(unsure.error, "Answer y to send the values, or n to decline.");
  // A request with no fields asks for consent only.
  const consent = new ElicitPrompt({ message: "Go on?", requestedSchema: {} }, { server: "fx" });
  assertStringIncludes(consent.layout(60).rows.join("\n"), "Send your consent to fx?");
  assertEquals(typeLines(consent, ["yes"]), { action: "accept", content: {} });
});

Deno.test("the server's text cannot move the cursor, and a long message is cut to a few rows", () => {
  const prompt = new ElicitPrompt({
    message: `\x1b[2J\x1b[Hclear${"\nline".repeat(20)}`,
    requestedSchema: { type: "object", properties: { "x\x1b[31m": { type: "string", title: "T\x07" } } },
  }, { server: "evil\x1b]0;title\x07" });
  const rows = prompt.layout(40).rows;
  assert(!rows.join("\n").includes("\x1b"), JSON.stringify(rows));
  assertStringIncludes(rows[0], "? evil asks: clear");
  assertStringIncludes(rows[5], "… 16 more rows");
  assertEquals(rows.length <= 12, true, rows.join("\n"));
});
