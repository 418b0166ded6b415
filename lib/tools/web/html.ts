/**
 * HTML for the model: pages converted to markdown or to readable plain text, with scripts, styles,
 * navigation and other chrome removed. Every step is linear in the page's size, and the work is bounded:
 * a first pass ({@link prepareHtml}) drops what no reader sees, flattens nesting deeper than
 * {@link MAX_NESTING} and stops at {@link MAX_CONVERTED_HTML}, since the model reads at most 50KB of the
 * result; turndown then writes markdown or text on its own DOM, with rules of ours for tables, lists,
 * links and code. The npm modules (turndown; node-html-parser for {@link parseHtml}) load on first use,
 * so a run that never fetches a page never pays for them, and neither reads the environment.
 * `html_worker.ts` runs the conversion off the main thread so that it can be stopped at once.
 * @module
 */

import type { HTMLElement } from "node-html-parser";

/**
 * Most characters of prepared HTML converted (512 KB, ten times what the model reads of the result);
 * a longer page is cut at a tag boundary.
 */
export const MAX_CONVERTED_HTML = 512 * 1024;
/** Deepest element nesting kept; deeper start tags are dropped, so their content joins the level above. */
export const MAX_NESTING = 256;

/** The output formats for a page. */
export type HtmlFormat = "markdown" | "text";

/** Options for the conversions. */
export interface HtmlOptions {
  /** The page's address; relative links and image sources are made absolute against it (default: left as they are). */
  baseUrl?: string;
  /** Most characters of prepared HTML converted (default {@link MAX_CONVERTED_HTML}). */
  maxLength?: number;
}

/** Options for {@link convertHtml}. */
export interface ConvertOptions extends HtmlOptions {
  /** What to write (default `"markdown"`). */
  format?: HtmlFormat;
  /** Checked between the stages of the conversion (default: never aborted). */
  signal?: AbortSignal;
}

/** A converted page. */
export interface Conversion {
  text: string;
  /** Present when the page was longer than the limit: UTF-8 sizes of the part converted and of the whole. */
  cut?: { convertedBytes: number; totalBytes: number };
}

// ---------------------------------------------------------------------------------------------------
// The first pass: a linear scan that keeps what a reader could see.

const VOID = new Set([
  "area",
  "base",
  "basefont",
  "bgsound",
  "br",
  "col",
  "command",
  "embed",
  "frame",
  "hr",
  "img",
  "input",
  "keygen",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);
/** Elements whose content is raw text to an HTML parser: it ends at the first matching end tag. */
const RAW_TEXT = new Set([
  "iframe",
  "noembed",
  "noframes",
  "noscript",
  "script",
  "style",
  "textarea",
  "title",
  "xmp",
]);
/** Elements dropped with everything inside them (navigation menus and option lists can be most of a page). */
const DROPPED = new Set([...RAW_TEXT, "math", "nav", "select", "svg", "template"]);
/** Tags a parser places by itself; inside turndown's wrapper they would only be ignored. */
const STRUCTURE = new Set(["body", "head", "html"]);
/** Attributes the conversion reads; the rest (styles, classes, data) is most of a modern page's markup. */
const KEPT_ATTRIBUTES = new Set(["alt", "colspan", "href", "src", "start", "title"]);
/** A class worth keeping: it names the language of a code block. */
const CODE_CLASS = /\b(?:language|lang|highlight(?:-text|-source)?)-/;
/** Start tags that close an open `p`, as an HTML parser does. */
const CLOSES_P = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "center",
  "details",
  "dialog",
  "dir",
  "div",
  "dl",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hgroup",
  "hr",
  "listing",
  "main",
  "menu",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "summary",
  "table",
  "ul",
  "li",
  "dd",
  "dt",
]);
/** Elements an implied end tag does not reach past. */
const SCOPE = new Set(["applet", "button", "caption", "marquee", "object", "table", "td", "template", "th"]);
const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);

const closers = new Map<string, RegExp>();

