/**
 * What a tool is: a plain value the registry lists and the agent loop calls. Tools return results and
 * throw on failure; the loop turns a throw into an error result whose text is the message, so messages
 * should tell the model how to correct its call.
 * @module
 */

import type { ContentPart } from "./messages.ts";

/** A JSON Schema object describing a tool's arguments. */
export type JsonSchema = Record<string, unknown>;

/** The Deno permissions a tool needs to be useful; without them the registry leaves it out. */
export type ToolPermission = "read" | "write" | "run" | "net" | "env";

/** What a running tool gets from the loop. */
export interface ToolContext {
  /** The folder relative paths resolve against. */
  cwd: string;
  /** Aborted when the user interrupts or the run ends; tools stop their work and processes at once. */
  signal: AbortSignal;
  /** Streams partial output to the UI (e.g. the tail of a running command). Never seen by the model. */
  update(text: string): void;
  /** Reads the environment the run was configured with (unset when absent or not granted). */
  env?: (name: string) => string | undefined;
  /** The id of the call being run: what an editor links a terminal the tool opens to. */
  callId?: string;
}

/** What a tool returns. `content` goes to the model; `details` travel in events for the UI only. */
export interface ToolResult {
  content: ContentPart[];
  details?: Record<string, unknown>;
}

/** A tool the model can call. */
export interface Tool {
  name: string;
  description: string;
  /** JSON Schema of the arguments (an object schema). */
  parameters: JsonSchema;
  /** Deno permissions the tool needs; the registry drops tools whose permissions were not granted. */
  permissions: readonly ToolPermission[];
  /**
   * True for a tool that only reads: calls of such tools in one assistant message run concurrently,
   * and it belongs to the read-only set (`/btw --tools`). A function decides per call, for a tool
   * whose actions differ (it then stays out of the read-only set). A tool that writes, runs commands
   * or is unknown runs alone, in order.
   */
  readOnly?: boolean | ((args: Record<string, unknown>) => boolean);
  /**
   * True for a call that may run beside the other concurrent calls of its message although it does
   * not only read (a child agent in a process of its own). Default: only read-only calls do.
   */
  concurrent?: (args: Record<string, unknown>) => boolean;
  /**
   * Folds legacy or loose argument shapes into the schema's shape before validation (e.g. an array
   * sent as a JSON string). Optional.
   */
  prepareArguments?(args: Record<string, unknown>): Record<string, unknown>;
  execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult>;
}

/** Whether a call of `tool` with `args` only reads (a `readOnly` function that throws: it does not). */
export function callIsReadOnly(tool: Tool, args: Record<string, unknown>): boolean {
  if (typeof tool.readOnly !== "function") return tool.readOnly === true;
  try {
    return tool.readOnly(args) === true;
  } catch {
    return false;
  }
}

/**
 * Thrown by a tool whose failure carries data for the UI (an exit code, partial output) besides the
 * message the model reads.
 */
export class ToolError extends Error {
  /** Data for the UI, like a result's `details`. */
  readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "ToolError";
    this.details = details;
  }
}

/** A result holding one text part. */
export function textResult(text: string, details?: Record<string, unknown>): ToolResult {
  return details ? { content: [{ type: "text", text }], details } : { content: [{ type: "text", text }] };
}
