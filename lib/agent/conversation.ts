/**
 * The conversation's one owner. Every change goes through it and comes out as a
 * {@link ConversationEvent}; nothing else pushes to, splices or reassigns the message array, so a log
 * of those events rebuilds the conversation exactly (`replay` in lib/core).
 * @module
 */

import { applyCompaction, applySystemPrompt, type ConversationEvent, type Message } from "../core/mod.ts";

/** A compaction as the conversation applies it (the `compaction` event without its type). */
export type Compaction = Omit<Extract<ConversationEvent, { type: "compaction" }>, "type">;

/** What a conversation starts from. */
export interface ConversationOptions {
  /** The model the first request names. */
  model: string;
  /**
   * Messages to start from (a fork, a resumed session). They are the starting point, not changes:
   * no events are emitted for them.
   */
  messages?: readonly Message[];
}

/** Receives every change to a conversation, as it happens. */
export type ConversationListener = (event: ConversationEvent) => void;

/** The message array and the model, changed only through methods that each emit one event. */
export class Conversation {
  #messages: Message[];
  #model: string;
  readonly #listeners = new Set<ConversationListener>();

  constructor(options: ConversationOptions) {
    this.#model = options.model;
    this.#messages = [...(options.messages ?? [])];
  }

  /** The messages as the next request sends them. Read-only: change them through the methods. */
  get messages(): readonly Message[] {
    return this.#messages;
  }

  /** The model the next request names. */
  get model(): string {
    return this.#model;
  }

  /** Calls `listener` with every later change; returns a function that stops it. */
  subscribe(listener: ConversationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Appends one whole message; `isError` marks a failed call's result, for logs and replays. */
  append(message: Message, options: { isError?: boolean } = {}): ConversationEvent {
    this.#messages.push(message);
    return this.#emit(
      options.isError ? { type: "message", message, isError: true } : { type: "message", message },
    );
  }

  /** Switches the model of later requests. */
  setModel(model: string): ConversationEvent {
    this.#model = model;
    return this.#emit({ type: "model_change", model });
  }

  /** Replaces the system prompt (the first message), or puts one first when there is none. */
  setSystemPrompt(prompt: string): ConversationEvent {
    this.#messages = applySystemPrompt(this.#messages, prompt);
    return this.#emit({ type: "system_prompt", prompt });
  }

  /** Drops everything but the system prompt. */
  clear(): ConversationEvent {
    this.#messages = this.#messages.filter((m) => m.role === "system");
    return this.#emit({ type: "clear" });
  }

  /** Makes older messages smaller: prunes tool results and puts a summary in place of the oldest. */
  compact(compaction: Compaction): ConversationEvent {
    const event: ConversationEvent = { type: "compaction", ...compaction };
    this.#messages = applyCompaction(this.#messages, event);
    return this.#emit(event);
  }

  /**
   * A deep copy of the longest start in which every assistant tool call has its result, so a copy
   * taken while tools run is a valid request on its own.
   */
  snapshot(): Message[] {
    return structuredClone(consistentPrefix(this.#messages)) as Message[];
  }

  #emit(event: ConversationEvent): ConversationEvent {
    for (const listener of this.#listeners) listener(event);
    return event;
  }
}

/**
 * The longest start of `messages` in which every assistant tool call has its result.
 * @example
 * ```ts
 * consistentPrefix([user, assistantCallingTool]); // [user]
 * ```
 */
export function consistentPrefix(messages: readonly Message[]): readonly Message[] {
  const answered = new Set(messages.flatMap((m) => (m.role === "tool" ? [m.tool_call_id] : [])));
  const broken = messages.findIndex((m) =>
    m.role === "assistant" && (m.tool_calls ?? []).some((call) => !answered.has(call.id))
  );
  return broken < 0 ? messages : messages.slice(0, broken);
}
