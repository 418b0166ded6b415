/**
 * The input line: a decoder from terminal bytes to keys, and a line editor (cursor movement, word
 * and line kills, history, multi-line text) that lays itself out for a given width. Both are pure
 * state, driven by tests with strings of key bytes.
 * @module
 */

import { charWidth } from "./ansi.ts";

/** A key press, or a bracketed paste. */
export type Key =
  | { name: "text"; text: string }
  | { name: "paste"; text: string }
  | {
    name:
      | "enter"
      | "newline"
      | "tab"
      | "escape"
      | "backspace"
      | "delete"
      | "left"
      | "right"
      | "up"
      | "down"
      | "home"
      | "end"
      | "word-left"
      | "word-right"
      | "kill-word-back"
      | "kill-word-forward"
      | "kill-to-start"
      | "kill-to-end"
      | "yank"
      | "ctrl-c"
      | "ctrl-d"
      | "ctrl-l";
  };

/** The name of a key that carries no text. */
export type KeyName = Exclude<Key, { text: string }>["name"];

const CONTROL: Record<string, KeyName> = {
  "\r": "enter",
  "\n": "newline",
  "\t": "tab",
  "\x7f": "backspace",
  "\x08": "backspace",
  "\x01": "home",
  "\x05": "end",
  "\x02": "left",
  "\x06": "right",
  "\x10": "up",
  "\x0e": "down",
  "\x0b": "kill-to-end",
  "\x15": "kill-to-start",
  "\x17": "kill-word-back",
  "\x19": "yank",
  "\x03": "ctrl-c",
  "\x04": "ctrl-d",
  "\x0c": "ctrl-l",
};

const CSI_KEYS: Record<string, KeyName> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  "1~": "home",
  "7~": "home",
  "4~": "end",
  "8~": "end",
  "3~": "delete",
};

const ALT_KEYS: Record<string, KeyName> = {
  b: "word-left",
  f: "word-right",
  d: "kill-word-forward",
  "\x7f": "kill-word-back",
  "\x08": "kill-word-back",
  "\r": "newline",
};

const PASTE_START = "\x1b[200~";
const PASTE_END = "\x1b[201~";

/**
 * Turns the bytes a terminal sends in raw mode into keys. Escape sequences and pastes split across
 * reads are held until complete.
 * @example new KeyDecoder().feed(new TextEncoder().encode("hi\r")) // text "h", text "i", enter
 */
export class KeyDecoder {
  #decoder = new TextDecoder();
  #buffer = "";
  #paste: string | undefined;

