import { deepEqual, equal, throws } from "node:assert/strict";
import { parseFrontMatter, parseYamlMapping, splitFrontMatter } from "../lib/context/front_matter.ts";

function throwsSyntaxError(fn: () => unknown, fragment: string): void {
  throws(fn, (error: unknown) => error instanceof SyntaxError && error.message.includes(fragment));
}

Deno.test("front matter splits the YAML from the Markdown body", () => {
  const parsed = parseFrontMatter("---\nname: demo\ndescription: Does a thing\n---\n\n# Demo\n\nBody.\n");
  deepEqual(parsed.data, { name: "demo", description: "Does a thing" });
  equal(parsed.body, "# Demo\n\nBody.\n");
  equal(parsed.present, true);
});

Deno.test("a text without a leading --- line has no front matter", () => {
  const parsed = parseFrontMatter("# Title\n---\nname: x\n---\n");
  deepEqual(parsed.data, {});
  equal(parsed.present, false);
  equal(parsed.body, "# Title\n---\nname: x\n---\n");
});

Deno.test("front matter accepts a byte-order mark, CRLF line endings and a ... closing line", () => {
  const parsed = parseFrontMatter("\uFEFF---\r\nname: crlf\r\n...\r\nbody\r\n");
  deepEqual(parsed.data, { name: "crlf" });
  equal(parsed.body, "body\n");
});

Deno.test("front matter that is never closed is a syntax error", () => {
  throwsSyntaxError(() => splitFrontMatter("---\nname: open\n"), "never closed");
});

Deno.test("quoted values keep their text and resolve escapes", () => {
  const data = parseYamlMapping(`a: 'it''s # not a comment'\nb: "tab\\there \\u00e9 \\"q\\""\nc: ""`);
  deepEqual(data, { a: "it's # not a comment", b: 'tab\there é "q"', c: "" });
});

Deno.test("quoted values may run over several lines, folding breaks into spaces", () => {
  const data = parseYamlMapping(`d: "first\n  second\n\n  third"\ne: 'one\n  two'`);
  deepEqual(data, { d: "first second\nthird", e: "one two" });
});

Deno.test("plain values are typed like YAML and lose trailing comments", () => {
  const data = parseYamlMapping(
    "n: 12\nf: 1.5\nv: 1.0.0\nt: true\nnil: ~\nempty:\nhash: C# stays # but this goes",
  );
  deepEqual(data, { n: 12, f: 1.5, v: "1.0.0", t: true, nil: null, empty: null, hash: "C# stays" });
});

Deno.test("plain values continue on more indented lines and may contain a colon", () => {
  const data = parseYamlMapping("description: Use it: when the tests\n  fail\n\n  twice\nname: x");
  deepEqual(data, { description: "Use it: when the tests fail\ntwice", name: "x" });
});

Deno.test("literal block scalars keep line breaks and honour chomping", () => {
  const data = parseYamlMapping("clip: |\n  one\n   two\n\nstrip: |-\n  s\n\nkeep: |+\n  k\n\nend: 1");
  deepEqual(data, { clip: "one\n two\n", strip: "s", keep: "k\n\n", end: 1 });
});

Deno.test("folded block scalars join ordinary lines and keep blank lines and indented lines", () => {
  const data = parseYamlMapping("d: >\n  a\n  b\n\n  c\n    code\n  e\n");
  equal(data.d, "a b\nc\n  code\ne\n");
});

Deno.test("nested mappings, lists and compact list items parse by indentation", () => {
  const data = parseYamlMapping(
    "metadata:\n  author: me\n  version: '2'\nallowed-tools:\n- read\n- bash\nitems:\n  - name: a\n    n: 1\n  - - x\n    - y",
  );
  deepEqual(data, {
    metadata: { author: "me", version: "2" },
    "allowed-tools": ["read", "bash"],
    items: [{ name: "a", n: 1 }, ["x", "y"]],
  });
});

Deno.test("flow collections parse on one line or across indented lines", () => {
  const data = parseYamlMapping("l: [a, 'b c', 3]\nm: {k: v, url: http://x/y}\nlong: [one,\n  two]");
  deepEqual(data, { l: ["a", "b c", 3], m: { k: "v", url: "http://x/y" }, long: ["one", "two"] });
});

Deno.test("malformed YAML is a syntax error naming the line of the file", () => {
  const cases: [string, string][] = [
    ['---\nname: ok\ndescription: "unterminated\n---\n', "line 3: unterminated quoted value"],
    ["---\nname: a\nname: b\n---\n", 'line 3: duplicate key "name"'],
    ["---\n\tname: a\n---\n", "line 2: tabs cannot indent YAML"],
    ["---\nmetadata:\n    a: 1\n  b: 2\n---\n", "line 4: unexpected indentation"],
    ["---\njust some text\n---\n", "line 2: front matter must be a mapping"],
    ["---\nname: *alias\n---\n", "line 2: anchors, aliases and tags are not supported"],
    ["---\ntools: [a, b\n---\n", "line 2: unclosed flow collection"],
    ['---\nname: "a" b\n---\n', "line 2: unexpected text after a quoted value"],
  ];
  for (const [text, message] of cases) {
    throwsSyntaxError(() => parseFrontMatter(text), message);
  }
});
