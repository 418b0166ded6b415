import { deepEqual, equal, rejects, throws } from "node:assert/strict";
import { parseFrontMatter, parseYamlMapping, splitFrontMatter } from "../lib/context/front_matter.ts";

function isSyntaxError(fragment: string): (error: unknown) => boolean {
  return (error: unknown) =>
    error instanceof SyntaxError && error.message.includes(fragment) && !error.message.includes("\n");
}

Deno.test("front matter splits the YAML from the Markdown body", async () => {
  const parsed = await parseFrontMatter(
    "---\nname: demo\ndescription: Does a thing\n---\n\n# Demo\n\nBody.\n",
  );
  deepEqual(parsed.data, { name: "demo", description: "Does a thing" });
  equal(parsed.body, "# Demo\n\nBody.\n");
  equal(parsed.present, true);
});

Deno.test("a text without a leading --- line has no front matter", async () => {
  const parsed = await parseFrontMatter("# Title\n---\nname: x\n---\n");
  deepEqual(parsed.data, {});
  equal(parsed.present, false);
  equal(parsed.body, "# Title\n---\nname: x\n---\n");
});

Deno.test("front matter accepts a byte-order mark, CRLF line endings and a ... closing line", async () => {
  const parsed = await parseFrontMatter("\uFEFF---\r\nname: crlf\r\n...\r\nbody\r\n");
  deepEqual(parsed.data, { name: "crlf" });
  equal(parsed.body, "body\n");
});

Deno.test("front matter that is never closed is a syntax error", () => {
  throws(() => splitFrontMatter("---\nname: open\n"), isSyntaxError("never closed"));
});

Deno.test("quoted values keep their text and resolve escapes", async () => {
  const data = await parseYamlMapping(`a: 'it''s # not a comment'\nb: "tab\\there \\u00e9 \\"q\\""\nc: ""`);
  deepEqual(data, { a: "it's # not a comment", b: 'tab\there é "q"', c: "" });
});

Deno.test("quoted values may run over several lines, folding breaks into spaces", async () => {
  const data = await parseYamlMapping(`d: "first\n  second\n\n  third"\ne: 'one\n  two'`);
  deepEqual(data, { d: "first second\nthird", e: "one two" });
});

Deno.test("plain values are typed like YAML and lose trailing comments", async () => {
  const data = await parseYamlMapping(
    "n: 12\nf: 1.5\nv: 1.0.0\nt: true\nnil: ~\nempty:\nhash: C# stays # but this goes",
  );
  deepEqual(data, { n: 12, f: 1.5, v: "1.0.0", t: true, nil: null, empty: null, hash: "C# stays" });
});

Deno.test("plain values continue on more indented lines and may contain a colon", async () => {
  const data = await parseYamlMapping("description: Use it: when the tests\n  fail\n\n  twice\nname: x");
  deepEqual(data, { description: "Use it: when the tests fail\ntwice", name: "x" });
});

Deno.test("literal block scalars keep line breaks and honour chomping", async () => {
  const data = await parseYamlMapping("clip: |\n  one\n   two\n\nstrip: |-\n  s\n\nkeep: |+\n  k\n\nend: 1");
  deepEqual(data, { clip: "one\n two\n", strip: "s", keep: "k\n\n", end: 1 });
});

Deno.test("folded block scalars join ordinary lines and keep blank lines and indented lines", async () => {
  const data = await parseYamlMapping("d: >\n  a\n  b\n\n  c\n    code\n  e\n");
  equal(data.d, "a b\nc\n  code\ne\n");
});

Deno.test("nested mappings, lists and compact list items parse by indentation", async () => {
  const data = await parseYamlMapping(
    "metadata:\n  author: me\n  version: '2'\nallowed-tools:\n- read\n- bash\nitems:\n  - name: a\n    n: 1\n  - - x\n    - y",
  );
  deepEqual(data, {
    metadata: { author: "me", version: "2" },
    "allowed-tools": ["read", "bash"],
    items: [{ name: "a", n: 1 }, ["x", "y"]],
  });
});

