import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./support/assert.ts";
import type { TextPart } from "../lib/core/messages.ts";
import type { ToolContext, ToolResult } from "../lib/core/tool.ts";
import { editTool } from "../lib/tools/edit.ts";

const unix = Deno.build.os !== "windows";

function context(cwd: string, signal = new AbortController().signal): ToolContext {
  return { cwd, signal, update() {} };
}

function textOf(result: ToolResult): string {
  return (result.content[0] as TextPart).text;
}

/** Runs `body` in a fresh temporary folder and removes the folder afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "nanocode_edit_" }));
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes `content` to `name` in `dir`, runs the edit, returns the result and the file afterwards. */
async function editFile(
  dir: string,
  content: string,
  args: Record<string, unknown>,
): Promise<{ result: ToolResult; after: string }> {
  await Deno.writeTextFile(join(dir, "f.txt"), content);
  const result = await editTool.execute({ path: "f.txt", ...args }, context(dir));
  return { result, after: await Deno.readTextFile(join(dir, "f.txt")) };
}

/** Expects the edit to fail with a message matching `pattern` and the file to keep its bytes. */
async function expectFailure(dir: string, content: string, args: Record<string, unknown>, pattern: RegExp) {
  await Deno.writeTextFile(join(dir, "f.txt"), content);
  await assertRejects(() => editTool.execute({ path: "f.txt", ...args }, context(dir)), pattern);
  assertEquals(await Deno.readTextFile(join(dir, "f.txt")), content);
}

const SOURCE = `function greet(name) {
  return "Hello, " + name;
}

function part(name) {
  return "Bye, " + name;
}
`;

Deno.test("edit replaces one block and says so", async () => {
  await inTempDir(async (dir) => {
    const { result, after } = await editFile(dir, SOURCE, {
      edits: [{ oldText: `return "Hello, " + name;`, newText: "return `Hello, ${name}`;" }],
    });
    assertEquals(textOf(result), "Successfully replaced 1 block in f.txt.");
    assertEquals(after, SOURCE.replace(`return "Hello, " + name;`, "return `Hello, ${name}`;"));
  });
});

Deno.test("edit matches every entry against the original content", async () => {
  await inTempDir(async (dir) => {
    // The first edit inserts a second "y = 2"; the second edit still finds the single original one.
    const { result, after } = await editFile(dir, "x = 1\ny = 2\n", {
      edits: [{ oldText: "x = 1", newText: "y = 2\nx = 1" }, { oldText: "y = 2", newText: "y = 3" }],
    });
    assertEquals(textOf(result), "Successfully replaced 2 blocks in f.txt.");
    assertEquals(after, "y = 2\nx = 1\ny = 3\n");
  });
});

Deno.test("edit accepts edits that touch without overlapping", async () => {
  await inTempDir(async (dir) => {
    const { after } = await editFile(dir, "abcd\n", {
      edits: [{ oldText: "ab", newText: "AB" }, { oldText: "cd", newText: "CD" }],
    });
    assertEquals(after, "ABCD\n");
  });
});

Deno.test("edit accepts the legacy oldText and newText fields", async () => {
  await inTempDir(async (dir) => {
    const { result, after } = await editFile(dir, SOURCE, { oldText: "Bye", newText: "Goodbye" });
    assertEquals(textOf(result), "Successfully replaced 1 block in f.txt.");
    assertEquals(after, SOURCE.replace("Bye", "Goodbye"));
  });
});

Deno.test("edit accepts edits sent as a JSON string", async () => {
  await inTempDir(async (dir) => {
    const { after } = await editFile(dir, SOURCE, {
      edits: JSON.stringify([{ oldText: "greet", newText: "welcome" }]),
    });
    assertEquals(after, SOURCE.replace("greet", "welcome"));
  });
});

