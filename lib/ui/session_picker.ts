/**
 * The session picker of `nanocode -r` and `/resume`: the saved sessions newest first, each with its
 * title, age, size and model; typing filters them, ↑/↓ move, Enter picks, Esc cancels. Pure state and
 * `layout(width)`, driven by keys: the sessions are listed once by the caller and filtered in memory.
 * @module
 */

import { createPalette, type Palette, truncateToWidth, visibleWidth } from "./ansi.ts";
import { type InputLayout, type Key, LineEditor } from "./input.ts";
import { sessionFacts, sessionLabel } from "./session_line.ts";
import type { SessionInfo } from "../session/mod.ts";

/** Options of {@link SessionPicker}. */
export interface SessionPickerOptions {
  /** The clock the ages are counted from (default: now, at each layout). */
  now?: () => Date;
  /** Default: no colour. */
  palette?: Palette;
  /** The file of the session in use, marked in the list. */
  current?: string;
  /** How many sessions are shown at once (default 10); the list scrolls to keep the choice in view. */
  rows?: number;
}

/** What a key did to the picker: nothing final, a session picked, or the picker cancelled. */
export type PickerAction = { type: "pick"; session: SessionInfo } | { type: "cancel" } | undefined;

/**
 * The picker's state.
 * @example
 * ```ts
 * const picker = new SessionPicker(await listSessions(root, { cwd }));
 * picker.handle({ name: "text", text: "parser" });
 * const action = picker.handle({ name: "enter" }); // { type: "pick", session }
 * ```
 */
export class SessionPicker {
  readonly #sessions: readonly SessionInfo[];
  readonly #options: SessionPickerOptions;
  readonly #palette: Palette;
  readonly #query = new LineEditor();
  /** Lower-cased name, first prompt and id of each session, built at the first filter. */
  #haystacks: string[] | undefined;
  #matches: readonly SessionInfo[];
  #selected = 0;
  #top = 0;

  constructor(sessions: readonly SessionInfo[], options: SessionPickerOptions = {}) {
    this.#sessions = sessions;
    this.#matches = sessions;
    this.#options = options;
    this.#palette = options.palette ?? createPalette(false);
  }

  /** The filter as typed. */
  get query(): string {
    return this.#query.text;
  }

  /** The sessions the filter keeps, newest first. */
  get matches(): readonly SessionInfo[] {
    return this.#matches;
  }

  /** The session Enter would pick. */
  get selected(): SessionInfo | undefined {
    return this.#matches[this.#selected];
  }

  /** Applies a key; returns what it decided, if anything. */
  handle(key: Key): PickerAction {
    switch (key.name) {
      case "enter": {
        const session = this.selected;
        return session ? { type: "pick", session } : undefined;
      }
      case "escape":
      case "ctrl-c":
      case "ctrl-d":
        return { type: "cancel" };
      case "up":
        this.#move(-1);
        return undefined;
      case "down":
      case "tab":
        this.#move(1);
        return undefined;
      case "text":
      case "paste":
        this.#query.handle({ name: key.name, text: key.text.replace(/\s+/g, " ") });
        break;
      case "newline":
        return undefined;
      default:
        if (!this.#query.handle(key)) return undefined;
    }
    this.#filter();
    return undefined;
  }

  /** The picker's rows for a width, and where the cursor sits (on the filter line). */
  layout(width: number): InputLayout {
    const p = this.#palette;
    const total = this.#sessions.length;
    const shown = this.#matches.length;
    const count = this.query === "" ? `${total}` : `${shown} of ${total}`;
    const rows = [
      truncateToWidth(
        `${p.bold("Resume a session")} ${
          p.dim(`(${count}) · type to filter · ↑/↓ · Enter resumes · Esc cancels`)
        }`,
        width,
      ),
    ];
    const prompt = `${p.bold(p.cyan("❯"))} `;
    const input = this.#query.layout(width, visibleWidth("❯ "));
    input.rows.forEach((row, i) => rows.push((i === 0 ? prompt : "  ") + row));
    const cursorRow = 1 + input.cursorRow;
    if (shown === 0) {
      rows.push(p.dim(`  No session matches "${this.query}": Backspace widens the search, Esc cancels.`));
      return { rows: rows.map((r) => truncateToWidth(r, width)), cursorRow, cursorCol: input.cursorCol };
    }
    const now = this.#options.now?.() ?? new Date();
    const end = Math.min(shown, this.#top + this.#visible);
    if (this.#top > 0) rows.push(p.dim(`  ↑ ${this.#top} newer`));
    for (let i = this.#top; i < end; i++) {
      rows.push(this.#row(this.#matches[i], i === this.#selected, width, now));
    }
    if (end < shown) rows.push(p.dim(`  ↓ ${shown - end} older`));
    return { rows, cursorRow, cursorCol: input.cursorCol };
  }

  /** The picker's rows for a width. */
  render(width: number): string[] {
    return this.layout(width).rows;
  }

  get #visible(): number {
    return Math.max(1, this.#options.rows ?? 10);
  }

  #row(info: SessionInfo, selected: boolean, width: number, now: Date): string {
    const p = this.#palette;
    const current = info.path === this.#options.current ? " · current" : "";
    let facts = `${sessionFacts(info, now)}${current}`;
    // The title keeps at least 20 cells: the facts give way from their end (the model before the size).
    while (width - 4 - visibleWidth(facts) < 20 && facts.includes(" · ")) {
      facts = facts.slice(0, facts.lastIndexOf(" · "));
    }
    const room = Math.max(1, width - 4 - visibleWidth(facts));
    const title = truncateToWidth(sessionLabel(info), room);
    const gap = " ".repeat(Math.max(2, width - 2 - visibleWidth(title) - visibleWidth(facts)));
    const line = truncateToWidth(`${title}${gap}${facts}`, width - 2);
    return selected ? `${p.cyan("›")} ${p.bold(line)}` : `  ${p.dim(line)}`;
  }

  #move(step: number): void {
    const last = this.#matches.length - 1;
    if (last < 0) return;
    this.#selected = Math.min(last, Math.max(0, this.#selected + step));
    if (this.#selected < this.#top) this.#top = this.#selected;
    if (this.#selected >= this.#top + this.#visible) this.#top = this.#selected - this.#visible + 1;
  }

  /** Keeps the sessions whose name, first prompt or id hold every word typed (case-insensitive). */
  #filter(): void {
    const words = this.query.toLowerCase().split(" ").filter((w) => w !== "");
    if (words.length === 0) this.#matches = this.#sessions;
    else {
      this.#haystacks ??= this.#sessions.map((s) =>
        `${s.name ?? ""}\n${s.firstPrompt}\n${s.id}`.toLowerCase()
      );
      const haystacks = this.#haystacks;
      this.#matches = this.#sessions.filter((_, i) => words.every((w) => haystacks[i].includes(w)));
    }
    this.#selected = 0;
    this.#top = 0;
  }
}
