/**
 * The agent: the loop, its conversation and the queue of messages typed while it works.
 * @module
 */

export { Agent, type AgentOptions } from "./agent.ts";
export { InputQueue, type MessageQueue } from "./queue.ts";
export { checkArguments, coerceArguments, parseArguments } from "./validate.ts";
