/**
 * The agent: a conversation, the tools and the provider, and a loop that runs one user input at a
 * time. Every change to the conversation (a run's messages, and between runs a model switch, a new
 * system prompt, a clear) is an event: subscribers get each at once, and each run's stream carries
 * those made since the previous run too, so the run streams together rebuild the conversation.
 * @module
 */

import type { AgentEvent, ContentPart, ConversationEvent, Message, Provider, Tool } from "../core/mod.ts";
import { Conversation, type ConversationListener } from "./conversation.ts";
import { runLoop } from "./loop.ts";
import type { MessageQueue } from "./queue.ts";
import type { BeforeToolCall } from "./tool_call.ts";

/** The result a tool call gets when nanocode stopped before the call finished. */
export const INTERRUPTED =
  "Tool call interrupted: nanocode stopped before it finished; run it again if it is still needed.";

/** What an agent is made of. */
export interface AgentOptions {
  provider: Provider;
  tools: readonly Tool[];
  model: string;
  /** The folder tools resolve relative paths against. */
  cwd: string;
  /** The system prompt; the first message of the conversation (emitted as `system_prompt`). */
  systemPrompt?: string;
  /** Messages to start from (a fork, a resumed session); no events are emitted for them. */
  messages?: readonly Message[];
  /** Where steering and follow-up messages come from (the REPL's input line). */
  queue?: MessageQueue;
  /**
   * Whether a model accepts images (default: every model does); for one that does not, tool images
   * are replaced by a note saying they were omitted.
   */
  acceptsImages?: (model: string) => boolean;
  /** Asked before every tool call; may block it with a reason the model reads. */
  beforeToolCall?: BeforeToolCall;
  /** The environment tools read their settings from (default: none). */
  env?: (name: string) => string | undefined;
}

/** A conversation with a model and the tools it may call. */
export class Agent {
  /** The tools offered to the model. */
  readonly tools: readonly Tool[];
  readonly #options: AgentOptions;
  readonly #conversation: Conversation;
  /** Changes made between runs (or during one, from outside), not yet in any run's stream. */
  #unstreamed: ConversationEvent[] = [];
  #running = false;

  constructor(options: AgentOptions) {
    this.#options = options;
    this.tools = options.tools;
    this.#conversation = new Conversation({ model: options.model, messages: options.messages });
    if (options.systemPrompt) this.setSystemPrompt(options.systemPrompt);
  }

  /** The conversation as the next request sends it. */
  get messages(): readonly Message[] {
    return this.#conversation.messages;
  }

  /** The model the next request names. */
  get model(): string {
    return this.#conversation.model;
  }

  /** Calls `listener` with every later change to the conversation, in or between runs. */
  subscribe(listener: ConversationListener): () => void {
    return this.#conversation.subscribe(listener);
  }

  /** Switches the model; the next request uses it. */
  setModel(model: string): void {
    this.#unstreamed.push(this.#conversation.setModel(model));
  }

  /** Replaces the system prompt (e.g. after context files were reloaded), keeping the conversation. */
  setSystemPrompt(prompt: string): void {
    this.#unstreamed.push(this.#conversation.setSystemPrompt(prompt));
  }

  /** Drops everything but the system prompt. */
  clear(): void {
    this.#unstreamed.push(this.#conversation.clear());
  }

  /**
   * Gives every tool call that has no result one saying it was interrupted: a conversation saved by a
   * process that was killed mid-tool can then be sent again. Returns how many calls were answered.
   */
  answerInterruptedCalls(): number {
    const answered = new Set(this.messages.flatMap((m) => (m.role === "tool" ? [m.tool_call_id] : [])));
    const last = this.messages.findLast((m) => m.role === "assistant");
    const open = last?.role === "assistant" ? (last.tool_calls ?? []).filter((c) => !answered.has(c.id)) : [];
    for (const call of open) {
      this.#unstreamed.push(
        this.#conversation.append({ role: "tool", tool_call_id: call.id, content: INTERRUPTED }),
      );
    }
    return open.length;
  }

  /**
   * A throw-away agent on a copy of the conversation (the part in which every tool call has its
   * result), with the same provider, model and cwd and the tools given. Its runs never touch this one.
   */
  fork(options: { tools: readonly Tool[] }): Agent {
    const { provider, cwd, acceptsImages, beforeToolCall, env } = this.#options;
    return new Agent({
      provider,
      cwd,
      acceptsImages,
      beforeToolCall,
      env,
      tools: options.tools,
      model: this.model,
      messages: this.#conversation.snapshot(),
    });
  }

  /**
   * Runs the loop for one user input and yields its events. Aborting `signal` stops the model call
   * and every running tool at once and leaves the conversation consistent: every tool call the model
   * made gets a result. One run at a time.
   */
  async *run(input: string | ContentPart[], signal: AbortSignal): AsyncGenerator<AgentEvent> {
    if (this.#running) throw new Error("Cannot start a run while another one is in progress on this agent.");
    this.#running = true;
    const { provider, cwd, queue, acceptsImages, beforeToolCall, env } = this.#options;
    const conversation = this.#conversation;
    const takeUnstreamed = () => this.#unstreamed.splice(0);
    try {
      const loop = runLoop(input, {
        conversation,
        provider,
        tools: this.tools,
        cwd,
        signal,
        env,
        beforeToolCall,
        acceptsImages,
        async *boundary() {
          yield* takeUnstreamed();
          for (const text of queue?.takeSteering() ?? []) {
            yield { type: "queue", kind: "steer", text };
            yield conversation.append({ role: "user", content: text });
          }
        },
        pending: () => queue?.hasSteering() ?? false,
        followUp: () => queue?.takeFollowUp(),
      });
      for await (const event of loop) {
        yield event;
        // What changed before the run began (a clear, a new model) comes before its first message.
        if (event.type === "agent_start") yield* takeUnstreamed();
      }
      yield* takeUnstreamed();
    } finally {
      this.#running = false;
    }
  }
}
