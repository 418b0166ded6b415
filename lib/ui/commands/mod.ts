/**
 * Slash commands: the table `/help` prints, parsing of an input line, and the dispatch of each
 * command against a small host interface the REPL implements (so the commands are testable without a
 * terminal). The commands with more to them live beside this file: the queue, `/model`, the skills,
 * the saved sessions; `suggest.ts` finds the nearest name to a typo and the names Tab completes.
 * @module
 */

import { type Palette, visibleWidth, wrapLine } from "../ansi.ts";
import type { ReplRuntime } from "../runtime.ts";
import { errorMessage, fail, firstSentence, note, notWhileBusy } from "./_output.ts";
import { CONTEXT_COMMANDS } from "./context.ts";
import { JOBS_COMMAND } from "./jobs.ts";
import { MCP_COMMAND } from "./mcp.ts";
import { MODEL_COMMAND } from "./model.ts";
import { QUEUE_COMMANDS } from "./queue.ts";
import { SESSION_COMMANDS } from "./sessions.ts";
import { runSkill, SKILL_COMMANDS } from "./skills.ts";
import { nearest } from "./suggest.ts";

export { completions, editDistance, nearest } from "./suggest.ts";
export { contextLines } from "./context.ts";
export { matchModels } from "./model.ts";
export { parseQueueJson } from "./queue.ts";
export { resumeSession } from "./sessions.ts";

/** What a command can do to the REPL. */
export interface CommandHost {
  readonly runtime: ReplRuntime;
  readonly palette: Palette;
  /** True while a run, a side question or a compaction is in progress. */
  readonly busy: boolean;
  /** The terminal's width in cells: what a printed line may take before it wraps. */
  readonly columns: number;
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
  /**
   * Opens the session picker on this folder's saved sessions; resolves once one was resumed or the
   * picker was cancelled.
   */
  pickSession(): Promise<void>;
  /**
   * Compacts the conversation now (between runs), with `instructions` for the summary, showing
   * progress while the summary is made and the outcome as one line.
   */
  compact(instructions: string | undefined): Promise<void>;
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

/** Every command, in the order `/help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "help",
    aliases: ["?"],
    usage: "/help",
    summary: "list the commands",
    run: (host) => host.print(helpLines(host.palette, { width: host.columns })),
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
  MODEL_COMMAND,
  { name: "tools", usage: "/tools", summary: "list the active tools", run: toolsCommand },
  ...CONTEXT_COMMANDS,
  {
    name: "reload",
    usage: "/reload",
    summary: "re-read context files, skills and mcp.json, rebuild the system prompt",
    async run(host) {
      // The MCP servers are closed and started again: a running call would lose its server.
      if (notWhileBusy(host, "reload")) return;
      let warnings: string[];
      try {
        warnings = await host.runtime.reload();
      } catch (error) {
        return fail(host, `Cannot reload: ${errorMessage(error)}`);
      }
      const count = host.runtime.skills.length;
      note(host, `Reloaded context files and skills (${count} skill${count === 1 ? "" : "s"}).`);
      const servers = host.runtime.mcp?.servers().filter((s) => s.state !== "disabled").length ?? 0;
      const plural = servers === 1 ? "" : "s";
      if (servers > 0) note(host, `Restarted ${servers} MCP server${plural} from mcp.json; /mcp shows them.`);
      if (warnings.length > 0) host.print(warnings.map((w) => host.palette.yellow(`! ${w}`)));
    },
  },
  ...SKILL_COMMANDS,
  ...SESSION_COMMANDS,
  JOBS_COMMAND,
  MCP_COMMAND,
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
  ...QUEUE_COMMANDS,
  {
    name: "q",
    aliases: ["quit", "exit"],
    usage: "/q",
    summary: "quit (also exit, Ctrl-D, or Ctrl-C twice at an empty prompt)",
    run: (host) => host.quit(),
  },
];

/** The keys and habits `/help` ends with. */
const HELP_FOOTER =
  "Typing while the agent works steers it. Keys: Ctrl-C stops a run, Ctrl-D quits, ↑/↓ history (kept between runs), Ctrl-J new line.";

/**
 * The `/help` text for a terminal `width` cells wide (default 80): every command with its usage and
 * summary, a summary that wraps continuing under its own column, then the keys.
 */
export function helpLines(palette: Palette, options: { width?: number } = {}): string[] {
  const width = Math.max(20, options.width ?? 80);
  const column = Math.max(...COMMANDS.map((c) => visibleWidth(c.usage)));
  // Past about half the width, a summary column would be too narrow to read: it goes below instead.
  const inline = 2 + column + 2 <= Math.floor(width / 2);
  const indent = inline ? 2 + column + 2 : 6;
  const lines = [palette.dim("Commands:")];
  for (const c of COMMANDS) {
    const rows = wrapLine(c.summary, width - indent);
    if (inline) {
      lines.push(`  ${palette.bold(c.usage.padEnd(column))}  ${palette.dim(rows[0])}`);
    } else {
      lines.push(`  ${palette.bold(c.usage)}`, `${" ".repeat(indent)}${palette.dim(rows[0])}`);
    }
    for (const row of rows.slice(1)) lines.push(`${" ".repeat(indent)}${palette.dim(row)}`);
  }
  for (const row of wrapLine(HELP_FOOTER, width)) lines.push(palette.dim(row));
  return lines;
}

/** Finds the command a parsed line names; `skill:<name>` lines resolve to the skill runner. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}

/** Runs a parsed command line against the host; an unknown name gets the nearest suggestion. */
export async function runCommand(host: CommandHost, command: ParsedCommand): Promise<void> {
  if (command.name === "") return host.print(helpLines(host.palette, { width: host.columns }));
  if (command.name.startsWith("skill:")) {
    return await runSkill(host, command.name.slice("skill:".length), command.args);
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
