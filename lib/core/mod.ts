/**
 * The vocabulary shared by every layer: messages, events, the tool and provider contracts, errors and
 * text helpers. Pure: no I/O, no imports from the rest of nanocode.
 * @module
 */

export * from "./messages.ts";
export * from "./events.ts";
export * from "./replay.ts";
export * from "./compaction.ts";
export * from "./tool.ts";
export * from "./provider.ts";
export * from "./errors.ts";
export * from "./truncate.ts";
export * from "./version.ts";
export * from "./format.ts";
export * from "./terminal_text.ts";
export * from "./edit_distance.ts";
