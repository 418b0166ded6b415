/**
 * Markdown styled as the model streams it, one line at a time: headings, emphasis, lists, quotes,
 * inline code, fenced code blocks drawn with a gutter and their language, and pipe tables drawn with
 * borders. A line is shown as soon as it is known, with two exceptions that would otherwise redraw:
 * a line that may be a table's header waits for the next line, and a table's rows are gathered and
 * drawn once the table ends (at a line that is not a row), so its columns are sized only once.
 * @module
 */

import { type Palette, wrapLine } from "./ansi.ts";
import { highlightLine, highlights } from "./highlight.ts";
import { isTableRow, parseDelimiter, renderTable, splitRow, type Table } from "./table.ts";

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+\s*)?$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const BULLET = /^(\s*)([-*+])\s+(\[[ xX]\]\s+)?(.*)$/;
const NUMBERED = /^(\s*)(\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;

/** How a {@link MarkdownStyler} draws. */
export interface MarkdownOptions {
  /**
   * Whether blocks are laid out for a terminal (code gutters, drawn tables, no literal fences);
   * otherwise the text stays exactly as written. Default: whether the palette has colour.
   */
  layout?: boolean;
  /** The terminal's width, which code rows wrap at and tables fit in (default 80). */
  width?: () => number;
}

/** An open fenced code block. */
interface Fence {
  /** The opening marker, e.g. "```". */
  marker: string;
  language: string;
  /** Whether a block comment is open at the end of the last line (for the highlighter). */
  inComment: boolean;
}

/** Styles streamed markdown line by line, holding back only a table until it is complete. */
export class MarkdownStyler {
  readonly #palette: Palette;
  readonly #layout: boolean;
  readonly #width: () => number;
  #fence: Fence | undefined;
  /** A line that may be a table's header, until the next line says whether it is. */
  #header: string | undefined;
  /** The table being gathered, with its lines as written. */
  #table: { table: Table; lines: string[] } | undefined;

  constructor(palette: Palette, options: MarkdownOptions = {}) {
    this.#palette = palette;
    this.#layout = options.layout ?? palette.color;
    this.#width = options.width ?? (() => 80);
  }

  /** Whether a fenced code block is open. */
  get inCode(): boolean {
    return this.#fence !== undefined;
  }

  /** Whether lines are held back: a possible table header, or a table still being gathered. */
  get holding(): boolean {
    return this.#header !== undefined || this.#table !== undefined;
  }

  /**
   * Takes a complete line and returns the lines it finishes: usually that line styled, nothing while
   * a table gathers, a whole table when it ends. A blank line comes back as "".
   */
  line(text: string): string[] {
    const out: string[] = [];
    if (this.#fence) {
      if (this.#closes(text)) {
        this.#fence = undefined;
        out.push(this.#layout ? this.#palette.dim("╰─") : this.#palette.dim(text));
      } else out.push(...this.#code(text, { advance: true }));
      return out;
    }
    if (this.#table) {
      if (isTableRow(text)) {
        this.#table.table.rows.push(splitRow(text));
        this.#table.lines.push(text);
        return out;
      }
      out.push(...this.#endTable());
    }
    if (this.#header !== undefined) {
      const header = splitRow(this.#header);
      const aligns = parseDelimiter(text, header.length);
      if (aligns) {
        this.#table = { table: { header, aligns, rows: [] }, lines: [this.#header, text] };
        this.#header = undefined;
        return out;
      }
      out.push(this.#prose(this.#header));
      this.#header = undefined;
    }
    if (this.#layout && isTableRow(text) && !FENCE.test(text)) {
      this.#header = text;
      return out;
    }
    const fence = FENCE.exec(text);
    if (fence) {
      this.#fence = { marker: fence[1], language: fence[2], inComment: false };
      out.push(this.#opening(text, fence[2]));
      return out;
    }
    out.push(this.#prose(text));
    return out;
  }

  /**
   * The rows an unfinished line shows as, after whatever is held back; provisional (its final
   * styling may differ) and without changing the state.
   */
  partial(text: string): string[] {
    const p = this.#palette;
    const rows: string[] = [];
    if (this.#fence) {
      if (text === "") return rows;
      if (this.#layout && this.#closes(text)) return [p.dim("╰─")];
      return this.#code(text, { advance: false });
    }
    if (this.#table) {
      const count = this.#table.table.rows.length;
      rows.push(p.dim(`┄ table: ${count} row${count === 1 ? "" : "s"} so far`));
      return rows;
    }
    if (this.#header !== undefined) rows.push(this.#prose(this.#header));
    if (text === "") return rows;
    const fence = FENCE.exec(text);
    rows.push(fence ? this.#opening(text, fence[2]) : this.#prose(text));
    return rows;
  }

  /** Ends the block: returns what was held back (a table, a possible header), drawn. */
  end(): string[] {
    const out: string[] = [];
    if (this.#table) out.push(...this.#endTable());
    if (this.#header !== undefined) out.push(this.#prose(this.#header));
    this.#header = undefined;
    return out;
  }

  /** Forgets an open code block and anything held (a new answer starts). */
  reset(): void {
    this.#fence = undefined;
    this.#header = undefined;
    this.#table = undefined;
  }

  #closes(text: string): boolean {
    const fence = FENCE.exec(text);
    const open = this.#fence!;
    return fence !== null && fence[1][0] === open.marker[0] && fence[1].length >= open.marker.length &&
      !fence[2];
  }

  #opening(text: string, language: string): string {
    const p = this.#palette;
    if (!this.#layout) return p.dim(text);
    return p.dim(language ? `╭─ ${language}` : "╭─");
  }

  /** A code line: with layout, a gutter on every row it wraps to; highlighted in colour. */
  #code(text: string, options: { advance: boolean }): string[] {
    const p = this.#palette;
    const fence = this.#fence!;
    let styled = text;
    if (p.color) {
      if (highlights(fence.language)) {
        const lit = highlightLine(text, fence.language, { palette: p, inComment: fence.inComment });
        if (options.advance) fence.inComment = lit.inComment;
        styled = lit.text;
      } else styled = p.green(text);
    }
    if (!this.#layout) return [p.color ? `${p.dim("│")} ${styled}` : text];
    const gutter = p.dim("│");
    if (text.trim() === "") return [gutter];
    return wrapLine(styled, Math.max(8, this.#width() - 2)).map((row) => `${gutter} ${row}`);
  }

  #endTable(): string[] {
    const { table, lines } = this.#table!;
    this.#table = undefined;
    const p = this.#palette;
    const drawn = renderTable(table, { width: this.#width(), palette: p, style: (t) => inline(t, p) });
    return drawn ?? lines.map((line) => this.#prose(line));
  }

  #prose(text: string): string {
    const p = this.#palette;
    if (!p.color) return text;
    const heading = HEADING.exec(text);
    if (heading) {
      const body = inline(heading[2], p);
      return heading[1].length === 1 ? p.bold(p.underline(body)) : p.bold(body);
    }
    if (RULE.test(text)) return p.dim("─".repeat(24));
    const quote = QUOTE.exec(text);
    if (quote) return `${p.dim("│")} ${p.italic(inline(quote[1], p))}`;
    const bullet = BULLET.exec(text);
    if (bullet) {
      const task = bullet[3] ? (/x/i.test(bullet[3]) ? "☑ " : "☐ ") : "";
      return `${bullet[1]}${p.cyan("•")} ${task}${inline(bullet[4], p)}`;
    }
    const numbered = NUMBERED.exec(text);
    if (numbered) return `${numbered[1]}${p.cyan(numbered[2])} ${inline(numbered[3], p)}`;
    return inline(text, p);
  }
}

// Emphasis markers must hug their text (`* not emphasis *`), as in CommonMark.
const EMPHASIS: [RegExp, (p: Palette, text: string) => string][] = [
  [/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, (p, t) => p.bold(t)],
  [/(?<![\w])__(?=\S)(.+?)(?<=\S)__(?![\w])/g, (p, t) => p.bold(t)],
  [/(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])/g, (p, t) => p.italic(t)],
  [/(?<![\w])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w])/g, (p, t) => p.italic(t)],
  [/~~(?=\S)(.+?)(?<=\S)~~/g, (p, t) => p.strike(t)],
];

/** Styles inline markdown: code spans (taken literally), links, bold, italic and strikethrough. */
export function inline(text: string, p: Palette): string {
  if (!p.color) return text;
  let out = "";
  let last = 0;
  // Code spans first: nothing inside them is markdown.
  for (const match of text.matchAll(/(`+)(.+?)\1(?!`)/g)) {
    out += prose(text.slice(last, match.index), p) + p.cyan(match[2]);
    last = match.index + match[0].length;
  }
  return out + prose(text.slice(last), p);
}

function prose(text: string, p: Palette): string {
  let out = text.replace(
    /\[([^\]]+)\]\(([^)\s]+)\)/g,
    (_, label: string, url: string) => `${p.underline(label)} ${p.dim(`(${url})`)}`,
  );
  for (const [pattern, style] of EMPHASIS) out = out.replace(pattern, (_, inner: string) => style(p, inner));
  return out;
}
