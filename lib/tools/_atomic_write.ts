/**
 * Writing a file so that readers see either the old content or the new, never half of it: the bytes
 * go to a temporary file in the same folder, which is then renamed over the target. Used by `write`
 * and `edit`.
 *
 * Renaming replaces the file with a new one, which is only safe when the new one can be the same in
 * every way that matters: so a file with more than one name (hard links) is written in place, where
 * every name sees the change, as is one whose owner and group the new file could not take on; a file
 * the user may not write is refused rather than replaced (a read-only file in a writable folder would
 * otherwise be replaced without a word), and so is anything that is not a regular file. A temporary
 * file is locked while it is written; one left behind by a killed process (no lock, more than a second
 * old) is removed the next time the same file is written.
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
  /** How the bytes went in: a rename over the file, or a write in place (hard links, owner kept). */
  how: "renamed" | "in place";
}

/**
 * A file that write and edit leave alone: read-only, not the user's to write, or not a regular file.
 * {@link fileToolError} words it for the model.
 */
export class UnwritableFileError extends Error {
  /** `why` follows "Cannot write FILE: "; `advice` says what to do, with `FILE` standing for the path. */
  constructor(readonly why: string, readonly advice: string) {
    super(`${why}; ${advice}`);
    this.name = "UnwritableFileError";
  }

  /** The message for one path: `Cannot <action> <path>: <why>; <advice>`. */
  describe(action: string, path: string): string {
    return `Cannot ${action} ${path}: ${this.why}; ${this.advice.replaceAll("FILE", shellWord(path))}`;
  }
}

function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

const encoder = new TextEncoder();
const unix = Deno.build.os !== "windows";
/** A temporary file younger than this may still be on its way to being locked by its writer. */
const STALE_AFTER_MS = 1000;

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

async function existing(path: string): Promise<Deno.FileInfo | null> {
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) throw new Deno.errors.IsADirectory(`Is a directory: ${path}`);
    return info;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

/**
 * Refuses a file the user could not write. The kernel answers for an ordinary user (a test open for
 * writing). Root may write anything, so for root the mode bits decide: a file with no write bit at
 * all is meant to stay as it is.
 */
