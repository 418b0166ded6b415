/**
 * The command line: flags, their meaning, and the help text that documents them.
 * @module
 */

import { parseArgs } from "node:util";
import { UsageError, VERSION } from "../core/mod.ts";

/** Parsed command-line options. */
export interface CliOptions {
  help: boolean;
  version: boolean;
  /** `nanocode doctor` or `--check`: report what this installation found, and exit. */
  check: boolean;
  print: boolean;
  mode: "text" | "json";
  quiet: boolean;
  model?: string;
  baseUrl?: string;
  /** Each `--system-prompt` value (text or a file path), in order; they join to replace the base prompt. */
  systemPrompt?: string[];
  /** Each `--append-system-prompt` value (text or a file path), in order; each is appended. */
  appendSystemPrompt?: string[];
  /**
   * `undefined`: the default surface (also for `--tools default`, `all`, `*` and the original's
   * names, see {@link WHOLE_SURFACE}); `[]`: no tools; otherwise the names given.
   */
  tools?: string[];
  noContextFiles: boolean;
  maxRetries?: number;
  /** `--max-turns <n>`: most model calls in one run. */
  maxTurns?: number;
  /** `-c`: resume the newest session of this cwd. */
  continue: boolean;
  /** `-r <query>`: the session to resume; "" when `-r` came alone (pick or list). */
  resume?: string;
  /** `--session <path>`: resume the session in this file. */
  session?: string;
  /** `--no-session`: write no session file. */
  noSession: boolean;
  /** `--export <session>`: the session to export, and where to (the first word after it). */
  export?: { session: string; out?: string };
  /** The prompt words joined, or undefined when none were given. */
  prompt?: string;
  /** `--acp`: serve an editor over the Agent Client Protocol on standard input and output. */
  acp: boolean;
  /**
   * `nanocode mcp list`: connect every configured MCP server and report each; `mcp login|logout
   * <server>`: authorize a remote server with OAuth, or forget it.
   */
  mcp?: { action: "list" } | { action: "login" | "logout"; server: string };
}

/**
 * `--tools` values meaning every tool the permissions allow: `default`, `all`, `*`, and the names the
 * original nanocode used for its tool sets, which all stand for the whole surface here.
 */
export const WHOLE_SURFACE: readonly string[] = [
  "default",
  "all",
  "*",
  "core",
  "pi",
  "readonly",
  "extended",
  "rich",
  "safe",
];

