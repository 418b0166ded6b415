/**
 * How many tokens a conversation takes, estimated locally (about four characters a token over the
 * role, the content, the reasoning and the tool-call JSON) and anchored to the `prompt_tokens` the
 * endpoint last reported: then the estimate is that figure plus the estimate of what was appended
 * since. Kept as the conversation changes, so checking it costs the same at 20 messages as at 2,000.
 * @module
 */

import type { ConversationEvent, Message, ToolSpec } from "../core/mod.ts";

/** Characters per token of the local estimate. */
const CHARS_PER_TOKEN = 4;
/** What an image counts for (a typical vision model bills 1–2k tokens for one). */
const IMAGE_TOKENS = 1200;
/** What each message costs beside its text (role and framing). */
const MESSAGE_OVERHEAD = 4;

/** The estimated tokens of one message. */
export function estimateMessage(message: Message): number {
  let chars = 0;
  let images = 0;
  const content = message.content;
  if (typeof content === "string") chars += content.length;
  else if (content) {
    for (const part of content) {
      if (part.type === "text") chars += part.text.length;
      else images++;
    }
  }
  if (message.role === "assistant") {
    chars += (message.reasoning_content ?? message.reasoning ?? message.reasoning_text ?? "").length;
    if (message.reasoning_details) chars += JSON.stringify(message.reasoning_details).length;
    for (const call of message.tool_calls ?? []) {
      chars += call.function.name.length + call.function.arguments.length + call.id.length + 16;
    }
  }
  return Math.ceil(chars / CHARS_PER_TOKEN) + images * IMAGE_TOKENS + MESSAGE_OVERHEAD;
}

/** The estimated tokens of the tool schemas a request declares. */
export function estimateTools(tools: readonly ToolSpec[]): number {
  return tools.length === 0 ? 0 : Math.ceil(JSON.stringify(tools).length / CHARS_PER_TOKEN);
}

/** What the context holds, by part. */
export interface ContextUse {
  /** The whole estimate: what the next request would send. */
  total: number;
  system: number;
  tools: number;
  messages: number;
  /** Whether `total` is anchored to a figure the endpoint reported. */
  anchored: boolean;
}

/**
 * Follows a conversation's changes and keeps its estimate. Appends cost one message's estimate;
 * a system prompt change, a clear or a compaction (all rare) recount the whole.
 */
export class ContextMeter {
  #perMessage: number[] = [];
  #sum = 0;
  #tools = 0;
  /** The endpoint's count for the first `at` messages, with our estimate of those at that time. */
  #anchor: { tokens: number; at: number; estimated: number } | undefined;

  constructor(messages: readonly Message[], tools: readonly ToolSpec[] = []) {
    this.recount(messages);
    this.#tools = estimateTools(tools);
  }

  /** Recounts from scratch (after a change that is not an append). */
  recount(messages: readonly Message[]): void {
    this.#perMessage = messages.map(estimateMessage);
    this.#sum = this.#perMessage.reduce((a, b) => a + b, 0);
    this.#anchor = undefined;
  }

  /** Takes one conversation change; `messages` is the conversation after it. */
  follow(event: ConversationEvent, messages: readonly Message[]): void {
    if (event.type === "message") {
      const tokens = estimateMessage(event.message);
      this.#perMessage.push(tokens);
      this.#sum += tokens;
    } else if (event.type !== "model_change") this.recount(messages);
  }

  /**
   * The endpoint counted `promptTokens` for a request of the first `messageCount` messages (schemas
   * and system prompt included): later estimates build on that figure.
   */
  anchor(promptTokens: number, messageCount: number): void {
    if (promptTokens <= 0 || messageCount > this.#perMessage.length) return;
    // The request usually held every message there is, so this walks none or a few.
    const estimated = this.#sum - this.tail(messageCount);
    this.#anchor = { tokens: promptTokens, at: messageCount, estimated };
  }

  /** The tool schemas changed. */
  setTools(tools: readonly ToolSpec[]): void {
    this.#tools = estimateTools(tools);
  }

  /** The estimate now, by part. */
  use(messages: readonly Message[]): ContextUse {
    const system = messages[0]?.role === "system" ? this.#perMessage[0] ?? 0 : 0;
    const local = this.#sum + this.#tools;
    const total = this.#anchor ? this.#anchor.tokens + (this.#sum - this.#anchor.estimated) : local;
    return {
      total,
      system,
      tools: this.#tools,
      messages: Math.max(0, total - system - this.#tools),
      anchored: this.#anchor !== undefined,
    };
  }

  /** The estimate of the messages from `start` on. */
  tail(start: number): number {
    let sum = 0;
    for (let i = start; i < this.#perMessage.length; i++) sum += this.#perMessage[i];
    return sum;
  }

  /** The estimate of message `index`. */
  at(index: number): number {
    return this.#perMessage[index] ?? 0;
  }
}
