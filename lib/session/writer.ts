/**
 * Writing a session as it happens: every change to the conversation is one line, appended and handed
 * to the operating system before the next, so a crash (even `kill -9`) loses at most the line being
 * written. The file is created only when the first user message exists, so sessions that never
 * began leave nothing behind.
 * @module
 */

import { join } from "node:path";
import type { ConversationEvent } from "../core/mod.ts";
import {
  type NameEvent,
  SESSION_VERSION,
  type SessionEntry,
  sessionFileName,
  type SessionHeader,
} from "./format.ts";

/** What a new session file records in its header. */
export type HeaderFields = Omit<SessionHeader, "type" | "version" | "created">;

/** Options of {@link SessionWriter}. */
export interface SessionWriterOptions {
  /** The folder new files go in (this cwd's sessions folder). */
  dir: string;
  header: HeaderFields;
  /** An existing file to go on appending to (a resumed session), and how many entries it holds. */
  resume?: { path: string; entries: number };
  /** Called once when writing fails (disk full, permissions); the run goes on without saving. */
  onError?: (message: string) => void;
  /** The clock (default `new Date()`). */
  now?: () => Date;
}

const encoder = new TextEncoder();

/** Appends a session's entries to its file. */
export class SessionWriter {
  readonly #options: SessionWriterOptions;
  #file: Deno.FsFile | undefined;
  #path: string | undefined;
  #entries: number;
  /** Changes before the first user message: written with it, or never. */
  #held: (ConversationEvent | NameEvent)[] = [];
  #failed = false;

  constructor(options: SessionWriterOptions) {
    this.#options = options;
    this.#path = options.resume?.path;
    this.#entries = options.resume?.entries ?? 0;
  }

  /** The file's path, once it exists. */
  get path(): string | undefined {
    return this.#path;
  }

  /** Records one change. Never throws: a failure is reported once and saving stops. */
  record(event: ConversationEvent | NameEvent): void {
    if (this.#failed) return;
    if (!this.#file && !this.#options.resume) {
      const starts = event.type === "message" && event.message.role === "user";
      if (!starts) {
        this.#held.push(event);
        return;
      }
    }
    try {
      this.#open();
      for (const held of this.#held.splice(0)) this.#write(held);
      this.#write(event);
    } catch (error) {
      this.#failed = true;
      this.#close();
      const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
      this.#options.onError?.(
        `Cannot save the session${
          this.#path ? ` to ${this.#path}` : ""
        }: ${why}; the conversation goes on unsaved.`,
      );
    }
  }

  /** Closes the file. Later records reopen it. */
  close(): void {
    this.#close();
  }

  #open(): void {
    if (this.#file) return;
    const now = this.#now();
    if (this.#path) {
      this.#file = Deno.openSync(this.#path, { append: true });
      // A crash may have left half a line: start on a fresh one so no entry is glued to it.
      if (!endsWithNewline(this.#path)) writeAll(this.#file, encoder.encode("\n"));
      return;
    }
    Deno.mkdirSync(this.#options.dir, { recursive: true, mode: 0o700 });
    const path = join(this.#options.dir, sessionFileName(this.#options.header.id, now));
    const header: SessionHeader = {
      type: "session",
      version: SESSION_VERSION,
      ...this.#options.header,
      created: now.toISOString(),
    };
    this.#file = Deno.openSync(path, { createNew: true, write: true, append: true, mode: 0o600 });
    this.#path = path;
    writeAll(this.#file, encoder.encode(JSON.stringify(header) + "\n"));
  }

  #write(event: ConversationEvent | NameEvent): void {
    const entry = { ...event, id: `e${++this.#entries}`, time: this.#now().toISOString() } as SessionEntry;
    writeAll(this.#file!, encoder.encode(JSON.stringify(entry) + "\n"));
  }

  #close(): void {
    try {
      this.#file?.close();
    } catch {
      // Already closed.
    }
    this.#file = undefined;
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
}

function endsWithNewline(path: string): boolean {
  const size = Deno.statSync(path).size;
  if (size === 0) return true;
  const file = Deno.openSync(path, { read: true });
  try {
    file.seekSync(size - 1, Deno.SeekMode.Start);
    const last = new Uint8Array(1);
    file.readSync(last);
    return last[0] === 0x0a;
  } finally {
    file.close();
  }
}
