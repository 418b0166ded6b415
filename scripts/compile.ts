// deno-lint-ignore-file no-console
/**
 * Builds self-contained nanocode executables into dist/, one per target (or the targets named as
 * arguments). Each binary carries the same permissions as `deno task start`.
 *
 * `deno compile` downloads a runtime per target unless `DENORT_BIN` points at one for the host.
 * @module
 */

/** The targets nanocode ships for. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** The permissions baked into every binary; the same set `deno task start` grants. */
export const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-env",
  "--allow-net",
  "--allow-sys",
];

/** Compiles main.ts for one target into `outDir`; returns the binary's path. */
export async function compileTarget(target: string, options: { outDir?: string } = {}): Promise<string> {
  const outDir = options.outDir ?? "dist";
  const output = `${outDir}/nanocode-${target}${target.includes("windows") ? ".exe" : ""}`;
  const root = new URL("..", import.meta.url).pathname;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["compile", ...PERMISSIONS, "--target", target, "--output", output, "main.ts"],
    cwd: root,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`Cannot compile for ${target}: ${compileFailure(new TextDecoder().decode(stderr))}`);
  }
  return output;
}

/** The useful part of deno compile's error output: its deepest cause, without the backtrace. */
export function compileFailure(stderr: string): string {
  // deno-lint-ignore no-control-regex
  const text = stderr.replace(/\x1b\[[0-9;]*m/g, "").split("Stack backtrace")[0];
  const causes = [...text.matchAll(/^\s*\d+: (.+)$/gm)].map((m) => m[1].trim());
  const error = text.match(/^error: (.+)$/m)?.[1].trim();
  const deepest = causes.filter((c) => c !== "<unknown>").at(-1);
  const download = causes.find((c) => c.startsWith("error sending request for url"));
  if (download) {
    const url = download.match(/\((https?:[^)]+)\)/)?.[1] ?? "the runtime";
    return `cannot download ${url} (${deepest}); set DENORT_BIN to a local denort binary`;
  }
  return deepest ?? error ?? (text.trim().split("\n").at(-1) || "deno compile failed");
}

if (import.meta.main) {
  const targets = Deno.args.length > 0 ? Deno.args : TARGETS;
  let failed = 0;
  for (const target of targets) {
    try {
      console.log(`built ${await compileTarget(target)}`);
    } catch (error) {
      failed++;
      console.error(error instanceof Error ? error.message : String(error));
    }
  }
  Deno.exit(failed > 0 ? 1 : 0);
}
