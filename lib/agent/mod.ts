/**
 * The agent: the loop, the conversation it owns, one tool call and a batch of them, argument
 * validation, and the queue of messages typed while it works.
 * @module
 */

export { Agent, type AgentOptions, type ContextReport, INTERRUPTED } from "./agent.ts";
export {
  findCut,
  gatherFiles,
  isSummary,
  planPrune,
  planSummary,
  summarize,
  summaryMessage,
  type SummaryPlan,
  summaryRequest,
  transcript,
} from "./compaction.ts";
export { ContextMeter, type ContextUse, estimateMessage, estimateTools } from "./estimate.ts";
export {
  type Compaction,
  consistentPrefix,
  Conversation,
  type ConversationListener,
  type ConversationOptions,
} from "./conversation.ts";
export {
  type CompactionSettings,
  DEFAULT_COMPACTION,
  replay,
  type Replayed,
  triggerAt,
} from "../core/mod.ts";
export { type LoopContext, runLoop } from "./loop.ts";
export { groupCalls, runToolCalls, SKIPPED } from "./tool_batch.ts";
export {
  type BeforeToolCall,
  type CallContext,
  finishResult,
  MAX_RESULT_BYTES,
  prepareCall,
  type PreparedCall,
  runCall,
  runsConcurrently,
  type ToolCallRequest,
  type ToolOutcome,
} from "./tool_call.ts";
export { InputQueue, type MessageQueue } from "./queue.ts";
export { checkArguments, coerceArguments, parseArguments } from "./validate.ts";
