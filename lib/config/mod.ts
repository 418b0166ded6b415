/**
 * Where settings come from: the environment, the `.nanocode/` folders of home and the cwd's
 * ancestors, the small text files in them, and the endpoint, model and key a run uses.
 * @module
 */

export * from "./env.ts";
export * from "./home.ts";
export * from "./compaction.ts";
export * from "./endpoint.ts";
export * from "./nanocode_dirs.ts";
export * from "./read_text.ts";
export * from "./warning.ts";
