/**
 * The REPL's input history between runs: one file (`~/.nanocode/history`), one entry per line as a
 * JSON string (so an entry may hold newlines), oldest first. It stays bounded and deduplicated: a
 * line typed again moves to the end, and an empty line is never kept. Reading and writing never
 * throw: a home folder that cannot be read or written just means no history.
 * @module
 */

import { basename, dirname, join } from "node:path";

/** How many entries the file keeps by default. */
export const HISTORY_LIMIT = 1000;

/**
 * The entries of a history file's text, oldest first, deduplicated (the last occurrence counts) and
 * bounded to the newest `limit`. A line that is not a JSON string (an edit by hand) is taken as typed.
 */
export function parseHistory(text: string, limit: number = HISTORY_LIMIT): string[] {
  const entries: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let entry: unknown = line;
    if (line.startsWith('"')) {
      try {
        entry = JSON.parse(line);
      } catch {
        // Kept as typed.
      }
    }
    if (typeof entry === "string") entries.push(entry);
  }
  return boundHistory(entries, limit);
}

/** The file's text for `entries`: one JSON string per line. */
export function formatHistory(entries: readonly string[]): string {
  return entries.map((e) => JSON.stringify(e) + "\n").join("");
}

/**
 * `entries` with `line` added at the end: an earlier copy of it is dropped, a blank line is not
 * added, and only the newest `limit` entries are kept.
 */
export function addToHistory(
  entries: readonly string[],
  line: string,
  limit: number = HISTORY_LIMIT,
): string[] {
  if (line.trim() === "") return boundHistory(entries, limit);
  return boundHistory([...entries.filter((e) => e !== line), line], limit);
}

function boundHistory(entries: readonly string[], limit: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  // From the newest back, so the last occurrence of a repeated line is the one kept.
  for (let i = entries.length - 1; i >= 0 && out.length < limit; i--) {
    const entry = entries[i];
    if (entry.trim() === "" || seen.has(entry)) continue;
    seen.add(entry);
    out.push(entry);
  }
  return out.reverse();
}

/** Options of {@link HistoryFile}. */
export interface HistoryFileOptions {
  /** Most entries kept (default {@link HISTORY_LIMIT}). */
  limit?: number;
}

/** The history file of one path. */
export class HistoryFile {
  readonly path: string;
  readonly #limit: number;
  /** Writes run one after another, so entries added quickly are all kept. */
  #writes: Promise<void> = Promise.resolve();

  constructor(path: string, options: HistoryFileOptions = {}) {
    this.path = path;
    this.#limit = options.limit ?? HISTORY_LIMIT;
  }

  /** The entries, oldest first; none when the file is missing or cannot be read. */
  async load(): Promise<string[]> {
    try {
      return parseHistory(await Deno.readTextFile(this.path), this.#limit);
    } catch {
      return [];
    }
  }

  /**
   * Adds a line and rewrites the file. The file is read again first, so lines another nanocode added
   * meanwhile are kept. Resolves when written; never rejects (a failed write only loses the line).
   */
  add(line: string): Promise<void> {
    if (line.trim() === "") return this.#writes;
    this.#writes = this.#writes.then(async () => {
      try {
        await this.#write(addToHistory(await this.load(), line, this.#limit));
      } catch {
        // A read-only or missing home: no history, and the REPL goes on.
      }
    });
    return this.#writes;
  }

  /** Resolves once every line added so far is written (or has failed to be). */
  written(): Promise<void> {
    return this.#writes;
  }

  /** Writes beside the file and renames it over, so a reader never sees half a history. */
  async #write(entries: readonly string[]): Promise<void> {
    const dir = dirname(this.path);
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = join(dir, `.${basename(this.path)}.${crypto.randomUUID().slice(0, 8)}.tmp`);
    try {
      await Deno.writeTextFile(temp, formatHistory(entries), { mode: 0o600 });
      await Deno.rename(temp, this.path);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
  }
}
