/**
 * What the REPL needs from the runtime, as interfaces: the command line's runtime satisfies them
 * structurally, and tests can build one from a real agent and a scripted provider.
 * @module
 */

import type { AgentEvent, ContentPart, Message, Provider, Tool } from "../core/mod.ts";

/** The conversation the REPL drives. `Agent` from lib/agent fits. */
export interface ReplAgent {
  /** The conversation as sent on the wire; changed only through the agent's own methods. */
  readonly messages: readonly Message[];
  /** The model id the next request names. */
  readonly model: string;
  /** The tools offered to the model. */
  readonly tools: readonly Tool[];
  /** Switches the model for the next request (recorded as a `model_change` event). */
  setModel(model: string): void;
  /** Runs one user input through the loop. */
  run(input: string | ContentPart[], signal: AbortSignal): AsyncIterable<AgentEvent>;
  /** Drops everything but the system prompt (recorded as a `clear` event). */
  clear(): void;
  /**
   * A throw-away agent on a copy of the conversation (the part in which every tool call has its
   * result), with the same provider and model and the tools given: what `/btw` asks on.
   */
  fork(options: { tools: readonly Tool[] }): ReplAgent;
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

/** A skill as the REPL lists and runs it. */
export interface ReplSkill {
  name: string;
  description: string;
  /** True when the skill's front matter keeps it from the model (`/skills` marks it hidden). */
  hidden?: boolean;
}

/** The runtime as the REPL uses it. */
export interface ReplRuntime {
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
  /** The whole tool surface. */
  tools: readonly Tool[];
  /** The tools that only read (what `/btw --tools` offers, so a side question changes nothing). */
  readOnlyTools: readonly Tool[];
  /** Tools left out for missing permissions, and the flags that would add them. */
  omitted?: readonly { name: string; flags: string[] }[];
  skills: readonly ReplSkill[];
  /**
   * The text `/skill:<name> [args]` sends: the skill file's instructions with the arguments. Throws
   * a one-line error when the skill's file cannot be read.
   */
  expandSkill(name: string, args: string): Promise<string>;
  /** Re-reads context files and skills and rebuilds the system prompt; returns warnings. */
  reload(): Promise<string[]>;
}