Deno.test("edit rejects edits sent as a string that is not JSON", async () => {
  await inTempDir(async (dir) => {
    await expectFailure(
      dir,
      SOURCE,
      { edits: "[{oldText: greet" },
      /edits is a string that is not valid JSON/,
    );
  });
});

Deno.test("edit rejects an empty edits list", async () => {
  await inTempDir(async (dir) => {
    await expectFailure(dir, SOURCE, { edits: [] }, /^Cannot edit f\.txt: edits is empty/);
  });
});

Deno.test("edit rejects an empty oldText and names its entry", async () => {
  await inTempDir(async (dir) => {
    await expectFailure(
      dir,
      SOURCE,
      { edits: [{ oldText: "greet", newText: "hi" }, { oldText: "", newText: "x" }] },
      /^Cannot edit f\.txt: edits\[1\]\.oldText is empty/,
    );
  });
});

Deno.test("edit rejects an entry without newText", async () => {
  await inTempDir(async (dir) => {
    await expectFailure(
      dir,
      SOURCE,
      { edits: [{ oldText: "greet" }] },
      /edits\[0\]\.newText must be a string/,
    );
  });
});

Deno.test("edit that finds no match shows the closest region with line numbers", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "f.txt"), SOURCE);
    let message = "";
    try {
      await editTool.execute(
        { path: "f.txt", edits: [{ oldText: `function part(nme) {\n  return "Bye " + nme;`, newText: "x" }] },
        context(dir),
      );
    } catch (error) {
      message = (error as Error).message;
    }
    assert(message.startsWith("Cannot edit f.txt: edits[0].oldText was not found"), message);
    assertStringIncludes(message, "(lines 5-6;");
    assertStringIncludes(message, `5 | function part(name) {\n6 |   return "Bye, " + name;`);
    assertEquals(await Deno.readTextFile(join(dir, "f.txt")), SOURCE);
  });
});

Deno.test("edit that finds nothing similar gives no region", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "f.txt"), SOURCE);
    let message = "";
    try {
      await editTool.execute(
        { path: "f.txt", edits: [{ oldText: "zzzz qqqq", newText: "x" }] },
        context(dir),
      );
    } catch (error) {
      message = (error as Error).message;
    }
    assert(message.startsWith("Cannot edit f.txt: edits[0].oldText was not found"), message);
    assert(!message.includes("\n"), message);
  });
});

Deno.test("edit rejects an oldText found more than once and says how many times", async () => {
  await inTempDir(async (dir) => {
    await expectFailure(
      dir,
      SOURCE,
      { edits: [{ oldText: "(name) {", newText: "(who) {" }] },
      /^Cannot edit f\.txt: edits\[0\]\.oldText matches 2 places \(lines 1, 5\); include more surrounding lines/,
    );
  });
});

Deno.test("edit rejects overlapping edits naming both entries", async () => {
  await inTempDir(async (dir) => {
    await expectFailure(
      dir,
      SOURCE,
      {
        edits: [
          { oldText: `function part(name) {\n  return`, newText: "a" },
          { oldText: "greet", newText: "b" },
          { oldText: `return "Bye`, newText: "c" },
        ],
      },
      /^Cannot edit f\.txt: edits\[0\] and edits\[2\] overlap/,
    );
  });
});

Deno.test("edit rejects edits whose old texts share a single character", async () => {
  // Ranges are half-open: [0, 3) and [2, 5) share "c", while "touch without overlapping" above pins
  // that [0, 2) and [2, 4) are accepted. Together they fix the comparison at the boundary.
  await inTempDir(async (dir) => {
    await expectFailure(
      dir,
      "abcdef\n",
      { edits: [{ oldText: "cde", newText: "CDE" }, { oldText: "abc", newText: "ABC" }] },
      /^Cannot edit f\.txt: edits\[0\] and edits\[1\] overlap \(near line 1\); merge them into one entry/,
    );
    // The shared character is the line break both entries hold.
    await expectFailure(
      dir,
      "one\ntwo\nthree\n",
      { edits: [{ oldText: "one\n", newText: "1\n" }, { oldText: "\ntwo", newText: "\n2" }] },
      /^Cannot edit f\.txt: edits\[0\] and edits\[1\] overlap \(near line 1\)/,
    );
  });
});

