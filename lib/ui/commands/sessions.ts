/**
 * The saved-session commands: `/sessions` lists them, `/resume` switches to one (alone: the picker),
 * `/name` names this one, `/fork` goes on in a copy, `/export` writes it as Markdown or HTML.
 * @module
 */

import { contentText, type Message } from "../../core/mod.ts";
import { findSession, type SessionInfo } from "../../session/mod.ts";
import { sanitize, truncateToWidth, visibleWidth } from "../ansi.ts";
import { sessionLabel, timeAgo } from "../session_line.ts";
import { errorMessage, fail, note, notWhileBusy, oneLine } from "./_output.ts";
import type { CommandHost, CommandSpec } from "./mod.ts";

/** Most sessions `/sessions` prints before it points to the picker and the search instead. */
const MAX_LISTED = 30;

/** An error's message as a `Cannot …` line: kept when it is one already, else given `what` and `todo`. */
function cannot(what: string, error: unknown, todo: string): string {
  const message = errorMessage(error);
  return message.startsWith("Cannot ") ? message : `Cannot ${what}: ${message}; ${todo}`;
}

/**
 * One `/sessions` row: age, message count, id prefix, title and model (and the folder, for `--all`),
 * on one terminal line: the title gives way first.
 */
function listingRow(host: CommandHost, info: SessionInfo, options: { all: boolean; now: Date }): string {
  const p = host.palette;
  const current = info.path === host.runtime.sessions.path;
  const messages = `${info.messages} msg${info.messages === 1 ? "" : "s"}`;
  const head = `${current ? p.green("●") : " "} ${timeAgo(info.updated, options.now).padStart(8)}  ${
    messages.padStart(9)
  }  ${p.dim(info.id.slice(0, 8))}  `;
  const tail = `  ${p.dim(`(${sanitize(info.model)})`)}${
    options.all ? p.dim(`  ${sanitize(info.cwd)}`) : ""
  }`;
  const room = Math.max(20, Math.min(60, host.columns - visibleWidth(head) - visibleWidth(tail)));
  const title = truncateToWidth(sessionLabel(info), room);
  return truncateToWidth(`${head}${current ? p.bold(title) : title}${tail}`, host.columns);
}

async function sessionsCommand(host: CommandHost, args: string): Promise<void> {
  if (args !== "" && args !== "--all") {
    return fail(
      host,
      `Cannot list sessions with "${args}": use /sessions, or /sessions --all for every folder.`,
    );
  }
  const all = args === "--all";
  let sessions: SessionInfo[];
  try {
    sessions = await host.runtime.sessions.list({ all });
  } catch (error) {
    return fail(host, cannot("list the sessions", error, "check that nanocode's folder can be read"));
  }
  if (sessions.length === 0) {
    return note(
      host,
      all
        ? "No saved sessions yet."
        : "No saved sessions for this folder yet; /sessions --all lists every folder's.",
    );
  }
  const now = new Date();
  const shown = sessions.slice(0, MAX_LISTED);
  host.print([
    host.palette.dim(
      `Sessions of ${all ? "every folder" : "this folder"} (${sessions.length}), newest first:`,
    ),
    ...shown.map((info) => listingRow(host, info, { all, now })),
  ]);
  if (shown.length < sessions.length) {
    note(
      host,
      `  … ${
        sessions.length - shown.length
      } older: /resume <words> finds one, /resume alone opens the picker.`,
    );
  }
  note(host, "Resume one with /resume <id|name|text>.");
}

/** The last message of `role` with text, on one line and cut to `max` characters. */
function lastText(messages: readonly Message[], role: "user" | "assistant", max: number): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== role) continue;
    const text = oneLine(sanitize(contentText(m.content)));
    if (text !== "") return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }
  return undefined;
}

/**
 * Switches to the session in `target.path` and says so: its title, size and model, the last thing
 * asked and answered, and the notes the switch returned (lines skipped, another folder). Returns
 * whether the conversation changed.
 */
export async function resumeSession(
  host: CommandHost,
  target: { path: string; title?: string; notes?: string[] },
): Promise<boolean> {
  const before = host.runtime.agent;
  let notes: string[];
  try {
    notes = await host.runtime.sessions.resume(target.path);
  } catch (error) {
    fail(host, cannot(`resume ${target.path}`, error, "/sessions lists the sessions that can be resumed"));
    return false;
  }
  const p = host.palette;
  const agent = host.runtime.agent;
  if (agent === before) {
    // Nothing was switched (the session in use): the notes say why.
    note(host, ...notes);
    return false;
  }
  const messages = agent.messages.filter((m) => m.role !== "system");
  const title = target.title ??
    lastText(agent.messages.filter((m) => m.role === "user").slice(0, 1), "user", 60);
  host.print([
    `${p.green("↻")} Resumed ${p.bold(title ? `"${title}"` : "the session")}${
      p.dim(` · ${messages.length} message${messages.length === 1 ? "" : "s"} · ${agent.model}`)
    }`,
  ]);
  const asked = lastText(agent.messages, "user", 100);
  const answered = lastText(agent.messages, "assistant", 100);
  if (asked) note(host, `  last asked: ${asked}`);
  if (answered) note(host, `  last answer: ${answered}`);
  const warnings = [...(target.notes ?? []), ...notes];
  if (warnings.length > 0) host.print(warnings.map((w) => p.yellow(`! ${oneLine(w)}`)));
  return true;
}

