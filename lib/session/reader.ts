/**
 * Reading a session file back: the header, the entries, and the conversation they rebuild. A torn
 * last line (a crash while writing), a broken line or entries from a newer nanocode are skipped with
 * a warning that says so, never silently; a file that cannot be a session is a one-line error.
 * @module
 */

import { type ConversationEvent, type Message, replay } from "../core/mod.ts";
import { ENTRY_TYPES, SESSION_VERSION, type SessionEntry, type SessionHeader } from "./format.ts";

/** A session as read from its file. */
export interface LoadedSession {
  path: string;
  header: SessionHeader;
  entries: SessionEntry[];
  /** The conversation the entries rebuild. */
  messages: Message[];
  /** The model of the last model change, else the header's. */
  model: string;
  /** The last name given with `/name`. */
  name?: string;
  /** One line for each thing skipped. */
  warnings: string[];
}

/** Reads and checks a session file. Throws an `Error` with one line when it is not a session. */
export async function readSession(path: string): Promise<LoadedSession> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such file"
      : (error as Error).message.split("\n")[0];
    throw new Error(`Cannot open session ${path}: ${why}.`);
  }
  return parseSession(path, text);
}

/** Parses the text of a session file (see {@link readSession}). */
export function parseSession(path: string, text: string): LoadedSession {
  const lines = text.split("\n");
  const torn = !text.endsWith("\n") && lines.at(-1) !== "";
  if (lines.at(-1) === "") lines.pop();
  const header = parseHeader(path, lines[0]);
  const entries: SessionEntry[] = [];
  const broken: number[] = [];
  let unknown = 0;
  let tornSkipped = false;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    let entry: SessionEntry;
    try {
      entry = JSON.parse(lines[i]);
    } catch {
      if (torn && i === lines.length - 1) tornSkipped = true;
      else broken.push(i + 1);
      continue;
    }
    if (entry === null || typeof entry !== "object" || typeof entry.type !== "string") broken.push(i + 1);
    else if (!ENTRY_TYPES.has(entry.type)) unknown++;
    else if (entry.type === "message" && !isMessage(entry.message)) broken.push(i + 1);
    else entries.push(entry);
  }
  const warnings: string[] = [];
  if (tornSkipped) {
    warnings.push(`${path}: the last line was cut off (nanocode stopped while writing it) and was skipped.`);
  }
  if (broken.length > 0) {
    warnings.push(
      `${path}: skipped ${broken.length} unreadable line${broken.length === 1 ? "" : "s"} (${
        listLines(broken)
      }); the conversation may miss what they held.`,
    );
  }
  if (unknown > 0) {
    warnings.push(
      `${path}: skipped ${unknown} entr${
        unknown === 1 ? "y" : "ies"
      } of a kind this nanocode does not know (written by a newer one?); update nanocode to keep them.`,
    );
  }
  const changes = entries.filter((e): e is SessionEntry & ConversationEvent => e.type !== "name");
  const rebuilt = replay(changes);
  const name = entries.findLast((e) => e.type === "name");
  return {
    path,
    header,
    entries,
    messages: rebuilt.messages,
    model: rebuilt.model ?? header.model,
    ...(name?.type === "name" ? { name: name.name } : {}),
    warnings,
  };
}

function parseHeader(path: string, line: string | undefined): SessionHeader {
  let header: Partial<SessionHeader> | null = null;
  try {
    header = line ? JSON.parse(line) : null;
  } catch {
    // Reported below.
  }
  if (!header || header.type !== "session" || typeof header.id !== "string") {
    throw new Error(`Cannot read session ${path}: its first line is not a nanocode session header.`);
  }
  if (typeof header.version !== "number" || header.version > SESSION_VERSION) {
    throw new Error(
      `Cannot read session ${path}: it is in format ${header.version}, newer than this nanocode reads (${SESSION_VERSION}); update nanocode.`,
    );
  }
  return header as SessionHeader;
}

function isMessage(value: unknown): value is Message {
  if (value === null || typeof value !== "object") return false;
  const role = (value as { role?: unknown }).role;
  return role === "system" || role === "user" || role === "assistant" || role === "tool";
}

function listLines(numbers: number[]): string {
  const shown = numbers.slice(0, 5).map((n) => `line ${n}`).join(", ");
  return numbers.length > 5 ? `${shown}, …` : shown;
}