async function checkWritable(target: string, info: Deno.FileInfo): Promise<void> {
  if (!info.isFile) {
    throw new UnwritableFileError(
      "it is not a regular file (a device, socket or pipe), and writing would replace it with one",
      "use bash to send data to it",
    );
  }
  if (!unix || info.mode === null) return;
  try {
    (await Deno.open(target, { write: true })).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
    throw new UnwritableFileError(
      `this user (uid ${Deno.uid()}) may not write it (mode ${
        octal(info.mode)
      }, owner uid ${info.uid}, group ${info.gid})`,
      "leave it as it is, or ask the user to change its permissions",
    );
  }
  if (Deno.uid() === 0 && (info.mode & 0o222) === 0) {
    throw new UnwritableFileError(
      `it is read-only (mode ${
        octal(info.mode)
      }: no one has write permission); nanocode runs as root, which could override that, but leaves read-only files as they are`,
      "if it should change, make it writable first (chmod u+w FILE)",
    );
  }
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // Already gone, or never created: nothing to clean up.
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/** The temporary files of `name` in `folder`: `.NAME.XXXXXXXX.tmp`. */
function tempPattern(name: string): RegExp {
  return new RegExp(`^\\.${escapeRegExp(name)}\\.[0-9a-f]{8}\\.tmp$`);
}

/**
 * Removes temporary files an earlier write of the same file left behind when its process was killed:
 * ones no writer holds a lock on, and old enough that their writer cannot be about to take it.
 */
async function removeStaleTemps(folder: string, name: string): Promise<void> {
  const pattern = tempPattern(name);
  try {
    for await (const entry of Deno.readDir(folder)) {
      if (!entry.isFile || !pattern.test(entry.name)) continue;
      const path = join(folder, entry.name);
      try {
        using file = await Deno.open(path);
        const age = Date.now() - ((await file.stat()).mtime?.getTime() ?? 0);
        if (age < STALE_AFTER_MS) continue;
        if (unix && !(await file.tryLock(true))) continue;
        await Deno.remove(path);
      } catch {
        // Gone meanwhile, or not ours to remove.
      }
    }
  } catch {
    // A folder that cannot be listed has nothing we could clean.
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/**
 * Writes into the file itself: the bytes first, then the length cut, so that the file is never
 * empty on the way. Owner, group, mode, links and inode all stay.
 */
async function writeInPlace(target: string, bytes: Uint8Array): Promise<void> {
  using file = await Deno.open(target, { write: true });
  await writeAll(file, bytes);
  await file.truncate(bytes.length);
  await file.syncData();
}

/** Gives the temporary file the original's owner and group; false when that is not allowed. */
async function takeOwnership(temp: string, info: Deno.FileInfo): Promise<boolean> {
  if (!unix || info.uid === null || info.gid === null) return true;
  const made = await Deno.stat(temp);
  if (made.uid === info.uid && made.gid === info.gid) return true;
  try {
    await Deno.chown(temp, info.uid, info.gid);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `data` to `path` atomically: a temporary file in the same folder (so the rename cannot cross
 * file systems) is written, flushed, given the existing file's mode, owner and group, and renamed
 * over the target. A file with other hard links, or whose owner the new file could not take on, is
 * written in place instead (see the module's notes). On any failure the temporary file is removed and
 * the original is left as it was. Throws {@link UnwritableFileError} for a file the user could not
 * write; other errors are Deno's own, which callers turn into messages with {@link fileToolError}.
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
  const info = await existing(target);
  if (info !== null) await checkWritable(target, info);
  const mode = info?.mode == null ? null : info.mode & 0o7777;
  const folder = dirname(target);
  if (createParents) await Deno.mkdir(folder, { recursive: true });
  signal?.throwIfAborted();
  const done = (how: AtomicWriteResult["how"]): AtomicWriteResult => ({
    path: target,
    created: info === null,
    bytes: bytes.length,
    how,
  });
  if (info !== null && info.nlink !== null && info.nlink > 1) {
    await writeInPlace(target, bytes);
    return done("in place");
  }

  const name = basename(target);
  await removeStaleTemps(folder, name);
  const temp = join(folder, `.${name}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(temp, { write: true, createNew: true, mode: mode ?? 0o666 });
  } catch (error) {
    // A folder that takes no new files while the file itself may be written (its folder is not the
    // user's): the only way left is in place.
    if (info !== null && error instanceof Deno.errors.PermissionDenied) {
      await writeInPlace(target, bytes);
      return done("in place");
    }
    if (error instanceof Deno.errors.NotFound && info !== null) {
      throw new UnwritableFileError(
        `its folder ${folder} takes no new files (a kernel file system such as /proc), and write replaces a file through a new one beside it`,
        "use bash to write to such a file",
      );
    }
    throw error;
  }
  let open = true;
  try {
    // Held until the rename, so that another write of this file never takes it for a leftover.
    if (unix) await file.lock(true);
    await writeAll(file, bytes);
    await file.syncData();
    // The umask may have dropped bits of the original mode when the file was created.
    if (mode !== null && unix) await Deno.chmod(temp, mode);
    if (info !== null && !(await takeOwnership(temp, info))) {
      file.close();
      open = false;
      await removeQuietly(temp);
      signal?.throwIfAborted();
      await writeInPlace(target, bytes);
      return done("in place");
    }
    signal?.throwIfAborted();
    if (!unix) {
      file.close();
      open = false;
    }
    await Deno.rename(temp, target);
  } catch (error) {
    if (open) file.close();
    open = false;
    await removeQuietly(temp);
    throw error;
  } finally {
    if (open) file.close();
  }
  return done("renamed");
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
  if (error instanceof UnwritableFileError) return new Error(error.describe(action, path));
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
