/** The external editor launch: the terminal handed over and taken back, the saved text returned. */
import { editText } from "../lib/ui/editor.ts";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";

/** An editor script in a temp folder; `body` runs with the file as `$1`. */
async function withEditor(body: string, fn: (editor: string, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nanocode-editor-" });
  try {
    const editor = `${dir}/edit.sh`;
    await Deno.writeTextFile(editor, `#!/bin/sh\necho "$1" > "${dir}/path"\n${body}\n`);
    await Deno.chmod(editor, 0o755);
    await fn(editor, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function terminal(steps: string[]) {
  return {
    suspend: () => Promise.resolve(void steps.push("suspend")),
    resume: () => void steps.push("resume"),
  };
}

Deno.test("the editor gets the text in a temp file with the suffix, and what it saves comes back", async () => {
  await withEditor(`sed -i 's/alpha/gamma/' "$1"`, async (editor, dir) => {
    const steps: string[] = [];
    const env = (name: string) => (name === "EDITOR" ? editor : undefined);
    const edited = await editText('["alpha"]\n', { suffix: ".json", env, ...terminal(steps) });
    assertEquals(edited, '["gamma"]\n');
    assertEquals(steps, ["suspend", "resume"]);
    const path = (await Deno.readTextFile(`${dir}/path`)).trim();
    assert(path.endsWith(".json"), path);
    assert(!(await Deno.stat(path).then(() => true, () => false)), "the temp file was left behind");
  });
});

Deno.test("$VISUAL is preferred over $EDITOR", async () => {
  await withEditor(`echo visual > "$1"`, async (visual) => {
    const env = (name: string) => (name === "VISUAL" ? visual : name === "EDITOR" ? "false" : undefined);
    assertEquals(await editText("x", { suffix: ".txt", env, ...terminal([]) }), "visual\n");
  });
});

Deno.test("without an editor set it says how to set one and leaves the terminal alone", async () => {
  const steps: string[] = [];
  try {
    await editText("x", { suffix: ".txt", env: () => undefined, ...terminal(steps) });
    throw new Error("no error");
  } catch (error) {
    assertStringIncludes((error as Error).message, "Cannot open an editor: set $VISUAL or $EDITOR");
  }
  assertEquals(steps, []);
});

Deno.test("an editor that fails gives its exit code, and the terminal is taken back", async () => {
  await withEditor("exit 3", async (editor) => {
    const steps: string[] = [];
    try {
      await editText("x", { suffix: ".txt", env: () => editor, ...terminal(steps) });
      throw new Error("no error");
    } catch (error) {
      assertEquals((error as Error).message, "Cannot use the edit: the editor exited with code 3.");
    }
    assertEquals(steps, ["suspend", "resume"]);
  });
});
