/**
 * Telling images, other binary files and text apart by their first bytes, never by their extension:
 * models name files freely, and a `.txt` that is really a PNG must not reach them as garbage text.
 * @module
 */

/** The image types the read tool sends to the model as image parts. */
export type ImageMime = "image/png" | "image/jpeg" | "image/gif" | "image/webp";

/** How many leading bytes the sniffers look at. */
export const SNIFF_BYTES = 8192;

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[at + i] !== prefix[i]) return false;
  }
  return true;
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

/**
 * The MIME type of a png, jpeg, gif or webp image recognised by its magic bytes, or null.
 * @example
 * ```ts
 * sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])); // "image/jpeg"
 * ```
 */
export function sniffImage(bytes: Uint8Array): ImageMime | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  return null;
}

// Formats worth naming when the model reads one by mistake; anything else is "binary data".
const SIGNATURES: ReadonlyArray<[string, readonly number[], number?]> = [
  ["UTF-16 text", [0xff, 0xfe]],
  ["UTF-16 text", [0xfe, 0xff]],
  ["ELF executable", [0x7f, 0x45, 0x4c, 0x46]],
  ["PDF document", ascii("%PDF-")],
  ["zip archive", [0x50, 0x4b, 0x03, 0x04]],
  ["gzip archive", [0x1f, 0x8b]],
  ["bzip2 archive", ascii("BZh")],
  ["xz archive", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["zstd archive", [0x28, 0xb5, 0x2f, 0xfd]],
  ["7-zip archive", [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ["tar archive", ascii("ustar"), 257],
  ["SQLite database", ascii("SQLite format 3\0")],
  ["WebAssembly module", [0x00, 0x61, 0x73, 0x6d]],
  ["Windows executable", ascii("MZ")],
  ["Mach-O executable", [0xcf, 0xfa, 0xed, 0xfe]],
  ["Mach-O executable", [0xfe, 0xed, 0xfa, 0xcf]],
  ["Java class file", [0xca, 0xfe, 0xba, 0xbe]],
  ["BMP image", ascii("BM")],
  ["TIFF image", [0x49, 0x49, 0x2a, 0x00]],
  ["TIFF image", [0x4d, 0x4d, 0x00, 0x2a]],
  ["ICO image", [0x00, 0x00, 0x01, 0x00]],
  ["MP3 audio", ascii("ID3")],
  ["Ogg media", ascii("OggS")],
  ["FLAC audio", ascii("fLaC")],
  ["MP4 media", ascii("ftyp"), 4],
  ["WOFF font", ascii("wOFF")],
  ["WOFF2 font", ascii("wOF2")],
];

/** A short human name for a binary format recognised by its magic bytes (`"binary data"` otherwise). */
export function describeBinary(bytes: Uint8Array): string {
  for (const [name, magic, at] of SIGNATURES) {
    if (startsWith(bytes, magic, at ?? 0)) return name;
  }
  return "binary data";
}

/**
 * True when the first block of a file is not text: it holds a NUL byte or is not valid UTF-8. A
 * multi-byte character cut by the end of the block does not count as invalid.
 */
export function looksBinary(block: Uint8Array): boolean {
  if (block.includes(0)) return true;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(block, { stream: true });
    return false;
  } catch {
    return true;
  }
}
