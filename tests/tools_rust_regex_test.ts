/**
 * The translation of ripgrep's regex dialect to JavaScript: what each construct matches, and the
 * errors for those with no translation. (tools_files_test.ts checks the same patterns against ripgrep.)
 */
import { assertEquals } from "./support/assert.ts";
import { throws } from "node:assert/strict";
import { translateRegex } from "../lib/tools/search/rust_regex.ts";
import { propertyEscape } from "../lib/tools/search/_unicode_properties.ts";

function matches(pattern: string, text: string, ignoreCase = false): boolean {
  return new RegExp(translateRegex(pattern), ignoreCase ? "isv" : "sv").test(text);
}

function refuses(pattern: string, message: RegExp): void {
  throws(() => new RegExp(translateRegex(pattern), "sv"), (error: unknown) => {
    assertEquals(error instanceof SyntaxError, true);
    return message.test((error as Error).message);
  });
}

Deno.test("perl classes and word boundaries are Unicode-aware unless (?-u) turns that off", () => {
  assertEquals(matches("^\\d$", "٣"), true);
  assertEquals(matches("^\\w+$", "naïve"), true);
  assertEquals(matches("é\\b", "café au lait"), true);
  assertEquals(matches("\\bé", "café"), false);
  assertEquals(matches("^\\s$", "\u0085"), true);
  assertEquals(matches("^\\s$", "\ufeff"), false);
  assertEquals(matches("^(?-u:\\d)$", "٣"), false);
  assertEquals(matches("^(?-u:\\w)+$", "naïve"), false);
  assertEquals(matches("[^\\W]", "é"), true);
});

Deno.test("an inline flag holds to the end of its group, across later alternatives", () => {
  assertEquals(matches("^a(?i)b|c$", "aB"), true);
  assertEquals(matches("^a(?i)b|c$", "C"), true);
  assertEquals(matches("^A(?i)b|c$", "a"), false);
  assertEquals(matches("^(x(?i)y)z$", "xYz"), true);
  assertEquals(matches("^(x(?i)y)z$", "xYZ"), false);
  assertEquals(matches("(?-i)abc", "ABC", true), false);
  assertEquals(matches("(?i-i:abc)", "ABC", true), false);
});

Deno.test("verbose mode drops spaces and comments, in classes too, but keeps escaped spaces", () => {
  assertEquals(matches("(?x) a b # c\n c", "abc"), true);
  assertEquals(matches("(?x)[a ]b", "a b"), false);
  assertEquals(matches("(?x)a\\ b", "a b"), true);
});

Deno.test("classes take POSIX names, nesting and set operations", () => {
  assertEquals(matches("^[[:alpha:][:digit:]]+$", "ab12"), true);
  assertEquals(matches("[[:^alpha:]]", "abc"), false);
  assertEquals(matches("^[a-z&&[^aeiou]]+$", "xyz"), true);
  assertEquals(matches("^[a-z&&[^aeiou]]+$", "xaz"), false);
  assertEquals(matches("^[\\w--\\d]+$", "ab_"), true);
  assertEquals(matches("^[a-c~~b-d]+$", "ad"), true);
  assertEquals(matches("^[a-c~~b-d]+$", "b"), false);
  assertEquals(matches("^[]a]+$", "]a"), true);
  assertEquals(matches("^[a-]+$", "-a"), true);
  assertEquals(matches("^[(){}|/&!#]+$", "(){}|/&!#"), true);
});

Deno.test("code points, named groups and back-references translate", () => {
  assertEquals(matches("\\x{3bb}\\x41\\u0042\\U{43}\\U00000044", "λABCD"), true);
  assertEquals(matches("(?P<word>o)\\k<word>", "foo"), true);
  assertEquals(matches("(?P<a.b>x)y", "xy"), true);
  assertEquals(matches("^(a)\\12$", "aa2"), true);
  assertEquals(matches("\\Aab\\z", "ab"), true);
  assertEquals(matches("a\\#\\&\\~", "a#&~"), true);
});

Deno.test("property names are matched loosely, as Rust does", () => {
  assertEquals(propertyEscape("Greek", false), "\\p{Script=Grek}");
  assertEquals(propertyEscape("scx=greek", false), "\\p{Script_Extensions=Grek}");
  assertEquals(propertyEscape("Uppercase Letter", true), "\\P{Lu}");
  assertEquals(propertyEscape("gc!=digit", false), "\\P{Nd}");
  assertEquals(propertyEscape("isAlpha", false), "\\p{Alphabetic}");
  assertEquals(propertyEscape("N", false), "\\p{N}");
});

Deno.test("constructs with no translation are refused by name, with what to write instead", () => {
  refuses("a\\Z", /^\\Z is not supported; use \\z or \$ for the end of the line$/);
  refuses("a\\nb", /^a line ending \(\\n\) never matches/);
  refuses("(?>a)", /^atomic groups \(\?>\.\.\.\) are not supported; use \(\?:\.\.\.\)$/);
  refuses("(?R)a", /^the inline flag "R" is not supported/);
  refuses("\\p{Age=3.0}", /^\\p\{Age=3\.0\} uses the property "Age", which the native engine lacks/);
  refuses("a{2", /^"\{" must start a repetition/);
  refuses("[z-a]", /^the class range "z-a" runs backwards; write "a-z"$/);
  refuses("(a", /^a group is not closed/);
  refuses("a)", /^a "\)" closes no group/);
  refuses("[ab", /^the class starting "\[ab" is not closed/);
  refuses("\\q", /^\\q is not a known escape; write the character without the backslash$/);
});
