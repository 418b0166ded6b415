/**
 * Runs a snippet of TypeScript in a fresh Deno process with the flags a test chooses (a narrowed
 * `--allow-net`, `--cached-only`, …), feeding the script on standard input.
 * @module
 */

/** How to run the script. */
export interface ScriptOptions {
  /** Deno flags before the script, e.g. `--allow-net=127.0.0.1:8000`. */
  flags?: string[];
  /** Arguments the script sees as `Deno.args`. */
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** Runs `script` and returns its exit code and output. */
export async function runScript(
  script: string,
  options: ScriptOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...(options.flags ?? []), "-", ...(options.args ?? [])],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const output = await child.output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}
