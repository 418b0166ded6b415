/**
 * The external editor launch (`$VISUAL` or `$EDITOR`) for `/dequeue edit`: the text goes to a temp
 * file, the terminal is handed to the editor and taken back, and the saved file is the result.
 * @module
 */

/** Options of {@link editText}. */
export interface EditTextOptions {
  /** The temp file's suffix, so the editor picks a mode (e.g. `.json`). */
  suffix: string;
  /** Reads an environment variable (`VISUAL`, then `EDITOR`). */
  env: (name: string) => string | undefined;
  /** Gives the terminal to the editor (leave raw mode, stop drawing); awaited before it starts. */
  suspend(): Promise<void>;
  /** Takes the terminal back after the editor exits, whether it succeeded or not. */
  resume(): void;
}

/**
 * Opens `text` in the user's editor and returns what was saved. Throws a one-line error when no
 * editor is set or the editor fails.
 * @example
 * ```ts
 * const edited = await editText("[]\n", { suffix: ".json", env: Deno.env.get, suspend, resume });
 * ```
 */
export async function editText(text: string, options: EditTextOptions): Promise<string> {
  const editor = options.env("VISUAL") || options.env("EDITOR");
  if (!editor) {
    throw new Error("Cannot open an editor: set $VISUAL or $EDITOR (e.g. export EDITOR=nano) and try again.");
  }
  const path = await Deno.makeTempFile({ prefix: "nanocode-", suffix: options.suffix });
  await Deno.writeTextFile(path, text);
  await options.suspend();
  try {
    // Through sh, so an editor set with arguments (`code --wait`) works as it does in a shell.
    const status = await new Deno.Command("sh", {
      args: ["-c", `${editor} "$1"`, "nanocode-editor", path],
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn().status;
    if (!status.success) {
      throw new Error(`Cannot use the edit: the editor exited with code ${status.code}.`);
    }
    return await Deno.readTextFile(path);
  } finally {
    options.resume();
    await Deno.remove(path).catch(() => {});
  }
}
