/**
 * What a search could not read: files and folders the walker or ripgrep had to skip because opening
 * them failed (permission denied, an I/O error, a path `--allow-read` leaves out). The tools name the
 * first few and count the rest, so that "no matches" never hides a search that did not look
 * everywhere. Links that lead nowhere and links back to a folder above are not counted: neither
 * engine follows them, by design.
 * @module
 */

import { comparePaths, type UnreadableSink } from "./walk.ts";

/** Paths kept for naming; the rest are only counted. */
const KEPT = 1000;
/** Paths named in a note. */
export const UNREADABLE_SHOWN = 3;

/** Collects the paths a search could not read. */
export class UnreadableList {
  readonly #paths = new Map<string, string>();
  /** How many paths could not be read. */
  count = 0;

  /** Records one path; the same path twice counts once. */
  add: UnreadableSink = (path, reason) => {
    if (this.#paths.has(path)) return;
    this.count++;
    if (this.#paths.size < KEPT) this.#paths.set(path, reason);
  };

  /** Forgets everything, before a search starts over. */
  clear = (): void => {
    this.#paths.clear();
    this.count = 0;
  };

  /** The first few paths in walk order, each with its reason: `a.txt (permission denied)`. */
  named(max = UNREADABLE_SHOWN): string[] {
    const paths = [...this.#paths.keys()].sort(comparePaths).slice(0, max);
    return paths.map((path) => `${path} (${this.#paths.get(path)})`);
  }

  /** The first few paths with their reasons, and how many more: `a (permission denied), and 2 more`. */
  list(): string {
    const named = this.named();
    const more = this.count > named.length ? `, and ${this.count - named.length} more` : "";
    return `${named.join(", ")}${more}`;
  }

  /**
   * One line naming what could not be read: `2 paths could not be read: a (permission denied),
   * b/ (permission denied)`, or `""` when everything was read.
   */
  summary(): string {
    if (this.count === 0) return "";
    const what = this.count === 1 ? "1 path could not be read" : `${this.count} paths could not be read`;
    return `${what}: ${this.list()}`;
  }
}
