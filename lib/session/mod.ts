/**
 * Saved sessions: every conversation written as it happens (JSON Lines, one entry per change), read
 * back into the conversation it was, listed and found again, and exported as Markdown or HTML; and
 * the REPL's input history between runs.
 * @module
 */

export * from "./format.ts";
export * from "./writer.ts";
export * from "./reader.ts";
export * from "./store.ts";
export * from "./export.ts";
export * from "./history.ts";