/** Finds the end tag of `name` (or, for nestable elements, the one that balances it). */
function closerOf(name: string): RegExp {
  let pattern = closers.get(name);
  if (!pattern) {
    pattern = RAW_TEXT.has(name)
      ? new RegExp(`</${name}(?=[\\s/>]|$)`, "gi")
      : new RegExp(`<(/?)${name}(?=[\\s/>]|$)`, "gi");
    closers.set(name, pattern);
  }
  return pattern;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 9 || code === 13 || code === 12;
}

function isLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
}

/** Where a tag's name ends: at white space, `/` or `>`. */
function nameEnd(source: string, from: number): number {
  let i = from;
  while (i < source.length) {
    const code = source.charCodeAt(i);
    if (isSpace(code) || code === 47 || code === 62) break;
    i++;
  }
  return i;
}

/** The prepared HTML and, when the page was longer than the limit, where in the source it was cut. */
export interface PreparedHtml {
  html: string;
  cutAt?: number;
}

/** A start tag as scanned: name, attributes as written, and the position after its `>`. */
interface StartTag {
  name: string;
  attributes: [string, string][];
  end: number;
}

/** One pass over a page that writes the HTML the converter needs; see {@link prepareHtml}. */
class Preparer {
  readonly #source: string;
  readonly #max: number;
  readonly #out: string[] = [];
  readonly #open: string[] = [];
  #size = 0;
  #cutAt: number | undefined;

  constructor(source: string, max: number) {
    this.#source = source;
    this.#max = max;
  }

  run(): PreparedHtml {
    const source = this.#source;
    let pos = 0;
    while (pos < source.length) {
      const lt = source.indexOf("<", pos);
      const textEnd = lt < 0 ? source.length : lt;
      if (textEnd > pos && !this.#text(pos, textEnd)) break;
      if (lt < 0) break;
      pos = this.#markup(lt);
      if (pos < 0) break;
    }
    const html = this.#out.join("");
    return this.#cutAt === undefined ? { html } : { html, cutAt: this.#cutAt };
  }

  /** Writes `piece`, which starts at `at` in the source, unless the limit is reached. */
  #emit(piece: string, at: number): boolean {
    if (this.#size + piece.length > this.#max) {
      this.#cutAt = at;
      return false;
    }
    this.#out.push(piece);
    this.#size += piece.length;
    return true;
  }

