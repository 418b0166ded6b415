/**
 * Building the body of a chat-completions request. Pure: the conversation goes in untouched and a
 * JSON-ready object comes out, with reasoning fields arranged the way the target model wants them.
 * @module
 */

import type { AssistantMessage, Message } from "../core/messages.ts";
import type { ChatRequest, ToolSpec } from "../core/provider.ts";
import { detailText } from "./reasoning.ts";

/**
 * What a model family wants from earlier assistant messages' reasoning:
 * - `require`: every assistant message with tool calls must carry `reasoning_content` (or the
 *   endpoint answers 400); `""` stands in when none was captured, e.g. history from another model.
 * - `strip`: `reasoning_content` must not be sent at all.
 * - `keep`: send reasoning back in the field it arrived in (OpenRouter's `reasoning_details` included).
 */
export type ReasoningPolicy = "require" | "strip" | "keep";

/** The rule table, first match wins; models matching none get `keep`. */
export const REASONING_RULES: readonly { pattern: RegExp; policy: ReasoningPolicy; why: string }[] = [
  { pattern: /deepseek-reasoner/i, policy: "strip", why: "legacy DeepSeek R1 API rejects it in input" },
  { pattern: /kimi/i, policy: "require", why: "Kimi thinking models need it on tool-call turns" },
  {
    pattern: /deepseek[^/]*(v4|think)/i,
    policy: "require",
    why: "DeepSeek V4 thinking mode needs it on tool-call turns",
  },
];

/** The reasoning policy for a model id. */
export function reasoningPolicy(model: string): ReasoningPolicy {
  for (const rule of REASONING_RULES) if (rule.pattern.test(model)) return rule.policy;
  return "keep";
}

/**
 * Prepares a conversation for `model`: applies the model's {@link ReasoningPolicy} to assistant
 * messages. Messages that need no change are passed through as the same objects.
 */
export function prepareMessages(model: string, messages: readonly Message[]): Message[] {
  const policy = reasoningPolicy(model);
  if (policy === "keep") return messages.slice();
  return messages.map((m) => {
    if (m.role !== "assistant") return m;
    if (policy === "strip") {
      if (m.reasoning_content === undefined) return m;
      const { reasoning_content: _dropped, ...rest } = m;
      return rest;
    }
    if (!m.tool_calls?.length || m.reasoning_content !== undefined) return m;
    return { ...m, reasoning_content: fallbackReasoning(m) };
  });
}

function fallbackReasoning(m: AssistantMessage): string {
  if (m.reasoning !== undefined) return m.reasoning;
  if (m.reasoning_text !== undefined) return m.reasoning_text;
  if (m.reasoning_details) return m.reasoning_details.map(detailText).join("");
  return "";
}

/** A tool in the OpenAI function-calling format. */
export interface WireTool {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** Converts tool specs to the OpenAI function-calling format. */
export function wireTools(tools: readonly ToolSpec[]): WireTool[] {
  return tools.map((t) => ({
    type: "function",
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

/** The JSON body of a streaming chat-completions request. */
export interface ChatBody {
  model: string;
  messages: Message[];
  tools?: WireTool[];
  /** `"auto"` whenever tools are offered: some endpoints call no tool unless asked to choose. */
  tool_choice?: "auto";
  /** The reply's token limit, under the name most endpoints take. */
  max_tokens?: number;
  /** The same limit under the name OpenAI's own API takes (it refuses `max_tokens` for newer models). */
  max_completion_tokens?: number;
  stream: true;
  stream_options: { include_usage: true };
}

/** What a request body carries besides the request itself. */
export interface ChatBodyOptions {
  /** The reply's token limit; none is sent when undefined (the default). */
  maxTokens?: number;
  /**
   * The chat URL the body goes to. On OpenAI's own API the limit is sent as `max_completion_tokens`,
   * elsewhere as `max_tokens`. Default: none, so `max_tokens`.
   */
  url?: string;
}

/**
 * Builds the request body: messages prepared for the model, tools in function format with
 * `tool_choice: "auto"` (both left out when there are none, which some endpoints require), the token
 * limit when one is given, streaming with usage in the last chunk.
 *
 * @example
 * ```ts
 * const body = buildChatBody({ model: "kimi-k2.6", messages }, { maxTokens: 8192 });
 * await fetch(url, { method: "POST", body: JSON.stringify(body) });
 * ```
 */
export function buildChatBody(request: ChatRequest, options: ChatBodyOptions = {}): ChatBody {
  const body: ChatBody = {
    model: request.model,
    messages: prepareMessages(request.model, request.messages),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.tools && request.tools.length > 0) {
    body.tools = wireTools(request.tools);
    body.tool_choice = "auto";
  }
  if (options.maxTokens !== undefined) {
    if (isOpenAIApi(options.url)) body.max_completion_tokens = options.maxTokens;
    else body.max_tokens = options.maxTokens;
  }
  return body;
}

function isOpenAIApi(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    return new URL(url).hostname === "api.openai.com";
  } catch {
    return false;
  }
}
