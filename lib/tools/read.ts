/**
 * The `read` tool: a window of a text file as raw text (no line numbers), or an image as an image part.
 * Files are streamed: only the window the model asked for is kept in memory, the rest is counted.
 * @module
 */

import { Buffer } from "node:buffer";
import { formatSize, MAX_BYTES, MAX_LINES, truncateHead } from "../core/truncate.ts";
import { textResult, textResult as plainResult, type Tool, type ToolResult } from "../core/tool.ts";
import { fileToolError } from "./_atomic_write.ts";
import { describeBinary, looksBinary, SNIFF_BYTES, sniffImage } from "./_file_type.ts";
import { resolvePath } from "./_path.ts";

/** Images larger than this are refused rather than sent to the model. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

const CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

/** Reads an optional whole-number argument; `null` counts as absent. */
function optionalInteger(value: unknown, name: string, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number)) {
    throw new TypeError(
      `Cannot read ${path}: ${name} must be a whole number of lines, got ${JSON.stringify(value)}`,
    );
  }
  return number;
}

/** Quotes a path for the bash command suggested in notes, when it needs quoting. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

async function readHead(file: Deno.FsFile, size: number): Promise<Uint8Array> {
  const head = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const n = await file.read(head.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return head.subarray(0, filled);
}

/** What a pass over a text file found. */
interface Scan {
  totalLines: number;
  /** Bytes of the first requested line, newline excluded, counted in full however long. */
  firstLineBytes: number;
  /** Raw bytes from the first requested line on, newlines included, at most `MAX_BYTES + 1`. */
  window: Uint8Array;
  /** True when the window stopped storing because it passed the byte limit. */
  overflow: boolean;
}

/**
 * Streams the file once: keeps the bytes of lines `start` to `start + maxLines - 1` (bounded by the
 * byte limit), and counts every line so the notes can say how many there are.
 */
/** The UTF-8 bytes of a file after its first block, a chunk at a time; null at the end. */
type ChunkSource = () => Promise<Uint8Array | null>;

function fileChunks(file: Deno.FsFile): ChunkSource {
  const buffer = new Uint8Array(CHUNK_BYTES);
  return async () => {
    const n = await file.read(buffer);
    return n === null ? null : buffer.subarray(0, n);
  };
}

/** The byte-order mark's encoding of a UTF-16 file, or null. */
function utf16Encoding(head: Uint8Array): "utf-16le" | "utf-16be" | null {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  return null;
}

/** A UTF-16 file as UTF-8: its decoded first block, and a source for the rest. */
function transcoded(file: Deno.FsFile, head: Uint8Array, encoding: string): [Uint8Array, ChunkSource] {
  const decoder = new TextDecoder(encoding);
  const encoder = new TextEncoder();
  const raw = fileChunks(file);
  let done = false;
  const next: ChunkSource = async () => {
    if (done) return null;
    const chunk = await raw();
    if (chunk === null) {
      done = true;
      return encoder.encode(decoder.decode());
    }
    return encoder.encode(decoder.decode(chunk, { stream: true }));
  };
  return [encoder.encode(decoder.decode(head, { stream: true })), next];
}

async function scanText(
  next: ChunkSource,
  head: Uint8Array,
  options: { start: number; maxLines: number; signal: AbortSignal },
): Promise<Scan> {
  const { start, maxLines, signal } = options;
  const end = start + maxLines;
  // One byte past the limit is enough to know the limit was passed.
  const cap = MAX_BYTES + 1;
  const window = new Uint8Array(cap);
  let stored = 0;
  let overflow = false;
  let line = 1;
  let newlines = 0;
  let lastByte = -1;
  let firstLineBytes = 0;

  const consume = (chunk: Uint8Array) => {
    if (chunk.length === 0) return;
    let pos = 0;
    while (pos < chunk.length) {
      if (line >= end || (overflow && line > start)) {
        // Past everything kept: only count the remaining newlines.
        for (let i = chunk.indexOf(NEWLINE, pos); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) newlines++;
        break;
      }
      const nl = chunk.indexOf(NEWLINE, pos);
      const contentEnd = nl === -1 ? chunk.length : nl;
      if (line >= start) {
        if (line === start) firstLineBytes += contentEnd - pos;
        if (!overflow) {
          const piece = chunk.subarray(pos, nl === -1 ? chunk.length : nl + 1);
          const room = cap - stored;
          if (piece.length > room) {
            window.set(piece.subarray(0, room), stored);
            stored = cap;
            overflow = true;
          } else {
            window.set(piece, stored);
            stored += piece.length;
          }
        }
      }
      if (nl === -1) break;
      newlines++;
      line++;
      pos = nl + 1;
    }
    lastByte = chunk[chunk.length - 1];
  };

  consume(head);
  while (true) {
    signal.throwIfAborted();
    const chunk = await next();
    if (chunk === null) break;
    consume(chunk);
  }
  const unterminated = lastByte !== -1 && lastByte !== NEWLINE;
  return {
    totalLines: newlines + (unterminated ? 1 : 0),
    firstLineBytes,
    window: window.subarray(0, stored),
    overflow,
  };
}

