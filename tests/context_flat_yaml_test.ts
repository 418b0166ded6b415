import { deepEqual, equal, ok } from "node:assert/strict";
import { parseDocument } from "yaml";
import { parseFlatYaml } from "../lib/context/flat_yaml.ts";

const KEYS = [
  "name",
  "description",
  "license",
  "disable-model-invocation",
  "allowed-tools",
  "compatibility",
  "x_y",
  "a.b",
  "_k",
  "a-",
  "1a",
  "K9",
  "null",
  "Null",
  "true",
  "TRUE",
  "yes",
  "1",
  "0x10",
  "1e3",
  "1.0",
  "__proto__",
  "constructor",
  "toString",
  "k".repeat(300),
  "k".repeat(1100),
];

const VALUES = [
  "demo",
  "Use it when the tests fail",
  "a:b",
  "https://x",
  "https://x.example/p?q=1&r=2#frag",
  "C# and F#",
  "a #b",
  "word#tag",
  "trailing   ",
  "  leading",
  "émoji 🎉 日本語 ﬁ",
  "True",
  "true",
  "TRUE",
  "tRUE",
  "False",
  "false",
  "FALSE",
  "fAlse",
  "yes",
  "No",
  "on",
  "off",
  "y",
  "~",
  "null",
  "Null",
  "NULL",
  "nUll",
  "1.0",
  "1.0.0",
  "1",
  "-1",
  "+1",
  "+1.5e-3",
  ".5",
  "5.",
  "1e3",
  "1E+3",
  ".inf",
  "-.Inf",
  "+.INF",
  ".NaN",
  ".nan",
  "0x10",
  "0X10",
  "0x",
  "0o17",
  "0o8",
  "0b101",
  "1_000",
  "1,000",
  "0.5x",
  "0",
  "00",
  "08",
  "-0",
  "12:30",
  "2024-01-01",
  "2024-01-01T10:00:00Z",
  "Infinity",
  "NaN",
  "=",
  "<<",
  "a, b",
  "[x]",
  "a [b] {c}",
  "x}",
  "x]",
  "it's",
  'say "hi"',
  "50%",
  "%x",
  "@me",
  "`code`",
  "a`b",
  "!bang",
  "a!b",
  "&anchor",
  "a&b",
  "*star",
  "a*b",
  "|pipe",
  "a|b",
  ">gt",
  "a>b",
  "-dash",
  "a-b",
  "- item",
  "?q",
  "a?b",
  ":colon",
  "a : b",
  "a :b",
  "ends:",
  "a: b",
  "key::",
  "a:\u00a0b",
  "\u00a0nbsp",
  "nbsp\u00a0",
  "ideographic\u3000space",
  "tab\there",
  "",
  " ",
  "---",
  "...",
  "a ...",
  "a --- b",
  "# comment",
  "\\back\\slash \\n",
  "a\u2028b",
  "a\u0085b",
  "\u200bzero-width",
  "a\u007fb",
  "a\u0007b",
  "\ufeffbom",
  "{",
  "}",
  '"',
  "'",
  "a 'b' \"c\"",
  "<script>",
];

const SEPARATORS = [": ", ": ", ": ", ":  ", ":", " : ", ":\t", ":\u00a0"];

/** A small seeded generator, so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Common keys and values most of the time, so realistic files, duplicates and tricky values mix. */
function frontMatter(next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const lines: string[] = [];
  const count = 1 + Math.floor(next() * 5);
  for (let i = 0; i < count; i++) {
    if (next() < 0.1) lines.push(pick(["", "   ", "#", "# a comment: here", "  # indented comment"]));
    const key = next() < 0.7 ? pick(KEYS.slice(0, 6)) : pick(KEYS);
    const separator = next() < 0.9 ? SEPARATORS[0] : pick(SEPARATORS);
    const value = next() < 0.6 ? pick(VALUES.slice(0, 8)) : pick(VALUES);
    const indent = next() < 0.03 ? "  " : "";
    const trailing = next() < 0.1 ? pick([" ", "   ", " # note", "\t"]) : "";
    lines.push(`${indent}${key}${separator}${value}${trailing}`);
  }
  return lines.join("\n");
}

/** Checks one text: the fast path declines it, or the library reads it cleanly to the same mapping. */
function compare(source: string): "accepted" | "declined" {
  const fast = parseFlatYaml(source);
  if (fast === null) return "declined";
  const doc = parseDocument(source, { logLevel: "silent" });
  const where = JSON.stringify(source);
  deepEqual(doc.errors.map((error) => error.message), [], `the library rejects ${where}`);
  deepEqual(doc.warnings.map((warning) => warning.message), [], `the library warns on ${where}`);
  deepEqual(fast, doc.toJS() ?? {}, `different results for ${where}`);
  return "accepted";
}

Deno.test("the flat fast path gives what the yaml library gives for every key, value and separator", () => {
  const sources = [
    ...KEYS.flatMap((key) => VALUES.map((value) => `${key}: ${value}`)),
    ...SEPARATORS.flatMap((separator) => VALUES.map((value) => `name${separator}${value}`)),
    ...VALUES.map((value) => `${value}: x`),
  ];
  const counts = { accepted: 0, declined: 0 };
  for (const source of sources) counts[compare(source)]++;
  ok(counts.accepted > 1000 && counts.declined > 1000, JSON.stringify(counts));
});

Deno.test("the flat fast path gives what the yaml library gives on generated front matter", () => {
  const next = random(14);
  const counts = { accepted: 0, declined: 0 };
  for (let i = 0; i < 20000; i++) counts[compare(frontMatter(next))]++;
  // Both sides of the path must be exercised for the comparison to mean anything.
  ok(counts.accepted > 1000 && counts.declined > 1000, JSON.stringify(counts));
});

Deno.test("the flat fast path types booleans and empty values, and leaves numbers and nulls to yaml", () => {
  deepEqual(
    parseFlatYaml(
      "# a skill\nname: demo\ndescription: Use it when x:y, https://x, C#1 and a#b  \n\n" +
        "disable-model-invocation: True\nhidden: FALSE\nyes: yes\nempty:\nblank:   \nunicode: é 日本",
    ),
    {
      name: "demo",
      description: "Use it when x:y, https://x, C#1 and a#b",
      "disable-model-invocation": true,
      hidden: false,
      yes: "yes",
      empty: null,
      blank: null,
      unicode: "é 日本",
    },
  );
  const declined = [
    "version: 1.0",
    "n: 0x10",
    "n: .inf",
    "n: ~",
    "n: null",
    "d: Use it: when",
    "d: text # comment",
    'd: "quoted"',
    "d: first\n  second",
    "m:\n  k: v",
    "l:\n- a",
    "name: a\nname: b",
    "__proto__: x",
    "d: ends:",
    "d: &a x",
    "\tname: x",
  ];
  for (const source of declined) equal(parseFlatYaml(source), null, JSON.stringify(source));
});