Deno.test("edit rejects edits that leave the file unchanged", async () => {
  await inTempDir(async (dir) => {
    await expectFailure(
      dir,
      SOURCE,
      { edits: [{ oldText: "greet", newText: "greet" }] },
      /no change was made/,
    );
  });
});

Deno.test("edit changes nothing when any entry fails", async () => {
  await inTempDir(async (dir) => {
    await expectFailure(
      dir,
      SOURCE,
      { edits: [{ oldText: "greet", newText: "hi" }, { oldText: "missing text", newText: "x" }] },
      /edits\[1\]\.oldText was not found/,
    );
  });
});

Deno.test("edit keeps a byte-order mark and CRLF line endings", async () => {
  await inTempDir(async (dir) => {
    const original = "\uFEFFfirst\r\nsecond\r\nthird\r\n";
    const { after } = await editFile(dir, original, {
      edits: [{ oldText: "second\nthird", newText: "2nd\n2.5\n3rd" }],
    });
    assertEquals(after, "\uFEFFfirst\r\n2nd\r\n2.5\r\n3rd\r\n");
  });
});

Deno.test("edit accepts CRLF in oldText and keeps mixed endings outside the replaced text", async () => {
  await inTempDir(async (dir) => {
    const original = "a\r\nb\nc\r\nd\n";
    const { after } = await editFile(dir, original, { edits: [{ oldText: "c\r\nd", newText: "C\nD" }] });
    // New lines take the file's first ending; the untouched "b\n" keeps its LF.
    assertEquals(after, "a\r\nb\nC\r\nD\n");
  });
});

Deno.test("edit matches smart quotes and dashes tolerantly and keeps the rest of the line", async () => {
  await inTempDir(async (dir) => {
    const original = "// Intro \u2014 stays exactly   \n" +
      "const greeting = \u201Chi there\u201D; // note \u2014 stays  \n" +
      "const other = \u201Chi\u201D;\t\n";
    const { result, after } = await editFile(dir, original, {
      edits: [{ oldText: `const greeting = "hi there";`, newText: `const greeting = "hello";` }],
    });
    assertEquals(
      after,
      "// Intro \u2014 stays exactly   \n" +
        `const greeting = "hello"; // note \u2014 stays  \n` +
        "const other = \u201Chi\u201D;\t\n",
    );
    assertEquals(result.details?.tolerant, 1);
  });
});

Deno.test("edit matches across trailing whitespace, special spaces and dashes, rewriting only touched lines", async () => {
  await inTempDir(async (dir) => {
    const original =
      "keep\u00A0me  \nconst rule = a \u2013 b;  \nx\u00A0=\u00A01;   \nkeep \u2018this\u2019 too \n";
    const { after } = await editFile(dir, original, {
      edits: [{ oldText: "const rule = a - b;\nx = 1;", newText: "const rule = a + b;\nx = 2;" }],
    });
    assertEquals(after, "keep\u00A0me  \nconst rule = a + b;\nx = 2;\nkeep \u2018this\u2019 too \n");
  });
});

Deno.test("edit matches compatibility characters through NFKC", async () => {
  await inTempDir(async (dir) => {
    const original = "let \uFB01nal_value = \uFF11;\nother\n";
    const { after } = await editFile(dir, original, {
      edits: [{ oldText: "final_value = 1", newText: "finalValue = 2" }],
    });
    assertEquals(after, "let finalValue = 2;\nother\n");
  });
});

