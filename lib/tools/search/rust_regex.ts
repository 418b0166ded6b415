/**
 * ripgrep's regular expressions (the dialect of Rust's `regex` crate) rewritten for JavaScript's
 * `RegExp` with the `v` flag, so that the native engine reads a pattern the way ripgrep does:
 *
 * - `\d`, `\w`, `\s` and `\b` are Unicode-aware (`\d` is any decimal digit, `\w` includes letters with
 *   accents, `\b` sees `é` as part of a word); `(?-u)` makes them ASCII again.
 * - Inline flags `(?i)`, `(?x)`, `(?s)`, `(?m)`, `(?U)`, `(?u)`, with `-` to turn one off, anywhere in a
 *   group and as `(?flags:...)`; `i` becomes a JavaScript modifier group, `x` (spaces and `#` comments
 *   ignored) is applied here, and the rest cannot change which lines match.
 * - POSIX classes (`[[:alpha:]]`), nested classes with `&&`, `--` and `~~`, `\x{...}`/`\u{...}`/`\U...`
 *   code points, `\A`, `\z`, `(?P<name>...)`, and `\p{...}` with Rust's loose property names.
 *
 * JavaScript's own extras that ripgrep lacks (look-around, back-references) pass through, since the
 * native engine answers when ripgrep cannot. A construct neither side has is refused with an error
 * naming it and saying what to write instead.
 * @module
 */

import { propertyEscape } from "./_unicode_properties.ts";

/** Rust's `\w`: letters (with their marks), decimal digits, connector punctuation and joiners. */
const WORD = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}";
const BOUNDARY = `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`;
const NOT_BOUNDARY = `(?:(?<=[${WORD}])(?=[${WORD}])|(?<![${WORD}])(?![${WORD}]))`;
const WORD_START = `(?:(?<![${WORD}])(?=[${WORD}]))`;
const WORD_END = `(?:(?<=[${WORD}])(?![${WORD}]))`;

/** Perl classes as members of a class (`v` flag syntax), Unicode and ASCII. */
const PERL: Record<string, [unicode: string, ascii: string]> = {
  d: ["\\p{Nd}", "0-9"],
  D: ["\\P{Nd}", "[^0-9]"],
  s: ["\\p{White_Space}", "\\t\\n\\v\\f\\r\\x20"],
  S: ["\\P{White_Space}", "[^\\t\\n\\v\\f\\r\\x20]"],
  w: [WORD, "0-9A-Za-z_"],
  W: [`[^${WORD}]`, "[^0-9A-Za-z_]"],
};

/** POSIX classes, ASCII only as in Rust. */
const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t\\x20",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "\\x21-\\x7E",
  lower: "a-z",
  print: "\\x20-\\x7E",
  punct: "\\x21-\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\x7E",
  space: "\\t\\n\\v\\f\\r\\x20",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/** Escapes that stand for one character, as Rust reads them. */
const CONTROL: Record<string, number> = { a: 0x07, f: 0x0c, t: 0x09, n: 0x0a, r: 0x0d, v: 0x0b };

/** Escapes neither dialect has, with what to write instead. */
const INSTEAD: Record<string, string> = {
  Z: "use \\z or $ for the end of the line",
  h: "use [ \\t] or [[:blank:]] for a space or tab",
  R: "lines are searched one at a time, without their line ending; use $ for the end of the line",
  N: "use . for any character",
  K: "use a look-behind such as (?<=prefix) instead",
  G: "remove it; each line is searched on its own",
  X: "use . for one character, or \\p{M}* after it for combining marks",
  Q: "set literal to true to search for text as written",
  E: "set literal to true to search for text as written",
  C: "use . for one character",
  c: "write the control character as \\x{..}",
  o: "write the character as \\x{..}",
  l: "set ignoreCase to true, or write a class such as [aA]",
  L: "set ignoreCase to true, or write a class such as [aA]",
  u: "write \\u{HEX} or \\uHHHH",
  U: "write \\U{HEX} or \\UHHHHHHHH",
};

/** Characters with a meaning in a JavaScript pattern outside a class. */
const SYNTAX = new Set("\\^$.*+?()[]{}|/");

