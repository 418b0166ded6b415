/**
 * The saved-session file: JSON Lines, a header first, then one entry per change to the conversation
 * (the whole-message events and the others), each with its own id and time. Appending is the only
 * write, so a crash loses at most the line in flight.
 * @module
 */

import type { ConversationEvent } from "../core/mod.ts";

/** The format version this nanocode writes and reads. */
export const SESSION_VERSION = 1;

/** The first line of a session file. Never holds a key or a header value. */
export interface SessionHeader {
  type: "session";
  version: number;
  /** The session id (also sent as `x-opencode-session`). */
  id: string;
  /** The folder the session worked in. */
  cwd: string;
  model: string;
  /** The endpoint's host, e.g. `opencode.ai`: never its path, a key or a header. */
  endpoint: string;
  /** The nanocode version that started it. */
  nanocode: string;
  /** ISO time of the first entry. */
  created: string;
  /** The session this one was forked from. */
  parent?: { id: string; path: string };
}

/** An entry's own fields besides the event. */
interface EntryStamp {
  /** Unique within the file: `e1`, `e2`, … */
  id: string;
  /** ISO time it was written. */
  time: string;
}

/** A name given with `/name`; the last one counts. */
export interface NameEvent {
  type: "name";
  name: string;
}

/** One line after the header: a conversation change, or a name. */
export type SessionEntry = (ConversationEvent | NameEvent) & EntryStamp;

/** The entry types this version knows. */
export const ENTRY_TYPES: ReadonlySet<string> = new Set([
  "message",
  "model_change",
  "system_prompt",
  "clear",
  "compaction",
  "name",
]);

/** The endpoint as a session records it: the host alone. */
export function endpointHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return "";
  }
}

/**
 * The folder name for a cwd's sessions: the path with every run of characters other than letters,
 * digits, `.`, `_` and `-` made one `-` (`/home/me/my app` → `-home-me-my-app`).
 */
export function cwdSlug(cwd: string): string {
  return cwd.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 200) || "-";
}

/** A file name that sorts by time: `2026-12-01T21-30-05-123Z-<id>.jsonl`. */
export function sessionFileName(id: string, created: Date): string {
  return `${created.toISOString().replace(/[:.]/g, "-")}-${id}.jsonl`;
}
