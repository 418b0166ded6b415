/**
 * Front matter: the YAML block between `---` lines at the top of a Markdown file such as `SKILL.md`.
 *
 * Skills load at every start-up, so instead of a full YAML library this holds a small parser for the
 * subset front matter uses: `key: value` mappings (nested by indentation), `- item` lists, plain,
 * single- and double-quoted scalars (which may run over several lines), `|` and `>` block scalars with
 * `-`/`+` chomping, one-line `[a, b]` / `{k: v}` flow collections and `#` comments. Plain values are
 * typed as YAML 1.2 does (`null`, `true`, numbers). Anchors, aliases and tags are reported as errors.
 * One leniency: a plain value may contain `: ` (`description: Use it: when…`), which strict YAML rejects
 * but authors write often.
 * @module
 */

/** A Markdown text split at its front matter. */
export interface FrontMatterSplit {
  /** The YAML text between the `---` lines, or null when the file has no front matter. */
  yaml: string | null;
  /** The Markdown after the closing `---` line (the whole text when there is no front matter). */
  body: string;
  /** The 1-based line of the file where the YAML text starts. */
  yamlLine: number;
}

/** A Markdown text with its front matter parsed. */
export interface FrontMatter {
  /** The parsed mapping; empty when the file has no front matter. */
  data: Record<string, unknown>;
  /** The Markdown after the front matter. */
  body: string;
  /** Whether the text opened with a front matter block. */
  present: boolean;
}

/**
 * Splits a Markdown text at its front matter without parsing the YAML. Line endings are normalised to
 * `\n` and a leading byte-order mark is dropped.
 * @throws {SyntaxError} when an opening `---` line is never closed.
 */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const source = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const lines = source.split("\n");
  if (lines[0].trimEnd() !== "---") return { yaml: null, body: source, yamlLine: 1 };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trimEnd();
    if (line === "---" || line === "...") {
      const body = lines.slice(i + 1).join("\n").replace(/^\n+/, "");
      return { yaml: lines.slice(1, i).join("\n"), body, yamlLine: 2 };
    }
  }
  throw new SyntaxError("the front matter opened with --- is never closed by another --- line");
}

/**
 * Splits a Markdown text at its front matter and parses the YAML.
 * @throws {SyntaxError} naming the file line when the front matter is not valid YAML of the supported
 * subset or is not a mapping.
 * @example
 * ```ts
 * const { data, body } = parseFrontMatter("---\nname: demo\n---\n# Demo\n");
 * // data.name === "demo", body === "# Demo\n"
 * ```
 */
export function parseFrontMatter(text: string): FrontMatter {
  const split = splitFrontMatter(text);
  if (split.yaml === null) return { data: {}, body: split.body, present: false };
  const data = new YamlSubsetParser(split.yaml, split.yamlLine).parseDocument();
  return { data, body: split.body, present: true };
}

/**
 * Parses YAML text of the supported subset into a mapping.
 * @throws {SyntaxError} when the text is not valid YAML of the subset or is not a mapping.
 */
export function parseYamlMapping(yaml: string): Record<string, unknown> {
  return new YamlSubsetParser(yaml.replace(/\r\n?/g, "\n"), 1).parseDocument();
}

interface ContentLine {
  indent: number;
  text: string;
}