interface Flags {
  /** Case-insensitive; undefined: as the whole expression's flag says. */
  i: boolean | undefined;
  /** Verbose: whitespace and `#` comments ignored. */
  x: boolean;
  /** Unicode classes (on by default). */
  u: boolean;
}

function hex(code: number): string {
  return code.toString(16).toUpperCase();
}

/** One character outside a class. */
function literal(code: number): string {
  if (code === 0x0a) {
    throw new SyntaxError(
      "a line ending (\\n) never matches: grep searches one line at a time, so search for text within a line",
    );
  }
  const char = String.fromCodePoint(code);
  if (SYNTAX.has(char)) return `\\${char}`;
  return code < 0x20 || code === 0x7f ? `\\x${hex(code).padStart(2, "0")}` : char;
}

/** One character inside a class (the `v` flag reserves most punctuation there). */
function member(code: number): string {
  return /^[0-9A-Za-z]$/.test(String.fromCodePoint(code)) ? String.fromCodePoint(code) : `\\u{${hex(code)}}`;
}

/** A class member: a character (which may start a range) or a set of characters. */
type Item = { code: number } | { set: string };

class Translator {
  pos = 0;
  readonly names = new Map<string, string>();

  constructor(readonly src: string) {}

  fail(what: string): never {
    throw new SyntaxError(what);
  }

  peek(offset = 0): string {
    return this.src[this.pos + offset] ?? "";
  }

