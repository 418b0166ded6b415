/**
 * Terminal text: SGR styles that switch off with colour, the display width of a string (wide CJK and
 * emoji cells, zero-width marks, escape sequences skipped) and wrapping styled text to a width.
 * @module
 */

/** The styles the UI uses. Each wraps text in an SGR sequence, or returns it unchanged without colour. */
export interface Palette {
  /** Whether styles emit escape sequences. */
  readonly color: boolean;
  bold(text: string): string;
  dim(text: string): string;
  italic(text: string): string;
  underline(text: string): string;
  strike(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
  gray(text: string): string;
}

const SGR: Record<Exclude<keyof Palette, "color">, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  italic: [3, 23],
  underline: [4, 24],
  strike: [9, 29],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
};

/**
 * A palette that styles with ANSI SGR codes when `color` is true and leaves text plain otherwise.
 * @example createPalette(true).red("failed") // "\x1b[31mfailed\x1b[39m"
 */
export function createPalette(color: boolean): Palette {
  const palette = { color } as Record<string, unknown>;
  for (const [name, [on, off]] of Object.entries(SGR)) {
    // Re-opening the style after an inner close keeps nested styles (bold inside dim) intact.
    palette[name] = color
      ? (text: string) =>
        `\x1b[${on}m${text.replaceAll(`\x1b[${off}m`, `\x1b[${off}m\x1b[${on}m`)}\x1b[${off}m`
      : (text: string) => text;
  }
  return palette as unknown as Palette;
}

// CSI sequences, OSC sequences (ended by BEL or ST) and two-character escapes.
// deno-lint-ignore no-control-regex
const ANSI_PATTERN = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Removes escape sequences, leaving the text a terminal would show. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, "");
}

/**
 * Makes text from the model or a tool safe to print: escape sequences and control characters that
 * would move the cursor or ring the bell are removed, tabs become spaces. Newlines stay.
 */
export function sanitize(text: string): string {
  // deno-lint-ignore no-control-regex
  return stripAnsi(text).replace(/\t/g, "    ").replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "");
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\u200b-\u200f\ufe00-\ufe0f]$/u;
/** Symbols drawn as emoji by default (✅, ❌, ⚡, ⭐): terminals give them two cells. */
const EMOJI = /^\p{Emoji_Presentation}$/u;

/** How many terminal cells one code point takes: 0, 1 or 2. */
export function charWidth(char: string): number {
  const code = char.codePointAt(0)!;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
  if (code < 0x300) return 1;
  if (ZERO_WIDTH.test(char)) return 0;
  if (
    (code >= 0x1100 && code <= 0x115f) || // Hangul Jamo
    (code >= 0x2e80 && code <= 0x303e) || // CJK radicals, punctuation
    (code >= 0x3041 && code <= 0x33ff) || // kana, CJK symbols
    (code >= 0x3400 && code <= 0x4dbf) || // CJK extension A
    (code >= 0x4e00 && code <= 0x9fff) || // CJK unified ideographs
    (code >= 0xa000 && code <= 0xa4cf) || // Yi
    (code >= 0xac00 && code <= 0xd7a3) || // Hangul syllables
    (code >= 0xf900 && code <= 0xfaff) || // CJK compatibility ideographs
    (code >= 0xfe30 && code <= 0xfe4f) || // CJK compatibility forms
    (code >= 0xff00 && code <= 0xff60) || // full-width forms
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) || // emoji and pictographs
    (code >= 0x20000 && code <= 0x3fffd) // CJK extensions B and later
  ) return 2;
  if (code >= 0x231a && code < 0x1f300 && EMOJI.test(char)) return 2;
  return 1;
}

/** The number of terminal cells `text` takes on one line, ignoring escape sequences. */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const char of stripAnsi(text)) width += charWidth(char);
  return width;
}