async function readImage(
  absolute: string,
  options: { path: string; mime: string; size: number; signal: AbortSignal },
): Promise<ToolResult> {
  const { path, mime, size, signal } = options;
  if (size > MAX_IMAGE_BYTES) {
    throw new Error(
      `Cannot read ${path}: the ${mime} image is ${formatSize(size)}, over the ${
        formatSize(MAX_IMAGE_BYTES)
      } limit for images; make a smaller copy with bash (e.g. ImageMagick) and read that`,
    );
  }
  const bytes = await Deno.readFile(absolute, { signal });
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  return {
    content: [
      { type: "text", text: `Read image file [${mime}]` },
      { type: "image_url", image_url: { url: `data:${mime};base64,${data}` } },
    ],
    details: { path: absolute, mimeType: mime, bytes: bytes.byteLength },
  };
}

async function readText(
  next: ChunkSource,
  head: Uint8Array,
  options: {
    path: string;
    absolute: string;
    offset?: number;
    limit?: number;
    signal: AbortSignal;
    /** Said after the text: how a file not in UTF-8 was decoded. */
    encodingNote?: string;
  },
): Promise<ToolResult> {
  const { path, absolute, offset, limit, signal } = options;
  const start = Math.max(offset ?? 1, 1);
  const maxLines = Math.min(limit ?? MAX_LINES, MAX_LINES);
  const scan = await scanText(next, head, { start, maxLines, signal });
  const total = scan.totalLines;
  if (start > total) {
    throw new RangeError(
      `Cannot read ${path}: offset ${offset} is beyond the end of the file, which has ${total} line${
        total === 1 ? "" : "s"
      }; use an offset from 1 to ${total}`,
    );
  }
  const details: Record<string, unknown> = { path: absolute, totalLines: total, startLine: start };
  const textResult = (text: string, more: Record<string, unknown>) => {
    if (options.encodingNote === undefined) return plainResult(text, more);
    // The note goes before any note on how to continue, which stays last.
    const cut = /\n\n(\[[^\n]*\])$/.exec(text);
    const body = cut ? text.slice(0, cut.index) : text.replace(/\n$/, "");
    return plainResult(`${body}\n\n[${options.encodingNote}]${cut ? `\n${cut[1]}` : ""}`, more);
  };

  if (scan.firstLineBytes > MAX_BYTES) {
    const command = `sed -n '${start}p' ${shellQuote(absolute)} | head -c ${MAX_BYTES}`;
    return textResult(
      `[Line ${start} is ${formatSize(scan.firstLineBytes)}, exceeds ${
        formatSize(MAX_BYTES)
      } limit. Use bash: ${command}]`,
      { ...details, endLine: start - 1, truncated: true, truncatedBy: "bytes" },
    );
  }

  let text = new TextDecoder().decode(scan.window);
  const terminated = !scan.overflow && text.endsWith("\n");
  if (terminated) text = text.slice(0, -1);
  const windowEnd = Math.min(total, start + maxLines - 1);
  const cut = truncateHead(text, { maxLines, maxBytes: MAX_BYTES });

  if (scan.overflow || (cut.truncated && cut.lastLine < windowEnd - start + 1)) {
    const end = start + cut.lastLine - 1;
    return textResult(
      `${cut.text}\n\n[Showing lines ${start}-${end} of ${total} (${formatSize(MAX_BYTES)} limit). ` +
        `Use offset=${end + 1} to continue.]`,
      { ...details, endLine: end, truncated: true, truncatedBy: "bytes" },
    );
  }
  if (windowEnd >= total) {
    return textResult(terminated ? `${text}\n` : text, { ...details, endLine: total, truncated: false });
  }
  if (limit !== undefined && limit <= MAX_LINES) {
    return textResult(
      `${text}\n\n[${total - windowEnd} more lines in file. Use offset=${windowEnd + 1} to continue.]`,
      { ...details, endLine: windowEnd, truncated: false },
    );
  }
  return textResult(
    `${text}\n\n[Showing lines ${start}-${windowEnd} of ${total}. Use offset=${windowEnd + 1} to continue.]`,
    { ...details, endLine: windowEnd, truncated: true, truncatedBy: "lines" },
  );
}

