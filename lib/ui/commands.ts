/**
 * Slash commands: the table `/help` prints, parsing of an input line, the nearest-name suggestion for
 * a typo, and each command's behaviour against a small host interface the REPL implements (so the
 * commands are testable without a terminal).
 * @module
 */

import type { Usage } from "../core/mod.ts";
import type { Palette } from "./ansi.ts";
import { formatTokens } from "./render.ts";
import type { QueuedMessage, ReplRuntime } from "./runtime.ts";

/** What a command can do to the REPL. */
export interface CommandHost {
  readonly runtime: ReplRuntime;
  readonly palette: Palette;
  /** True while a run or a side question is in progress. */
  readonly busy: boolean;
  /** The usage of the latest model call, if any. */
  readonly lastUsage?: Usage;
  /** Prints finished lines to the transcript. */
  print(lines: string[]): void;
  /**
   * Sends text as the user: starts a run when idle, queues it as steering while busy. `echo: false`
   * when the typed line (e.g. `/skill:x`) is already in the transcript and the text is what it expands to.
   */
  send(text: string, options?: { echo?: boolean }): void;
  /** Queues a follow-up while busy; starts a run with it when idle. */
  followUp(text: string): void;
  /**
   * Asks a throw-away side question on a copy of the conversation (also while the agent works);
   * `tools: true` offers the read-only tools.
   */
  sideQuestion(question: string, options: { tools: boolean }): Promise<void>;
  /** Opens text in the user's editor and returns the saved result. Throws when no editor is set. */
  editText(text: string, options: { suffix: string }): Promise<string>;
  /** When idle, starts a run with what is queued, as the end of a run does; does nothing while busy. */
  runQueue(): void;
  /** Ends the REPL. */
  quit(): void;
}

/** One command as `/help` lists it. */
export interface CommandSpec {
  name: string;
  aliases?: string[];
  /** How to call it, e.g. `/model [id-or-search]`. */
  usage: string;
  summary: string;
  run(host: CommandHost, args: string): void | Promise<void>;
}

/** A parsed command line: the command word (without `/`) and the rest. */
export interface ParsedCommand {
  name: string;
  args: string;
}

/**
 * Parses `/name args`. Returns undefined for input that is not a command, including paths such as
 * `/usr/bin/env is broken`, so those go to the model as typed.
 */
export function parseCommand(line: string): ParsedCommand | undefined {
  const text = line.trim();
  if (text === "exit" || text === "quit") return { name: "q", args: "" };
  const match = /^\/(\S*)(?:\s+([\s\S]*))?$/.exec(text);
  if (!match || match[1].includes("/")) return undefined;
  return { name: match[1], args: (match[2] ?? "").trim() };
}

/** Edit distance between two strings (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The candidate nearest to `word`: the shortest one it is a prefix of, else the one with the fewest
 * edits, if those are few enough to be a typo (at most max(2, ⌊length/3⌋), and fewer than either
 * word's length, so a short word is never "corrected" into an unrelated one). Undefined otherwise.
 * @example nearest("modle", ["model", "tools"]) // "model"; nearest("foo", ["model", "tools"]) // undefined
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  if (lower === "") return undefined;
  const prefixed = candidates.filter((c) => c.startsWith(lower));
  if (prefixed.length > 0) return prefixed.sort((a, b) => a.length - b.length)[0];
  const allowed = Math.max(2, Math.floor(lower.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate);
    const typo = distance <= allowed && distance < Math.min(lower.length, candidate.length);
    if (typo && distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/**
 * Reads back the queue as edited in `/dequeue edit`: a JSON array of `{kind, text}` with kind
 * `steer` or `followup`. Throws a one-line error saying what is wrong.
 */
export function parseQueueJson(text: string): QueuedMessage[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the input, newlines included; the message must stay on one line.
    const why = oneLine(error instanceof Error ? error.message : String(error));
    throw new SyntaxError(`Cannot read the edited queue: invalid JSON (${why}); the queue is unchanged.`);
  }
  if (!Array.isArray(value)) {
    throw new TypeError("Cannot read the edited queue: expected a JSON array; the queue is unchanged.");
  }
  return value.map((item, i) => {
    const entry = item as Partial<QueuedMessage> | null;
    if (
      entry === null || typeof entry !== "object" || (entry.kind !== "steer" && entry.kind !== "followup") ||
      typeof entry.text !== "string"
    ) {
      throw new TypeError(
        `Cannot read the edited queue: item ${
          i + 1
        } must be {"kind": "steer" | "followup", "text": "…"}; the queue is unchanged.`,
      );
    }
    return { kind: entry.kind, text: entry.text };
  });
}

