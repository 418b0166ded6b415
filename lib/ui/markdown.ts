/**
 * Markdown styled one line at a time, as the model streams it: headings, emphasis, lists, quotes,
 * inline code and fenced code blocks. A line is styled as soon as it is known; the unfinished last
 * line can be styled provisionally, so no text is held back waiting for the rest of a block.
 * @module
 */

import type { Palette } from "./ansi.ts";

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+\s*)?$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const BULLET = /^(\s*)([-*+])\s+(\[[ xX]\]\s+)?(.*)$/;
const NUMBERED = /^(\s*)(\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;

/** Styles streamed markdown line by line; it remembers only whether a code fence is open. */
export class MarkdownStyler {
  readonly #palette: Palette;
  /** The open fence's marker (e.g. "```"), or undefined outside code blocks. */
  #fence: string | undefined;

  constructor(palette: Palette) {
    this.#palette = palette;
  }

  /** Whether a fenced code block is open. */
  get inCode(): boolean {
    return this.#fence !== undefined;
  }

  /** Styles a complete line and advances the block state (code fences). */
  line(text: string): string {
    const styled = this.#style(text);
    const fence = FENCE.exec(text);
    if (this.#fence === undefined) {
      if (fence) this.#fence = fence[1];
    } else if (
      fence && fence[1][0] === this.#fence[0] && fence[1].length >= this.#fence.length && !fence[2]
    ) {
      this.#fence = undefined;
    }
    return styled;
  }

  /** Styles an unfinished line without changing the state; its final styling may differ. */
  partial(text: string): string {
    return this.#style(text);
  }

  /** Forgets an open code block (a new answer starts). */
  reset(): void {
    this.#fence = undefined;
  }

  #style(text: string): string {
    const p = this.#palette;
    if (!p.color) return text;
    const fence = FENCE.exec(text);
    if (this.#fence !== undefined) {
      if (fence && fence[1][0] === this.#fence[0] && fence[1].length >= this.#fence.length) {
        return p.dim(text);
      }
      return `${p.dim("│")} ${p.green(text)}`;
    }
    if (fence) return p.dim(text);
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
