/**
 * How to start this same program again for a child: the compiled binary itself, or, under `deno run`,
 * the Deno executable with `run`, the parent's own permission flags and its main module. The flags are
 * rebuilt from what `Deno.permissions.query` says is granted now, so a child never has more than its
 * parent (a permission revoked since start-up is left out too).
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A program and the arguments that come before nanocode's own. */
export interface SelfCommand {
  program: string;
  args: string[];
}

/** The permissions a child may inherit. */
export const PERMISSION_KINDS = ["read", "write", "run", "net", "env", "sys", "ffi"] as const;

/** One of {@link PERMISSION_KINDS}. */
export type PermissionKind = typeof PERMISSION_KINDS[number];

/** Options for {@link permissionFlags}. */
export interface PermissionFlagOptions {
  /**
   * The parent's command line (default: `/proc/self/cmdline` when it may be read). Its permission
   * values are checked one by one against what is granted now; without it, the candidates are.
   */
  argv?: string[] | null;
  /** Values to check per permission when the command line is not known (see {@link defaultCandidates}). */
  candidates?: Partial<Record<PermissionKind, string[]>>;
  /** The folder relative paths on the command line were given against (default `Deno.cwd()`). */
  cwd?: string;
  /** Asks whether a permission is granted (default: `Deno.permissions.query`). */
  query?: (descriptor: Deno.PermissionDescriptor) => Promise<Deno.PermissionStatus>;
}

/** Short permission flags of the Deno command line. */
const SHORT: Record<string, PermissionKind | "all"> = {
  "-A": "all",
  "-R": "read",
  "-W": "write",
  "-N": "net",
  "-E": "env",
  "-S": "sys",
};

/** Flags of the parent's `deno run` that the child needs to load the same program the same way. */
const CARRIED = [
  "--config",
  "-c",
  "--no-config",
  "--import-map",
  "--lock",
  "--no-lock",
  "--cached-only",
  "--no-remote",
  "--no-npm",
  "--node-modules-dir",
  "--quiet",
  "-q",
  "--no-prompt",
];
/** Of those, the ones that may take their value as the next argument. */
const TAKES_VALUE = new Set(["--config", "-c", "--import-map", "--lock"]);

/** Whether this process runs under `deno run` (rather than as a compiled binary). */
export function underDenoRun(execPath: string = Deno.execPath()): boolean {
  return /(^|[\\/])deno(\.exe)?$/i.test(execPath);
}

/**
 * The command that starts this program again with the parent's permissions: the compiled binary
 * alone (its permissions are built in), or `deno run <flags> <main module>`.
 */
export async function selfCommand(options: PermissionFlagOptions = {}): Promise<SelfCommand> {
  const program = Deno.execPath();
  if (!underDenoRun(program)) return { program, args: [] };
  const argv = options.argv === undefined ? readOwnArgv() : options.argv;
  const main = mainModulePath();
  const flags = await permissionFlags({ ...options, argv });
  return { program, args: ["run", ...carriedFlags(argv, main, options.cwd), ...flags, main] };
}

/** The main module as `deno run` takes it: a path for a local file, else the URL. */
export function mainModulePath(): string {
  const main = Deno.mainModule;
  return main.startsWith("file:") ? fileURLToPath(main) : main;
}

/**
 * The permission flags that grant a child what this process has now, never more: `--allow-x` for a
 * permission granted whole; for one granted in part, the values of the parent's command line (or the
 * candidates) that are granted, and the parent's `--deny-x` values.
 */
export async function permissionFlags(options: PermissionFlagOptions = {}): Promise<string[]> {
  const query = options.query ?? ((d) => Deno.permissions.query(d));
  const cwd = options.cwd ?? safeCwd();
  const argv = options.argv === undefined ? readOwnArgv() : options.argv;
  const given = argv ? parsePermissionArgs(argv, { cwd }) : undefined;
  const candidates = { ...defaultCandidates(cwd), ...options.candidates };
  const flags: string[] = [];
  for (const kind of PERMISSION_KINDS) {
    const whole = await query({ name: kind } as Deno.PermissionDescriptor);
    const denies = given?.deny[kind];
    if (whole.state === "granted" && !whole.partial) {
      flags.push(`--allow-${kind}`);
      continue;
    }
    if (whole.state === "granted" && denies !== undefined) {
      // Granted but for what the parent was denied: the same pair of flags.
      flags.push(`--allow-${kind}`, ...(denies.length > 0 ? [`--deny-${kind}=${denies.join(",")}`] : []));
      continue;
    }
    const values = given ? (given.allow[kind] ?? []) : (candidates[kind] ?? []);
    const kept: string[] = [];
    for (const raw of values) {
      const value = isPathKind(kind) && raw !== "" && !isAbsolute(raw) ? resolve(cwd, raw) : raw;
      if (value === "" || kept.includes(value)) continue;
      const status = await query(descriptor(kind, value)).catch(() => undefined);
      // A candidate granted only in part (a folder with a denied file inside) would grant the whole.
      if (status?.state === "granted" && (given || !status.partial)) kept.push(value);
    }
    if (kept.length > 0) {
      flags.push(`--allow-${kind}=${kept.join(",")}`);
      if (denies && denies.length > 0) flags.push(`--deny-${kind}=${denies.join(",")}`);
    }
  }
  return flags;
}

