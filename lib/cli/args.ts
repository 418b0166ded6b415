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
  print: boolean;
  mode: "text" | "json";
  quiet: boolean;
  model?: string;
  baseUrl?: string;
  systemPrompt?: string;
  appendSystemPrompt?: string;
  /** `undefined`: the default surface; `[]`: no tools; otherwise the names given. */
  tools?: string[];
  noContextFiles: boolean;
  maxRetries?: number;
  /** The prompt words joined, or undefined when none were given. */
  prompt?: string;
}

/** The help text; it names every flag `parseCli` accepts. */
export const HELP = `nanocode ${VERSION} — a terminal coding agent for any OpenAI-compatible endpoint

Usage:
  nanocode [options]                     start the interactive session
  nanocode -p "prompt" [options]          run once, print the final answer, exit
  echo "prompt" | nanocode -p             the prompt may come on standard input
  nanocode --mode json "prompt"           run once, print one JSON event per line

Options:
  -p, --print                   run headless: print the final answer and exit
      --mode <text|json>        headless output: the final text (default) or JSON events
  -q, --quiet                   print nothing but the final answer (or the JSON events)
  -m, --model <id>              model id (default: $MODEL, else kimi-k2.6)
      --base-url <url>          endpoint (default: $OPENAI_BASE_URL, else https://opencode.ai/zen/go/v1)
      --system-prompt <text|file>         replace the system prompt
      --append-system-prompt <text|file>  add to the system prompt
      --tools <none|a,b,…>      offer only these tools (default: every tool the permissions allow)
      --no-context-files        do not load AGENTS.md/CLAUDE.md context files or skills
      --max-retries <n>         retries of a failed request before output began (default 4)
  -h, --help                    show this help
  -v, --version                 print the version

Keys: OPENCODE_API_KEY, OPENCODE_GO_API_KEY, OPENAI_API_KEY (in that order) or OpenCode's auth.json
for OpenCode endpoints; OPENAI_API_KEY for any other endpoint. SHOW_THINKING=0 hides reasoning.

Exit codes: 0 done, 1 runtime error, 2 usage error, 130 interrupted (143 SIGTERM, 129 SIGHUP).
`;

/** Parses the command line. Throws {@link UsageError} with a one-line message on bad input. */
export function parseCli(args: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        print: { type: "boolean", short: "p" },
        mode: { type: "string" },
        quiet: { type: "boolean", short: "q" },
        model: { type: "string", short: "m" },
        "base-url": { type: "string" },
        "system-prompt": { type: "string" },
        "append-system-prompt": { type: "string" },
        tools: { type: "string" },
        "no-context-files": { type: "boolean" },
        "max-retries": { type: "string" },
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UsageError(`Cannot parse the command line: ${message}. Run nanocode --help for usage.`);
  }
  const { values, positionals } = parsed;
  const mode = values.mode ?? "text";
  if (mode !== "text" && mode !== "json") {
    throw new UsageError(`Cannot use --mode ${mode}: choose text or json.`);
  }
  let maxRetries: number | undefined;
  if (values["max-retries"] !== undefined) {
    if (!/^\d+$/.test(values["max-retries"])) {
      throw new UsageError(
        `Cannot use --max-retries ${values["max-retries"]}: give a whole number such as 3.`,
      );
    }
    maxRetries = Number(values["max-retries"]);
  }
  let tools: string[] | undefined;
  if (values.tools !== undefined) {
    const list = values.tools.split(",").map((t) => t.trim()).filter((t) => t !== "");
    tools = list.length === 1 && list[0] === "none" ? [] : list;
  }
  for (const name of ["model", "base-url"] as const) {
    if (values[name] !== undefined && values[name]!.trim() === "") {
      throw new UsageError(`Cannot use an empty --${name}: give a value or leave the flag out.`);
    }
  }
  const prompt = positionals.length > 0 ? positionals.join(" ") : undefined;
  return {
    help: values.help ?? false,
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
    prompt,
  };
}
