/**
 * Saved sessions: every conversation written as it happens (JSON Lines, one entry per change), read
 * back into the conversation it was, listed and found again, and exported as Markdown or HTML.
 * @module
 */

export * from "./format.ts";
export * from "./writer.ts";
export * from "./reader.ts";
export * from "./store.ts";
export * from "./export.ts";
