/**
 * The conversation vocabulary, in the OpenAI chat-completions message form that nanocode sends on the
 * wire. Everything here is plain JSON so a conversation can be logged, replayed and compacted as is.
 * @module
 */

/** A text part of a message's content. */
export interface TextPart {
  type: "text";
  text: string;
}

/** An image part of a message's content, carried as a data URL. */
export interface ImagePart {
  type: "image_url";
  image_url: { url: string };
}

/** One part of a message's content. */
export type ContentPart = TextPart | ImagePart;

/** A tool call as it appears on an assistant message. `arguments` is the raw JSON text. */
export interface ToolCallWire {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** The system prompt. */
export interface SystemMessage {
  role: "system";
  content: string;
}

/** A message from the user (or from nanocode speaking for the user, e.g. an image a tool read). */
export interface UserMessage {
  role: "user";
  content: string | ContentPart[];
}

/**
 * A message from the model. Reasoning is kept in the field it arrived in, so that it can be sent back
 * unchanged to providers that require it on tool-call turns.
 */
export interface AssistantMessage {
  role: "assistant";
  content: string | null;
  tool_calls?: ToolCallWire[];
  reasoning_content?: string;
  reasoning?: string;
  reasoning_text?: string;
  reasoning_details?: unknown[];
}

/** The result of one tool call. */
export interface ToolMessage {
  role: "tool";
  tool_call_id: string;
  content: string;
}

/** Any message of a conversation. */
export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** Token counts reported by the endpoint. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedTokens?: number;
  reasoningTokens?: number;
  /** What the call cost in US dollars, when the endpoint says (OpenRouter's `usage.cost`). */
  cost?: number;
}

/** Adds two usage records; a field missing on both sides stays missing. */
export function addUsage(a: Usage, b: Usage): Usage {
  const sum: Usage = {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
  if (a.cachedTokens !== undefined || b.cachedTokens !== undefined) {
    sum.cachedTokens = (a.cachedTokens ?? 0) + (b.cachedTokens ?? 0);
  }
  if (a.reasoningTokens !== undefined || b.reasoningTokens !== undefined) {
    sum.reasoningTokens = (a.reasoningTokens ?? 0) + (b.reasoningTokens ?? 0);
  }
  if (a.cost !== undefined || b.cost !== undefined) sum.cost = (a.cost ?? 0) + (b.cost ?? 0);
  return sum;
}

/** A usage record of zeros. */
export const ZERO_USAGE: Readonly<Usage> = Object.freeze({
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
});

/** Joins the text parts of a content value into one string. */
export function contentText(content: string | ContentPart[] | null): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content.filter((p): p is TextPart => p.type === "text").map((p) => p.text).join("\n");
}
