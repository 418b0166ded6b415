/**
 * The provider layer: turns a chat request into a stream of typed deltas over an OpenAI-compatible
 * endpoint. Knows HTTP, SSE, tool-call assembly, reasoning fields, retries and abort; knows nothing of
 * tools or the terminal.
 * @module
 */

export { createOpenAIProvider, type OpenAIProviderOptions } from "./openai.ts";
export { readChatStream, type ReadChatStreamOptions } from "./chat_stream.ts";
export { encodeChatBody } from "./body.ts";
export {
  buildChatBody,
  type ChatBody,
  type ChatBodyOptions,
  prepareMessages,
  REASONING_RULES,
  type ReasoningPolicy,
  reasoningPolicy,
  type WireTool,
  wireTools,
} from "./request.ts";
export { isContextOverflowMessage, isQuotaExhausted } from "./http_errors.ts";
export { backoffDelay, isRetryableStatus, MAX_RETRY_WAIT_MS, retryAfterMs } from "./retry.ts";
export { acceptsImages } from "./capabilities.ts";