/** Model ids containing every word of `query` (case-insensitive). */
export function matchModels(ids: readonly string[], query: string): string[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w !== "");
  return ids.filter((id) => words.every((w) => id.toLowerCase().includes(w)));
}

function firstSentence(text: string): string {
  const line = text.trim().split("\n")[0];
  const end = line.search(/\.(\s|$)/);
  return end < 0 ? line : line.slice(0, end + 1);
}

/** Folds runs of whitespace (newlines included) into one space. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** An error as one line: a message that spans lines is folded, not cut, so its end is kept. */
function errorMessage(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}

/** Lines for a notice: dimmed. */
function note(host: CommandHost, ...lines: string[]): void {
  host.print(lines.map((line) => host.palette.dim(line)));
}

/** One red error line. */
function fail(host: CommandHost, message: string): void {
  host.print([host.palette.red(`✗ ${message}`)]);
}

function notWhileBusy(host: CommandHost, what: string): boolean {
  if (!host.busy) return false;
  fail(host, `Cannot ${what} while the agent works: wait for it to finish, or press Ctrl-C to stop it.`);
  return true;
}

function describeQueue(items: QueuedMessage[]): string[] {
  return items.map((item, i) =>
    `  ${i + 1}. ${item.kind === "steer" ? "steer" : "follow-up"}: ${item.text.replace(/\n/g, " ⏎ ")}`
  );
}

/**
 * `/dequeue edit`: the messages leave the queue while the editor is open, so the agent cannot deliver
 * one that is also coming back from the editor; anything queued meanwhile goes after the edited ones.
 */
async function editQueue(host: CommandHost): Promise<void> {
  const queue = host.runtime.queue;
  const wasBusy = host.busy;
  const original = queue.clear();
  const putBack = (items: QueuedMessage[]): number => {
    const meanwhile = queue.clear();
    queue.replace([...items, ...meanwhile]);
    return meanwhile.length;
  };
  const keep = (error: unknown, unchanged: string) => {
    putBack(original);
    fail(host, `${errorMessage(error)}${unchanged}`);
    if (wasBusy && !host.busy) host.runQueue();
  };
  let edited: string;
  try {
    edited = await host.editText(JSON.stringify(original, null, 2) + "\n", { suffix: ".json" });
  } catch (error) {
    return keep(error, " The queue is unchanged.");
  }
  let items: QueuedMessage[];
  try {
    items = parseQueueJson(edited);
  } catch (error) {
    // parseQueueJson's messages already end by saying so.
    return keep(error, "");
  }
  const added = putBack(items);
  const stored = queue.list();
  note(
    host,
    `Queue replaced: ${items.length} message${items.length === 1 ? "" : "s"}${
      added > 0 ? `, then ${added} queued while the editor was open` : ""
    }.`,
  );
  // Printed as stored (steering first), which is the order the messages are delivered in.
  if (stored.length > 0) host.print(describeQueue(stored));
  // A run that ended while the editor was open found the queue empty: start the next one now.
  if (wasBusy && !host.busy) host.runQueue();
}

/** Most model ids `/model` prints before it asks for a search instead (OpenRouter lists hundreds). */
const MAX_LISTED = 60;

async function listModels(host: CommandHost): Promise<string[]> {
  return await host.runtime.provider.listModels(AbortSignal.timeout(15_000));
}

async function modelCommand(host: CommandHost, args: string): Promise<void> {
  const { agent, config } = host.runtime;
  const p = host.palette;
  if (args === "") {
    host.print([`Model: ${p.bold(agent.model)}${config.baseUrl ? p.dim(` at ${config.baseUrl}`) : ""}`]);
    let ids: string[];
    try {
      ids = await listModels(host);
    } catch (error) {
      fail(host, `${errorMessage(error)}`);
      note(host, "Set a model id directly with /model <id>.");
      return;
    }
    if (ids.length === 0) return note(host, "The endpoint lists no models; set one with /model <id>.");
    const shown = ids.length > MAX_LISTED ? ids.slice(0, MAX_LISTED) : ids;
    host.print([
      p.dim(`Models at the endpoint (${ids.length}):`),
      ...shown.map((id) => (id === agent.model ? `${p.green("●")} ${p.bold(id)}` : `  ${id}`)),
    ]);
    if (shown.length < ids.length) {
      note(host, `  … ${ids.length - shown.length} more: /model <words> searches them.`);
    }
    note(host, "Switch with /model <id>; /model <words> searches.");
    return;
  }
  let ids: string[];
  try {
    ids = await listModels(host);
  } catch (error) {
    agent.setModel(args);
    host.print([`Model set to ${p.bold(args)}.`]);
    note(host, `The endpoint cannot list models (${errorMessage(error)}), so the id was not checked.`);
    return;
  }
  if (ids.includes(args)) {
    agent.setModel(args);
    host.print([`Model set to ${p.bold(args)}.`]);
    return;
  }
  const matches = matchModels(ids, args);
  if (matches.length === 0) {
    fail(host, `No model at the endpoint matches "${args}": run /model to list them.`);
    return;
  }
  host.print([
    p.dim(`Models matching "${args}" (${matches.length}):`),
    ...matches.map((id) => (id === agent.model ? `${p.green("●")} ${p.bold(id)}` : `  ${id}`)),
  ]);
  note(host, "Switch with /model <exact id>.");
}

