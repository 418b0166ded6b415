/**
 * The contract between the agent loop and a model provider: a request goes in, a stream of typed
 * deltas comes out. A provider never throws in the middle of a stream; failures arrive as the final
 * `done` delta with reason `error` or `aborted`.
 * @module
 */

import type { AssistantMessage, Message, Usage } from "./messages.ts";
import type { JsonSchema } from "./tool.ts";

/** A tool as offered to the model. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: JsonSchema;
}

/** One request to the model. */
export interface ChatRequest {
  model: string;
  messages: readonly Message[];
  tools?: ToolSpec[];
}

/** A tool call assembled from the stream, arguments still as raw text (possibly invalid JSON). */
export interface AssembledToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Why a stream ended. */
export type StopReason = "stop" | "length" | "tool_calls" | "content_filter" | "error" | "aborted";

/** One piece of a streamed response. */
export type ProviderDelta =
  | { type: "text"; text: string }
  | { type: "thinking"; text: string }
  /** A tool call whose arguments are complete. */
  | { type: "tool_call"; call: AssembledToolCall }
  | { type: "usage"; usage: Usage }
  /** The request failed before any output and will be sent again after `delayMs`. */
  | { type: "retry"; attempt: number; maxRetries: number; delayMs: number; reason: string }
  /**
   * The last delta. `message` is the assistant message to append to the conversation (text, tool
   * calls, reasoning in the field the provider wants back). `error` is a one-line message when
   * `reason` is `error`.
   */
  | {
    type: "done";
    reason: StopReason;
    message: AssistantMessage;
    toolCalls: AssembledToolCall[];
    error?: string;
    /** True when the failure was a context overflow (the request was too long). */
    contextOverflow?: boolean;
    /** True when the connection broke (rather than the endpoint reporting an error). */
    broken?: boolean;
  };

/** Something that turns requests into delta streams. */
export interface Provider {
  stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<ProviderDelta>;
  /** Lists the endpoint's model ids. Throws when the endpoint cannot list models. */
  listModels(signal: AbortSignal): Promise<string[]>;
}
