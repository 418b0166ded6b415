/**
 * Finding an edit's `oldText` in a file: exactly first, then tolerantly (Unicode compatibility forms,
 * trailing whitespace, smart quotes, dashes, special spaces), and, when neither finds it, the region
 * that looks most like it. Works on text whose line endings are `\n`.
 * @module
 */

/** A located edit: the text in `[start, end)` of the searched content becomes `text`. */
export interface Replacement {
  start: number;
  end: number;
  text: string;
  /** True when only the tolerant pass found the old text. */
  tolerant: boolean;
  /**
   * For a tolerant match: what differed between the old text and the file, in words (`"smart
   * quotes"`, `"trailing whitespace"`), in a fixed order.
   */
  normalised?: string[];
}

/** The result of looking for one `oldText`. */
export type MatchOutcome =
  | { kind: "found"; replacement: Replacement }
  /**
   * Found in `count` places; `lines` holds the first few distinct 1-based line numbers, `more` says
   * whether other lines hold matches too.
   */
  | { kind: "ambiguous"; count: number; lines: number[]; more: boolean }
  /**
   * Found only after normalising, at a place where keeping the rest of line `line` (1-based) as it is
   * was not possible, and rewriting it would change its letters or digits.
   */
  | { kind: "unsafe"; line: number }
  | { kind: "missing" };

/** The region of a file most similar to a text that was not found. Lines are 1-based. */
export interface ClosestRegion {
  startLine: number;
  endLine: number;
  lines: string[];
  /** Mean similarity of the region's lines to the searched lines, 0 to 1. */
  score: number;
}

const SINGLE_QUOTES = /[\u2018\u2019\u201A\u201B]/g;
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F]/g;
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;
const SPACES = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;

/** How many match positions an ambiguity report names. */
const REPORTED_LINES = 5;
/** Lines of a long line mapped character by character before falling back to the normalised form. */
const MAX_MAPPED_LINE = 4000;
/** Line comparisons the closest-region search may spend. */
const SIMILARITY_BUDGET = 400_000;

/**
 * Folds the character-level differences models introduce: NFKC, smart quotes to ASCII quotes,
 * Unicode dashes to `-`, special spaces to a plain space. Keeps line breaks where they are.
 * @example
 * ```ts
 * normalizeChars("\u201Chi\u201D \u2014 there"); // '"hi" - there'
 * ```
 */
export function normalizeChars(text: string): string {
  return text.normalize("NFKC")
    .replace(SINGLE_QUOTES, "'")
    .replace(DOUBLE_QUOTES, '"')
    .replace(DASHES, "-")
    .replace(SPACES, " ");
}

/** The letters and digits of a text, in order: what a normalisation outside the edit must not change. */
function lettersAndDigits(text: string): string {
  return text.replace(/[^\p{L}\p{N}]+/gu, "");
}

const COMPARED: readonly [string, RegExp][] = [
  ["smart quotes", /[\u2018\u2019\u201A\u201B\u201C\u201D\u201E\u201F]/g],
  ["Unicode dashes", DASHES],
  ["special spaces", SPACES],
];

function tally(text: string, pattern: RegExp): string {
  return (text.match(pattern) ?? []).sort().join("");
}

/** The characters of `text` that NFKC rewrites and the other classes do not cover, sorted. */
function compatibilityChars(text: string): string {
  const found: string[] = [];
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80 || char.normalize("NFKC") === char) continue;
    if (COMPARED.some(([, pattern]) => char.match(pattern) !== null)) continue;
    found.push(char);
  }
  return found.sort().join("");
}

function trailingSpace(text: string): string {
  return text.split("\n").map((line) => line.slice(line.trimEnd().length)).join("\n");
}

/**
 * What tells the file's text `found` from the text the model gave, `given`, when they are equal in
 * tolerant form: the kinds of character each holds a different number of, and trailing whitespace.
 * @example whatDiffered("a \u2014 \u201Cb\u201D", 'a - "b"') // ["smart quotes", "Unicode dashes"]
 */
export function whatDiffered(found: string, given: string): string[] {
  const kinds: string[] = [];
  for (const [name, pattern] of COMPARED) {
    if (tally(found, pattern) !== tally(given, pattern)) kinds.push(name);
  }
  if (compatibilityChars(found) !== compatibilityChars(given)) {
    kinds.push("compatibility forms (full-width characters, ligatures and the like)");
  }
  if (trailingSpace(found) !== trailingSpace(given)) kinds.push("trailing whitespace");
  return kinds;
}

/** One line in tolerant form: {@link normalizeChars} without trailing whitespace. */
export function normalizeLine(line: string): string {
  return normalizeChars(line).trimEnd();
}