function toolsCommand(host: CommandHost): void {
  const { agent, omitted } = host.runtime;
  const p = host.palette;
  if (agent.tools.length === 0) note(host, "No tools are active.");
  else {
    host.print([
      p.dim(`Active tools (${agent.tools.length}):`),
      ...agent.tools.map((t) => `  ${p.bold(t.name)} ${p.dim(`— ${firstSentence(t.description)}`)}`),
    ]);
  }
  for (const tool of omitted ?? []) {
    note(host, `  ${tool.name} left out: start nanocode with ${tool.flags.join(" ")} to add it.`);
  }
}

async function skillCommand(host: CommandHost, name: string, args: string): Promise<void> {
  const skills = host.runtime.skills;
  if (!skills.some((s) => s.name === name)) {
    const guess = nearest(name, skills.map((s) => s.name));
    fail(
      host,
      skills.length === 0
        ? `Unknown skill "${name}": no skills are loaded; /skills says where to add them.`
        : `Unknown skill "${name}"${guess ? `: did you mean /skill:${guess}?` : "."} /skills lists them.`,
    );
    return;
  }
  let text: string;
  try {
    text = await host.runtime.expandSkill(name, args);
  } catch (error) {
    return fail(host, errorMessage(error));
  }
  host.send(text, { echo: false });
}

