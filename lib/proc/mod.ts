/**
 * Child processes in their own process groups: spawn, stop with a grace period, and pump their
 * output. Used by `bash` today; jobs and MCP stdio servers use the same.
 * @module
 */

export * from "./process_group.ts";
export * from "./leftovers.ts";