/**
 * The distinct 1-based lines where `needle` starts in `haystack`, at most `max` of them, and whether
 * it starts on further lines too.
 */
function matchLines(haystack: string, needle: string, max: number): { lines: number[]; more: boolean } {
  const starts = lineStarts(haystack);
  const lines: number[] = [];
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) {
    const line = lineIndexAt(starts, i) + 1;
    if (lines.at(-1) === line) continue;
    if (lines.length === max) return { lines, more: true };
    lines.push(line);
  }
  return { lines, more: false };
}

function countPositions(haystack: string, needle: string): number {
  let count = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) count++;
  return count;
}

/** Start offsets of every line of `text` (split on `\n`). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** Index of the line holding `offset`, given the lines' start offsets. */
export function lineIndexAt(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Where the tolerant form of `line` reaches `length` units, found by normalising one code point at a
 * time (linear), from the start or, with `fromEnd`, from the end; -1 when no code point ends there.
 */
function walkTo(line: string, length: number, fromEnd: boolean): number {
  const chars = [...line];
  let produced = 0;
  let offset = fromEnd ? line.length : 0;
  if (produced === length) return offset;
  for (let i = 0; i < chars.length; i++) {
    const char = chars[fromEnd ? chars.length - 1 - i : i];
    produced += normalizeChars(char).length;
    offset += fromEnd ? -char.length : char.length;
    if (produced === length) return offset;
    if (produced > length) return -1;
  }
  return -1;
}

/** Where in `line` a prefix whose tolerant form is `wanted` ends, or -1 if no cut gives it. */
function prefixEnd(line: string, wanted: string): number {
  if (normalizeChars(line.slice(0, wanted.length)) === wanted) return wanted.length;
  const cut = walkTo(line, wanted.length, false);
  if (cut >= 0 && normalizeChars(line.slice(0, cut)) === wanted) return cut;
  if (line.length > MAX_MAPPED_LINE) return -1;
  for (let k = 0; k <= line.length; k++) {
    if (normalizeChars(line.slice(0, k)) === wanted) return k;
  }
  return -1;
}

/** Where in `line` a suffix whose tolerant form is `wanted` starts, or -1 if no cut gives it. */
function suffixStart(line: string, wanted: string): number {
  const trimmed = line.trimEnd();
  const guess = trimmed.length - wanted.length;
  if (guess >= 0 && normalizeLine(line.slice(guess)) === wanted) return guess;
  const cut = walkTo(trimmed, wanted.length, true);
  if (cut >= 0 && normalizeLine(line.slice(cut)) === wanted) return cut;
  if (line.length > MAX_MAPPED_LINE) return -1;
  for (let k = line.length; k >= 0; k--) {
    if (normalizeLine(line.slice(k)) === wanted) return k;
  }
  return -1;
}

/**
 * Finds edits' old texts in one content. The tolerant form of the content is computed once, on the
 * first edit that needs it.
 */
export class EditMatcher {
  readonly #content: string;
  #lines?: string[];
  #starts?: number[];
  #normLines?: string[];
  #normStarts?: number[];
  #normContent?: string;

  /** `content` uses `\n` line endings. */
  constructor(content: string) {
    this.#content = content;
  }

  /** Finds `oldText` (with `\n` endings) and says what replaces it; exact matches win. */
  find(oldText: string, newText: string): MatchOutcome {
    const content = this.#content;
    const count = countPositions(content, oldText);
    if (count === 1) {
      const start = content.indexOf(oldText);
      return {
        kind: "found",
        replacement: { start, end: start + oldText.length, text: newText, tolerant: false },
      };
    }
    if (count > 1) return this.#ambiguous(content, oldText, count);
    return this.#findTolerant(oldText, newText);
  }

  #ambiguous(haystack: string, needle: string, count: number): MatchOutcome {
    return { kind: "ambiguous", count, ...matchLines(haystack, needle, REPORTED_LINES) };
  }

  #prepare(): void {
    if (this.#normContent !== undefined) return;
    this.#lines = this.#content.split("\n");
    this.#starts = lineStarts(this.#content);
    this.#normLines = this.#lines.map(normalizeLine);
    this.#normContent = this.#normLines.join("\n");
    this.#normStarts = lineStarts(this.#normContent);
  }

  #findTolerant(oldText: string, newText: string): MatchOutcome {
    const wanted = oldText.split("\n").map(normalizeLine).join("\n");
    if (wanted.trim() === "") return { kind: "missing" };
    this.#prepare();
    const normContent = this.#normContent!;
    const count = countPositions(normContent, wanted);
    if (count === 0) return { kind: "missing" };
    if (count > 1) return this.#ambiguous(normContent, wanted, count);

    const lines = this.#lines!;
    const starts = this.#starts!;
    const normLines = this.#normLines!;
    const normStarts = this.#normStarts!;
    const matchStart = normContent.indexOf(wanted);
    const matchEnd = matchStart + wanted.length;

    // Map the match back to the original text line by line: only the lines it touches change, and
    // the untouched parts of its first and last line keep their original characters when possible.
    const first = lineIndexAt(normStarts, matchStart);
    const firstCol = matchStart - normStarts[first];
    let start = starts[first];
    let prefix = "";
    if (firstCol > 0) {
      const cut = prefixEnd(lines[first], normLines[first].slice(0, firstCol));
      if (cut >= 0) start += cut;
      else prefix = normLines[first].slice(0, firstCol);
    }

    const last = lineIndexAt(normStarts, matchEnd);
    const lastCol = matchEnd - normStarts[last];
    const lastLineEnd = starts[last] + lines[last].length;
    let end: number;
    let suffix = "";
    if (lastCol === 0) {
      end = starts[last];
    } else if (lastCol >= normLines[last].length) {
      end = lastLineEnd;
    } else {
      const rest = normLines[last].slice(lastCol);
      const cut = suffixStart(lines[last], rest);
      if (cut >= 0) {
        end = starts[last] + cut;
      } else {
        end = lastLineEnd;
        suffix = rest;
      }
    }
    // A part of a line kept in tolerant form (no cut of the original gives it) must not change the
    // file's letters or digits: its quotes, dashes and spaces may change, its words may not.
    if (prefix !== "" && lettersAndDigits(lines[first]) !== lettersAndDigits(normLines[first])) {
      return { kind: "unsafe", line: first + 1 };
    }
    if (suffix !== "" && lettersAndDigits(lines[last]) !== lettersAndDigits(normLines[last])) {
      return { kind: "unsafe", line: last + 1 };
    }
    const normalised = whatDiffered(this.#content.slice(start, end), prefix + oldText + suffix);
    return {
      kind: "found",
      replacement: { start, end, text: prefix + newText + suffix, tolerant: true, normalised },
    };
  }

  /**
   * The region of the content most similar to `oldText`, compared line by line after folding
   * whitespace and Unicode variants; null when nothing is similar enough to help.
   */
  closest(oldText: string, options: { minScore?: number } = {}): ClosestRegion | null {
    const minScore = options.minScore ?? 0.5;
    this.#prepare();
    const target = oldText.split("\n").map(fold);
    while (target.length > 1 && target[target.length - 1] === "") target.pop();
    while (target.length > 1 && target[0] === "") target.shift();
    const lines = this.#lines!;
    const height = Math.min(target.length, lines.length);
    const windows = lines.length - height + 1;
    // On a huge file, compare only the first lines of the target at each position.
    const compared = Math.max(1, Math.min(height, Math.floor(SIMILARITY_BUDGET / windows)));
    const targetGrams = target.slice(0, compared).map(bigrams);
    const cache = new Map<number, Bigrams>();
    const gramsAt = (i: number) => {
      let grams = cache.get(i);
      if (!grams) {
        grams = bigrams(fold(lines[i]));
        cache.set(i, grams);
      }
      return grams;
    };

    let best = -1;
    let bestScore = 0;
    for (let i = 0; i < windows; i++) {
      let sum = 0;
      for (let j = 0; j < compared; j++) sum += similarity(targetGrams[j], gramsAt(i + j));
      const score = sum / compared;
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
      cache.delete(i);
    }
    if (best < 0 || bestScore < minScore) return null;
    return {
      startLine: best + 1,
      endLine: best + height,
      lines: lines.slice(best, best + height),
      score: bestScore,
    };
  }
}

/** A line reduced to what matters for similarity: tolerant form, trimmed, inner runs of space as one. */
function fold(line: string): string {
  return normalizeLine(line).trim().replace(/\s+/g, " ");
}

interface Bigrams {
  text: string;
  counts: Map<string, number>;
  size: number;
}

function bigrams(text: string): Bigrams {
  const counts = new Map<string, number>();
  for (let i = 0; i + 1 < text.length; i++) {
    const gram = text.slice(i, i + 2);
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return { text, counts, size: Math.max(0, text.length - 1) };
}

/** Dice coefficient of two lines' character bigrams; equal lines (empty ones too) score 1. */
function similarity(a: Bigrams, b: Bigrams): number {
  if (a.text === b.text) return 1;
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.counts.size <= b.counts.size ? [a, b] : [b, a];
  let shared = 0;
  for (const [gram, count] of small.counts) shared += Math.min(count, large.counts.get(gram) ?? 0);
  return (2 * shared) / (a.size + b.size);
}