  #text(from: number, to: number): boolean {
    const room = this.#max - this.#size;
    if (to - from <= room) return this.#emit(this.#source.slice(from, to), from);
    // The cut falls before the text, at a tag boundary, unless the text alone is a large part of the
    // page: then it is cut at a space, so that a page of one huge block still shows its start.
    let keep = 0;
    if (room >= this.#max / 4) {
      const space = this.#source.lastIndexOf(" ", from + room - 1);
      keep = space > from ? space - from : room;
      const last = this.#source.charCodeAt(from + keep - 1);
      if (last >= 0xd800 && last <= 0xdbff) keep--;
      this.#emit(this.#source.slice(from, from + keep), from);
    }
    this.#cutAt = from + keep;
    return false;
  }

  /** Handles the markup at `lt`; returns where scanning goes on, or -1 once the limit is reached. */
  #markup(lt: number): number {
    const source = this.#source;
    const next = source.charCodeAt(lt + 1);
    if (next === 33 /* ! */) {
      if (source.startsWith("<!--", lt)) {
        if (source.startsWith("<!-->", lt)) return lt + 5;
        if (source.startsWith("<!--->", lt)) return lt + 6;
        const end = source.indexOf("-->", lt + 4);
        return end < 0 ? source.length : end + 3;
      }
      return this.#skipTo(">", lt + 2);
    }
    if (next === 63 /* ? */) return this.#skipTo(">", lt + 2);
    if (next === 47 /* / */) {
      if (isLetter(source.charCodeAt(lt + 2))) return this.#endTag(lt);
      return this.#skipTo(">", lt + 2);
    }
    if (isLetter(next)) return this.#startTag(lt);
    return this.#text(lt, lt + 1) ? lt + 1 : -1;
  }

  #skipTo(marker: string, from: number): number {
    const end = this.#source.indexOf(marker, from);
    return end < 0 ? this.#source.length : end + marker.length;
  }

  #startTag(lt: number): number {
    const tag = this.#scanStartTag(lt);
    if (!tag) return this.#source.length;
    const { name, attributes, end } = tag;
    if (DROPPED.has(name)) return this.#skipElement(name, end);
    if (STRUCTURE.has(name)) return end;
    if (name === "img") {
      const src = attributes.find(([key]) => key === "src")?.[1].trim() ?? "";
      if (/^data:/i.test(src)) {
        // Inline images can be megabytes of base64; their alt text is all a reader gets from them.
        const alt = attributes.find(([key]) => key === "alt")?.[1].trim() ?? "";
        return !alt || this.#emit(` ${alt.replace(/</g, "&lt;")} `, lt) ? end : -1;
      }
    }
    this.#closeImplied(name);
    const isVoid = VOID.has(name);
    if (!isVoid && this.#open.length >= MAX_NESTING) return end;
    let written = `<${name}`;
    for (const [key, value] of attributes) {
      if (KEPT_ATTRIBUTES.has(key) || (key === "class" && CODE_CLASS.test(value))) {
        written += ` ${key}="${value.replace(/"/g, "&quot;")}"`;
      }
    }
    if (!this.#emit(`${written}>`, lt)) return -1;
    if (!isVoid) this.#open.push(name);
    return end;
  }

  /** Reads a start tag's name and attributes; undefined when the page ends inside it. */
  #scanStartTag(lt: number): StartTag | undefined {
    const source = this.#source;
    let i = nameEnd(source, lt + 1);
    const name = source.slice(lt + 1, i).toLowerCase();
    const attributes: [string, string][] = [];
    while (true) {
      while (i < source.length && (isSpace(source.charCodeAt(i)) || source.charCodeAt(i) === 47)) i++;
      if (i >= source.length) return undefined;
      if (source.charCodeAt(i) === 62 /* > */) return { name, attributes, end: i + 1 };
      const keyStart = i++;
      while (i < source.length) {
        const code = source.charCodeAt(i);
        if (isSpace(code) || code === 47 || code === 62 || code === 61 /* = */) break;
        i++;
      }
      const key = source.slice(keyStart, i).toLowerCase();
      let j = i;
      while (j < source.length && isSpace(source.charCodeAt(j))) j++;
      let value = "";
      if (source.charCodeAt(j) === 61) {
        j++;
        while (j < source.length && isSpace(source.charCodeAt(j))) j++;
        const quote = source[j];
        if (quote === '"' || quote === "'") {
          const close = source.indexOf(quote, j + 1);
          if (close < 0) return undefined;
          value = source.slice(j + 1, close);
          i = close + 1;
        } else {
          const start = j;
          while (j < source.length && !isSpace(source.charCodeAt(j)) && source.charCodeAt(j) !== 62) j++;
          value = source.slice(start, j);
          i = j;
        }
      }
      attributes.push([key, value]);
    }
  }

  /** Skips an element that is dropped whole; returns where its end tag ends. */
  #skipElement(name: string, from: number): number {
    const source = this.#source;
    if (source.charCodeAt(from - 2) === 47 /* / */ && !RAW_TEXT.has(name)) return from;
    const pattern = closerOf(name);
    pattern.lastIndex = from;
    let depth = 1;
    for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
      if (RAW_TEXT.has(name) || match[1]) depth--;
      else depth++;
      if (depth === 0) return this.#skipTo(">", match.index);
    }
    return source.length;
  }

  #endTag(lt: number): number {
    const source = this.#source;
    const nameStop = nameEnd(source, lt + 2);
    const name = source.slice(lt + 2, nameStop).toLowerCase();
    const end = this.#skipTo(">", nameStop);
    const index = this.#open.lastIndexOf(name);
    // An end tag with nothing open to close is dropped, as are those of flattened elements.
    if (index < 0) return end;
    if (!this.#emit(`</${name}>`, lt)) return -1;
    this.#open.length = index;
    return end;
  }

  /** Follows the end tags an HTML parser implies, so that the depth counted is the depth it builds. */
  #closeImplied(name: string): void {
    if (CLOSES_P.has(name)) this.#close(["p"], []);
    if (name === "li") this.#close(["li"], ["ol", "ul"]);
    else if (name === "dd" || name === "dt") this.#close(["dd", "dt"], ["dl"]);
    else if (name === "td" || name === "th") this.#close(["td", "th"], ["tr", "table"], false);
    else if (name === "tr") this.#close(["tr"], ["table", "tbody", "thead", "tfoot"], false);
    else if (name === "tbody" || name === "thead" || name === "tfoot") {
      this.#close(["tbody", "thead", "tfoot"], ["table"], false);
    } else if (name === "option" || name === "optgroup") {
      this.#close(name === "option" ? ["option"] : ["option", "optgroup"], ["select"], false);
    } else if (name === "a" || name === "button" || name === "nobr") this.#close([name], []);
    else if (HEADINGS.has(name) && HEADINGS.has(this.#open.at(-1) ?? "")) this.#open.pop();
  }

  /** Closes the nearest open element named in `names`, unless a boundary comes first. */
  #close(names: string[], stops: string[], scoped = true): void {
    for (let i = this.#open.length - 1; i >= 0; i--) {
      const open = this.#open[i];
      if (names.includes(open)) {
        this.#open.length = i;
        return;
      }
      if (stops.includes(open) || (scoped && SCOPE.has(open))) return;
    }
  }
}

