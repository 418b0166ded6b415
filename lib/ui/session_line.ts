/**
 * How a saved session reads in a listing: its title on one line, how long ago it was last written,
 * and its size and model. Shared by `/sessions` and the picker.
 * @module
 */

import { sanitize } from "./ansi.ts";
import { type SessionInfo, sessionTitle } from "../session/mod.ts";

/**
 * How long ago `then` was, in the largest whole unit: `just now`, `5m ago`, `3h ago`, `2d ago`,
 * `7w ago`, `1y ago`.
 * @example timeAgo(new Date(Date.now() - 90_000)) // "1m ago"
 */
export function timeAgo(then: Date, now: Date = new Date()): string {
  const seconds = Math.max(0, (now.getTime() - then.getTime()) / 1000);
  if (seconds < 60) return "just now";
  const units: [number, string][] = [[31_536_000, "y"], [604_800, "w"], [86_400, "d"], [3_600, "h"], [
    60,
    "m",
  ]];
  const [size, unit] = units.find(([size]) => seconds >= size)!;
  return `${Math.floor(seconds / size)}${unit} ago`;
}

/** The session's title, safe to print on one line: its name, else its first prompt. */
export function sessionLabel(info: SessionInfo): string {
  const title = sanitize(sessionTitle(info)).replace(/\s+/g, " ").trim();
  return title || "(no prompt)";
}

/** `3h ago · 42 msgs · kimi-k2.6`: when, how big, which model. */
export function sessionFacts(info: SessionInfo, now: Date = new Date()): string {
  return `${timeAgo(info.updated, now)} · ${info.messages} msg${info.messages === 1 ? "" : "s"} · ${
    sanitize(info.model)
  }`;
}