/** Every command, in the order `/help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "help",
    aliases: ["?"],
    usage: "/help",
    summary: "list the commands",
    run: (host) => host.print(helpLines(host.palette)),
  },
  {
    name: "c",
    aliases: ["clear"],
    usage: "/c",
    summary: "clear the conversation (the system prompt stays)",
    run(host) {
      if (notWhileBusy(host, "clear the conversation")) return;
      host.runtime.agent.clear();
      note(host, "Conversation cleared.");
    },
  },
  {
    name: "model",
    usage: "/model [id-or-search]",
    summary: "show the model and the endpoint's models; switch to an id, or search",
    run: modelCommand,
  },
  { name: "tools", usage: "/tools", summary: "list the active tools", run: toolsCommand },
  {
    name: "context",
    usage: "/context",
    summary: "show how much of the context window is in use",
    run(host) {
      const messages = host.runtime.agent.messages.length;
      const used = host.lastUsage
        ? `; the last request sent ${formatTokens(host.lastUsage.promptTokens)} tokens`
        : "";
      note(
        host,
        `The conversation holds ${messages} message${messages === 1 ? "" : "s"}${used}.`,
        "Context accounting arrives with compaction: then /context shows how full the window is and when compaction starts.",
      );
    },
  },
  {
    name: "compact",
    usage: "/compact",
    summary: "summarise the conversation to free context",
    run(host) {
      note(
        host,
        "Compaction is not available yet: once it lands, /compact replaces the older part of the conversation with a summary to free the context window.",
      );
    },
  },
  {
    name: "reload",
    usage: "/reload",
    summary: "re-read context files and skills, rebuild the system prompt",
    async run(host) {
      let warnings: string[];
      try {
        warnings = await host.runtime.reload();
      } catch (error) {
        return fail(host, `Cannot reload: ${errorMessage(error)}`);
      }
      const count = host.runtime.skills.length;
      note(host, `Reloaded context files and skills (${count} skill${count === 1 ? "" : "s"}).`);
      if (warnings.length > 0) host.print(warnings.map((w) => host.palette.yellow(`! ${w}`)));
    },
  },
  {
    name: "skills",
    usage: "/skills",
    summary: "list the skills",
    run(host) {
      const skills = host.runtime.skills;
      if (skills.length === 0) {
        return note(
          host,
          "No skills found: add a folder with a SKILL.md under .nanocode/skills (or ~/.nanocode/skills), then /reload.",
        );
      }
      host.print([
        host.palette.dim(`Skills (${skills.length}), run one with /skill:<name> [args]:`),
        ...skills.map((s) =>
          `  ${host.palette.bold(s.name)} ${host.palette.dim(`— ${firstSentence(s.description)}`)}`
        ),
      ]);
    },
  },
  {
    name: "skill:<name>",
    usage: "/skill:<name> [args]",
    summary: "send a skill's instructions (and your args) to the model",
    run: () => {},
  },
  {
    name: "jobs",
    usage: "/jobs",
    summary: "list background jobs",
    run: (host) => note(host, "Background jobs are not available yet: /jobs lists them once they land."),
  },
  {
    name: "mcp",
    usage: "/mcp",
    summary: "show MCP servers and their tools",
    run: (host) => note(host, "MCP servers are not available yet: /mcp shows them once MCP support lands."),
  },
  {
    name: "btw",
    usage: "/btw [--tools] <question>",
    summary: "ask a side question that stays out of the conversation",
    async run(host, args) {
      const withTools = /^--tools(\s|$)/.test(args);
      const question = withTools ? args.slice("--tools".length).trim() : args;
      if (question === "") return fail(host, "Cannot ask an empty side question: /btw <question>.");
      await host.sideQuestion(question, { tools: withTools });
    },
  },
  {
    name: "steer",
    usage: "/steer <message>",
    summary: "tell the working agent something before its next step (plain input does the same)",
    run(host, args) {
      if (args === "") return fail(host, "Cannot steer with nothing: /steer <message>.");
      host.send(args, { echo: false });
    },
  },
  {
    name: "queue",
    usage: "/queue [message]",
    summary: "queue a follow-up for after the current work; alone, list the queue",
    run(host, args) {
      if (args !== "") return host.followUp(args);
      const items = host.runtime.queue.list();
      if (items.length === 0) return note(host, "The queue is empty.");
      host.print([host.palette.dim(`Queued (${items.length}):`), ...describeQueue(items)]);
    },
  },
  {
    name: "followup",
    usage: "/followup <message>",
    summary: "queue a follow-up for after the current work",
    run(host, args) {
      if (args === "") return fail(host, "Cannot queue an empty follow-up: /followup <message>.");
      host.followUp(args);
    },
  },
  {
    name: "dequeue",
    usage: "/dequeue [edit]",
    summary: "take the queued messages back (printed); edit: change them as JSON in $VISUAL/$EDITOR",
    async run(host, args) {
      const queue = host.runtime.queue;
      if (args === "edit") return await editQueue(host);
      if (args !== "") return fail(host, `Cannot dequeue "${args}": use /dequeue or /dequeue edit.`);
      const items = queue.clear();
      if (items.length === 0) return note(host, "The queue is empty.");
      host.print([
        host.palette.dim(`Took ${items.length} message${items.length === 1 ? "" : "s"} off the queue:`),
        ...items.map((item) => item.text),
      ]);
    },
  },
  {
    name: "q",
    aliases: ["quit", "exit"],
    usage: "/q",
    summary: "quit (also exit, Ctrl-D, or Ctrl-C twice at an empty prompt)",
    run: (host) => host.quit(),
  },
];

/** The `/help` text: every command with its usage and summary, then the keys. */
export function helpLines(palette: Palette): string[] {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    palette.dim("Commands:"),
    ...COMMANDS.map((c) => `  ${palette.bold(c.usage.padEnd(width))}  ${palette.dim(c.summary)}`),
    palette.dim(
      "Typing while the agent works steers it. Keys: Ctrl-C stops a run, Ctrl-D quits, ↑/↓ history, Ctrl-J new line.",
    ),
  ];
}

/** Finds the command a parsed line names; `skill:<name>` lines resolve to the skill runner. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}

/** Runs a parsed command line against the host; an unknown name gets the nearest suggestion. */
export async function runCommand(host: CommandHost, command: ParsedCommand): Promise<void> {
  if (command.name === "") return host.print(helpLines(host.palette));
  if (command.name.startsWith("skill:")) {
    return await skillCommand(host, command.name.slice("skill:".length), command.args);
  }
  const spec = findCommand(command.name);
  if (!spec || spec.name === "skill:<name>") {
    // Single-character aliases (`?`) are within a typo or two of any short word: never suggest them.
    const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? []).filter((a) => a.length > 1)])
      .filter((n) => n !== "skill:<name>");
    const guess = nearest(command.name, names);
    fail(
      host,
      guess
        ? `Unknown command /${command.name}: did you mean /${guess}? /help lists them.`
        : `Unknown command /${command.name}; /help lists the commands.`,
    );
    return;
  }
  await spec.run(host, command.args);
}

/** Names to complete after `/` (commands and skills). */
export function completions(prefix: string, skills: readonly { name: string }[]): string[] {
  const names = [
    ...COMMANDS.filter((c) => c.name !== "skill:<name>").map((c) => c.name),
    ...skills.map((s) => `skill:${s.name}`),
  ];
  return names.filter((n) => n.startsWith(prefix));
}