/**
 * `read {path, offset?, limit?}`: raw text of a file window (at most 2000 lines or 50 KB, with a note
 * saying how to continue), or an image part for png, jpeg, gif and webp files.
 */
export const readTool: Tool = {
  name: "read",
  description: "Read a file. Text comes back as it is in the file, without line numbers, " +
    `at most ${MAX_LINES} lines or ${MAX_BYTES / 1024}KB per call; a note at the end says which offset ` +
    "to continue from. Use offset and limit to read a part of a large file. " +
    "Images (png, jpeg, gif, webp) are returned as image attachments.",
  parameters: {
    type: "object",
    properties: {
      path: { type: "string", description: "Path of the file to read (relative or absolute)" },
      offset: { type: "number", description: "Line number to start reading from (1-indexed)" },
      limit: { type: "number", description: "Maximum number of lines to read" },
    },
    required: ["path"],
    additionalProperties: false,
  },
  permissions: ["read"],
  readOnly: true,
  async execute(args, ctx) {
    const { path } = args;
    if (typeof path !== "string" || path.trim() === "") {
      throw new TypeError("Cannot read: path must be a non-empty string naming the file to read");
    }
    const offset = optionalInteger(args.offset, "offset", path);
    const limit = optionalInteger(args.limit, "limit", path);
    if (offset !== undefined && offset < 0) {
      throw new RangeError(`Cannot read ${path}: offset must be 1 or more (lines are numbered from 1)`);
    }
    if (limit !== undefined && limit < 1) {
      throw new RangeError(
        `Cannot read ${path}: limit must be at least 1 line; leave it out to read up to ${MAX_LINES}`,
      );
    }
    ctx.signal.throwIfAborted();
    const absolute = resolvePath(path, ctx.cwd);

    let info: Deno.FileInfo;
    let file: Deno.FsFile;
    try {
      info = await Deno.stat(absolute);
      if (info.isDirectory) {
        throw new Error(`Cannot read ${path}: it is a directory; use ls to list what it holds`);
      }
      if (!info.isFile) {
        throw new Error(`Cannot read ${path}: it is not a regular file (a device, socket or pipe)`);
      }
      file = await Deno.open(absolute, { read: true });
    } catch (error) {
      throw fileToolError(error, { action: "read", path, signal: ctx.signal });
    }

    try {
      const head = await readHead(file, SNIFF_BYTES);
      if (head.length === 0) {
        return textResult(`The file ${path} is empty.`, { path: absolute, totalLines: 0, empty: true });
      }
      const mime = sniffImage(head);
      if (mime) return await readImage(absolute, { path, mime, size: info.size, signal: ctx.signal });
      const utf16 = utf16Encoding(head);
      if (utf16 !== null && head.length === 2) {
        return textResult(`The file ${path} is empty (it holds only a UTF-16 byte-order mark).`, {
          path: absolute,
          totalLines: 0,
          empty: true,
        });
      }
      if (utf16 !== null) {
        const [text, next] = transcoded(file, head, utf16);
        if (!text.includes(0)) {
          const name = utf16 === "utf-16le" ? "UTF-16LE" : "UTF-16BE";
          return await readText(next, text, {
            path,
            absolute,
            offset,
            limit,
            signal: ctx.signal,
            encodingNote: `${name} text with a byte-order mark, shown decoded; edit changes UTF-8 files only`,
          });
        }
      }
      if (looksBinary(head)) {
        throw new Error(
          `Cannot read ${path}: it is a binary file (${describeBinary(head)}, ${
            formatSize(info.size)
          }), not text; ` +
            "inspect it with bash (e.g. file, xxd | head) if you need to",
        );
      }
      return await readText(fileChunks(file), head, { path, absolute, offset, limit, signal: ctx.signal });
    } catch (error) {
      throw fileToolError(error, { action: "read", path, signal: ctx.signal });
    } finally {
      file.close();
    }
  },
};
