/**
 * The events an agent run emits. One flat union of plain JSON objects: the terminal renderer, the
 * headless JSON mode (one event per line), the session log and tests all consume the same stream.
 * @module
 */

import type { StopReason } from "./provider.ts";
import type { Message, Usage } from "./messages.ts";

/**
 * A change to the conversation. These are the source of truth: replaying them in order rebuilds the
 * exact message array the next request sends (saved sessions, `--resume` and job monitors rely on it).
 */
export type ConversationEvent =
  /** A whole message appended, as sent on the wire (user input, assistant turns with reasoning, tool results). */
  | {
    type: "message";
    message: Message;
    /** Set on a tool result whose call failed (the model reads the failure as text either way). */
    isError?: true;
  }
  /** The model the next requests name. */
  | { type: "model_change"; model: string }
  /** The system prompt, replacing the one before (the first message of the conversation). */
  | { type: "system_prompt"; prompt: string }
  /** Everything but the system prompt dropped. */
  | { type: "clear" }
  /**
   * Older messages made smaller to free context: tool results pruned to stubs, and (when a summary
   * was made) the first `replaced` messages after the system prompt replaced by the kept user
   * messages (`kept`, their indices in the conversation before) followed by the summary message.
   */
  | {
    type: "compaction";
    /** Tool results replaced by a one-line stub: index in the conversation before, and the stub. */
    pruned: { index: number; content: string }[];
    /** How many messages after the system prompt the summary replaced (0: prune only). */
    replaced: number;
    /** Indices (before) of user messages among the replaced that are kept verbatim. */
    kept: number[];
    /** The summary, as the user message that takes the replaced messages' place. */
    summary?: Message;
    tokensBefore: number;
    tokensAfter: number;
  };

/** Every event an agent run can emit: its own progress, the live deltas and the conversation's changes. */
export type AgentEvent =
  | ConversationEvent
  | { type: "agent_start"; model: string; cwd: string; tools: string[] }
  | { type: "turn_start"; turn: number }
  /** Live text of the answer; for display only (the `message` event holds the whole answer). */
  | { type: "text_delta"; text: string }
  | { type: "thinking_delta"; text: string }
  /**
   * A complete tool call. `args` is always an object: the parsed arguments, or `{}` when they were not
   * a JSON object, with the text as sent in `rawArgs`.
   */
  | { type: "tool_call"; id: string; name: string; args: Record<string, unknown>; rawArgs?: string }
  /** Streamed partial output of a running tool. */
  | { type: "tool_update"; id: string; name: string; text: string }
  | {
    type: "tool_result";
    id: string;
    name: string;
    isError: boolean;
    /** The text the model receives. */
    text: string;
    details?: Record<string, unknown>;
  }
  /** Usage of one model call, and the running total of the run. */
  | { type: "usage"; usage: Usage; total: Usage }
  /** A background job's result delivered at a boundary; its text follows as a user `message`. */
  | {
    type: "job_result";
    id: string;
    status: "done" | "failed" | "cancelled";
    exitCode: number | null;
    elapsedSeconds: number;
  }
  /** A message taken from the steering or follow-up queue and delivered to the model. */
  | { type: "queue"; kind: "steer" | "followup"; text: string }
  | { type: "retry"; attempt: number; maxRetries: number; delayMs: number; reason: string }
  | { type: "error"; message: string; contextOverflow?: boolean }
  | { type: "turn_end"; turn: number; reason: StopReason }
  | {
    type: "agent_end";
    /** The final assistant text of the run. */
    text: string;
    reason: StopReason;
    usage: Usage;
    turns: number;
    error?: string;
  };

/** The `type` of an agent event. */
export type AgentEventType = AgentEvent["type"];