/** The help text; it names every flag `parseCli` accepts. */
export const HELP = `nanocode ${VERSION} — a terminal coding agent for any OpenAI-compatible endpoint

Usage:
  nanocode [options]                     start the interactive session
  nanocode -p "prompt" [options]          run once, print the final answer, exit
  echo "prompt" | nanocode -p             the prompt may come on standard input
  nanocode --mode json "prompt"           run once, print one JSON event per line
  nanocode --acp                          serve an editor (Zed, Neovim, JetBrains) over the Agent
                                          Client Protocol on stdin/stdout; see the README's editors section

Options:
  -p, --print                   run headless: print the final answer and exit
      --mode <text|json>        headless output: the final text (default) or JSON events
  -q, --quiet                   print nothing but the final answer (or the JSON events)
  -m, --model <id>              model id (default: $MODEL, else kimi-k2.6)
      --base-url <url>          endpoint (default: $OPENAI_BASE_URL, else https://opencode.ai/zen/go/v1)
      --system-prompt <text|file>         replace the system prompt (repeat: joined in order)
      --append-system-prompt <text|file>  add to the system prompt (repeat: added in order)
      --tools <none|a,b,…|all>  offer only these tools (default, all or *: every tool the permissions allow)
  -nc, --no-context-files       do not load AGENTS.md/CLAUDE.md context files or skills
      --max-retries <n>         retries of a failed request before output began (default 4)
      --max-turns <n>           stop a run after n model calls, with exit code 1 (default: no limit)

Sessions (saved under ~/.nanocode/sessions, or $NANOCODE_DIR/sessions, as they happen):
  -c, --continue                resume the newest session of this folder
  -r, --resume [id|name|text]   resume a session by id (or prefix), name or text of its first prompt;
                                alone: pick one (interactive) or list them (headless)
      --session <path>          resume the session saved in this file
      --no-session              save nothing (child processes run with it)
      --export <session> [out]  write a session as Markdown (default) or HTML (out ends in .html)
  -h, --help                    show this help
  -v, --version                 print the version (and the Deno it runs on)
      --check, doctor           report the endpoint, key source, permissions, tools, ripgrep, mise,
                                MCP servers and sessions folder found; exit 1 when something is missing
  mcp list                      connect every configured MCP server and report its state, tools and
                                last error; exit 1 when one failed
  mcp login <server>            authorize a remote MCP server with OAuth in the browser (tokens are
                                kept in ~/.nanocode/mcp-auth.json, mode 0600); mcp logout forgets them

Keys: OPENCODE_API_KEY, OPENCODE_GO_API_KEY, OPENAI_API_KEY (in that order) or OpenCode's auth.json
for OpenCode endpoints; OPENAI_API_KEY for any other endpoint. SHOW_THINKING=0 hides reasoning.
Also read: OPENAI_API_URL (full chat URL), OPENCODE_AUTH_JSON, NANOCODE_DIR (instead of ~/.nanocode),
NANOCODE_MAX_TOKENS (default 8192, 0: none), NANOCODE_USER_AGENT, NANOCODE_MISE_HOT_RELOAD=0.

Exit codes: 0 done, 1 runtime error, 2 usage error, 130 interrupted (143 SIGTERM, 129 SIGHUP).
`;

/** Parses the command line. Throws {@link UsageError} with a one-line message on bad input. */
export function parseCli(args: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: normaliseArgs(args),
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        check: { type: "boolean" },
        print: { type: "boolean", short: "p" },
        mode: { type: "string" },
        quiet: { type: "boolean", short: "q" },
        model: { type: "string", short: "m" },
        "base-url": { type: "string" },
        "system-prompt": { type: "string", multiple: true },
        "append-system-prompt": { type: "string", multiple: true },
        tools: { type: "string" },
        "no-context-files": { type: "boolean" },
        "max-retries": { type: "string" },
        "max-turns": { type: "string" },
        continue: { type: "boolean", short: "c" },
        resume: { type: "string", short: "r" },
        session: { type: "string" },
        "no-session": { type: "boolean" },
        acp: { type: "boolean" },
        export: { type: "string" },
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UsageError(
      `Cannot parse the command line: ${message}. Run nanocode --help for usage.`,
    );
  }
  const { values, positionals } = parsed;
  const mode = values.mode ?? "text";
  if (mode !== "text" && mode !== "json") {
    throw new UsageError(`Cannot use --mode ${mode}: choose text or json.`);
  }
  const maxRetries = wholeNumber("--max-retries", values["max-retries"], {
    min: 0,
    example: 3,
  });
  const maxTurns = wholeNumber("--max-turns", values["max-turns"], {
    min: 1,
    example: 30,
  });
  let tools: string[] | undefined;
  if (values.tools !== undefined) {
    const list = values.tools.split(",").map((t) => t.trim()).filter((t) => t !== "");
    tools = list.length === 1 && list[0] === "none"
      ? []
      : list.some((name) => WHOLE_SURFACE.includes(name))
      ? undefined
      : list;
  }
  for (const name of ["model", "base-url"] as const) {
    if (values[name] !== undefined && values[name]!.trim() === "") {
      throw new UsageError(
        `Cannot use an empty --${name}: give a value or leave the flag out.`,
      );
    }
  }
  const resumes = [
    values.continue,
    values.resume !== undefined,
    values.session !== undefined,
  ].filter(
    Boolean,
  );
  if (resumes.length > 1) {
    throw new UsageError(
      "Cannot resume two ways at once: give one of --continue, --resume and --session.",
    );
  }
  if (values["no-session"] && resumes.length > 0) {
    throw new UsageError(
      "Cannot resume with --no-session: a resumed session is saved as it goes on; drop one.",
    );
  }
  let exported: CliOptions["export"];
  if (values.export !== undefined) {
    if (positionals.length > 1) {
      throw new UsageError(
        `Cannot export to ${positionals.join(" ")}: give one output path after the session.`,
      );
    }
    exported = {
      session: values.export,
      ...(positionals[0] ? { out: positionals[0] } : {}),
    };
  }
  const doctor = positionals.length === 1 && positionals[0] === "doctor";
  const mcp = mcpCommand(positionals);
  if (values.acp && (positionals.length > 0 || values.print || resumes.length > 0 || exported)) {
    throw new UsageError(
      "Cannot combine --acp with a prompt, -p, --export or a session to resume: the editor sends prompts and picks sessions over the protocol.",
    );
  }
  const prompt = positionals.length > 0 && !exported && !doctor && !mcp ? positionals.join(" ") : undefined;
  return {
    help: values.help ?? false,
    check: (values.check ?? false) || doctor,
    version: values.version ?? false,
    print: values.print ?? false,
    mode,
    quiet: values.quiet ?? false,
    model: values.model,
    baseUrl: values["base-url"],
    systemPrompt: values["system-prompt"],
    appendSystemPrompt: values["append-system-prompt"],
    tools,
    noContextFiles: values["no-context-files"] ?? false,
    maxRetries,
    maxTurns,
    continue: values.continue ?? false,
    resume: values.resume,
    session: values.session,
    noSession: values["no-session"] ?? false,
    ...(exported ? { export: exported } : {}),
    prompt,
    acp: values.acp ?? false,
    ...(mcp ? { mcp } : {}),
  };
}