Deno.test("flow collections parse on one line or across indented lines", async () => {
  const data = await parseYamlMapping("l: [a, 'b c', 3]\nm: {k: v, url: http://x/y}\nlong: [one,\n  two]");
  deepEqual(data, { l: ["a", "b c", 3], m: { k: "v", url: "http://x/y" }, long: ["one", "two"] });
});

Deno.test("malformed YAML is a syntax error naming the line of the file", async () => {
  const cases: [string, string][] = [
    ['---\nname: ok\ndescription: "unterminated\n---\n', "line 3: unterminated quoted value"],
    ["---\nname: a\nname: b\n---\n", 'line 3: duplicate key "name"'],
    ["---\n\tname: a\n---\n", "line 2: tabs cannot indent YAML"],
    ["---\nmetadata:\n    a: 1\n  b: 2\n---\n", "line 4: all mapping items must start at the same column"],
    ["---\njust some text\n---\n", "line 2: front matter must be a mapping"],
    ["---\nname: *alias\n---\n", "line 2: anchors, aliases and tags are not supported"],
    ["---\ntools: [a, b\n---\n", "line 2: unclosed flow collection"],
    ['---\nname: "a" b\n---\n', 'line 2: unexpected text "b" after the end of a value'],
    ['---\nname: "a\\q"\n---\n', "line 2: invalid escape sequence \\q"],
  ];
  for (const [text, message] of cases) {
    await rejects(
      parseFrontMatter(text),
      isSyntaxError(message),
      `${JSON.stringify(text)} should fail with ${message}`,
    );
  }
});

Deno.test("past a value holding a colon, the next error is the one reported", async () => {
  await rejects(
    parseFrontMatter('---\ndescription: Use it: when\nname: "a" b\n---\n'),
    isSyntaxError('line 3: unexpected text "b"'),
  );
});

Deno.test("anchors, tags and keys that are collections are refused, with the line that holds them", async () => {
  const cases: [string, string][] = [
    [
      "---\nname: x\nbase: &b\n  k: 1\ncopy: *b\n---\n",
      "line 3: anchors, aliases and tags are not supported",
    ],
    ["---\nname: !!binary aGVsbG8=\n---\n", "line 2: anchors, aliases and tags are not supported"],
    ["---\nname: x\n? [a, b]\n: 1\n---\n", "line 3: a key must be plain text"],
  ];
  for (const [text, message] of cases) {
    await rejects(
      parseFrontMatter(text),
      isSyntaxError(message),
      `${JSON.stringify(text)} should fail with ${message}`,
    );
  }
});

Deno.test("a plain value holding a colon keeps its quotes and backslashes, nested or in a list", async () => {
  const data = await parseYamlMapping(
    'description: Use it: when "x" fails\\n # why\nmetadata:\n  note: IMPORTANT: read first\n' +
      "steps:\n  - do: this: then\n      that\nname: x",
  );
  deepEqual(data, {
    description: 'Use it: when "x" fails\\n',
    metadata: { note: "IMPORTANT: read first" },
    steps: [{ do: "this: then that" }],
    name: "x",
  });
});

Deno.test("the YAML library loads only for front matter that is not flat key: value lines", async () => {
  // With npm resolution off, importing the library fails: only the last call may need it.
  const module = new URL("../lib/context/front_matter.ts", import.meta.url).href;
  const code = `import { parseFrontMatter } from ${JSON.stringify(module)};
const plain = await parseFrontMatter("# No front matter\\n");
const flat = await parseFrontMatter("---\\nname: x\\ndescription: Use it for x:y at https://x\\n---\\n")
  .then(({ data }) => data, (error) => error.message);
const failure = await parseFrontMatter('---\\nname: "x"\\n---\\n').then(() => "parsed", (error) => error.message);
console.log(JSON.stringify([plain.present, flat, failure]));`;
  const config = new URL("../deno.json", import.meta.url).pathname;
  const { code: status, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-npm", "--config", config, code],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  equal(status, 0);
  const [present, flat, failure] = JSON.parse(new TextDecoder().decode(stdout));
  equal(present, false);
  deepEqual(flat, { name: "x", description: "Use it for x:y at https://x" });
  equal(String(failure).includes("npm"), true, failure);
});
