/**
 * Bounding tool output by lines and bytes. Every tool result passes through one of these so a huge
 * file or command output never floods the context; callers add a note saying how to get the rest.
 * @module
 */

/** Default cap on lines of tool output. */
export const MAX_LINES = 2000;
/** Default cap on bytes of tool output (50 KB). */
export const MAX_BYTES = 50 * 1024;
/** Lines longer than this are cut in grep-like output. */
export const MAX_LINE_CHARS = 500;

/** Limits for truncation; both default to the shared caps. */
export interface TruncateOptions {
  /** Most lines kept (default {@link MAX_LINES}). */
  maxLines?: number;
  /** Most UTF-8 bytes kept (default {@link MAX_BYTES}). */
  maxBytes?: number;
}

/** What a truncation kept. Line numbers are 1-based within the input. */
export interface Truncation {
  text: string;
  truncated: boolean;
  /** Which limit cut the text, or null when nothing was cut. */
  by: "lines" | "bytes" | null;
  totalLines: number;
  totalBytes: number;
  /** First and last input line kept (0 and 0 when nothing was kept). */
  firstLine: number;
  lastLine: number;
  /** True when a single line alone exceeds the byte limit, so nothing could be kept. */
  lineTooLong: boolean;
}

const encoder = new TextEncoder();

/** Number of UTF-8 bytes in a string. */
export function byteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Formats a byte count with one decimal: `512B`, `50.0KB`, `1.2MB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)}KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)}MB`;
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  // A trailing newline ends the last line rather than starting an empty one.
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Counts how many whole lines fit the limits, taking them from the start or from the end. */
function fit(lines: string[], fromEnd: boolean, maxLines: number, maxBytes: number) {
  let bytes = 0;
  let kept = 0;
  let by: "lines" | "bytes" = "lines";
  for (let n = 0; n < lines.length && kept < maxLines; n++) {
    const line = lines[fromEnd ? lines.length - 1 - n : n];
    const size = byteLength(line) + (kept > 0 ? 1 : 0);
    if (bytes + size > maxBytes) {
      by = "bytes";
      break;
    }
    bytes += size;
    kept++;
  }
  return { kept, by };
}

function measure(text: string, options: TruncateOptions) {
  const maxLines = options.maxLines ?? MAX_LINES;
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const totalBytes = byteLength(text);
  const lines = splitLines(text);
  const totalLines = text === "" ? 0 : lines.length;
  const fits = totalLines <= maxLines && totalBytes <= maxBytes;
  return { maxLines, maxBytes, totalBytes, lines, totalLines, fits };
}

function untouched(text: string, totalLines: number, totalBytes: number): Truncation {
  return {
    text,
    truncated: false,
    by: null,
    totalLines,
    totalBytes,
    firstLine: 1,
    lastLine: totalLines,
    lineTooLong: false,
  };
}

/** Keeps whole lines from the start of `text` within the limits. */
export function truncateHead(text: string, options: TruncateOptions = {}): Truncation {
  const { maxLines, maxBytes, totalBytes, lines, totalLines, fits } = measure(text, options);
  if (fits) return untouched(text, totalLines, totalBytes);
  const { kept, by } = fit(lines, false, maxLines, maxBytes);
  return {
    text: lines.slice(0, kept).join("\n"),
    truncated: true,
    by,
    totalLines,
    totalBytes,
    firstLine: kept > 0 ? 1 : 0,
    lastLine: kept,
    lineTooLong: kept === 0,
  };
}

/** Keeps whole lines from the end of `text` within the limits (for command output, where the end matters). */
export function truncateTail(text: string, options: TruncateOptions = {}): Truncation {
  const { maxLines, maxBytes, totalBytes, lines, totalLines, fits } = measure(text, options);
  if (fits) return untouched(text, totalLines, totalBytes);
  const { kept, by } = fit(lines, true, maxLines, maxBytes);
  if (kept === 0) {
    // One enormous last line: keep its end, cut at a character boundary within the byte limit.
    const tail = tailBytes(lines[lines.length - 1], maxBytes);
    return {
      text: tail,
      truncated: true,
      by: "bytes",
      totalLines,
      totalBytes,
      firstLine: totalLines,
      lastLine: totalLines,
      lineTooLong: true,
    };
  }
  return {
    text: lines.slice(lines.length - kept).join("\n"),
    truncated: true,
    by,
    totalLines,
    totalBytes,
    firstLine: totalLines - kept + 1,
    lastLine: totalLines,
    lineTooLong: false,
  };
}

function tailBytes(text: string, maxBytes: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  let start = bytes.length - maxBytes;
  while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++;
  return new TextDecoder().decode(bytes.subarray(start));
}

/** Cuts one line to `max` characters, marking the cut. */
export function truncateLine(line: string, max = MAX_LINE_CHARS): { text: string; cut: boolean } {
  if (line.length <= max) return { text: line, cut: false };
  return { text: `${line.slice(0, max)}... [truncated]`, cut: true };
}
