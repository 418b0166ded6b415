/**
 * Headless front end: `--print` and `--mode json`.
 * @module
 */

export { type HeadlessOptions, runHeadless } from "./run.ts";
