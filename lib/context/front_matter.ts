/**
 * Front matter: the YAML block between `---` lines at the top of a Markdown file such as `SKILL.md`.
 *
 * Flat `key: plain value` blocks, which nearly every `SKILL.md` has, are read by a small fast path
 * (flat_yaml.ts) that gives what the library would. Anything else is parsed by the `yaml` package,
 * loaded on the first file that needs it, so a start-up with only flat skills never loads it. On top
 * of the library: errors become one line naming the file line; anchors, aliases and tags are refused
 * (front matter has no use for them, and refusing them rules out alias bombs and tag-built objects);
 * keys must be scalars. One leniency, which the Agent Skills guidance recommends for files written for
 * other clients: a plain value holding `: ` (`description: Use it: when…`), which strict YAML rejects,
 * is read as if it were quoted.
 * @module
 */

import type { Document, Node, YAMLError } from "yaml";
import { parseFlatYaml } from "./flat_yaml.ts";

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

type YamlModule = typeof import("yaml");
let yamlModule: Promise<YamlModule> | undefined;

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
 * @throws {SyntaxError} naming the file line when the front matter is not valid YAML, uses anchors,
 * aliases or tags, or is not a mapping.
 * @example
 * ```ts
 * const { data, body } = await parseFrontMatter("---\nname: demo\n---\n# Demo\n");
 * // data.name === "demo", body === "# Demo\n"
 * ```
 */
export async function parseFrontMatter(text: string): Promise<FrontMatter> {
  const split = splitFrontMatter(text);
  if (split.yaml === null) return { data: {}, body: split.body, present: false };
  const data = await parseYamlMapping(split.yaml, { firstLine: split.yamlLine });
  return { data, body: split.body, present: true };
}

/**
 * Parses YAML text into a mapping (an empty text gives an empty mapping).
 * @param options.firstLine the file line the text starts on, for error messages (default 1).
 * @throws {SyntaxError} when the text is not valid YAML, uses anchors, aliases or tags, or is not a
 * mapping.
 */
export async function parseYamlMapping(
  yaml: string,
  options: { firstLine?: number } = {},
): Promise<Record<string, unknown>> {
  let source = yaml.replace(/\r\n?/g, "\n");
  if (source.trim() === "") return {};
  const flat = parseFlatYaml(source);
  if (flat) return flat;
  const lib = await (yamlModule ??= import("yaml"));
  for (;;) {
    const reading = readMapping(lib, source);
    if (!("problem" in reading)) return reading.data;
    const { problem } = reading;
    // The leniency: quote the value that strict YAML read as a nested mapping, and try again. Each
    // round quotes another line, so this ends.
    const quoted = problem.colonValue ? quoteValue(source, problem.line) : null;
    if (quoted === null) {
      throw new SyntaxError(`line ${problem.line + (options.firstLine ?? 1) - 1}: ${problem.message}`);
    }
    source = quoted;
  }
}

/** What is wrong with a YAML text: its 1-based line and a message. */
interface Problem {
  line: number;
  message: string;
  /** Whether a plain value holding `: ` may be the cause (strict YAML reads it as a nested mapping). */
  colonValue?: boolean;
}

type Reading = { data: Record<string, unknown> } | { problem: Problem };

function readMapping(lib: YamlModule, source: string): Reading {
  const lineCounter = new lib.LineCounter();
  const doc = lib.parseDocument(source, { lineCounter, prettyErrors: false, logLevel: "error" });
  const found = doc.errors.length > 0
    ? describeError(lib, doc, doc.errors[0], source)
    : findRefused(lib, doc, source) ?? notMapping(lib, doc);
  if (!found) return { data: (doc.toJS() ?? {}) as Record<string, unknown> };
  const { at, ...problem } = found;
  return { problem: { line: lineCounter.linePos(at).line, ...problem } };
}

function notMapping(lib: YamlModule, doc: Document): { at: number; message: string } | null {
  if (doc.contents === null || lib.isMap(doc.contents)) return null;
  return {
    at: doc.contents.range?.[0] ?? 0,
    message: "front matter must be a mapping of `key: value` lines",
  };
}