  /** Decodes one read's bytes (or an already decoded string). */
  feed(input: Uint8Array | string): Key[] {
    this.#buffer += typeof input === "string" ? input : this.#decoder.decode(input, { stream: true });
    const keys: Key[] = [];
    while (this.#buffer.length > 0) {
      if (this.#paste !== undefined) {
        const end = this.#buffer.indexOf(PASTE_END);
        if (end < 0) {
          // Keep a possible partial end marker for the next read.
          const keep = partialSuffix(this.#buffer, PASTE_END);
          this.#paste += this.#buffer.slice(0, this.#buffer.length - keep);
          this.#buffer = this.#buffer.slice(this.#buffer.length - keep);
          break;
        }
        keys.push({
          name: "paste",
          text: (this.#paste + this.#buffer.slice(0, end)).replace(/\r\n?/g, "\n"),
        });
        this.#paste = undefined;
        this.#buffer = this.#buffer.slice(end + PASTE_END.length);
        continue;
      }
      const taken = this.#next(keys);
      if (taken === 0) break;
      this.#buffer = this.#buffer.slice(taken);
    }
    return keys;
  }

  /** Reads one key from the buffer; returns how many characters it used, 0 when incomplete. */
  #next(keys: Key[]): number {
    const s = this.#buffer;
    const first = s[0];
    if (first !== "\x1b") {
      const control = CONTROL[first];
      if (control) {
        keys.push({ name: control });
        return 1;
      }
      if (first < " ") return 1;
      // A run of printable characters is one text key.
      let end = 1;
      while (end < s.length && s[end] >= " " && s[end] !== "\x7f" && s[end] !== "\x1b") end++;
      keys.push({ name: "text", text: s.slice(0, end) });
      return end;
    }
    if (s.length === 1) {
      keys.push({ name: "escape" });
      return 1;
    }
    if (s.startsWith(PASTE_START)) {
      this.#paste = "";
      return PASTE_START.length;
    }
    if (PASTE_START.startsWith(s)) return 0;
    if (s[1] === "[" || s[1] === "O") {
      // deno-lint-ignore no-control-regex
      const match = /^\x1b[[O]([0-?]*)([ -/]*)([@-~])/.exec(s);
      // deno-lint-ignore no-control-regex
      if (!match) return /^\x1b[[O][0-?]*[ -/]*$/.test(s) ? 0 : 2;
      const [whole, params, , final] = match;
      const modifier = Number(params.split(";")[1] ?? 1) - 1;
      const name = CSI_KEYS[final === "~" ? `${params.split(";")[0]}~` : final];
      if (name === "left" && modifier & 6) keys.push({ name: "word-left" });
      else if (name === "right" && modifier & 6) keys.push({ name: "word-right" });
      else if (name) keys.push({ name });
      return whole.length;
    }
    const alt = ALT_KEYS[s[1]];
    if (alt) keys.push({ name: alt });
    return 2;
  }
}

function partialSuffix(text: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, text.length); n > 0; n--) {
    if (marker.startsWith(text.slice(text.length - n))) return n;
  }
  return 0;
}

/** The input area laid out for a width: rows of text and where the cursor sits. */
export interface InputLayout {
  rows: string[];
  cursorRow: number;
  cursorCol: number;
}

/** Most entries a line editor's history holds (the history file keeps as many). */
const MAX_HISTORY = 1000;

/** A line editor with history. Text may hold newlines (pasted or typed with Ctrl-J / Alt-Enter). */
export class LineEditor {
  /** The text being edited. */
  text = "";
  /** The cursor as an index into `text` (UTF-16 units, always on a code point boundary). */
  cursor = 0;
  readonly #history: string[] = [];
  /** Position while browsing history; equals the history length when editing a new line. */
  #historyIndex = 0;
  /** The unsent line kept while browsing history. */
  #draft = "";
  #killed = "";

  /** Entries from oldest to newest. */
  get history(): readonly string[] {
    return this.#history;
  }

  /** Replaces the text and puts the cursor at its end. */
  setText(text: string): void {
    this.text = text;
    this.cursor = text.length;
  }