const BLANK_OR_COMMENT = /^\s*(#.*)?$/;
const KEY_VALUE =
  /^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s\-?:,[\]{}#&*!|>'"%@`][^#]*?|-[^\s#][^#]*?)\s*:(?:\s|$)/;

class YamlSubsetParser {
  readonly #lines: string[];
  readonly #firstLine: number;
  #i = 0;

  constructor(yaml: string, firstLine: number) {
    this.#lines = yaml.split("\n");
    this.#firstLine = firstLine;
  }

  parseDocument(): Record<string, unknown> {
    const first = this.#peek();
    if (!first) return {};
    if (isSequenceItem(first.text) || !KEY_VALUE.test(first.text)) {
      this.#fail("front matter must be a mapping of `key: value` lines");
    }
    const data = this.#parseMapping(first.indent);
    if (this.#peek()) this.#fail("unexpected indentation");
    return data;
  }

  #fail(message: string, index = this.#i): never {
    throw new SyntaxError(`line ${index + this.#firstLine}: ${message}`);
  }

  /** Skips blank and comment lines and returns the next content line without consuming it. */
  #peek(): ContentLine | null {
    while (this.#i < this.#lines.length) {
      const raw = this.#lines[this.#i];
      if (BLANK_OR_COMMENT.test(raw)) {
        this.#i++;
        continue;
      }
      const indentText = raw.match(/^[ \t]*/)![0];
      if (indentText.includes("\t")) this.#fail("tabs cannot indent YAML; use spaces");
      return { indent: indentText.length, text: raw.slice(indentText.length).trimEnd() };
    }
    return null;
  }

  #parseBlock(indent: number): unknown {
    const line = this.#peek()!;
    return isSequenceItem(line.text) ? this.#parseSequence(indent) : this.#parseMapping(indent);
  }

  #parseMapping(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    for (let line = this.#peek(); line && line.indent >= indent; line = this.#peek()) {
      if (line.indent > indent) this.#fail("unexpected indentation");
      if (isSequenceItem(line.text)) this.#fail("expected `key: value`, found a list item");
      const match = line.text.match(KEY_VALUE);
      if (!match) this.#fail("expected `key: value`");
      const colon = match[0].trimEnd().length - 1;
      this.#i++;
      const key = this.#parseKey(line.text.slice(0, colon).trim());
      if (Object.hasOwn(map, key)) this.#fail(`duplicate key "${key}"`, this.#i - 1);
      map[key] = this.#parseValue(line.text.slice(colon + 1).trim(), indent);
    }
    return map;
  }

  #parseKey(text: string): string {
    if (text.startsWith('"') || text.startsWith("'")) return this.#scanQuoted(text).value;
    return text;
  }

  #parseSequence(indent: number): unknown[] {
    const items: unknown[] = [];
    for (let line = this.#peek(); line && line.indent >= indent; line = this.#peek()) {
      if (line.indent > indent) this.#fail("unexpected indentation");
      if (!isSequenceItem(line.text)) break;
      const content = line.text.slice(1).trimStart();
      if (isSequenceItem(content) || KEY_VALUE.test(content)) {
        // A compact nested block (`- key: value` or `- - item`): read it as if the dash were a space.
        const column = indent + (line.text.length - content.length);
        this.#lines[this.#i] = " ".repeat(column) + content;
        items.push(this.#parseBlock(column));
      } else {
        this.#i++;
        items.push(this.#parseValue(content, indent));
      }
    }
    return items;
  }

  /** Parses the value after `key:` or `- `; continuation lines must be indented past `parentIndent`. */
  #parseValue(rest: string, parentIndent: number): unknown {
    if (rest === "" || rest.startsWith("#")) {
      const next = this.#peek();
      if (!next) return null;
      if (next.indent > parentIndent) return this.#parseBlock(next.indent);
      if (next.indent === parentIndent && isSequenceItem(next.text)) return this.#parseSequence(parentIndent);
      return null;
    }
    const first = rest[0];
    if (first === "|" || first === ">") return this.#parseBlockScalar(rest, parentIndent);
    if (first === '"' || first === "'") return this.#parseQuoted(rest, parentIndent);
    if (first === "[" || first === "{") return this.#parseFlow(rest, parentIndent);
    if ("&*!".includes(first)) {
      this.#fail("anchors, aliases and tags are not supported; write the value out", this.#i - 1);
    }
    if ("%@`".includes(first)) {
      this.#fail(`a plain value cannot start with "${first}"; quote it`, this.#i - 1);
    }
    return this.#parsePlain(rest, parentIndent);
  }

  #parsePlain(rest: string, parentIndent: number): unknown {
    const firstLine = stripComment(rest);
    if (firstLine.length < rest.length) return typedScalar(firstLine);
    let text = firstLine;
    let blanks = 0;
    while (this.#i < this.#lines.length) {
      const raw = this.#lines[this.#i];
      if (raw.trim() === "") {
        blanks++;
        this.#i++;
        continue;
      }
      const indent = raw.length - raw.trimStart().length;
      if (indent <= parentIndent || raw.trimStart().startsWith("#")) break;
      const piece = stripComment(raw.trim());
      text += blanks > 0 ? "\n".repeat(blanks) + piece : " " + piece;
      blanks = 0;
      this.#i++;
      if (piece.length < raw.trim().length) break;
    }
    if (blanks > 0) this.#i -= blanks;
    return text === firstLine ? typedScalar(text) : text;
  }

  #parseQuoted(rest: string, parentIndent: number): string {
    const start = this.#i - 1;
    let text = rest;
    let blanks = 0;
    for (;;) {
      const scanned = this.#scanQuoted(text, true);
      if (scanned) {
        const after = text.slice(scanned.end).trim();
        if (after !== "" && !after.startsWith("#")) {
          this.#fail("unexpected text after a quoted value", this.#i - 1);
        }
        return scanned.value;
      }
      const raw = this.#lines[this.#i];
      if (raw === undefined) this.#fail("unterminated quoted value", start);
      if (raw.trim() !== "" && raw.length - raw.trimStart().length <= parentIndent) {
        this.#fail("unterminated quoted value", start);
      }
      this.#i++;
      if (raw.trim() === "") {
        blanks++;
        continue;
      }
      text += (blanks > 0 ? "\n".repeat(blanks) : " ") + raw.trim();
      blanks = 0;
    }
  }

  /**
   * Reads a quoted scalar at the start of `text`. When `partial` is set, an unclosed quote returns null
   * (the caller reads more lines); otherwise it is an error.
   */
  #scanQuoted(text: string, partial: true): { value: string; end: number } | null;
  #scanQuoted(text: string, partial?: false): { value: string; end: number };
  #scanQuoted(text: string, partial = false): { value: string; end: number } | null {
    const quote = text[0];
    let value = "";
    for (let k = 1; k < text.length; k++) {
      const c = text[k];
      if (quote === "'") {
        if (c !== "'") value += c;
        else if (text[k + 1] === "'") {
          value += "'";
          k++;
        } else return { value, end: k + 1 };
      } else if (c === '"') {
        return { value, end: k + 1 };
      } else if (c === "\\") {
        const escaped = readEscape(text, k);
        if (!escaped) {
          this.#fail(`unknown escape "\\${text[k + 1] ?? ""}" in a double-quoted value`, this.#i - 1);
        }
        value += escaped.value;
        k = escaped.end - 1;
      } else {
        value += c;
      }
    }
    if (partial) return null;
    return this.#fail("unterminated quoted value", this.#i - 1);
  }

  #parseBlockScalar(header: string, parentIndent: number): string {
    const match = stripComment(header).match(/^([|>])([+-]?)([1-9]?)([+-]?)$/);
    if (!match || (match[2] && match[4])) this.#fail(`invalid block scalar header "${header}"`, this.#i - 1);
    const folded = match[1] === ">";
    const chomp = match[2] || match[4];
    let contentIndent = match[3] ? parentIndent + Number(match[3]) : -1;
    const lines: string[] = [];
    while (this.#i < this.#lines.length) {
      const raw = this.#lines[this.#i];
      if (raw.trim() === "") {
        lines.push("");
        this.#i++;
        continue;
      }
      const indent = raw.length - raw.trimStart().length;
      if (indent <= parentIndent) break;
      if (contentIndent < 0) contentIndent = indent;
      if (indent < contentIndent) {
        this.#fail("a block scalar line is indented less than its first line");
      }
      lines.push(raw.slice(contentIndent));
      this.#i++;
    }
    let trailing = 0;
    while (lines.length > 0 && lines[lines.length - 1] === "") {
      lines.pop();
      trailing++;
    }
    // Blank lines after the scalar belong to whatever follows; hand them back unless `+` keeps them.
    this.#i -= chomp === "+" ? 0 : trailing;
    if (lines.length === 0) return chomp === "+" ? "\n".repeat(trailing) : "";
    const text = folded ? foldLines(lines) : lines.join("\n");
    if (chomp === "-") return text;
    if (chomp === "+") return text + "\n" + "\n".repeat(trailing);
    return text + "\n";
  }

  #parseFlow(rest: string, parentIndent: number): unknown {
    const start = this.#i - 1;
    let text = rest;
    for (;;) {
      const reader = new FlowReader(text);
      const result = reader.read();
      if (result.ok) {
        const after = text.slice(reader.pos).trim();
        if (after !== "" && !after.startsWith("#")) {
          this.#fail("unexpected text after a flow collection", this.#i - 1);
        }
        return result.value;
      }
      if (!result.incomplete) this.#fail(result.message, this.#i - 1);
      const raw = this.#lines[this.#i];
      if (raw === undefined || (raw.trim() !== "" && raw.length - raw.trimStart().length <= parentIndent)) {
        this.#fail("unclosed flow collection", start);
      }
      this.#i++;
      text += " " + raw.trim();
    }
  }
}