/** `mcp login <server>` or `mcp logout <server>` as the whole command line's words. */
function mcpCommand(positionals: string[]): CliOptions["mcp"] {
  if (positionals[0] !== "mcp") return undefined;
  if (positionals[1] === "list") {
    if (positionals.length === 2) return { action: "list" };
    throw new UsageError(`Cannot run mcp list ${positionals.slice(2).join(" ")}: it takes no arguments.`);
  }
  if (positionals[1] !== "login" && positionals[1] !== "logout") return undefined;
  if (positionals.length !== 3) {
    throw new UsageError(
      `Cannot run mcp ${positionals[1]}: name one MCP server, as in nanocode mcp ${positionals[1]} github.`,
    );
  }
  return { action: positionals[1], server: positionals[2] };
}

/**
 * Prepares the arguments for the parser: `-nc` (the original's alias) becomes `--no-context-files`
 * rather than `-n -c`, and `-r`/`--resume` may stand alone (pick a session), so it gets an empty value.
 */
/** A flag's whole-number value, or undefined when the flag is absent. */
function wholeNumber(
  flag: string,
  value: string | undefined,
  options: { min: number; example: number },
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < options.min) {
    throw new UsageError(
      `Cannot use ${flag} ${value}: give a whole number${
        options.min > 0 ? ` of at least ${options.min}` : ""
      } such as ${options.example}.`,
    );
  }
  return Number(value);
}

/** Flags whose value is a number. */
const NUMERIC_FLAGS: ReadonlySet<string> = new Set([
  "--max-retries",
  "--max-turns",
]);

function normaliseArgs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    out.push(args[i] === "-nc" ? "--no-context-files" : args[i]);
    if (args[i] === "--") {
      out.push(...args.slice(i + 1));
      break;
    }
    const bare = args[i] === "-r" || args[i] === "--resume";
    if (bare && (i + 1 >= args.length || args[i + 1].startsWith("-"))) {
      out.push("");
    }
    // A negative number after a numeric flag is its (bad) value, not another option: joined, it
    // reaches the flag's own check and its message.
    if (NUMERIC_FLAGS.has(args[i]) && /^-\d/.test(args[i + 1] ?? "")) {
      out[out.length - 1] = `${args[i]}=${args[++i]}`;
    }
  }
  return out;
}
