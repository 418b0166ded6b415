/**
 * The engine behind `webfetch` and `websearch`: shared HTTP helpers and HTML conversion, which runs
 * on a worker that an abort or a timeout stops at once.
 * @module
 */

export * from "./html.ts";
export * from "./html_worker.ts";
export * from "./http.ts";
