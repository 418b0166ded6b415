import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./support/assert.ts";
import type { TextPart } from "../lib/core/messages.ts";
import type { ToolContext } from "../lib/core/tool.ts";
import { writeTool } from "../lib/tools/write.ts";

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
