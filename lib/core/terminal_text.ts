/**
 * Terminal output as text to read: escape sequences (colours, cursor moves, OSC titles and links)
 * removed, and of each line rewritten with `\r` (a progress bar's frames) only the last frame kept.
 * Pure; the bytes as written stay in the full-output file.
 * @module
 */

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), DCS/PM/APC/SOS strings, and two-byte escapes.
const ESCAPES =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[ -/]*[0-~]|\x9b[0-?]*[ -/]*[@-~]/g;

/**
 * The text with escape sequences removed and each `\r`-rewritten line cut to its last frame.
 * @example
 * ```ts
 * plainTerminalText("\x1b[32mok\x1b[0m 10%\r 50%\r100%\n"); // "ok 100%\n" becomes "100%\n"
 * ```
 */
export function plainTerminalText(text: string): string {
  if (!text.includes("\x1b") && !text.includes("\r") && !text.includes("\x9b")) return text;
  const stripped = text.replace(ESCAPES, "");
  if (!stripped.includes("\r")) return stripped;
  return stripped.split("\n").map((line) => {
    const body = line.endsWith("\r") ? line.replace(/\r+$/, "") : line;
    const last = body.lastIndexOf("\r");
    return last < 0 ? body : body.slice(last + 1);
  }).join("\n");
}
