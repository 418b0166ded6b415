/**
 * Writing a file so that readers see either the old content or the new, never half of it: the bytes
 * go to a temporary file in the same folder, which is then renamed over the target. Used by `write`
 * and `edit`.
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { describeFsError } from "./_path.ts";

/** Options for {@link atomicWrite}. */
export interface AtomicWriteOptions {
  /** Checked before anything is written and again before the rename; an abort leaves no trace. */
  signal?: AbortSignal;
  /** Create missing parent folders (default true). */
  createParents?: boolean;
}

/** What {@link atomicWrite} did. */
export interface AtomicWriteResult {
  /** The file actually written: symbolic links are followed, so the link itself survives. */
  path: string;
  /** True when no file existed before. */
  created: boolean;
  /** Bytes written. */
  bytes: number;
}

const encoder = new TextEncoder();

/** Follows symbolic links, including a dangling one, to the path that should receive the bytes. */
async function targetOf(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  try {
    const info = await Deno.lstat(path);
    if (info.isSymlink) return resolve(dirname(path), await Deno.readLink(path));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return path;
}

async function existingMode(path: string): Promise<{ exists: boolean; mode: number | null }> {
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) throw new Deno.errors.IsADirectory(`Is a directory: ${path}`);
    return { exists: true, mode: info.mode === null ? null : info.mode & 0o7777 };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { exists: false, mode: null };
    throw error;
  }
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // Already gone, or never created: nothing to clean up.
  }
}

/**
 * Writes `data` to `path` atomically: a temporary file in the same folder (so the rename cannot cross
 * file systems) is written, flushed, given the existing file's mode, and renamed over the target. On
 * any failure the temporary file is removed and the original is left as it was. Errors are Deno's
 * own; callers turn them into messages with `describeFsError`.
 * @example
 * ```ts
 * const { created } = await atomicWrite("/tmp/notes.txt", "hello\n");
 * ```
 */
export async function atomicWrite(
  path: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<AtomicWriteResult> {
  const { signal, createParents = true } = options;
  signal?.throwIfAborted();
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  const target = await targetOf(path);
  const { exists, mode } = await existingMode(target);
  const folder = dirname(target);
  if (createParents) await Deno.mkdir(folder, { recursive: true });
  signal?.throwIfAborted();

  const temp = join(folder, `.${basename(target)}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  let file: Deno.FsFile | undefined = await Deno.open(temp, {
    write: true,
    createNew: true,
    mode: mode ?? 0o666,
  });
  try {
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.syncData();
    file.close();
    file = undefined;
    // The umask may have dropped bits of the original mode when the file was created.
    if (mode !== null && Deno.build.os !== "windows") await Deno.chmod(temp, mode);
    signal?.throwIfAborted();
    await Deno.rename(temp, target);
  } catch (error) {
    file?.close();
    await removeQuietly(temp);
    throw error;
  }
  return { path: target, created: !exists, bytes: bytes.length };
}

/** What {@link fileToolError} needs to word a message. */
export interface FileErrorContext {
  /** The verb of the message: `read`, `write`, `edit`. */
  action: string;
  /** The path as the model gave it. */
  path: string;
  /** When this signal has fired, the error is the abort and is returned unchanged. */
  signal?: AbortSignal;
}

/**
 * Turns a failure of file I/O into a one-line `Cannot <action> <path>: <why>` message for the model;
 * an abort (the signal fired) passes through untouched.
 */
export function fileToolError(error: unknown, context: FileErrorContext): unknown {
  const { action, path, signal } = context;
  if (signal?.aborted) return error;
  if (error instanceof Deno.errors.NotADirectory) {
    return new Error(
      `Cannot ${action} ${path}: a part of the path is a file, not a folder; choose another path`,
    );
  }
  const described = describeFsError(error, action, path);
  if (described !== error || !(error instanceof Error) || error.message.startsWith("Cannot ")) {
    return described;
  }
  return new Error(`Cannot ${action} ${path}: ${error.message}`);
}