/**
 * The first pass of a conversion, linear in the page's size: drops comments and the elements no reader
 * sees (scripts, styles, SVG, navigation, templates, frames, titles), every attribute except the few the
 * conversion reads, and inline `data:` images (keeping their alt text); drops start tags nested deeper
 * than {@link MAX_NESTING}; and stops at a tag boundary once `maxLength` characters are written.
 * @example
 * ```ts
 * prepareHtml('<div class="x"><script>1</script><a href="/a" rel="n">a</a></div>');
 * // { html: '<div><a href="/a">a</a></div>' }
 * ```
 */
export function prepareHtml(source: string, options: { maxLength?: number } = {}): PreparedHtml {
  return new Preparer(source, options.maxLength ?? MAX_CONVERTED_HTML).run();
}

/** The length of `text.slice(0, end)` in UTF-8, without encoding it. */
function utf8Length(text: string, end = text.length): number {
  let bytes = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    // A surrogate pair is 4 bytes, 2 per half.
    bytes += code < 0x80 ? 1 : code < 0x800 || (code >= 0xd800 && code <= 0xdfff) ? 2 : 3;
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------------
// The second pass: turndown, on its DOM, with rules of ours.

/** The part of a DOM node the rules read (turndown hands them domino's nodes). */
interface DomNode {
  nodeName: string;
  parentNode: DomNode | null;
  firstChild: DomNode | null;
  nextSibling: DomNode | null;
  childNodes: ArrayLike<DomNode>;
  textContent: string | null;
  getAttribute(name: string): string | null;
  /** Domino answers `undefined`, not `null`, when nothing matches. */
  querySelector(selector: string): DomNode | null | undefined;
  querySelectorAll(selector: string): ArrayLike<DomNode>;
}

interface Rule {
  filter: string | string[] | ((node: DomNode) => boolean);
  replacement(content: string, node: DomNode): string;
}

/** The part of turndown's API used here (the package ships no types). */
interface Turndown {
  addRule(key: string, rule: Rule): Turndown;
  remove(filter: string[]): Turndown;
  escape(text: string): string;
  turndown(html: string): string;
}

type TurndownClass = new (options: Record<string, string>) => Turndown;

let turndownModule: Promise<TurndownClass> | undefined;

function loadTurndown(): Promise<TurndownClass> {
  return turndownModule ??= import("turndown").then((module) => module.default as unknown as TurndownClass);
}

/** Elements that never carry the content a reader came for (most are gone after the first pass). */
const NOISE = [
  "button",
  "canvas",
  "embed",
  "head",
  "iframe",
  "input",
  "link",
  "meta",
  "nav",
  "noscript",
  "object",
  "script",
  "select",
  "style",
  "svg",
  "template",
  "textarea",
  "title",
];

/** Separates table cells inside a row's content; a private-use character no page uses as text. */
const CELL = "\u{F8FF}";

function trimNewlines(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === "\n") start++;
  while (end > start && text[end - 1] === "\n") end--;
  return text.slice(start, end);
}

