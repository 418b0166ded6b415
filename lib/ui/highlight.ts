/**
 * Light syntax colour for code blocks in a colour terminal: comments, strings, numbers and keywords
 * of common languages, one line at a time. A language's pattern is built the first time a block of
 * it is shown, so start-up pays nothing; unknown languages are left plain.
 * @module
 */

import type { Palette } from "./ansi.ts";

/** What a language looks like to the highlighter. */
interface Grammar {
  keywords: string;
  /** Line comment markers. */
  line: string[];
  /** Whether `/* … *\/` block comments exist. */
  block: boolean;
  /** String quotes. */
  quotes: string;
}

const C_LIKE = { line: ["//"], block: true, quotes: `"'` };
const JS_KEYWORDS = "async await break case catch class const continue default delete do else export " +
  "extends false finally for from function if import in instanceof interface let new null of return " +
  "static super switch this throw true try type typeof undefined var void while yield";

const GRAMMARS: Record<string, Grammar> = {
  ts: {
    ...C_LIKE,
    quotes: "\"'`",
    keywords: `${JS_KEYWORDS} as enum implements keyof private public readonly`,
  },
  js: { ...C_LIKE, quotes: "\"'`", keywords: JS_KEYWORDS },
  py: {
    line: ["#"],
    block: false,
    quotes: `"'`,
    keywords: "and as assert async await break class continue def del elif else except False finally for " +
      "from global if import in is lambda None nonlocal not or pass raise return self True try while with yield",
  },
  sh: {
    line: ["#"],
    block: false,
    quotes: `"'`,
    keywords:
      "case do done echo elif else esac exit export fi for function if in local return set then until while",
  },
  rust: {
    ...C_LIKE,
    keywords:
      "as async await break const continue crate else enum false fn for if impl in let loop match mod " +
      "move mut pub ref return self Self static struct super trait true type unsafe use where while",
  },
  go: {
    ...C_LIKE,
    quotes: "\"'`",
    keywords:
      "break case chan const continue default defer else fallthrough false for func go goto if import " +
      "interface map nil package range return select struct switch true type var",
  },
  c: {
    ...C_LIKE,
    keywords:
      "auto bool break case char class const continue default delete do double else enum extern false " +
      "float for if include int long namespace new nullptr private public return short signed sizeof static " +
      "struct switch template this true typedef union unsigned using void volatile while",
  },
  java: {
    ...C_LIKE,
    keywords: "abstract boolean break case catch char class const continue default do double else enum " +
      "extends false final finally float for if implements import int interface long new null package private " +
      "protected public return short static super switch this throw throws true try var void while",
  },
  json: { line: [], block: false, quotes: `"`, keywords: "true false null" },
};

const ALIASES: Record<string, string> = {
  typescript: "ts",
  tsx: "ts",
  javascript: "js",
  jsx: "js",
  mjs: "js",
  python: "py",
  bash: "sh",
  shell: "sh",
  zsh: "sh",
  console: "sh",
  rs: "rust",
  golang: "go",
  cpp: "c",
  "c++": "c",
  h: "c",
  hpp: "c",
  kotlin: "java",
  jsonc: "json",
};

const compiled = new Map<string, RegExp>();

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The language's pattern: groups 1 comment, 2 block comment, 3 string, 4 number, 5 keyword. */
function pattern(language: string): RegExp | undefined {
  const name = ALIASES[language] ?? language;
  const grammar = GRAMMARS[name];
  if (!grammar) return undefined;
  let regex = compiled.get(name);
  if (!regex) {
    const line = grammar.line.length > 0 ? `(?:${grammar.line.map(escape).join("|")}).*` : "(?!)";
    const block = grammar.block ? String.raw`\/\*.*?(?:\*\/|$)` : "(?!)";
    const strings = [...grammar.quotes].map((q) => `${q}(?:[^${q}\\\\]|\\\\.)*(?:${q}|$)`).join("|");
    const keywords = grammar.keywords.split(" ").map(escape).join("|");
    regex = new RegExp(
      `(${line})|(${block})|(${strings})|(\\b\\d[\\w.]*)|(?<![\\w$.])(${keywords})(?![\\w$])`,
      "g",
    );
    compiled.set(name, regex);
  }
  return regex;
}

/** Whether a fence's language is one the highlighter colours. */
export function highlights(language: string): boolean {
  const name = ALIASES[language.toLowerCase()] ?? language.toLowerCase();
  return name in GRAMMARS;
}

/**
 * Colours one line of code. `inComment` says a block comment is open at its start; the returned
 * state says whether one is open at its end.
 */
export function highlightLine(
  line: string,
  language: string,
  options: { palette: Palette; inComment?: boolean },
): { text: string; inComment: boolean } {
  const p = options.palette;
  const regex = pattern(language.toLowerCase());
  if (!regex) return { text: line, inComment: false };
  let out = "";
  let rest = line;
  if (options.inComment) {
    const end = line.indexOf("*/");
    if (end < 0) return { text: p.gray(line), inComment: true };
    out = p.gray(line.slice(0, end + 2));
    rest = line.slice(end + 2);
  }
  let last = 0;
  let inComment = false;
  regex.lastIndex = 0;
  for (const match of rest.matchAll(regex)) {
    out += rest.slice(last, match.index);
    const [text, comment, block, string, number] = match;
    if (comment !== undefined || block !== undefined) {
      out += p.gray(text);
      if (block !== undefined && !block.endsWith("*/")) inComment = true;
    } else if (string !== undefined) out += p.green(text);
    else if (number !== undefined) out += p.yellow(text);
    else out += p.magenta(text);
    last = match.index + text.length;
  }
  return { text: out + rest.slice(last), inComment };
}
