/**
 * The fast path for front matter: nearly every `SKILL.md` holds only flat `key: plain value` lines
 * (`name`, `description`, `license`, `disable-model-invocation: true`), and reading those needs no YAML
 * library, whose first load costs more than the rest of start-up. This module reads exactly that
 * subset and declines everything else, so the caller hands it to the library; on what it accepts, the
 * result is the one the `yaml` package (YAML 1.2, core schema) gives, as a test checks on many
 * generated texts.
 * @module
 */

/** A simple key at column 0, its colon, and the rest of the line (which is empty or starts with a space). */
const KEY_LINE = /^([A-Za-z0-9_][A-Za-z0-9_.-]*):( .*)?$/;

/**
 * Anything that could make a line mean more than `key: text`: a control or non-printable character, a
 * tab or any white space other than the space, a line separator, a byte-order mark.
 */
const UNSAFE_CHARACTER = /[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}\n]|[^\S \n]|\ufeff/u;

/** Characters that open something other than a plain scalar when they start a value. */
const INDICATORS = "-?:,[]{}#&*!|>'\"%@`";

// The core schema's resolvers for plain scalars, as the `yaml` package (schema/core, schema/common)
// spells them: a value matching one of these is not a string.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOLEAN = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const NUMBER = new RegExp(
  [
    /^0o[0-7]+$/,
    /^[-+]?[0-9]+$/,
    /^0x[0-9a-fA-F]+$/,
    /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
    /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
  ].map((pattern) => pattern.source).join("|"),
);

/** Longer keys than this go to the library, which limits an implicit key to 1024 characters. */
const MAX_KEY = 256;

/**
 * Reads a YAML text made only of blank lines, `#` comment lines and `key: value` lines at column 0
 * whose key is a simple name and whose value is a plain string, `true`/`false` (in the core schema's
 * spellings) or empty (null). Returns null for any other text, including one with a quoted, numeric,
 * null-word or multi-line value, a trailing comment, nesting, a list or a duplicate key: the library
 * reads those, with its errors and our leniency.
 * @example
 * ```ts
 * parseFlatYaml("name: demo\ndescription: Does a thing"); // { name: "demo", description: "Does a thing" }
 * parseFlatYaml("version: 1.0"); // null: a number, left to the library
 * ```
 */
export function parseFlatYaml(source: string): Record<string, string | boolean | null> | null {
  if (UNSAFE_CHARACTER.test(source)) return null;
  const data: Record<string, string | boolean | null> = {};
  for (const line of source.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const match = KEY_LINE.exec(line);
    if (!match) return null;
    const [, key, rest = ""] = match;
    if (key.length > MAX_KEY || key === "__proto__" || !isPlainString(key) || Object.hasOwn(data, key)) {
      return null;
    }
    const value = rest.replace(/^ +| +$/g, "");
    if (value === "") data[key] = null;
    else if (BOOLEAN.test(value)) data[key] = value.toLowerCase() === "true";
    else if (isPlainString(value)) data[key] = value;
    else return null;
  }
  return data;
}

/** Whether a trimmed, single-line text is a plain scalar the core schema reads as that same string. */
function isPlainString(text: string): boolean {
  return !INDICATORS.includes(text[0]) && !text.includes(": ") && !text.includes(" #") &&
    !text.endsWith(":") && !NULL.test(text) && !BOOLEAN.test(text) && !NUMBER.test(text);
}
