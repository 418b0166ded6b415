import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./support/assert.ts";
import type { TextPart } from "../lib/core/messages.ts";
import type { ToolContext } from "../lib/core/tool.ts";
import { changes, writeTool } from "../lib/tools/write.ts";
import { editTool } from "../lib/tools/edit.ts";

const unix = Deno.build.os !== "windows";

function context(cwd: string, signal = new AbortController().signal): ToolContext {
  return { cwd, signal, update() {} };
}

/** Runs `body` in a fresh temporary folder and removes the folder afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "nanocode_write_" }));
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("write creates missing parent folders and reports the bytes written", async () => {
  await inTempDir(async (dir) => {
    const result = await writeTool.execute({ path: "deep/er/f.txt", content: "café\n" }, context(dir));
    assertEquals((result.content[0] as TextPart).text, "Successfully wrote 6 bytes to deep/er/f.txt");
    assertEquals(await Deno.readTextFile(join(dir, "deep/er/f.txt")), "café\n");
    assertEquals(result.details?.created, true);
    assertEquals(result.details?.path, join(dir, "deep/er/f.txt"));
  });
});

Deno.test("write overwrites an existing file and says it was not created", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "f.txt"), "a much longer original content\n");
    const result = await writeTool.execute({ path: "f.txt", content: "new" }, context(dir));
    assertEquals(await Deno.readTextFile(join(dir, "f.txt")), "new");
    assertEquals(result.details?.created, false);
  });
});

Deno.test("write writes an empty file", async () => {
  await inTempDir(async (dir) => {
    const result = await writeTool.execute({ path: "empty", content: "" }, context(dir));
    assertEquals((result.content[0] as TextPart).text, "Successfully wrote 0 bytes to empty");
    assertEquals((await Deno.stat(join(dir, "empty"))).size, 0);
  });
});

Deno.test({
  name: "write keeps an existing file's mode",
  ignore: !unix,
  async fn() {
    await inTempDir(async (dir) => {
      const path = join(dir, "run.sh");
      await Deno.writeTextFile(path, "#!/bin/sh\n");
      await Deno.chmod(path, 0o775);
      await writeTool.execute({ path: "run.sh", content: "#!/bin/sh\necho hi\n" }, context(dir));
      assertEquals((await Deno.stat(path)).mode! & 0o7777, 0o775);
      assertEquals(await Deno.readTextFile(path), "#!/bin/sh\necho hi\n");
    });
  },
});

Deno.test("write leaves no temporary files behind", async () => {
  await inTempDir(async (dir) => {
    for (let i = 0; i < 3; i++) {
      await writeTool.execute({ path: "f.txt", content: `round ${i}` }, context(dir));
    }
    assertEquals(await listing(dir), ["f.txt"]);
  });
});

Deno.test({
  name: "write through a symbolic link replaces the target and keeps the link",
  ignore: !unix,
  async fn() {
    await inTempDir(async (dir) => {
      await Deno.writeTextFile(join(dir, "real.txt"), "old");
      await Deno.symlink("real.txt", join(dir, "link.txt"));
      await writeTool.execute({ path: "link.txt", content: "new" }, context(dir));
      assert((await Deno.lstat(join(dir, "link.txt"))).isSymlink);
      assertEquals(await Deno.readTextFile(join(dir, "real.txt")), "new");
      assertEquals(await listing(dir), ["link.txt", "real.txt"]);
    });
  },
});

Deno.test("write to a directory fails and leaves it alone", async () => {
  await inTempDir(async (dir) => {
    await Deno.mkdir(join(dir, "folder"));
    await assertRejects(
      () => writeTool.execute({ path: "folder", content: "x" }, context(dir)),
      /^Cannot write folder: it is a directory/,
    );
    assert((await Deno.stat(join(dir, "folder"))).isDirectory);
  });
});

Deno.test("write below a path that is a file fails with one clear line", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "plain"), "x");
    await assertRejects(
      () => writeTool.execute({ path: "plain/child.txt", content: "x" }, context(dir)),
      /^Cannot write plain\/child\.txt: a part of the path is a file/,
    );
  });
});

Deno.test("write rejects content that is not a string", async () => {
  await inTempDir(async (dir) => {
    await assertRejects(
      () => writeTool.execute({ path: "f.txt", content: 42 }, context(dir)),
      /^Cannot write f\.txt: content must be a string/,
    );
    assertEquals(await listing(dir), []);
  });
});

Deno.test("write does nothing once the signal is aborted", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "f.txt"), "original");
    const controller = new AbortController();
    controller.abort();
    let failed = false;
    try {
      await writeTool.execute({ path: "f.txt", content: "new" }, context(dir, controller.signal));
    } catch (error) {
      failed = true;
      assertEquals((error as Error).name, "AbortError");
    }
    assert(failed, "write should reject after an abort");
    assertEquals(await Deno.readTextFile(join(dir, "f.txt")), "original");
    assertEquals(await listing(dir), ["f.txt"]);
  });
});

Deno.test({
  name: "a write that fails midway leaves the original intact and no temporary file",
  ignore: !unix,
  async fn() {
    await inTempDir(async (dir) => {
      await Deno.writeTextFile(join(dir, "f.txt"), "original\n");
      const script = join(dir, "run_write.ts");
      const module = new URL("../lib/tools/write.ts", import.meta.url).href;
      await Deno.writeTextFile(
        script,
        `import { writeTool } from ${JSON.stringify(module)};
const ctx = { cwd: Deno.args[0], signal: new AbortController().signal, update() {} };
try {
  await writeTool.execute({ path: "f.txt", content: "x".repeat(8192) }, ctx);
  console.log("written");
} catch (error) {
  console.log(error.message);
}
`,
      );
      // A 1 KB file-size limit (with SIGXFSZ ignored) makes the temporary file's write fail with
      // EFBIG after it was created: a real failure between "temp file exists" and "rename".
      const { stdout, success } = await new Deno.Command("bash", {
        args: ["-c", `trap '' XFSZ; ulimit -f 1; exec "$0" run -A "$1" "$2"`, Deno.execPath(), script, dir],
        stdout: "piped",
        stderr: "null",
      }).output();
      assert(success);
      assertStringIncludes(new TextDecoder().decode(stdout), "Cannot write f.txt:");
      assertEquals(await Deno.readTextFile(join(dir, "f.txt")), "original\n");
      assertEquals(await listing(dir), ["f.txt", "run_write.ts"]);
    });
  },
});

const asRoot = unix && Deno.uid() === 0;

Deno.test({
  name: "write and edit refuse a read-only file, even as root, and leave it as it was",
  ignore: !unix,
  async fn() {
    await inTempDir(async (dir) => {
      const path = join(dir, "ro.txt");
      await Deno.writeTextFile(path, "keep me\n");
      await Deno.chmod(path, 0o444);
      const why = asRoot
        ? /^Cannot write ro\.txt: it is read-only \(mode 0444: no one has write permission\); nanocode runs as root, which could override that, but leaves read-only files as they are; if it should change, make it writable first \(chmod u\+w ro\.txt\)$/
        : /^Cannot write ro\.txt: this user \(uid \d+\) may not write it \(mode 0444, owner uid \d+, group \d+\); /;
      await assertRejects(() => writeTool.execute({ path: "ro.txt", content: "new\n" }, context(dir)), why);
      await assertRejects(
        () =>
          editTool.execute({ path: "ro.txt", edits: [{ oldText: "keep", newText: "lose" }] }, context(dir)),
        /^Cannot edit ro\.txt: /,
      );
      assertEquals(await Deno.readTextFile(path), "keep me\n");
      assertEquals((await Deno.stat(path)).mode! & 0o7777, 0o444);
      assertEquals(await listing(dir), ["ro.txt"]);
    });
  },
});

Deno.test({
  name: "write keeps the owner and group of the file it replaces",
  ignore: !asRoot,
  async fn() {
    await inTempDir(async (dir) => {
      const path = join(dir, "theirs.txt");
      await Deno.writeTextFile(path, "old\n");
      await Deno.chown(path, 65534, 65533);
      await writeTool.execute({ path: "theirs.txt", content: "new\n" }, context(dir));
      await editTool.execute(
        { path: "theirs.txt", edits: [{ oldText: "new", newText: "newer" }] },
        context(dir),
      );
      const info = await Deno.stat(path);
      assertEquals([info.uid, info.gid], [65534, 65533]);
      assertEquals(await Deno.readTextFile(path), "newer\n");
    });
  },
});

Deno.test({
  name: "write and edit change a hard-linked file in place, so every name sees the change",
  ignore: !unix,
  async fn() {
    await inTempDir(async (dir) => {
      await Deno.writeTextFile(join(dir, "a.txt"), "one much longer line\n");
      await Deno.link(join(dir, "a.txt"), join(dir, "b.txt"));
      const inode = (await Deno.stat(join(dir, "a.txt"))).ino;
      await writeTool.execute({ path: "a.txt", content: "two\n" }, context(dir));
      assertEquals(await Deno.readTextFile(join(dir, "b.txt")), "two\n");
      await editTool.execute({ path: "b.txt", edits: [{ oldText: "two", newText: "three" }] }, context(dir));
      assertEquals(await Deno.readTextFile(join(dir, "a.txt")), "three\n");
      const info = await Deno.stat(join(dir, "a.txt"));
      assertEquals([info.ino, info.nlink], [inode, 2]);
      assertEquals(await listing(dir), ["a.txt", "b.txt"]);
    });
  },
});

Deno.test({
  name: "write refuses what is not a regular file rather than replacing it",
  ignore: !unix,
  async fn() {
    await inTempDir(async (dir) => {
      const made = await new Deno.Command("mkfifo", { args: [join(dir, "pipe")] }).output();
      assert(made.success);
      await assertRejects(
        () => writeTool.execute({ path: "pipe", content: "x" }, context(dir)),
        /^Cannot write pipe: it is not a regular file \(a device, socket or pipe\), and writing would replace it with one; use bash to send data to it$/,
      );
      assert((await Deno.lstat(join(dir, "pipe"))).isFifo);
    });
  },
});

Deno.test({
  name: "writing a kernel file says why it cannot be written, not that it does not exist",
  ignore: Deno.build.os !== "linux",
  async fn() {
    let message = "";
    try {
      await writeTool.execute({ path: "/proc/version", content: "x" }, context("/"));
    } catch (error) {
      message = (error as Error).message;
    }
    assert(!/no such file/.test(message), message);
    assertStringIncludes(message, "Cannot write /proc/version: ");
    assert(!message.includes("\n"));
  },
});

Deno.test({
  name: "a temporary file left by a killed write is removed the next time the file is written",
  ignore: !unix,
  async fn() {
    await inTempDir(async (dir) => {
      await Deno.writeTextFile(join(dir, "f.txt"), "original\n");
      const temp = join(dir, ".f.txt.0badc0de.tmp");
      // A writer caught between writing its temporary file and renaming it: the file is locked and
      // half written, as atomicWrite leaves it; then the writer is killed with SIGKILL.
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          `const f = await Deno.open(${JSON.stringify(temp)}, { write: true, createNew: true });
           await f.lock(true); await f.write(new TextEncoder().encode("half"));
           console.log("ready"); await new Promise(() => setInterval(() => {}, 1000));`,
        ],
        stdout: "piped",
      }).spawn();
      const reader = child.stdout.getReader();
      await reader.read();
      // Old enough to be a leftover; only its lock says a writer still holds it.
      const past = new Date(Date.now() - 60_000);
      await Deno.utime(temp, past, past);
      await writeTool.execute({ path: "f.txt", content: "second\n" }, context(dir));
      assertEquals(await listing(dir), [".f.txt.0badc0de.tmp", "f.txt"]);
      child.kill("SIGKILL");
      await child.status;
      await reader.cancel();
      await writeTool.execute({ path: "f.txt", content: "third\n" }, context(dir));
      assertEquals(await listing(dir), ["f.txt"]);
      assertEquals(await Deno.readTextFile(join(dir, "f.txt")), "third\n");
    });
  },
});

Deno.test("write tells the UI what it changed: a diff over an existing file, the line count of a new one", async () => {
  await inTempDir(async (dir) => {
    const made = await writeTool.execute({ path: "new.txt", content: "a\nb\nc\n" }, context(dir));
    assertEquals([made.details?.lines, made.details?.diff], [3, undefined]);
    await Deno.writeTextFile(`${dir}/old.txt`, "one\ntwo\nthree\nfour\n");
    const changed = await writeTool.execute(
      { path: "old.txt", content: "one\n2\nthree\nfour\nfive\n" },
      context(dir),
    );
    const diff = String(changed.details?.diff);
    assertStringIncludes(diff, "-two\n+2");
    assertStringIncludes(diff, "+five");
    assert(!diff.includes("-one") && !diff.includes("+one"), diff);
    // The model reads only the one line; the diff is for the UI.
    assertEquals((changed.content[0] as TextPart).text, "Successfully wrote 22 bytes to old.txt");
    const same = await writeTool.execute(
      { path: "old.txt", content: "one\n2\nthree\nfour\nfive\n" },
      context(dir),
    );
    assertEquals(same.details?.diff, "");
  });
});

Deno.test("the changes a write reports rebuild the new text exactly, whatever the edit", () => {
  const apply = (before: string, replacements: ReturnType<typeof changes>) => {
    let out = "";
    let cursor = 0;
    for (const r of replacements) {
      assert(r.start >= cursor && r.end >= r.start, "replacements in order, not overlapping");
      out += before.slice(cursor, r.start) + r.text;
      cursor = r.end;
    }
    return out + before.slice(cursor);
  };
  // A fixed seed: the same cases every run.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  for (let n = 0; n < 500; n++) {
    const lines = Array.from(
      { length: Math.floor(random() * 8) },
      () => pick(["a", "b", "c", "", "long line"]),
    );
    const before = lines.join("\n") + (random() < 0.5 ? "\n" : "");
    const edited = lines.flatMap((line) => {
      const r = random();
      return r < 0.15 ? [] : r < 0.3 ? [line, pick(["x", "y", ""])] : r < 0.4 ? [pick(["z", "b"])] : [line];
    });
    const after = edited.join("\n") + (random() < 0.5 ? "\n" : "");
    assertEquals(apply(before, changes(before, after)), after, JSON.stringify({ before, after }));
  }
});
