/**
 * The engine behind `ls`, `find`, `glob` and `grep`: the tree walk with gitignore rules, glob
 * patterns, ripgrep as the fast path and a native search with ripgrep's regex dialect beside it.
 * @module
 */

export * from "./file_list.ts";
export * from "./gitignore.ts";
export * from "./glob_pattern.ts";
export * from "./grep_engine.ts";
export * from "./grep_worker.ts";
export * from "./ripgrep.ts";
export * from "./rust_regex.ts";
export * from "./unreadable.ts";
export * from "./walk.ts";
