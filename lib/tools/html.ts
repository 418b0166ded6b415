/**
 * HTML for the model: pages converted to markdown or to readable plain text, with scripts, styles,
 * navigation and other chrome removed. The parser (node-html-parser) and the markdown converter
 * (turndown with GitHub-flavoured tables) are npm modules loaded on first use, so a run that never
 * fetches a page never pays for them; neither reads the environment, so both work under narrow flags.
 * @module
 */

import type { HTMLElement, Node, TextNode } from "node-html-parser";

/** The part of turndown's API used here (the package ships no types). */
interface Turndown {
  use(plugin: unknown): Turndown;
  turndown(html: string): string;
}

interface TurndownOptions {
  headingStyle: "atx";
  codeBlockStyle: "fenced";
  bulletListMarker: "-";
  emDelimiter: "_";
  hr: "---";
}

const importParser = () => import("node-html-parser");

let parserModule: ReturnType<typeof importParser> | undefined;
let converter: Promise<Turndown> | undefined;

function loadParser(): ReturnType<typeof importParser> {
  return parserModule ??= importParser();
}

async function createConverter(): Promise<Turndown> {
  const [turndown, gfm] = await Promise.all([import("turndown"), import("turndown-plugin-gfm")]);
  const Service = turndown.default as new (options: TurndownOptions) => Turndown;
  const service = new Service({
    headingStyle: "atx",
    codeBlockStyle: "fenced",
    bulletListMarker: "-",
    emDelimiter: "_",
    hr: "---",
  });
  return service.use((gfm as { gfm: unknown }).gfm);
}

/** The HTML-to-markdown converter, created on first use. */
function loadConverter(): Promise<Turndown> {
  return converter ??= createConverter();
}

/** Elements that never carry the content a reader came for. */
const NOISE = [
  "script",
  "style",
  "noscript",
  "template",
  "nav",
  "iframe",
  "svg",
  "canvas",
  "object",
  "embed",
  "button",
  "select",
  "input",
  "textarea",
  "head",
  "link",
  "meta",
];

/** Options for the conversions. */
export interface HtmlOptions {
  /** The page's address; relative links and image sources are made absolute against it (default: left as they are). */
  baseUrl?: string;
}

/** A parsed HTML document, as returned by {@link parseHtml}. */
export type HtmlDocument = HTMLElement;

/**
 * Parses HTML into a light DOM that supports `querySelectorAll` with class selectors. `pre` contents
 * are parsed as elements; scripts and styles are kept as raw text.
 */
export async function parseHtml(html: string): Promise<HtmlDocument> {
  const { parse } = await loadParser();
  // The parser would keep a doctype or an XML declaration as text.
  const body = html.replace(/^\s*<\?xml[^>]*>/i, "").replace(/<!doctype[^>]*>/i, "");
  return parse(body, {
    comment: false,
    lowerCaseTagName: true,
    blockTextElements: { script: true, style: true, noscript: true, template: true },
  });
}

/** Parses the page, drops noise elements and resolves relative links. */
async function prepare(html: string, options: HtmlOptions): Promise<HTMLElement> {
  const root = await parseHtml(html);
  for (const element of root.querySelectorAll(NOISE.join(","))) element.remove();
  for (const pre of root.querySelectorAll("pre")) trimEnd(pre);
  // Inline images can be megabytes of base64; their alt text is all a reader gets from them.
  for (const image of root.querySelectorAll("img[src^='data:']")) {
    const alt = image.getAttribute("alt")?.trim();
    if (alt) image.replaceWith(escapeHtml(alt));
    else image.remove();
  }
  if (options.baseUrl) {
    for (const [selector, attribute] of [["a[href]", "href"], ["img[src]", "src"]] as const) {
      for (const element of root.querySelectorAll(selector)) {
        const value = element.getAttribute(attribute);
        if (value === undefined || value.startsWith("#")) continue;
        try {
          element.setAttribute(attribute, new URL(value, options.baseUrl).href);
        } catch {
          // An unparseable link stays as written.
        }
      }
    }
  }
  return root;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Drops the trailing newline a `pre` usually ends with, so code blocks do not end in a blank line. */
function trimEnd(element: HTMLElement): void {
  for (let node: Node | undefined = element.lastChild; node; node = (node as HTMLElement).lastChild) {
    if (node.nodeType === TEXT_NODE) {
      const text = node as TextNode;
      text.rawText = text.rawText.replace(/\s+$/, "");
      return;
    }
  }
}

/**
 * Converts an HTML page to markdown: headings, links, lists, fenced code blocks and GitHub-style
 * tables. Scripts, styles, navigation and form controls are dropped.
 * @example
 * ```ts
 * const md = await htmlToMarkdown("<h1>Hi</h1><p>See <a href='/a'>a</a></p>", { baseUrl: "https://x.dev/" });
 * // "# Hi\n\nSee [a](https://x.dev/a)"
 * ```
 */
export async function htmlToMarkdown(html: string, options: HtmlOptions = {}): Promise<string> {
  const [root, converter] = await Promise.all([prepare(html, options), loadConverter()]);
  return converter.turndown(root.toString()).trim();
}

/**
 * Converts an HTML page to readable plain text: one paragraph per block, list items marked with `-` or
 * their number, table cells separated by ` | `, preformatted text kept as it is.
 */
export async function htmlToText(html: string, options: HtmlOptions = {}): Promise<string> {
  const root = await prepare(html, options);
  const writer = new TextWriter();
  writer.walk(root);
  return writer.result();
}

/** The text content of an element with its whitespace collapsed, as a reader sees it on one line. */
export function inlineText(element: HtmlDocument): string {
  return element.text.replace(/\s+/g, " ").trim();
}

const BLOCKS = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "body",
  "dd",
  "details",
  "div",
  "dl",
  "dt",
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
  "hr",
  "html",
  "legend",
  "main",
  "ol",
  "p",
  "section",
  "summary",
  "table",
  "ul",
]);

