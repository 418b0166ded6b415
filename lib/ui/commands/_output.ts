/**
 * How commands print: dimmed notices, one-line red errors, and text folded to one line.
 * @module
 */

import type { CommandHost } from "./mod.ts";

/** Folds runs of whitespace (newlines included) into one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** An error as one line: a message that spans lines is folded, not cut, so its end is kept. */
export function errorMessage(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}

/** The first sentence of a description, as listings show it. */
export function firstSentence(text: string): string {
  const line = text.trim().split("\n")[0];
  const end = line.search(/\.(\s|$)/);
  return end < 0 ? line : line.slice(0, end + 1);
}

/** Lines for a notice: dimmed. */
export function note(host: CommandHost, ...lines: string[]): void {
  host.print(lines.map((line) => host.palette.dim(line)));
}

/** One red error line. */
export function fail(host: CommandHost, message: string): void {
  host.print([host.palette.red(`✗ ${message}`)]);
}

/** Refuses, with the reason, what cannot be done while the agent works; returns whether it refused. */
export function notWhileBusy(host: CommandHost, what: string): boolean {
  if (!host.busy) return false;
  fail(host, `Cannot ${what} while the agent works: wait for it to finish, or press Ctrl-C to stop it.`);
  return true;
}