function cleanAttribute(value: string | null): string {
  return value ? value.replace(/(\n+\s*)+/g, "\n") : "";
}

/** Rules both formats share: list items numbered in one pass, and tables. */
function addStructureRules(service: Turndown, markdown: boolean): void {
  // Turndown numbers an item by searching its list for it, which is quadratic in the list's length.
  const counters = new WeakMap<DomNode, number>();
  service.addRule("listItem", {
    filter: "li",
    replacement(content, node) {
      const parent = node.parentNode;
      let prefix = "- ";
      if (parent?.nodeName === "OL") {
        const index = counters.get(parent) ?? 0;
        counters.set(parent, index + 1);
        const start = Number(parent.getAttribute("start") ?? "1");
        prefix = `${(Number.isFinite(start) ? start : 1) + index}. `;
      }
      const paragraph = content.endsWith("\n");
      const body = (trimNewlines(content) + (paragraph ? "\n" : "")).replace(
        /\n/g,
        `\n${" ".repeat(prefix.length)}`,
      );
      return prefix + body + (node.nextSibling ? "\n" : "");
    },
  });

  // Tables are written a row at a time, each row once; a table holding another table, or a single
  // cell, lays out a page rather than data, and its cells become paragraphs.
  const tables = new WeakMap<DomNode, { rows: number; layout: boolean }>();
  const stateOf = (node: DomNode) => {
    let table = node.parentNode;
    while (table && table.nodeName !== "TABLE") table = table.parentNode;
    if (!table) return undefined;
    let state = tables.get(table);
    if (!state) {
      const layout = !!table.querySelector("table") || table.querySelectorAll("td, th").length <= 1;
      state = { rows: 0, layout };
      tables.set(table, state);
    }
    return state;
  };
  service.addRule("tableCell", {
    filter: ["td", "th"],
    replacement(content, node) {
      const state = stateOf(node);
      if (!state || state.layout) return `\n\n${content}\n\n`;
      let cell = content.trim().replace(/\s*\n\s*/g, markdown ? "<br>" : " ");
      if (markdown) cell = cell.replace(/\|/g, "\\|");
      const span = Math.min(Math.max(Number(node.getAttribute("colspan")) || 1, 1), 100);
      return CELL + cell + CELL.repeat(span - 1);
    },
  });
  service.addRule("tableRow", {
    filter: "tr",
    replacement(content, node) {
      const state = stateOf(node);
      if (!state || state.layout) return `\n\n${content}\n\n`;
      const cells = content.split(CELL).slice(1).map((cell) => cell.trim());
      if (cells.length === 0) return "";
      state.rows++;
      if (!markdown) return `\n${cells.join(" | ")}\n`;
      const line = `| ${cells.join(" | ")} |`;
      // GitHub tables need a header; the first row serves as one.
      return state.rows === 1 ? `\n${line}\n|${" --- |".repeat(cells.length)}\n` : `\n${line}\n`;
    },
  });
  service.addRule("tableSection", { filter: ["thead", "tbody", "tfoot"], replacement: (content) => content });
  service.addRule("tableCaption", { filter: ["caption", "colgroup"], replacement: () => "" });
  service.addRule("table", {
    filter: "table",
    replacement(content, node) {
      let caption = "";
      for (const child of Array.from(node.childNodes)) {
        if (child.nodeName === "CAPTION") caption = (child.textContent ?? "").replace(/\s+/g, " ").trim();
      }
      const state = tables.get(node);
      const body = state && !state.layout ? content.replace(/\n+/g, "\n").trim() : content;
      return `\n\n${caption ? `${caption}\n\n` : ""}${body}\n\n`;
    },
  });
}