  /** Skips spaces and `#` comments in verbose mode. */
  space(flags: Flags): void {
    if (!flags.x) return;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (/\p{White_Space}/u.test(c)) this.pos++;
      else if (c === "#") {
        while (this.pos < this.src.length && this.src[this.pos] !== "\n") this.pos++;
      } else return;
    }
  }

  /** Translates a sequence of alternatives up to a `)` or the end. */
  alternatives(outer: Flags): string {
    let flags = { ...outer };
    let out = "";
    // Modifier groups opened by inline flags in the current alternative.
    let open = 0;
    while (true) {
      this.space(flags);
      if (this.pos >= this.src.length || this.peek() === ")") break;
      const c = this.peek();
      if (c === "|") {
        this.pos++;
        out += `${")".repeat(open)}|`;
        open = 0;
        // Flags set earlier in a group hold in its later alternatives too.
        if (flags.i !== outer.i) {
          out += flags.i ? "(?i:" : "(?-i:";
          open = 1;
        }
        continue;
      }
      if (c === "(" && this.peek(1) === "?") {
        const set = this.flagSet(flags);
        if (set !== null) {
          if (set.scoped) {
            out += (set.flags.i === flags.i ? "(?:" : set.flags.i ? "(?i:" : "(?-i:") +
              this.alternatives(set.flags) + this.close();
            out += this.quantifier(flags);
          } else {
            if (set.flags.i !== flags.i) {
              out += set.flags.i ? "(?i:" : "(?-i:";
              open++;
            }
            flags = set.flags;
          }
          continue;
        }
      }
      out += this.atom(flags) + this.quantifier(flags);
    }
    return out + ")".repeat(open);
  }

  close(): string {
    if (this.peek() !== ")") {
      this.fail('a group is not closed; add ")" or write \\( for a literal parenthesis');
    }
    this.pos++;
    return ")";
  }

  /** Parses `(?flags)` or `(?flags:` at the cursor, or returns null for another kind of group. */
  flagSet(flags: Flags): { flags: Flags; scoped: boolean } | null {
    const match = /^\(\?([a-zA-Z-]*)([:)])/.exec(this.src.slice(this.pos, this.pos + 20));
    if (match === null || (match[1] === "" && match[2] === ":")) return null;
    const text = match[1];
    if (text === "" || text === "-" || text.endsWith("-") || text.indexOf("-") !== text.lastIndexOf("-")) {
      this.fail(`the flag group "${match[0]}" is malformed; write flags such as (?i) or (?-i)`);
    }
    const next = { ...flags };
    let on = true;
    for (const flag of text) {
      if (flag === "-") on = false;
      else if (flag === "i") next.i = on;
      else if (flag === "x") next.x = on;
      else if (flag === "u") next.u = on;
      else if (!"msU".includes(flag)) {
        this.fail(`the inline flag "${flag}" is not supported; the flags are i, m, s, x, u and U`);
      }
      // m, s and U cannot change which lines match: a line holds no line ending.
    }
    this.pos += match[0].length;
    return { flags: next, scoped: match[2] === ":" };
  }

  quantifier(flags: Flags): string {
    this.space(flags);
    const c = this.peek();
    let out: string;
    if (c === "*" || c === "+" || c === "?") {
      this.pos++;
      out = c;
    } else if (c === "{") {
      const match = /^\{\s*(\d+)\s*(?:(,)\s*(\d*)\s*)?\}/.exec(this.src.slice(this.pos));
      if (match === null) {
        this.fail('"{" must start a repetition such as {2} or {1,3}; write \\{ for a literal brace');
      }
      this.pos += match[0].length;
      const [, min, comma, max] = match;
      if (max !== undefined && max !== "" && Number(max) < Number(min)) {
        this.fail(`the repetition {${min},${max}} has its bounds reversed; write {${max},${min}}`);
      }
      out = `{${min}${comma ?? ""}${max ?? ""}}`;
    } else return "";
    this.space(flags);
    if (this.peek() === "?") {
      this.pos++;
      out += "?";
    }
    return out;
  }

  atom(flags: Flags): string {
    const c = this.peek();
    if (c === "(") return this.group(flags);
    if (c === "[") return this.charClass(flags);
    if (c === "\\") return this.escape(flags);
    this.pos++;
    if (c === "." || c === "^" || c === "$") return c;
    if (c === "*" || c === "+" || c === "?" || c === "{") {
      this.fail(`"${c}" repeats nothing here; write \\${c} for the character itself`);
    }
    const code = this.src.codePointAt(this.pos - 1)!;
    if (code > 0xffff) this.pos++;
    return literal(code);
  }

  group(flags: Flags): string {
    const rest = this.src.slice(this.pos, this.pos + 4);
    let head: string;
    if (!rest.startsWith("(?")) {
      this.pos++;
      head = "(";
    } else if (rest.startsWith("(?:")) {
      this.pos += 3;
      head = "(?:";
    } else if (/^\(\?(?:[=!]|<[=!])/.test(rest)) {
      head = rest.startsWith("(?<") ? rest.slice(0, 4) : rest.slice(0, 3);
      this.pos += head.length;
    } else if (rest.startsWith("(?P<") || rest.startsWith("(?<")) {
      this.pos += rest.startsWith("(?P<") ? 4 : 3;
      const end = this.src.indexOf(">", this.pos);
      if (end < 0) this.fail("a group name is not closed; write (?P<name>...)");
      head = `(?<${this.groupName(this.src.slice(this.pos, end))}>`;
      this.pos = end + 1;
    } else {
      const what = rest.startsWith("(?>")
        ? "atomic groups (?>...) are not supported; use (?:...)"
        : rest.startsWith("(?#")
        ? "comments (?#...) are not supported; remove it, or use (?x) and # comments"
        : rest.startsWith("(?P=")
        ? "(?P=name) is not supported; use \\k<name>"
        : `the group "${rest}..." is not supported; use (...), (?:...), (?P<name>...) or flags such as (?i)`;
      this.fail(what);
    }
    return head + this.alternatives(flags) + this.close();
  }

  groupName(name: string): string {
    if (name === "") this.fail("a group has an empty name; write (?P<name>...)");
    let js = this.names.get(name);
    if (js === undefined) {
      js = /^[\p{ID_Start}_$][\p{ID_Continue}$\u200c\u200d]*$/u.test(name) ? name : `g${this.names.size}_`;
      this.names.set(name, js);
    }
    return js;
  }

  /** Reads `\x..`, `\x{...}`, `\u....`, `\u{...}`, `\U........`, `\U{...}` after the letter. */
  codePoint(letter: string): number {
    let digits: string;
    if (this.peek() === "{") {
      const end = this.src.indexOf("}", this.pos);
      if (end < 0) this.fail(`\\${letter}{ is not closed; write \\${letter}{HEX}`);
      digits = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      const size = letter === "x" ? 2 : letter === "u" ? 4 : 8;
      digits = this.src.slice(this.pos, this.pos + size);
      if (digits.length < size) digits = "";
      this.pos += size;
    }
    const code = /^[0-9a-fA-F]{1,8}$/.test(digits) ? parseInt(digits, 16) : NaN;
    if (!(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) {
      this.fail(`\\${letter}${digits} is not a valid code point; write \\x{HEX} with at most 10FFFF`);
    }
    return code;
  }

  /** Reads a `\p` or `\P` escape after the letter. */
  property(negated: boolean): string {
    let body: string;
    if (this.peek() === "{") {
      const end = this.src.indexOf("}", this.pos);
      if (end < 0) this.fail(`\\${negated ? "P" : "p"}{ is not closed; write \\p{Name}`);
      body = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      body = this.peek();
      this.pos++;
    }
    return propertyEscape(body, negated);
  }

  /** An escape outside a class. */
  escape(flags: Flags): string {
    this.pos++;
    const c = this.peek();
    if (c === "") this.fail("the pattern ends with a lone \\; write \\\\ for a backslash");
    this.pos++;
    if (c in PERL) {
      const set = PERL[c][flags.u ? 0 : 1];
      return set.startsWith("[") || /^\\[pP]\{[^}]*\}$/.test(set) ? set : `[${set}]`;
    }
    if (c === "b") {
      if (this.peek() === "{") return this.boundary(flags);
      return flags.u ? BOUNDARY : "\\b";
    }
    if (c === "B") return flags.u ? NOT_BOUNDARY : "\\B";
    if (c === "<") return WORD_START;
    if (c === ">") return WORD_END;
    if (c === "A") return "^";
    if (c === "z") return "$";
    if (c === "p" || c === "P") return this.property(c === "P");
    if (c === "x" || ((c === "u" || c === "U") && /^[{0-9a-fA-F]/.test(this.peek()))) {
      return literal(this.codePoint(c));
    }
    if (c === "e") return literal(0x1b);
    if (c in CONTROL) return literal(CONTROL[c]);
    if (/^[0-9]$/.test(c)) {
      // A back-reference (JavaScript only); \0 is the NUL character.
      // The group keeps a following digit from joining the number.
      return c === "0" ? "\\x00" : `(?:\\${c})`;
    }
    if (c === "k" && this.peek() === "<") {
      const end = this.src.indexOf(">", this.pos);
      if (end < 0) this.fail("\\k< is not closed; write \\k<name>");
      const name = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
      return `\\k<${this.names.get(name) ?? name}>`;
    }
    const code = this.src.codePointAt(this.pos - 1)!;
    if (code > 0xffff) this.pos++;
    if (code < 0x80 && !/[0-9A-Za-z]/.test(c)) return literal(code);
    const instead = INSTEAD[c];
    this.fail(
      instead === undefined
        ? `\\${String.fromCodePoint(code)} is not a known escape; write the character without the backslash`
        : `\\${c} is not supported; ${instead}`,
    );
  }

  /** `\b{start}`, `\b{end}`, `\b{start-half}`, `\b{end-half}` (newer Rust regex). */
  boundary(flags: Flags): string {
    const end = this.src.indexOf("}", this.pos);
    const kind = end < 0 ? "" : this.src.slice(this.pos + 1, end);
    const word = flags.u ? WORD : "0-9A-Za-z_";
    const forms: Record<string, string> = {
      start: `(?:(?<![${word}])(?=[${word}]))`,
      end: `(?:(?<=[${word}])(?![${word}]))`,
      "start-half": `(?<![${word}])`,
      "end-half": `(?![${word}])`,
    };
    if (!(kind in forms)) this.fail("\\b{ must be \\b{start}, \\b{end}, \\b{start-half} or \\b{end-half}");
    this.pos = end + 1;
    return forms[kind];
  }

  /** A bracketed class, translated to a `v`-flag class. */
  charClass(flags: Flags): string {
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (this.peek() === "^") {
      negated = true;
      this.pos++;
    }
    const operands: string[] = [];
    const ops: string[] = [];
    let union = "";
    let first = true;
    while (true) {
      this.space(flags);
      if (this.pos >= this.src.length) {
        this.fail(
          `the class starting "${this.src.slice(start, start + 10)}" is not closed; add "]" or write \\[`,
        );
      }
      const two = this.src.slice(this.pos, this.pos + 2);
      if (this.peek() === "]" && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (two === "&&" || two === "--" || two === "~~") {
        this.pos += 2;
        operands.push(union);
        ops.push(two);
        union = "";
        continue;
      }
      const item = this.classItem(flags);
      if ("set" in item) {
        union += item.set;
        continue;
      }
      // A range: a character, "-", and a character that is not the end of the class.
      this.space(flags);
      if (this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== "-") {
        this.pos++;
        this.space(flags);
        const to = this.classItem(flags);
        if ("set" in to) this.fail("a class range must end with a single character, not a class");
        if (to.code < item.code) {
          const [a, b] = [String.fromCodePoint(item.code), String.fromCodePoint(to.code)];
          this.fail(`the class range "${a}-${b}" runs backwards; write "${b}-${a}"`);
        }
        union += `${member(item.code)}-${member(to.code)}`;
      } else union += member(item.code);
    }
    operands.push(union);
    if (ops.length === 0) return `[${negated ? "^" : ""}${union}]`;
    let expr = `[${operands[0]}]`;
    for (let k = 0; k < ops.length; k++) {
      const next = `[${operands[k + 1]}]`;
      expr = ops[k] === "~~" ? `[[${expr}--${next}][${next}--${expr}]]` : `[${expr}${ops[k]}${next}]`;
    }
    return negated ? `[^${expr}]` : expr;
  }

  classItem(flags: Flags): Item {
    const c = this.peek();
    if (c === "[") {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos, this.pos + 12));
      if (posix !== null && posix[2] in POSIX) {
        this.pos += posix[0].length;
        const set = POSIX[posix[2]];
        return { set: posix[1] ? `[^${set}]` : set };
      }
      return { set: this.charClass(flags) };
    }
    if (c !== "\\") {
      const code = this.src.codePointAt(this.pos)!;
      this.pos += code > 0xffff ? 2 : 1;
      return { code };
    }
    this.pos++;
    const e = this.peek();
    if (e === "") this.fail("the pattern ends with a lone \\; write \\\\ for a backslash");
    this.pos++;
    if (e in PERL) return { set: PERL[e][flags.u ? 0 : 1] };
    if (e === "p" || e === "P") return { set: this.property(e === "P") };
    if (e === "x" || ((e === "u" || e === "U") && /^[{0-9a-fA-F]/.test(this.peek()))) {
      return { code: this.codePoint(e) };
    }
    if (e === "e") return { code: 0x1b };
    if (e in CONTROL) return { code: CONTROL[e] };
    if (e === "b") {
      this.fail("\\b is a word boundary and cannot stand in a class; write \\x08 for a backspace");
    }
    const code = this.src.codePointAt(this.pos - 1)!;
    if (code > 0xffff) this.pos++;
    if (code < 0x80 && !/[0-9A-Za-z]/.test(e)) return { code };
    const instead = INSTEAD[e];
    this.fail(
      instead === undefined
        ? `\\${
          String.fromCodePoint(code)
        } is not a known escape in a class; write the character without the backslash`
        : `\\${e} is not supported; ${instead}`,
    );
  }
}

/**
 * Rewrites a pattern written for ripgrep as the source of an equivalent JavaScript `RegExp`, to be
 * compiled with the `v` flag (and `s`, so that `.` also matches a carriage return as in Rust). Throws
 * a `SyntaxError` whose message names the construct that has no translation and what to use instead;
 * other mistakes surface when the result is compiled.
 * @example new RegExp(translateRegex("(?i)caf\\w"), "sv").test("CAFÉ") // true
 */
export function translateRegex(pattern: string): string {
  const translator = new Translator(pattern);
  const out = translator.alternatives({ i: undefined, x: false, u: true });
  if (translator.pos < pattern.length) {
    translator.fail('a ")" closes no group; remove it or write \\) for a literal parenthesis');
  }
  return out;
}