/** The first anchor, alias, tag or collection key in the document, with its offset. */
function findRefused(lib: YamlModule, doc: Document, source: string): { at: number; message: string } | null {
  let found: { at: number; message: string } | null = null;
  const refuse = "anchors, aliases and tags are not supported; write the value out";
  lib.visit(doc, {
    Pair(_, pair) {
      if (!lib.isCollection(pair.key)) return;
      found = { at: pair.key.range?.[0] ?? 0, message: "a key must be plain text, not a list or mapping" };
      return lib.visit.BREAK;
    },
    Node(_, node) {
      const start = node.range?.[0] ?? 0;
      // An anchor or a tag stands before the node's range, possibly on the line above.
      if (lib.isAlias(node)) found = { at: start, message: refuse };
      else if (node.anchor) {
        found = { at: Math.max(0, source.lastIndexOf(`&${node.anchor}`, start)), message: refuse };
      } else if (node.tag) found = { at: Math.max(0, source.lastIndexOf("!", start)), message: refuse };
      return found ? lib.visit.BREAK : undefined;
    },
  });
  return found;
}

/** Turns the library's error into a line and a message in the project's voice. */
function describeError(
  lib: YamlModule,
  doc: Document,
  error: YAMLError,
  source: string,
): { at: number; message: string; colonValue?: boolean } {
  const [at, end] = error.pos;
  const text = error.message.replace(/\s*\n\s*/g, " ");
  const nodes = allNodes(lib, doc);
  // An unclosed quote or bracket is noticed where the text runs out; report where it opens.
  const opening = (test: (node: Node) => boolean) =>
    nodes.findLast((node) => node.range![0] < at && test(node))?.range?.[0] ?? at;
  if (error.code === "MISSING_CHAR" && text.includes("quote")) {
    const open = opening((node) => lib.isScalar(node) && node.type?.startsWith("QUOTE_") === true);
    return { at: open, message: "unterminated quoted value; close the quote" };
  }
  const closer = text.match(/end with an? ([\]}])$/)?.[1];
  if (closer) {
    const open = opening((node) => lib.isCollection(node) && node.flow === true);
    return { at: open, message: `unclosed flow collection; close it with ${closer}` };
  }
  if (error.code === "DUPLICATE_KEY") {
    const key = nodes.find((node) => lib.isScalar(node) && node.range![0] === at);
    const name = lib.isScalar(key) ? ` "${String(key.value)}"` : "";
    return { at, message: `duplicate key${name}; keep only one` };
  }
  if (error.code === "TAB_AS_INDENT") return { at, message: "tabs cannot indent YAML; use spaces" };
  if (error.code === "UNEXPECTED_TOKEN") {
    const extra = source.slice(at, end).trim();
    const what = extra === "" ? "unexpected text" : `unexpected text "${extra}"`;
    return { at, message: `${what} after the end of a value; quote the whole value or remove it` };
  }
  if (error.code === "BLOCK_AS_IMPLICIT_KEY" && text.startsWith("Nested mappings")) {
    return { at, message: `${lowerFirst(text)}; put a value holding ": " in quotes`, colonValue: true };
  }
  return { at, message: lowerFirst(text) };
}

/** Every node of the document that has a range, in source order. */
function allNodes(lib: YamlModule, doc: Document): Node[] {
  const nodes: Node[] = [];
  lib.visit(doc, (_, node) => {
    if (lib.isNode(node) && node.range) nodes.push(node);
  });
  return nodes.sort((a, b) => a.range![0] - b.range![0]);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Rewrites the `key: plain value` on 1-based `line` as a double-quoted value over the same lines, or
 * returns null when that line holds no such value with `: ` in it. Folding is the same for plain and
 * double-quoted values, so the value reads as the author meant, and line numbers do not move.
 */
function quoteValue(source: string, line: number): string | null {
  const lines = source.split("\n");
  const match = lines[line - 1]?.match(/^( *(?:- +)?)([A-Za-z0-9_][\w.-]*):[ \t]+([^\s"'[{|>&*!%@`#].*)$/);
  if (!match) return null;
  const indent = match[1].length;
  // The value runs on over blank lines and lines indented past its key, up to a comment.
  let last = line - 1;
  for (let j = line; j < lines.length; j++) {
    const text = lines[j];
    if (text.trim() === "") continue;
    if (text.length - text.trimStart().length <= indent || text.trimStart().startsWith("#")) break;
    last = j;
  }
  const value = [match[3], ...lines.slice(line, last + 1)];
  const comment = value.findIndex((text) => /\s#/.test(text));
  if (comment >= 0) {
    value.length = comment + 1;
    value[comment] = value[comment].replace(/\s+#.*$/, "");
  }
  if (!value.some((text) => /:(\s|$)/.test(text.trim()))) return null;
  const quoted = value.map((text) => text.replaceAll("\\", "\\\\").replaceAll('"', '\\"'));
  quoted[0] = `${match[1]}${match[2]}: "${quoted[0]}`;
  quoted[quoted.length - 1] = `${quoted[quoted.length - 1].trimEnd()}"`;
  lines.splice(line - 1, quoted.length, ...quoted);
  return lines.join("\n");
}