function resolve(url: string, baseUrl: string | undefined): string {
  if (!baseUrl || url.startsWith("#")) return url;
  try {
    return new URL(url, baseUrl).href;
  } catch {
    return url;
  }
}

function escapeDestination(url: string): string {
  const escaped = url.replace(/([<>()])/g, "\\$1");
  return escaped.includes(" ") ? `<${escaped}>` : escaped;
}

function titlePart(node: DomNode): string {
  const title = cleanAttribute(node.getAttribute("title"));
  return title ? ` "${title.replace(/"/g, '\\"')}"` : "";
}

/** The language a code block declares in its class, or its wrapper's (GitHub's `highlight-source-ts`). */
function codeLanguage(pre: DomNode): string {
  for (const node of [pre.firstChild, pre, pre.parentNode]) {
    const match = /(?:language|lang|highlight-(?:text|source))-([\w+#.-]+)/.exec(
      node?.getAttribute?.("class") ?? "",
    );
    if (match) return match[1];
  }
  return "";
}

function fenced(code: string, language: string): string {
  let size = 3;
  for (const match of code.matchAll(/^`{3,}/gm)) size = Math.max(size, match[0].length + 1);
  const fence = "`".repeat(size);
  return `\n\n${fence}${language}\n${code.replace(/\s+$/, "")}\n${fence}\n\n`;
}

function addMarkdownRules(service: Turndown, baseUrl: string | undefined): void {
  service.addRule("strikethrough", {
    filter: ["del", "s", "strike"],
    replacement: (content) => content.trim() ? `~~${content}~~` : "",
  });
  service.addRule("codeBlock", {
    filter: "pre",
    replacement: (_content, node) => fenced(node.textContent ?? "", codeLanguage(node)),
  });
  service.addRule("link", {
    filter: (node) => node.nodeName === "A" && !!node.getAttribute("href"),
    replacement(content, node) {
      const href = resolve(node.getAttribute("href") ?? "", baseUrl);
      if (!content.trim() || /^javascript:/i.test(href)) return content;
      return `[${content}](${escapeDestination(href)}${titlePart(node)})`;
    },
  });
  service.addRule("image", {
    filter: "img",
    replacement(_content, node) {
      const src = node.getAttribute("src");
      if (!src) return "";
      const alt = service.escape(cleanAttribute(node.getAttribute("alt")));
      return `![${alt}](${escapeDestination(resolve(src, baseUrl))}${titlePart(node)})`;
    },
  });
}

function addTextRules(service: Turndown): void {
  service.escape = (text) => text;
  service.addRule("textBlock", {
    filter: ["blockquote", "h1", "h2", "h3", "h4", "h5", "h6"],
    replacement: (content) => `\n\n${trimNewlines(content)}\n\n`,
  });
  service.addRule("textRule", { filter: "hr", replacement: () => "\n\n" });
  service.addRule("textInline", {
    filter: ["a", "b", "code", "del", "em", "i", "s", "strike", "strong"],
    replacement: (content) => content,
  });
  service.addRule("textPre", {
    filter: "pre",
    replacement: (_content, node) => `\n\n${(node.textContent ?? "").replace(/\s+$/, "")}\n\n`,
  });
  service.addRule("textImage", {
    filter: "img",
    replacement: (_content, node) => cleanAttribute(node.getAttribute("alt")),
  });
}

function createConverter(Turndown: TurndownClass, format: HtmlFormat, baseUrl: string | undefined): Turndown {
  const markdown = format === "markdown";
  const service = new Turndown({
    headingStyle: "atx",
    codeBlockStyle: "fenced",
    bulletListMarker: "-",
    emDelimiter: "_",
    hr: "---",
    br: markdown ? "  " : "",
  });
  service.remove(NOISE);
  addStructureRules(service, markdown);
  if (markdown) addMarkdownRules(service, baseUrl);
  else addTextRules(service);
  return service;
}

/** Lets pending events (an abort among them) run before the next stage. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Converts an HTML page to markdown (headings, links, lists, fenced code blocks, GitHub-style tables)
 * or to plain text (one paragraph per block, list items marked, table cells separated by ` | `).
 * Scripts, styles, navigation and form controls are dropped; a page whose prepared HTML is longer than
 * `maxLength` is cut first, and the result says so. Runs on the calling thread and checks `signal`
 * between stages; `convertPage` in `html_worker.ts` runs it on a worker that can be stopped at once.
 * @example
 * ```ts
 * const { text } = await convertHtml("<h1>Hi</h1><p>See <a href='/a'>a</a></p>", { baseUrl: "https://x.dev/" });
 * // "# Hi\n\nSee [a](https://x.dev/a)"
 * ```
 */
export async function convertHtml(html: string, options: ConvertOptions = {}): Promise<Conversion> {
  const { signal, format = "markdown" } = options;
  const Turndown = await loadTurndown();
  signal?.throwIfAborted();
  const prepared = prepareHtml(html, options);
  await nextTask();
  signal?.throwIfAborted();
  let text: string;
  try {
    text = createConverter(Turndown, format, options.baseUrl).turndown(prepared.html);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new RangeError("Cannot convert the page: its elements are nested too deeply to walk");
    }
    throw error;
  }
  if (format === "text") text = text.replace(/[ \t]+$/gm, "");
  const conversion: Conversion = { text: text.trim() };
  if (prepared.cutAt !== undefined) {
    conversion.cut = { convertedBytes: utf8Length(html, prepared.cutAt), totalBytes: utf8Length(html) };
  }
  return conversion;
}

/**
 * Converts an HTML page to markdown; see {@link convertHtml}.
 * @example
 * ```ts
 * const md = await htmlToMarkdown("<h1>Hi</h1><p>See <a href='/a'>a</a></p>", { baseUrl: "https://x.dev/" });
 * // "# Hi\n\nSee [a](https://x.dev/a)"
 * ```
 */
export async function htmlToMarkdown(html: string, options: HtmlOptions = {}): Promise<string> {
  return (await convertHtml(html, { ...options, format: "markdown" })).text;
}

/** Converts an HTML page to readable plain text; see {@link convertHtml}. */
export async function htmlToText(html: string, options: HtmlOptions = {}): Promise<string> {
  return (await convertHtml(html, { ...options, format: "text" })).text;
}

// ---------------------------------------------------------------------------------------------------
// Querying a page (search results): node-html-parser's light DOM with CSS selectors.

const importParser = () => import("node-html-parser");

let parserModule: ReturnType<typeof importParser> | undefined;

/** A parsed HTML document, as returned by {@link parseHtml}. */
export type HtmlDocument = HTMLElement;

/**
 * Parses HTML into a light DOM that supports `querySelectorAll` with class selectors. Meant for small,
 * known pages (search results): the parser slows down on pages with tens of thousands of siblings.
 */
export async function parseHtml(html: string): Promise<HtmlDocument> {
  const { parse } = await (parserModule ??= importParser());
  // The parser would keep a doctype or an XML declaration as text.
  const body = html.replace(/^\s*<\?xml[^>]*>/i, "").replace(/<!doctype[^>]*>/i, "");
  return parse(body, {
    comment: false,
    lowerCaseTagName: true,
    blockTextElements: { script: true, style: true, noscript: true, template: true },
  });
}

/** The text content of an element with its whitespace collapsed, as a reader sees it on one line. */
export function inlineText(element: HtmlDocument): string {
  return element.text.replace(/\s+/g, " ").trim();
}