/** Blocks separated by a blank line; the rest (`div`, `li`, `dt`, …) only by a line break. */
const PARAGRAPHS = new Set([
  "article",
  "blockquote",
  "details",
  "dl",
  "figure",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "hr",
  "main",
  "ol",
  "p",
  "section",
  "table",
  "ul",
]);

const TEXT_NODE = 3;
const ELEMENT_NODE = 1;

/** Builds plain text from a DOM walk, collapsing whitespace and placing line breaks between blocks. */
class TextWriter {
  #out = "";
  #breaks = 0;
  #space = false;
  #lineStart = true;
  #indent = "";

  walk(node: Node): void {
    if (node.nodeType === TEXT_NODE) {
      this.#text(node.text);
      return;
    }
    if (node.nodeType !== ELEMENT_NODE) return;
    const element = node as HTMLElement;
    const tag = element.tagName?.toLowerCase() ?? "";
    switch (tag) {
      case "br":
        this.#break(1, true);
        return;
      case "img": {
        const alt = element.getAttribute("alt")?.trim();
        if (alt) this.#text(` ${alt} `);
        return;
      }
      case "pre":
        this.#break(2);
        this.#raw(element.text.replace(/^\n/, "").replace(/\s+$/, ""));
        this.#break(2);
        return;
      case "li":
        this.#listItem(element);
        return;
      case "tr":
        this.#row(element);
        return;
    }
    const nestedList = (tag === "ul" || tag === "ol") && element.parentNode?.tagName?.toLowerCase() === "li";
    const block = BLOCKS.has(tag) ? (PARAGRAPHS.has(tag) && !nestedList ? 2 : 1) : 0;
    if (block) this.#break(block);
    for (const child of element.childNodes) this.walk(child);
    if (block) this.#break(block);
  }

  result(): string {
    return this.#out.replace(/[ \t]+$/gm, "").trim();
  }

  #listItem(element: HTMLElement): void {
    const parent = element.parentNode;
    let marker = "- ";
    if (parent?.tagName?.toLowerCase() === "ol") {
      const items = parent.childNodes.filter((n) =>
        n.nodeType === ELEMENT_NODE && (n as HTMLElement).tagName?.toLowerCase() === "li"
      );
      const start = Number(parent.getAttribute("start") ?? "1");
      marker = `${(Number.isFinite(start) ? start : 1) + items.indexOf(element)}. `;
    }
    this.#break(1);
    this.#text(marker);
    const saved = this.#indent;
    this.#indent = saved + " ".repeat(marker.length);
    for (const child of element.childNodes) this.walk(child);
    this.#indent = saved;
    this.#break(1);
  }

  #row(element: HTMLElement): void {
    const cells = element.childNodes.filter((n): n is HTMLElement => {
      const tag = (n as HTMLElement).tagName?.toLowerCase();
      return n.nodeType === ELEMENT_NODE && (tag === "td" || tag === "th");
    });
    const line = cells.map((cell) => {
      const writer = new TextWriter();
      writer.walk(cell);
      return writer.result().replace(/\s+/g, " ");
    }).join(" | ");
    this.#break(1);
    this.#text(line);
    this.#break(1);
  }

  /** Asks for `count` newlines before the next text; `force` emits a break even on an empty line. */
  #break(count: number, force = false): void {
    if (force) {
      this.#out += "\n";
      this.#lineStart = true;
      this.#space = false;
      return;
    }
    this.#breaks = Math.max(this.#breaks, count);
    this.#space = false;
  }

  #flushBreaks(): void {
    if (this.#breaks > 0 && this.#out !== "") {
      const trailing = this.#out.length - this.#out.replace(/\n+$/, "").length;
      if (this.#breaks > trailing) this.#out += "\n".repeat(this.#breaks - trailing);
      this.#lineStart = true;
    }
    this.#breaks = 0;
  }

  #text(raw: string): void {
    if (raw === "") return;
    const leading = /^\s/.test(raw);
    const trailing = /\s$/.test(raw);
    const text = raw.replace(/\s+/g, " ").trim();
    if (text === "") {
      if (!this.#lineStart) this.#space = true;
      return;
    }
    if (leading && !this.#lineStart) this.#space = true;
    this.#flushBreaks();
    if (this.#lineStart) this.#out += this.#indent;
    else if (this.#space) this.#out += " ";
    this.#out += text;
    this.#lineStart = false;
    this.#space = trailing;
  }

  #raw(text: string): void {
    if (text === "") return;
    this.#flushBreaks();
    if (!this.#lineStart) this.#out += "\n";
    this.#out += text.split("\n").map((line) => this.#indent + line).join("\n");
    this.#lineStart = false;
    this.#space = false;
  }
}