async function resumeCommand(host: CommandHost, args: string): Promise<void> {
  if (notWhileBusy(host, "switch sessions")) return;
  if (args === "") return await host.pickSession();
  if (args.endsWith(".jsonl")) {
    await resumeSession(host, { path: args });
    return;
  }
  const sessions = host.runtime.sessions;
  let found: SessionInfo | undefined;
  let elsewhere = false;
  try {
    found = findSession(await sessions.list({ all: false }), args);
    if (!found) {
      found = findSession(await sessions.list({ all: true }), args);
      elsewhere = found !== undefined;
    }
  } catch (error) {
    return fail(host, cannot("list the sessions", error, "check that nanocode's folder can be read"));
  }
  if (!found) {
    return fail(
      host,
      `Cannot resume "${args}": no saved session has that id, name or text; /sessions lists this folder's, /resume alone opens the picker.`,
    );
  }
  await resumeSession(host, {
    path: found.path,
    title: sessionLabel(found),
    notes: elsewhere ? [`This session was started in ${found.cwd}; its tools now work in this folder.`] : [],
  });
}

function nameCommand(host: CommandHost, args: string): void {
  const name = oneLine(args);
  if (name === "") return fail(host, "Cannot name the session without a name: /name <name>.");
  try {
    host.runtime.sessions.name(name);
  } catch (error) {
    return fail(host, cannot("name the session", error, "start nanocode without --no-session to save it"));
  }
  note(
    host,
    host.runtime.sessions.path
      ? `Session named "${name}": /resume ${name} finds it again.`
      : `Session named "${name}"; the name is saved with the first message.`,
  );
}

async function forkCommand(host: CommandHost, args: string): Promise<void> {
  if (notWhileBusy(host, "fork the session")) return;
  if (args !== "" && !/^\d+$/.test(args)) {
    return fail(
      host,
      `Cannot fork at "${args}": give the number of a user message (/fork 3 keeps what came before the third), or nothing to fork here.`,
    );
  }
  const at = args === "" ? undefined : Number(args);
  const sessions = host.runtime.sessions;
  const from = sessions.path;
  let path: string | undefined;
  try {
    path = await sessions.fork(at);
  } catch (error) {
    return fail(host, cannot("fork the session", error, "check that nanocode's folder can be written"));
  }
  const where = at === undefined ? "Forked" : `Forked before user message ${at}`;
  if (path) {
    note(
      host,
      `${where}: the conversation goes on in ${path}${
        from ? "; the session it came from stays as it was" : ""
      }.`,
    );
  } else if (!sessions.enabled) {
    note(host, `${where}: a new conversation, not saved (nanocode runs with --no-session).`);
  } else {
    note(host, `${where}: the new session is saved once it holds a message of yours.`);
  }
}

async function exportCommand(host: CommandHost, args: string): Promise<void> {
  let path: string;
  try {
    path = await host.runtime.sessions.export(args === "" ? undefined : args);
  } catch (error) {
    return fail(
      host,
      cannot(`export to ${args || "the default file"}`, error, "check the folder exists and can be written"),
    );
  }
  note(host, `Wrote ${path}.`);
}

/** `/sessions`, `/resume`, `/name`, `/fork` and `/export`, in the order `/help` lists them. */
export const SESSION_COMMANDS: readonly CommandSpec[] = [
  {
    name: "sessions",
    usage: "/sessions [--all]",
    summary: "list this folder's saved sessions (--all: every folder's), newest first",
    run: sessionsCommand,
  },
  {
    name: "resume",
    usage: "/resume [id|name|text]",
    summary: "switch to a saved session; alone, pick one from a list",
    run: resumeCommand,
  },
  {
    name: "name",
    usage: "/name <name>",
    summary: "name this session (saved in its file; /resume <name> finds it)",
    run: nameCommand,
  },
  {
    name: "fork",
    usage: "/fork [N]",
    summary: "go on in a copy of this session (N: cut just before user message N)",
    run: forkCommand,
  },
  {
    name: "export",
    usage: "/export [path]",
    summary: "write this session as Markdown, or as one HTML file for a .html path",
    run: exportCommand,
  },
];
