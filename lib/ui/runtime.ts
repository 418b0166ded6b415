/**
 * What the REPL needs from a session, as interfaces: the command line's session satisfies them
 * structurally, and tests can build one from a real agent and a scripted provider.
 * @module
 */

import type { AgentEvent, ContentPart, Message, Provider, Tool } from "../core/mod.ts";
import type { Skill } from "../context/mod.ts";

/** The conversation the REPL drives. `Agent` from lib/agent fits. */
export interface ReplAgent {
  /** The conversation as sent on the wire. */
  messages: Message[];
  /** The model id the next request names. */
  model: string;
  /** The tools offered to the model. */
  readonly tools: readonly Tool[];
  /** Runs one user input through the loop. */
  run(input: string | ContentPart[], signal: AbortSignal): AsyncIterable<AgentEvent>;
  /** Drops everything but the system prompt. */
  clear(): void;
}

/** One queued message, as the queue lists it and as `/dequeue edit` shows it. */
export interface QueuedMessage {
  kind: "steer" | "followup";
  text: string;
}

/** The steering and follow-up queue. `InputQueue` from lib/agent fits. */
export interface ReplQueue {
  steer(text: string): void;
  followUp(text: string): void;
  list(): QueuedMessage[];
  clear(): QueuedMessage[];
  replace(items: QueuedMessage[]): void;
}

/** A session as the REPL uses it. */
export interface ReplSession {
  agent: ReplAgent;
  provider: Provider;
  config: {
    /** Whether reasoning is shown (`SHOW_THINKING=0` turns it off). */
    showThinking: boolean;
    /** The endpoint, shown by `/model`. */
    baseUrl?: string;
  };
  /** The queue the agent's loop drains. */
  queue: ReplQueue;
  /** The whole tool surface (what `/btw --tools` offers). */
  tools: readonly Tool[];
  /** Tools left out for missing permissions, and the flags that would add them. */
  omitted?: readonly { name: string; flags: string[] }[];
  skills: readonly Skill[];
  /** Re-reads context files and skills and rebuilds the system prompt; returns warnings. */
  reload(): Promise<string[]>;
}