/** What the parent's command line allows and denies, per permission, before the main module. */
export function parsePermissionArgs(
  argv: readonly string[],
  options: { main?: string; cwd?: string } = {},
):
  | { allow: Partial<Record<PermissionKind, string[]>>; deny: Partial<Record<PermissionKind, string[]>> }
  | undefined {
  const flags = runFlags(argv, options.main, options.cwd);
  if (!flags) return undefined;
  const allow: Partial<Record<PermissionKind, string[]>> = {};
  const deny: Partial<Record<PermissionKind, string[]>> = {};
  const add = (into: typeof allow, kind: PermissionKind, value: string | undefined) => {
    const list = (into[kind] ??= []);
    if (value !== undefined) list.push(...value.split(",").filter((v) => v !== ""));
  };
  for (const arg of flags) {
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? undefined : arg.slice(eq + 1);
    const short = SHORT[name];
    if (name === "--allow-all" || short === "all") {
      for (const kind of PERMISSION_KINDS) add(allow, kind, undefined);
      continue;
    }
    if (short) {
      add(allow, short, value);
      continue;
    }
    const match = /^--(allow|deny)-(\w+)$/.exec(name);
    const kind = match?.[2] as PermissionKind | undefined;
    if (!match || !kind || !PERMISSION_KINDS.includes(kind)) continue;
    add(match[1] === "allow" ? allow : deny, kind, value);
  }
  return { allow, deny };
}

/**
 * Values worth checking when the command line is unknown: the folders and names a child nanocode
 * reads, the programs it runs, the system facts it asks for.
 */
export function defaultCandidates(cwd: string): Partial<Record<PermissionKind, string[]>> {
  const env = (name: string) => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined;
    }
  };
  const home = env("HOME") ?? env("USERPROFILE");
  const folders = [cwd, home, env("NANOCODE_DIR"), env("TMPDIR") ?? "/tmp"].filter((v): v is string =>
    v !== undefined && v !== ""
  );
  return {
    read: folders,
    write: folders,
    run: ["bash", Deno.execPath(), "rg", "mise", "git"],
    env: [
      "HOME",
      "USERPROFILE",
      "PATH",
      "TERM",
      "NO_COLOR",
      "TMPDIR",
      "XDG_DATA_HOME",
      "XDG_CONFIG_HOME",
      "DENO_DIR",
      "MODEL",
      "SHOW_THINKING",
      "OPENAI_API_KEY",
      "OPENAI_BASE_URL",
      "OPENAI_API_URL",
      "OPENCODE_API_KEY",
      "OPENCODE_GO_API_KEY",
      "OPENCODE_AUTH_JSON",
      "EXA_API_KEY",
      "NANOCODE_CHILD",
      "NANOCODE_MAX_DEPTH",
      "NANOCODE_MAX_JOBS",
      "NANOCODE_JOB_AUTO_EMIT_MAX_CHARS",
      "NANOCODE_DIR",
      "NANOCODE_MAX_TOKENS",
      "NANOCODE_MAX_RETRIES",
      "NANOCODE_USER_AGENT",
      "NANOCODE_IMAGES",
      "NANOCODE_MISE_HOT_RELOAD",
    ],
    sys: ["hostname", "osRelease", "homedir", "uid", "gid", "cpus", "systemMemoryInfo", "loadavg"],
  };
}

/** The flags of the parent's `deno run` that decide how the program loads (config, lock, cache). */
function carriedFlags(argv: string[] | null, main: string, cwd: string | undefined): string[] {
  if (!argv) return [];
  const out: string[] = [];
  const flags = runFlags(argv, main, cwd) ?? [];
  for (let i = 0; i < flags.length; i++) {
    const arg = flags[i];
    const name = arg.split("=")[0];
    if (!CARRIED.includes(name) && !name.startsWith("--unstable")) continue;
    out.push(arg);
    if (!arg.includes("=") && TAKES_VALUE.has(name) && i + 1 < flags.length) out.push(flags[++i]);
  }
  return out;
}

/**
 * The arguments between `deno run` and the main module (undefined when the module is not among them).
 * The module is found by resolving each argument against the cwd, so a prompt that looks like a flag
 * is never taken for one.
 */
function runFlags(argv: readonly string[], main = mainModulePath(), cwd = safeCwd()): string[] | undefined {
  let start = 1;
  if (argv[start] === "run") start++;
  for (let i = start; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === main || (!arg.startsWith("-") && resolve(cwd, arg) === main)) return argv.slice(start, i);
    if (arg.startsWith("file:") && arg === Deno.mainModule) return argv.slice(start, i);
  }
  return undefined;
}

/** This process's command line from `/proc/self/cmdline`, or null where it cannot be read. */
function readOwnArgv(): string[] | null {
  try {
    const text = Deno.readTextFileSync("/proc/self/cmdline");
    const argv = text.split("\0");
    if (argv.at(-1) === "") argv.pop();
    return argv.length > 0 ? argv : null;
  } catch {
    return null;
  }
}

function isPathKind(kind: PermissionKind): boolean {
  return kind === "read" || kind === "write" || kind === "ffi";
}

function descriptor(kind: PermissionKind, value: string): Deno.PermissionDescriptor {
  switch (kind) {
    case "read":
    case "write":
    case "ffi":
      return { name: kind, path: value };
    case "run":
      return { name: "run", command: value };
    case "net":
      return { name: "net", host: value };
    case "env":
      return { name: "env", variable: value };
    case "sys":
      return { name: "sys", kind: value as Deno.SysPermissionDescriptor["kind"] };
  }
}

function safeCwd(): string {
  try {
    return Deno.cwd();
  } catch {
    return "/";
  }
}