interface Token {
  /** A code point, or a whole escape sequence. */
  text: string;
  width: number;
  escape: boolean;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of text.matchAll(ANSI_PATTERN)) {
    for (const char of text.slice(last, match.index)) {
      tokens.push({ text: char, width: charWidth(char), escape: false });
    }
    tokens.push({ text: match[0], width: 0, escape: true });
    last = match.index + match[0].length;
  }
  for (const char of text.slice(last)) tokens.push({ text: char, width: charWidth(char), escape: false });
  return tokens;
}

/** Tracks which SGR sequences are in force, so a wrapped row can re-open them. */
function activeStyles(active: string[], sequence: string): string[] {
  if (!sequence.startsWith("\x1b[") || !sequence.endsWith("m")) return active;
  const params = sequence.slice(2, -1);
  if (params === "" || params === "0") return [];
  return [...active, sequence];
}

/**
 * Splits one line of styled text into rows of at most `width` cells, breaking at the last space when
 * there is one and mid-word otherwise. Styles open at a break are closed at the row's end and
 * re-opened on the next row, so every row stands alone.
 * @example wrapLine("hello world", 7) // ["hello", "world"]
 */
export function wrapLine(line: string, width: number): string[] {
  const max = Math.max(1, Math.floor(width));
  if (visibleWidth(line) <= max) return [line];
  const tokens = tokenize(line);
  const rows: string[] = [];
  let row: Token[] = [];
  let rowWidth = 0;
  let active: string[] = [];
  let rowStartStyles: string[] = [];
  // Index in `row` just after the last space, and the styles in force there.
  let breakAt = -1;
  let breakStyles: string[] = [];

  const emit = (tokensOfRow: Token[], opening: string[], closing: string[]) => {
    let text = opening.join("") + tokensOfRow.map((t) => t.text).join("");
    text = text.replace(/ +$/, "");
    if (closing.length > 0) text += "\x1b[0m";
    rows.push(text);
  };

  for (const token of tokens) {
    if (token.escape) {
      row.push(token);
      active = activeStyles(active, token.text);
      continue;
    }
    if (rowWidth + token.width > max) {
      if (token.text === " ") {
        // A space at the break point is dropped rather than carried to the next row.
        emit(row, rowStartStyles, active);
        rowStartStyles = active;
        row = [];
        rowWidth = 0;
        breakAt = -1;
        continue;
      }
      if (breakAt > 0) {
        const head = row.slice(0, breakAt);
        const tail = row.slice(breakAt);
        emit(head, rowStartStyles, breakStyles);
        rowStartStyles = breakStyles;
        row = tail;
        rowWidth = tail.reduce((sum, t) => sum + t.width, 0);
      } else {
        emit(row, rowStartStyles, active);
        rowStartStyles = active;
        row = [];
        rowWidth = 0;
      }
      breakAt = -1;
      if (rowWidth + token.width > max) {
        emit(row, rowStartStyles, active);
        rowStartStyles = active;
        row = [];
        rowWidth = 0;
      }
    }
    row.push(token);
    rowWidth += token.width;
    if (token.text === " ") {
      breakAt = row.length;
      breakStyles = active;
    }
  }
  if (row.length > 0 || rows.length === 0) emit(row, rowStartStyles, active);
  return rows;
}

/**
 * Pads styled text with spaces to `width` cells, on the left, the right or both (`center`); text
 * already as wide is returned as it is.
 * @example padToWidth("日本", 6, "right") // "  日本"
 */
export function padToWidth(text: string, width: number, align: "left" | "center" | "right" = "left"): string {
  const gap = Math.max(0, width - visibleWidth(text));
  if (align === "right") return " ".repeat(gap) + text;
  if (align === "center") {
    const left = Math.floor(gap / 2);
    return " ".repeat(left) + text + " ".repeat(gap - left);
  }
  return text + " ".repeat(gap);
}

/** Cuts styled text to at most `width` cells on one row, ending with `…` when cut. */
export function truncateToWidth(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  let styled = false;
  for (const token of tokenize(text)) {
    if (token.escape) {
      out += token.text;
      styled = true;
      continue;
    }
    if (used + token.width > width - 1) break;
    out += token.text;
    used += token.width;
  }
  return out + "…" + (styled ? "\x1b[0m" : "");
}
