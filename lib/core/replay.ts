/**
 * Rebuilding a conversation from its events: what saved sessions, `--resume`, job monitors and tests
 * rely on. Pure.
 * @module
 */

import type { AgentEvent } from "./events.ts";
import type { Message } from "./messages.ts";

/** The messages with `prompt` as the system prompt: the first message replaced, or put first. */
export function applySystemPrompt(messages: readonly Message[], prompt: string): Message[] {
  const system: Message = { role: "system", content: prompt };
  return messages[0]?.role === "system" ? [system, ...messages.slice(1)] : [system, ...messages];
}

/** What {@link replay} rebuilds. */
export interface Replayed {
  messages: Message[];
  /** The model of the last `model_change`, if there was one. */
  model?: string;
}

/**
 * Rebuilds a conversation from its events, in order. Events that are not conversation changes
 * (deltas, tool progress, usage) are skipped, so a whole JSON-mode stream can be passed as it is.
 * @example
 * ```ts
 * const { messages } = replay(events); // the array the next request would send
 * ```
 */
export function replay(events: Iterable<AgentEvent>, start: Replayed = { messages: [] }): Replayed {
  let messages = [...start.messages];
  let model = start.model;
  for (const event of events) {
    switch (event.type) {
      case "message":
        messages.push(event.message);
        break;
      case "model_change":
        model = event.model;
        break;
      case "system_prompt":
        messages = applySystemPrompt(messages, event.prompt);
        break;
      case "clear":
        messages = messages.filter((m) => m.role === "system");
        break;
    }
  }
  return model === undefined ? { messages } : { messages, model };
}