  /**
   * Returns the text, records it in history and clears the line. A blank line is not recorded; a
   * line already in history moves to its end.
   */
  submit(): string {
    const text = this.text;
    if (text.trim() !== "") {
      const earlier = this.#history.indexOf(text);
      if (earlier >= 0) this.#history.splice(earlier, 1);
      this.#history.push(text);
      if (this.#history.length > MAX_HISTORY) this.#history.splice(0, this.#history.length - MAX_HISTORY);
    }
    this.#historyIndex = this.#history.length;
    this.#draft = "";
    this.setText("");
    return text;
  }

  /**
   * Puts earlier entries (oldest first, e.g. from the history file) before the ones recorded in this
   * run; repeats and blank lines are dropped, and ↑ keeps its place if the user is browsing.
   */
  loadHistory(entries: readonly string[]): void {
    const recorded = new Set(this.#history);
    const seen = new Set<string>();
    const earlier: string[] = [];
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i];
      if (entry.trim() === "" || recorded.has(entry) || seen.has(entry)) continue;
      seen.add(entry);
      earlier.push(entry);
    }
    earlier.reverse();
    const room = Math.max(0, MAX_HISTORY - this.#history.length);
    const added = earlier.slice(Math.max(0, earlier.length - room));
    this.#history.unshift(...added);
    this.#historyIndex += added.length;
  }

  /** Applies an editing key; returns false when the key is not an editing key. */
  handle(key: Key): boolean {
    const { text, cursor } = this;
    switch (key.name) {
      case "text":
      case "paste":
        this.#insert(key.text);
        return true;
      case "newline":
        this.#insert("\n");
        return true;
      case "backspace":
        if (cursor > 0) {
          const start = previousBoundary(text, cursor);
          this.text = text.slice(0, start) + text.slice(cursor);
          this.cursor = start;
        }
        return true;
      case "delete":
        if (cursor < text.length) this.text = text.slice(0, cursor) + text.slice(nextBoundary(text, cursor));
        return true;
      case "left":
        this.cursor = previousBoundary(text, cursor);
        return true;
      case "right":
        this.cursor = nextBoundary(text, cursor);
        return true;
      case "home":
        this.cursor = text.lastIndexOf("\n", cursor - 1) + 1;
        return true;
      case "end": {
        const end = text.indexOf("\n", cursor);
        this.cursor = end < 0 ? text.length : end;
        return true;
      }
      case "word-left":
        this.cursor = wordStart(text, cursor);
        return true;
      case "word-right":
        this.cursor = wordEnd(text, cursor);
        return true;
      case "kill-word-back": {
        const start = wordStart(text, cursor);
        this.#killed = text.slice(start, cursor);
        this.text = text.slice(0, start) + text.slice(cursor);
        this.cursor = start;
        return true;
      }
      case "kill-word-forward": {
        const end = wordEnd(text, cursor);
        this.#killed = text.slice(cursor, end);
        this.text = text.slice(0, cursor) + text.slice(end);
        return true;
      }
      case "kill-to-start": {
        const start = text.lastIndexOf("\n", cursor - 1) + 1;
        this.#killed = text.slice(start, cursor);
        this.text = text.slice(0, start) + text.slice(cursor);
        this.cursor = start;
        return true;
      }
      case "kill-to-end": {
        const newline = text.indexOf("\n", cursor);
        const end = newline < 0 ? text.length : newline === cursor ? cursor + 1 : newline;
        this.#killed = text.slice(cursor, end);
        this.text = text.slice(0, cursor) + text.slice(end);
        return true;
      }
      case "yank":
        this.#insert(this.#killed);
        return true;
      case "up":
        this.#browse(-1);
        return true;
      case "down":
        this.#browse(1);
        return true;
      default:
        return false;
    }
  }

  /**
   * Lays the text out after a prompt of `promptWidth` cells, continuation rows indented as much,
   * wrapping at `width` cells.
   */
  layout(width: number, promptWidth: number): InputLayout {
    const avail = Math.max(1, width - promptWidth);
    const rows: string[] = [];
    let row = "";
    let col = 0;
    let cursorRow = 0;
    let cursorCol = 0;
    const breakRow = () => {
      rows.push(row);
      row = "";
      col = 0;
    };
    let index = 0;
    for (const char of this.text) {
      if (index === this.cursor) [cursorRow, cursorCol] = [rows.length, col];
      index += char.length;
      if (char === "\n") {
        breakRow();
        continue;
      }
      const w = charWidth(char);
      if (col + w > avail) breakRow();
      row += char;
      col += w;
    }
    if (this.cursor >= this.text.length) {
      // A cursor after a full row sits at the start of the next one.
      if (col >= avail) breakRow();
      [cursorRow, cursorCol] = [rows.length, col];
    }
    rows.push(row);
    return { rows, cursorRow, cursorCol: cursorCol + promptWidth };
  }

  #insert(insert: string): void {
    // Pasted text may carry escape sequences and control characters; only newlines are kept.
    // deno-lint-ignore no-control-regex
    const controls = /\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x09\x0b-\x1f\x7f]/g;
    const clean = insert.replace(/\r\n?/g, "\n").replace(/\t/g, "    ").replace(controls, "");
    this.text = this.text.slice(0, this.cursor) + clean + this.text.slice(this.cursor);
    this.cursor += clean.length;
  }

  #browse(step: number): void {
    const next = this.#historyIndex + step;
    if (next < 0 || next > this.#history.length) return;
    if (this.#historyIndex === this.#history.length) this.#draft = this.text;
    this.#historyIndex = next;
    this.setText(next === this.#history.length ? this.#draft : this.#history[next]);
  }
}

function previousBoundary(text: string, index: number): number {
  if (index <= 0) return 0;
  const code = text.charCodeAt(index - 1);
  return code >= 0xdc00 && code <= 0xdfff && index >= 2 ? index - 2 : index - 1;
}

function nextBoundary(text: string, index: number): number {
  if (index >= text.length) return text.length;
  const code = text.charCodeAt(index);
  return code >= 0xd800 && code <= 0xdbff && index + 1 < text.length ? index + 2 : index + 1;
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\p{L}\p{N}_]/u.test(char);
}

function wordStart(text: string, index: number): number {
  let i = index;
  while (i > 0 && !isWordChar(text[i - 1])) i--;
  while (i > 0 && isWordChar(text[i - 1])) i--;
  return i;
}

function wordEnd(text: string, index: number): number {
  let i = index;
  while (i < text.length && !isWordChar(text[i])) i++;
  while (i < text.length && isWordChar(text[i])) i++;
  return i;
}
