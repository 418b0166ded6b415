/**
 * The command line's side of saved sessions: which session `--continue`, `--resume` or `--session`
 * names, the listing `--resume` prints headless, and `--export`.
 * @module
 */

import { resolve } from "node:path";
import { ConfigError } from "../core/mod.ts";
import { type Lookup, lookupIn, NO_HOME, sessionsRoot } from "./session_home.ts";
import {
  findSession,
  listSessions,
  type LoadedSession,
  readSession,
  sessionHtml,
  type SessionInfo,
  sessionMarkdown,
  sessionTitle,
} from "../session/mod.ts";

export { type Lookup, lookupIn, NO_HOME, sessionsRoot };

/**
 * Finds the session a query names: a path to a file, else a match among this cwd's sessions, else
 * among every cwd's. Throws a one-line {@link ConfigError} when nothing matches.
 */
export async function findSessionFile(
  query: string,
  lookup: Lookup,
): Promise<{ path: string; notes: string[] }> {
  if (query.endsWith(".jsonl")) return { path: resolve(lookup.cwd, query), notes: [] };
  const here = findSession(await listSessions(lookup.root, { cwd: lookup.cwd }), query);
  if (here) return { path: here.path, notes: [] };
  const anywhere = findSession(await listSessions(lookup.root), query);
  if (anywhere) {
    return { path: anywhere.path, notes: [`Resuming a session of another folder (${anywhere.cwd}).`] };
  }
  throw new ConfigError(
    `Cannot find a session matching "${query}": nanocode -r alone lists this folder's sessions; a path to a .jsonl file works too.`,
  );
}

/** The session a run resumes, from `--continue`, `--resume <query>` or `--session <path>`. */
export async function resolveResume(
  options: { continue: boolean; resume?: string; session?: string },
  lookup: Lookup,
): Promise<{ session: LoadedSession; notes: string[] } | undefined> {
  let found: { path: string; notes: string[] } | undefined;
  if (options.session !== undefined) found = { path: resolve(lookup.cwd, options.session), notes: [] };
  else if (options.continue) {
    const [newest] = await listSessions(lookup.root, { cwd: lookup.cwd });
    if (!newest) {
      throw new ConfigError(
        `Cannot continue: no saved session for ${lookup.cwd}; start one with nanocode, or name another with --resume.`,
      );
    }
    found = { path: newest.path, notes: [] };
  } else if (options.resume !== undefined && options.resume !== "") {
    found = await findSessionFile(options.resume, lookup);
  }
  if (!found) return undefined;
  const session = await readSession(found.path).catch((error) => {
    throw new ConfigError((error as Error).message);
  });
  const notes = [...found.notes, ...session.warnings];
  if (session.header.cwd !== lookup.cwd && found.notes.length === 0) {
    notes.push(`This session was started in ${session.header.cwd}; tools now work in ${lookup.cwd}.`);
  }
  return { session, notes };
}

/** A listing of sessions, one line each: age, messages, model, id and title. */
export function formatSessionList(sessions: readonly SessionInfo[], now: Date = new Date()): string[] {
  if (sessions.length === 0) return ["No saved sessions here yet."];
  return sessions.map((s) => {
    const title = sessionTitle(s);
    const shown = title.length > 70 ? `${title.slice(0, 69)}…` : title;
    return `${age(s.updated, now).padStart(4)}  ${String(s.messages).padStart(4)} msgs  ${
      s.id.slice(0, 8)
    }  ${shown}  (${s.model})`;
  });
}

function age(then: Date, now: Date): string {
  const seconds = Math.max(0, (now.getTime() - then.getTime()) / 1000);
  if (seconds < 60) return "now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/**
 * Writes a session as Markdown, or as HTML when `out` ends in `.html`; to `out`, or returned as text
 * when there is none. Returns what was written and where.
 */
export async function exportSession(
  session: LoadedSession,
  out: string | undefined,
  cwd: string,
): Promise<{ text: string; path?: string }> {
  const html = out !== undefined && /\.html?$/i.test(out);
  const text = html ? sessionHtml(session) : sessionMarkdown(session);
  if (out === undefined) return { text };
  const path = resolve(cwd, out);
  await Deno.writeTextFile(path, text);
  return { text, path };
}
