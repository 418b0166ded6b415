/**
 * The sessions folder: `<nanocode home>/sessions/<cwd-slug>/<time>-<id>.jsonl`. Listing reads each
 * file once and parses only the lines a summary needs (the header, the first user message, names
 * and model changes), so a thousand sessions list in well under a second.
 * @module
 */

import { join } from "node:path";
import { contentText } from "../core/mod.ts";
import { cwdSlug, type SessionHeader } from "./format.ts";

/** One saved session as a listing shows it. */
export interface SessionInfo {
  path: string;
  id: string;
  cwd: string;
  /** The name given with `/name`, if any. */
  name?: string;
  /** The first user message, on one line. */
  firstPrompt: string;
  /** How many messages it holds. */
  messages: number;
  /** The model last used. */
  model: string;
  created: Date;
  /** When it was last written. */
  updated: Date;
}

/** The folder holding one cwd's sessions. */
export function sessionsFolder(root: string, cwd: string): string {
  return join(root, cwdSlug(cwd));
}

const MESSAGE = '{"type":"message"';
const NAME = '{"type":"name"';
const MODEL = '{"type":"model_change"';

/** Summarises one session file, or returns undefined when it is not a readable session. */
export async function summarizeSession(path: string): Promise<SessionInfo | undefined> {
  let text: string;
  let updated: Date;
  try {
    [text, updated] = await Promise.all([
      Deno.readTextFile(path),
      Deno.stat(path).then((s) => s.mtime ?? new Date(0)),
    ]);
  } catch {
    return undefined;
  }
  const end = text.indexOf("\n");
  let header: SessionHeader;
  try {
    header = JSON.parse(end < 0 ? text : text.slice(0, end));
  } catch {
    return undefined;
  }
  if (header?.type !== "session" || typeof header.id !== "string") return undefined;
  let messages = 0;
  let firstPrompt = "";
  let name: string | undefined;
  let model = header.model;
  for (let start = end + 1; start > 0 && start < text.length;) {
    const next = text.indexOf("\n", start);
    const stop = next < 0 ? text.length : next;
    if (text.startsWith(MESSAGE, start)) {
      messages++;
      const user = firstPrompt === "" ? text.indexOf('"role":"user"', start) : -1;
      if (user >= 0 && user < stop) firstPrompt = promptOf(text.slice(start, stop));
    } else if (text.startsWith(NAME, start)) name = parsed(text.slice(start, stop))?.name ?? name;
    else if (text.startsWith(MODEL, start)) model = parsed(text.slice(start, stop))?.model ?? model;
    start = next < 0 ? -1 : next + 1;
  }
  return {
    path,
    id: header.id,
    cwd: header.cwd,
    ...(name ? { name } : {}),
    firstPrompt,
    messages,
    model,
    created: new Date(header.created),
    updated,
  };
}

function parsed(line: string): { name?: string; model?: string } | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function promptOf(line: string): string {
  try {
    const entry = JSON.parse(line);
    return contentText(entry.message.content).replace(/\s+/g, " ").trim();
  } catch {
    return "";
  }
}

/** Lists the sessions of one cwd, or of every cwd when `cwd` is undefined; newest first. */
export async function listSessions(root: string, options: { cwd?: string } = {}): Promise<SessionInfo[]> {
  const folders = options.cwd !== undefined ? [sessionsFolder(root, options.cwd)] : await subfolders(root);
  const paths = (await Promise.all(folders.map(jsonlFiles))).flat();
  const infos = await Promise.all(paths.map(summarizeSession));
  return infos.filter((i): i is SessionInfo => i !== undefined)
    .sort((a, b) => b.updated.getTime() - a.updated.getTime());
}

async function subfolders(root: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir(root)) if (entry.isDirectory) out.push(join(root, entry.name));
  } catch {
    // No sessions yet.
  }
  return out;
}

async function jsonlFiles(folder: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir(folder)) {
      if (entry.isFile && entry.name.endsWith(".jsonl")) out.push(join(folder, entry.name));
    }
  } catch {
    // A cwd with no sessions.
  }
  return out;
}

/**
 * The session a `--resume` query names: an id or id prefix, else an exact name, else the newest whose
 * name or first prompt contains the text (case-insensitive). Undefined when none matches.
 */
export function findSession(sessions: readonly SessionInfo[], query: string): SessionInfo | undefined {
  const q = query.trim();
  if (q === "") return undefined;
  const lower = q.toLowerCase();
  return sessions.find((s) => s.id === q) ??
    sessions.find((s) => s.id.startsWith(q)) ??
    sessions.find((s) => s.name === q) ??
    sessions.find((s) => `${s.name ?? ""}\n${s.firstPrompt}`.toLowerCase().includes(lower));
}

/** A session's title: its name, else its first prompt. */
export function sessionTitle(info: SessionInfo): string {
  return info.name ?? (info.firstPrompt || "(no prompt)");
}