function isSequenceItem(text: string): boolean {
  return text === "-" || text.startsWith("- ");
}

/** Drops a ` #` comment from a plain value. */
function stripComment(text: string): string {
  const at = text.search(/\s#/);
  return (at < 0 ? text : text.slice(0, at)).trimEnd();
}

/** Joins the lines of a `>` block scalar: breaks between ordinary lines fold into spaces. */
function foldLines(lines: string[]): string {
  const ordinary = (line: string) => line !== "" && !/^\s/.test(line);
  let out = "";
  for (let k = 0; k < lines.length; k++) {
    out += lines[k];
    if (k === lines.length - 1) break;
    if (!ordinary(lines[k])) {
      out += "\n";
      continue;
    }
    let next = k + 1;
    while (next < lines.length && lines[next] === "") next++;
    if (next < lines.length && ordinary(lines[next])) out += next === k + 1 ? " " : "";
    else out += "\n";
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "0": "\0",
  "a": "\x07",
  "b": "\b",
  "t": "\t",
  "\t": "\t",
  "n": "\n",
  "v": "\v",
  "f": "\f",
  "r": "\r",
  "e": "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  "N": "\x85",
  "_": "\xa0",
  "L": "\u2028",
  "P": "\u2029",
};

function readEscape(text: string, at: number): { value: string; end: number } | null {
  const c = text[at + 1];
  if (c === undefined) return null;
  if (Object.hasOwn(SIMPLE_ESCAPES, c)) return { value: SIMPLE_ESCAPES[c], end: at + 2 };
  const width = c === "x" ? 2 : c === "u" ? 4 : c === "U" ? 8 : 0;
  const hex = text.slice(at + 2, at + 2 + width);
  if (width === 0 || !new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return null;
  return { value: String.fromCodePoint(parseInt(hex, 16)), end: at + 2 + width };
}

/** Types a plain scalar as the YAML 1.2 core schema does. */
function typedScalar(text: string): unknown {
  if (/^(?:|~|null|Null|NULL)$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.slice(2), 8);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(text)) return NaN;
  return text;
}

type FlowResult = { ok: true; value: unknown } | { ok: false; incomplete: boolean; message: string };

/** Reads one flow collection (`[a, b]`, `{k: v}`) of scalars and nested flow collections. */
class FlowReader {
  pos = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  read(): FlowResult {
    try {
      return { ok: true, value: this.#value("") };
    } catch (error) {
      if (error instanceof FlowIncomplete) return { ok: false, incomplete: true, message: "" };
      if (error instanceof SyntaxError) return { ok: false, incomplete: false, message: error.message };
      throw error;
    }
  }

  #skipSpace(): void {
    while (this.pos < this.#text.length && /\s/.test(this.#text[this.pos])) this.pos++;
    if (this.#text[this.pos] === "#") throw new SyntaxError("a comment cannot sit inside a flow collection");
  }

  /** Reads a value ending at one of `stops`; a key (`isKey`) also ends at a colon followed by a space. */
  #value(stops: string, isKey = false): unknown {
    this.#skipSpace();
    const c = this.#text[this.pos];
    if (c === undefined) throw new FlowIncomplete();
    if (c === "[") return this.#sequence();
    if (c === "{") return this.#mapping();
    if (c === '"' || c === "'") return this.#quoted();
    let end = this.pos;
    while (end < this.#text.length && !stops.includes(this.#text[end])) {
      if (isKey && this.#text[end] === ":" && /[\s,[\]{}]/.test(this.#text[end + 1] ?? " ")) break;
      end++;
    }
    const raw = this.#text.slice(this.pos, end).trim();
    this.pos = end;
    if ("&*!".includes(raw[0] ?? "")) throw new SyntaxError("anchors, aliases and tags are not supported");
    return typedScalar(raw);
  }

  #quoted(): string {
    const quote = this.#text[this.pos];
    let value = "";
    for (let k = this.pos + 1; k < this.#text.length; k++) {
      const c = this.#text[k];
      if (quote === "'" && c === "'") {
        if (this.#text[k + 1] === "'") {
          value += "'";
          k++;
          continue;
        }
        this.pos = k + 1;
        return value;
      }
      if (quote === '"' && c === '"') {
        this.pos = k + 1;
        return value;
      }
      if (quote === '"' && c === "\\") {
        const escaped = readEscape(this.#text, k);
        if (!escaped) throw new SyntaxError("unknown escape in a double-quoted value");
        value += escaped.value;
        k = escaped.end - 1;
        continue;
      }
      value += c;
    }
    throw new FlowIncomplete();
  }

  #sequence(): unknown[] {
    this.pos++;
    const items: unknown[] = [];
    for (;;) {
      this.#skipSpace();
      if (this.pos >= this.#text.length) throw new FlowIncomplete();
      if (this.#text[this.pos] === "]") {
        this.pos++;
        return items;
      }
      items.push(this.#value(",]"));
      this.#skipSpace();
      const c = this.#text[this.pos];
      if (c === ",") this.pos++;
      else if (c !== "]") {
        if (c === undefined) throw new FlowIncomplete();
        throw new SyntaxError(`expected "," or "]" in a flow list, found "${c}"`);
      }
    }
  }

  #mapping(): Record<string, unknown> {
    this.pos++;
    const map: Record<string, unknown> = {};
    for (;;) {
      this.#skipSpace();
      if (this.pos >= this.#text.length) throw new FlowIncomplete();
      if (this.#text[this.pos] === "}") {
        this.pos++;
        return map;
      }
      const key = String(this.#value(",}", true));
      this.#skipSpace();
      let value: unknown = null;
      if (this.#text[this.pos] === ":") {
        this.pos++;
        value = this.#value(",}");
        this.#skipSpace();
      }
      if (Object.hasOwn(map, key)) throw new SyntaxError(`duplicate key "${key}"`);
      map[key] = value;
      const c = this.#text[this.pos];
      if (c === ",") this.pos++;
      else if (c !== "}") {
        if (c === undefined) throw new FlowIncomplete();
        throw new SyntaxError(`expected "," or "}" in a flow mapping, found "${c}"`);
      }
    }
  }
}

class FlowIncomplete extends Error {}
