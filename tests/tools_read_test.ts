import { Buffer } from "node:buffer";
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./support/assert.ts";
import type { ImagePart, TextPart } from "../lib/core/messages.ts";
import type { ToolContext, ToolResult } from "../lib/core/tool.ts";
import { readTool } from "../lib/tools/read.ts";
import { SNIFF_BYTES } from "../lib/tools/_file_type.ts";

function context(cwd: string, signal = new AbortController().signal): ToolContext {
  return { cwd, signal, update() {} };
}

function textOf(result: ToolResult): string {
  return result.content.filter((p): p is TextPart => p.type === "text").map((p) => p.text).join("\n");
}

/** Runs `body` in a fresh temporary folder and removes the folder afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "nanocode_read_" }));
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function numbered(count: number, from = 1): string {
  return Array.from({ length: count }, (_, i) => `line ${from + i}`).join("\n") + "\n";
}

async function read(dir: string, args: Record<string, unknown>): Promise<string> {
  return textOf(await readTool.execute(args, context(dir)));
}

Deno.test("read returns a small file's raw text without line numbers", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "alpha\n  beta\ngamma\n");
    assertEquals(await read(dir, { path: "a.txt" }), "alpha\n  beta\ngamma\n");
  });
});

Deno.test("read resolves @-prefixed and absolute paths", async () => {
  await inTempDir(async (dir) => {
    await Deno.mkdir(join(dir, "sub"));
    await Deno.writeTextFile(join(dir, "sub", "b.txt"), "bee");
    assertEquals(await read(dir, { path: "@sub/b.txt" }), "bee");
    assertEquals(await read("/", { path: join(dir, "sub", "b.txt") }), "bee");
  });
});

Deno.test("read with a limit says how many lines remain and which offset continues", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "n.txt"), numbered(10));
    assertEquals(
      await read(dir, { path: "n.txt", offset: 3, limit: 2 }),
      "line 3\nline 4\n\n[6 more lines in file. Use offset=5 to continue.]",
    );
    assertEquals(await read(dir, { path: "n.txt", offset: 9, limit: 2 }), "line 9\nline 10\n");
    assertEquals(
      await read(dir, { path: "n.txt", offset: "8", limit: "1" }),
      "line 8\n\n[2 more lines in file. Use offset=9 to continue.]",
    );
  });
});

Deno.test("read of exactly 2000 lines adds no note", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "n.txt"), numbered(2000));
    assertEquals(await read(dir, { path: "n.txt" }), numbered(2000));
  });
});

Deno.test("read of 2001 lines stops at line 2000 and says to continue at 2001", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "n.txt"), numbered(2001));
    const text = await read(dir, { path: "n.txt" });
    assertEquals(text, numbered(2000) + "\n[Showing lines 1-2000 of 2001. Use offset=2001 to continue.]");
  });
});

Deno.test("read from an offset names the window's lines in the line-limit note", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "n.txt"), numbered(3000));
    const text = await read(dir, { path: "n.txt", offset: 500 });
    assert(text.startsWith("line 500\n"));
    assert(
      text.endsWith("line 2499\n\n[Showing lines 500-2499 of 3000. Use offset=2500 to continue.]"),
      text.slice(-100),
    );
  });
});

Deno.test("read caps a caller's limit above 2000 lines at 2000", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "n.txt"), numbered(2500));
    const text = await read(dir, { path: "n.txt", limit: 2400 });
    assert(
      text.endsWith("line 2000\n\n[Showing lines 1-2000 of 2500. Use offset=2001 to continue.]"),
      text.slice(-100),
    );
  });
});

Deno.test("read of exactly 50KB adds no note", async () => {
  await inTempDir(async (dir) => {
    // 511 lines of 99 bytes and one of 100: 511 * 100 + 100 = 51200 bytes joined by newlines.
    const content = `${"a".repeat(99)}\n`.repeat(511) + `${"b".repeat(100)}\n`;
    await Deno.writeTextFile(join(dir, "k.txt"), content);
    assertEquals(await read(dir, { path: "k.txt" }), content);
  });
});

Deno.test("read one byte over 50KB ends at the last whole line with a size note", async () => {
  await inTempDir(async (dir) => {
    const kept = `${"a".repeat(99)}\n`.repeat(511);
    await Deno.writeTextFile(join(dir, "k.txt"), kept + `${"b".repeat(101)}\n`);
    assertEquals(
      await read(dir, { path: "k.txt" }),
      kept + "\n[Showing lines 1-511 of 512 (50.0KB limit). Use offset=512 to continue.]",
    );
  });
});

Deno.test("read of a first line over 50KB returns no content and points to sed", async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, "wide.txt");
    await Deno.writeTextFile(path, `${"x".repeat(60_000)}\nsecond\n`);
    assertEquals(
      await read(dir, { path: "wide.txt" }),
      `[Line 1 is 58.6KB, exceeds 50.0KB limit. Use bash: sed -n '1p' ${path} | head -c 51200]`,
    );
    assertEquals(await read(dir, { path: "wide.txt", offset: 2 }), "second\n");
  });
});

Deno.test("read past the end of the file fails and states the line count", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "n.txt"), numbered(3));
    assertEquals(await read(dir, { path: "n.txt", offset: 3 }), "line 3\n");
    await assertRejects(() => read(dir, { path: "n.txt", offset: 4 }), /offset 4 .*beyond the end.* 3 lines/);
  });
});

Deno.test("read counts an unterminated last line and keeps CRLF endings raw", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "c.txt"), "one\r\ntwo\r\nthree");
    assertEquals(
      await read(dir, { path: "c.txt", limit: 1 }),
      "one\r\n\n[2 more lines in file. Use offset=2 to continue.]",
    );
    assertEquals(await read(dir, { path: "c.txt", offset: 3 }), "three");
  });
});

Deno.test("read finds lines across chunk boundaries of a large file", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "big.txt"), numbered(100_000));
    assertEquals(
      await read(dir, { path: "big.txt", offset: 90_000, limit: 3 }),
      "line 90000\nline 90001\nline 90002\n\n[9998 more lines in file. Use offset=90003 to continue.]",
    );
  });
});

Deno.test("read says an empty file is empty", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "empty.txt"), "");
    assertStringIncludes(await read(dir, { path: "empty.txt" }), "empty");
  });
});

Deno.test("read of a directory fails and suggests ls", async () => {
  await inTempDir(async (dir) => {
    await Deno.mkdir(join(dir, "folder"));
    await assertRejects(() => read(dir, { path: "folder" }), /^Cannot read folder: .*directory.*ls/);
  });
});

Deno.test("read of a missing file fails saying it does not exist", async () => {
  await inTempDir(async (dir) => {
    await assertRejects(() => read(dir, { path: "nope.txt" }), /^Cannot read nope\.txt: no such file/);
  });
});

const IMAGES: Record<string, number[]> = {
  "image/png": [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52],
  "image/jpeg": [0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0],
  "image/gif": [...new TextEncoder().encode("GIF89a"), 1, 0, 1, 0, 0x80, 0],
  "image/webp": [...new TextEncoder().encode("RIFF"), 26, 0, 0, 0, ...new TextEncoder().encode("WEBPVP8 ")],
};

Deno.test("read recognises png, jpeg, gif and webp by magic bytes, whatever the name", async () => {
  await inTempDir(async (dir) => {
    for (const [mime, bytes] of Object.entries(IMAGES)) {
      const data = new Uint8Array(bytes);
      await Deno.writeFile(join(dir, "picture.txt"), data);
      const result = await readTool.execute({ path: "picture.txt" }, context(dir));
      assertEquals(result.content.length, 2);
      assertStringIncludes(textOf(result), mime);
      const image = result.content[1] as ImagePart;
      assertEquals(image.type, "image_url");
      const prefix = `data:${mime};base64,`;
      assert(image.image_url.url.startsWith(prefix), image.image_url.url.slice(0, 40));
      const decoded = Buffer.from(image.image_url.url.slice(prefix.length), "base64");
      assertEquals([...decoded], bytes);
    }
  });
});

Deno.test("read treats a text file named .png as text", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "fake.png"), "just text\n");
    const result = await readTool.execute({ path: "fake.png" }, context(dir));
    assertEquals(result.content, [{ type: "text", text: "just text\n" }]);
  });
});

Deno.test("read refuses a file with NUL bytes, naming its type and size", async () => {
  await inTempDir(async (dir) => {
    const elf = new Uint8Array(2048);
    elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    await Deno.writeFile(join(dir, "prog"), elf);
    await assertRejects(
      () => read(dir, { path: "prog" }),
      /^Cannot read prog: it is a binary file \(ELF executable, 2\.0KB\)/,
    );
  });
});

Deno.test("read refuses a file that is not valid UTF-8 in its first block", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeFile(join(dir, "latin1.txt"), new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    await assertRejects(() => read(dir, { path: "latin1.txt" }), /binary file \(binary data, 5B\)/);
  });
});

Deno.test("read accepts a multi-byte character cut by the end of the first block", async () => {
  await inTempDir(async (dir) => {
    // The three bytes of "€" straddle the end of the sniffed block.
    const content = "a".repeat(SNIFF_BYTES - 1) + "€\n";
    await Deno.writeTextFile(join(dir, "euro.txt"), content);
    assertEquals(await read(dir, { path: "euro.txt" }), content);
  });
});

Deno.test("read rejects a non-numeric offset and a limit below one", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "n.txt"), numbered(3));
    await assertRejects(() => read(dir, { path: "n.txt", offset: "abc" }), /offset must be a whole number/);
    await assertRejects(() => read(dir, { path: "n.txt", limit: 0 }), /limit must be at least 1/);
    await assertRejects(() => read(dir, { path: 42 }), /path must be a non-empty string/);
  });
});

Deno.test("read does nothing once the signal is aborted", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "n.txt"), numbered(3));
    const controller = new AbortController();
    controller.abort();
    let failed = false;
    try {
      await readTool.execute({ path: "n.txt" }, context(dir, controller.signal));
    } catch (error) {
      failed = true;
      assertEquals((error as Error).name, "AbortError");
    }
    assert(failed, "read should reject after an abort");
  });
});

function utf16(text: string, endian: "le" | "be"): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes.set(endian === "le" ? [0xff, 0xfe] : [0xfe, 0xff]);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const [a, b] = endian === "le" ? [unit & 0xff, unit >> 8] : [unit >> 8, unit & 0xff];
    bytes[2 + i * 2] = a;
    bytes[3 + i * 2] = b;
  }
  return bytes;
}

Deno.test("read shows a UTF-16 file with a byte-order mark as text and says how it was decoded", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeFile(join(dir, "le.txt"), utf16("caf\u00E9\r\nline two\r\n", "le"));
    await Deno.writeFile(join(dir, "be.txt"), utf16("\u4F60\u597D\n", "be"));
    assertEquals(
      await read(dir, { path: "le.txt" }),
      "caf\u00E9\r\nline two\r\n\n[UTF-16LE text with a byte-order mark, shown decoded; edit changes UTF-8 files only]",
    );
    assertEquals(
      await read(dir, { path: "be.txt" }),
      "\u4F60\u597D\n\n[UTF-16BE text with a byte-order mark, shown decoded; edit changes UTF-8 files only]",
    );
    const long = Array.from({ length: 3000 }, (_, i) => `row ${i + 1}`).join("\n");
    await Deno.writeFile(join(dir, "long.txt"), utf16(long, "le"));
    const text = await read(dir, { path: "long.txt", offset: 2999 });
    assertEquals(
      text,
      "row 2999\nrow 3000\n\n[UTF-16LE text with a byte-order mark, shown decoded; edit changes UTF-8 files only]",
    );
    const first = await read(dir, { path: "long.txt" });
    assert(
      first.endsWith(
        "row 2000\n\n[UTF-16LE text with a byte-order mark, shown decoded; edit changes UTF-8 files only]\n[Showing lines 1-2000 of 3000. Use offset=2001 to continue.]",
      ),
    );
  });
});
