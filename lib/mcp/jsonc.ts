/**
 * JSON as people write it in configuration files: `//` and `/* *\/` comments and trailing commas are
 * accepted, everything else is strict JSON.
 * @module
 */

/**
 * Parses JSON that may hold comments and trailing commas. Comments and dropped commas are replaced by
 * spaces, so a syntax error still points at the right line and column of the original text.
 * @throws {SyntaxError} when the text is not JSON even so.
 * @example
 * ```ts
 * parseJsonc('{"a": 1, // one\n}'); // { a: 1 }
 * ```
 */
export function parseJsonc(text: string): unknown {
  return JSON.parse(stripJsonc(text.replace(/^\uFEFF/, "")));
}

/** The text with comments and trailing commas blanked out (same length, same line breaks). */
export function stripJsonc(text: string): string {
  const out = text.split("");
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (out[i] !== "\n" && out[i] !== "\r") out[i] = " ";
  };
  // Where the last comma outside a string stood, while only white space and comments followed it.
  let pendingComma = -1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      pendingComma = -1;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      const stop = end === -1 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end === -1 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === ",") {
      pendingComma = i;
      i++;
    } else if (c === "}" || c === "]") {
      if (pendingComma !== -1) out[pendingComma] = " ";
      pendingComma = -1;
      i++;
    } else {
      if (!/\s/.test(c)) pendingComma = -1;
      i++;
    }
  }
  return out.join("");
}