Deno.test("edit reports a tolerant match found in several places as ambiguous", async () => {
  await inTempDir(async (dir) => {
    await expectFailure(
      dir,
      "say(\u201Chi\u201D);\nsay(\u201Chi\u201D);  \n",
      { edits: [{ oldText: `say("hi");`, newText: "x" }] },
      /matches 2 places \(lines 1, 2\)/,
    );
  });
});

Deno.test("edit inserts newText literally, dollar signs included", async () => {
  await inTempDir(async (dir) => {
    const { after } = await editFile(dir, "price\n", { edits: [{ oldText: "price", newText: "$& $1 $$" }] });
    assertEquals(after, "$& $1 $$\n");
  });
});

Deno.test("edit puts a unified diff of the change in the details", async () => {
  await inTempDir(async (dir) => {
    const lines = Array.from({ length: 10 }, (_, i) => String(i + 1)).join("\n") + "\n";
    const { result } = await editFile(dir, lines, { edits: [{ oldText: "\n5\n", newText: "\nfive\n" }] });
    assertEquals(
      result.details?.diff,
      "--- f.txt\n+++ f.txt\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8",
    );
    assertEquals(result.details?.firstChangedLine, 5);
  });
});

Deno.test("edit diffs distant changes as separate hunks with shifted line numbers", async () => {
  await inTempDir(async (dir) => {
    const lines = Array.from({ length: 20 }, (_, i) => `l${i + 1}`).join("\n") + "\n";
    const { result } = await editFile(dir, lines, {
      edits: [{ oldText: "l2\n", newText: "l2\nnew\n" }, { oldText: "l18\n", newText: "" }],
    });
    assertEquals(
      result.details?.diff,
      "--- f.txt\n+++ f.txt\n" +
        "@@ -1,5 +1,6 @@\n l1\n l2\n+new\n l3\n l4\n l5\n" +
        "@@ -15,6 +16,5 @@\n l15\n l16\n l17\n-l18\n l19\n l20",
    );
  });
});

Deno.test({
  name: "edit keeps the file's mode",
  ignore: !unix,
  async fn() {
    await inTempDir(async (dir) => {
      const path = join(dir, "run.sh");
      await Deno.writeTextFile(path, "#!/bin/sh\necho hi\n");
      await Deno.chmod(path, 0o775);
      await editTool.execute({ path: "run.sh", edits: [{ oldText: "hi", newText: "bye" }] }, context(dir));
      assertEquals((await Deno.stat(path)).mode! & 0o7777, 0o775);
    });
  },
});

Deno.test("edit leaves no temporary files behind", async () => {
  await inTempDir(async (dir) => {
    await editFile(dir, SOURCE, { edits: [{ oldText: "greet", newText: "hail" }] });
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assertEquals(names, ["f.txt"]);
  });
});

Deno.test("edit of a missing file suggests write", async () => {
  await inTempDir(async (dir) => {
    await assertRejects(
      () => editTool.execute({ path: "nope.txt", edits: [{ oldText: "a", newText: "b" }] }, context(dir)),
      /^Cannot edit nope\.txt: no such file.*use write/,
    );
  });
});

Deno.test("edit refuses a binary file", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeFile(join(dir, "blob"), new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0x61]));
    await assertRejects(
      () => editTool.execute({ path: "blob", edits: [{ oldText: "a", newText: "b" }] }, context(dir)),
      /^Cannot edit blob: it is a binary file \(zip archive\)/,
    );
  });
});

Deno.test("edit does nothing once the signal is aborted", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "f.txt"), SOURCE);
    const controller = new AbortController();
    controller.abort();
    let failed = false;
    try {
      await editTool.execute(
        { path: "f.txt", edits: [{ oldText: "greet", newText: "hail" }] },
        context(dir, controller.signal),
      );
    } catch (error) {
      failed = true;
      assertEquals((error as Error).name, "AbortError");
    }
    assert(failed, "edit should reject after an abort");
    assertEquals(await Deno.readTextFile(join(dir, "f.txt")), SOURCE);
  });
});

