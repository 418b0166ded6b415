/**
 * The terminal surface: finished lines scroll up into the transcript, and a live area at the bottom
 * (streaming line, spinner, queue, rule, input line) is erased and redrawn on every update inside a
 * synchronized-output frame, so it neither flickers nor leaves debris. Without a terminal, only the
 * finished lines are written, as plain text.
 * @module
 */

import { visibleWidth, wrapLine } from "./ansi.ts";

/** What the live area looks like for a width: rows (each at most `width` cells) and the cursor. */
export interface LiveView {
  rows: string[];
  cursorRow: number;
  cursorCol: number;
}

/** Where and how a screen draws. */
export interface ScreenOptions {
  /** Writes raw text to the terminal. */
  write(text: string): void;
  /** The terminal's width in cells. */
  columns(): number;
  /** The terminal's height in rows (bounds the live area). */
  rows(): number;
  /** Whether output is a terminal; when false, only finished lines are written, with `\n`. */
  tty: boolean;
  /** Builds the live area for a width. */
  live(width: number): LiveView;
}

/** Milliseconds between two frames when updates stream in. */
const FRAME_MS = 16;

/** A transcript that grows upwards and a live area redrawn in place below it. */
export class Screen {
  readonly #options: ScreenOptions;
  #pending: string[] = [];
  /** Rows of the live area as last drawn, and the width they were drawn at. */
  #drawn: string[] = [];
  #drawnWidth = 0;
  #cursorRow = 0;
  #cursorCol = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #suspended = false;
  #closed = false;

  constructor(options: ScreenOptions) {
    this.#options = options;
  }

  /** Adds finished lines to the transcript; they appear with the next frame. */
  print(lines: readonly string[]): void {
    if (lines.length === 0 || this.#closed) return;
    if (!this.#options.tty) {
      this.#options.write(lines.map((l) => l + "\n").join(""));
      return;
    }
    this.#pending.push(...lines);
    this.update();
  }

  /** Asks for a frame soon; many updates within one frame draw once. */
  update(): void {
    if (this.#timer !== undefined || !this.#options.tty || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.render();
    }, FRAME_MS);
  }

  /** Draws a frame now: pending transcript lines, then the live area. */
  render(): void {
    if (!this.#options.tty || this.#suspended || this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const width = Math.max(10, this.#options.columns());
    let out = "\x1b[?2026h\x1b[?25l" + this.#erase(width);
    for (const line of this.#pending) {
      for (const row of wrapLine(line, width)) out += row + "\r\n";
    }
    this.#pending = [];
    const view = this.#options.live(width);
    let rows = view.rows;
    let cursorRow = view.cursorRow;
    // Rows scrolled off the top could not be erased again, so the live area never outgrows the screen.
    const maxRows = Math.max(3, this.#options.rows() - 1);
    if (rows.length > maxRows) {
      const cut = rows.length - maxRows;
      rows = rows.slice(cut);
      cursorRow = Math.max(0, cursorRow - cut);
    }
    out += rows.join("\r\n");
    const up = rows.length - 1 - cursorRow;
    if (up > 0) out += `\x1b[${up}A`;
    out += "\r" + (view.cursorCol > 0 ? `\x1b[${view.cursorCol}C` : "");
    out += "\x1b[?25h\x1b[?2026l";
    this.#drawn = rows;
    this.#drawnWidth = width;
    this.#cursorRow = cursorRow;
    this.#cursorCol = view.cursorCol;
    this.#options.write(out);
  }

  /** Forgets the screen's content (after the terminal was cleared) and draws afresh. */
  reset(): void {
    this.#drawn = [];
    this.#cursorRow = 0;
    this.render();
  }

  /** Erases the live area and stops drawing (while another program uses the terminal). */
  suspend(): void {
    if (!this.#options.tty || this.#suspended) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const width = Math.max(10, this.#options.columns());
    let out = this.#erase(width);
    for (const line of this.#pending) for (const row of wrapLine(line, width)) out += row + "\r\n";
    this.#pending = [];
    this.#options.write(out);
    this.#suspended = true;
  }

  /** Draws again after {@link suspend}; the cursor is assumed at the start of an empty row. */
  resume(): void {
    if (!this.#suspended) return;
    this.#suspended = false;
    this.#drawn = [];
    this.#cursorRow = 0;
    this.render();
  }

  /** Writes what is pending, erases the live area and stops drawing for good. */
  close(): void {
    if (this.#closed) return;
    if (this.#options.tty && !this.#suspended) {
      clearTimeout(this.#timer);
      const width = Math.max(10, this.#options.columns());
      let out = this.#erase(width);
      for (const line of this.#pending) for (const row of wrapLine(line, width)) out += row + "\r\n";
      this.#options.write(out);
    }
    this.#pending = [];
    this.#closed = true;
  }

  /**
   * Moves to the first row of the live area and clears to the end of the screen. After a resize the
   * terminal may have re-wrapped the old rows, so rows are counted at the new width.
   */
  #erase(width: number): string {
    if (this.#drawn.length === 0) return "\r\x1b[J";
    let up = 0;
    const reflowed = width !== this.#drawnWidth;
    for (let i = 0; i < this.#cursorRow; i++) {
      up += reflowed ? Math.max(1, Math.ceil(visibleWidth(this.#drawn[i]) / width)) : 1;
    }
    if (reflowed) up += Math.floor(this.#cursorCol / width);
    return (up > 0 ? `\x1b[${up}A` : "") + "\r\x1b[J";
  }
}