Deno.test("a loose edit says which normalisation it needed and shows the lines it changed", async () => {
  await inTempDir(async (dir) => {
    const original = "// Intro\nconst greeting = \u201Chi there\u201D; // note \u2014 stays  \nend\n";
    const { result } = await editFile(dir, original, {
      edits: [{ oldText: `const greeting = "hi there";`, newText: `const greeting = "hello";` }],
    });
    assertEquals(
      textOf(result),
      "Successfully replaced 1 block in f.txt.\n\n" +
        "edits[0] matched line 2 only after normalising smart quotes; check that nothing else changed (- before, + after):\n" +
        "- const greeting = \u201Chi there\u201D; // note \u2014 stays  \n" +
        `+ const greeting = "hello"; // note \u2014 stays  `,
    );
  });
});

Deno.test("a loose edit over several lines names every difference it overlooked", async () => {
  await inTempDir(async (dir) => {
    const original = "first\nconst rule = a \u2013 b;  \nx\u00A0=\u00A0\uFF11;   \nkeep\n";
    const { result, after } = await editFile(dir, original, {
      edits: [
        { oldText: "first\n", newText: "kept\n" },
        { oldText: "const rule = a - b;\nx = 1;", newText: "const rule = a + b;\nx = 2;" },
      ],
    });
    assertEquals(after, "kept\nconst rule = a + b;\nx = 2;\nkeep\n");
    assertEquals(
      textOf(result),
      "Successfully replaced 2 blocks in f.txt.\n\n" +
        "edits[1] matched lines 2-3 only after normalising Unicode dashes, special spaces, compatibility forms (full-width characters, ligatures and the like) and trailing whitespace; check that nothing else changed (- before, + after):\n" +
        "- const rule = a \u2013 b;  \n- x\u00A0=\u00A0\uFF11;   \n" +
        "+ const rule = a + b;\n+ x = 2;",
    );
  });
});

Deno.test("an exact edit says nothing more than how many blocks it replaced", async () => {
  await inTempDir(async (dir) => {
    const { result } = await editFile(dir, "a \u201Cb\u201D\n", { edits: [{ oldText: "a", newText: "c" }] });
    assertEquals(textOf(result), "Successfully replaced 1 block in f.txt.");
  });
});

Deno.test("a loose edit never rewrites letters of the file outside the replaced text", async () => {
  await inTempDir(async (dir) => {
    // The match begins inside the ligature: keeping the line's start would need half a character.
    await expectFailure(
      dir,
      "let \uFB01x = \u201Ca\u201D;\n",
      { edits: [{ oldText: `ix = "a";`, newText: `ix = "b";` }] },
      /^Cannot edit f\.txt: edits\[0\]\.oldText matches line 1 only after normalising, and the match starts or ends inside characters that normalising rewrites, so the rest of that line would change its letters or digits; copy oldText from the file exactly$/,
    );
    // On a long line, characters that normalise to more than one (a ligature, a fraction) before the
    // match stay as they are.
    const long = `\uFB01 \u00BD ${"x".repeat(5000)} say(\u201Cq\u201D) tail\n`;
    const { after } = await editFile(dir, long, { edits: [{ oldText: `say("q")`, newText: `say("r")` }] });
    assertEquals(after, `\uFB01 \u00BD ${"x".repeat(5000)} say("r") tail\n`);
  });
});

Deno.test("edit names a UTF-16 file for what it is rather than calling it binary", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeFile(join(dir, "f.txt"), new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x0a, 0x00]));
    await assertRejects(
      () => editTool.execute({ path: "f.txt", edits: [{ oldText: "a", newText: "b" }] }, context(dir)),
      /^Cannot edit f\.txt: it is UTF-16 text, and edit changes UTF-8 files only; use write to replace the whole file \(written as UTF-8\), or bash \(iconv\) to convert it$/,
    );
  });
});
