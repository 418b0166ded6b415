/**
 * The agent: a conversation, the tools and the provider, and a loop that runs one user input at a
 * time. Every change to the conversation (a run's messages, and between runs a model switch, a new
 * system prompt, a clear) is an event: subscribers get each at once, and each run's stream carries
 * those made since the previous run too, so the run streams together rebuild the conversation.
 * @module
 */

import {
  type AgentEvent,
  type ContentPart,
  contentText,
  type ConversationEvent,
  type Message,
  type Provider,
  type Tool,
  type ToolSpec,
} from "../core/mod.ts";
import {
  type CompactionSettings,
  DEFAULT_COMPACTION,
  findCut,
  planPrune,
  planSummary,
  summarize,
  summaryMessage,
  triggerAt,
} from "./compaction.ts";
import { Conversation, type ConversationListener } from "./conversation.ts";
import { ContextMeter, type ContextUse } from "./estimate.ts";
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
  /** When and how much to compact (default {@link DEFAULT_COMPACTION}). */
  compaction?: CompactionSettings;
  /** Most model calls in one run (`--max-turns`); unlimited when undefined. */
  maxTurns?: number;
  /**
   * Messages from outside the conversation that wait for the next boundary (finished background
   * jobs): each is announced with its `notice` event and appended as a user message, after steering.
   */
  inbox?: { take(): { notice: AgentEvent; text: string }[] };
}

/** How full the context is, for `/context`. */
export interface ContextReport extends ContextUse {
  window: number;
  /** The estimate at which automatic compaction starts. */
  trigger: number;
  /** Tokens a compaction now would keep as they are (the recent part), or undefined when it could not. */
  wouldKeep?: number;
  /** Whether compaction happens by itself. */
  auto: boolean;
}

/** Automatic compactions that may fail in a row before the run stops. */
const MAX_FAILURES = 3;

/** A conversation with a model and the tools it may call. */
export class Agent {
  #tools: readonly Tool[];
  readonly #options: AgentOptions;
  readonly #conversation: Conversation;
  /** Changes made between runs (or during one, from outside), not yet in any run's stream. */
  #unstreamed: ConversationEvent[] = [];
  #running = false;
  readonly #meter: ContextMeter;
  readonly #compaction: CompactionSettings;
  /** Index of the current (or last) run's first user message. */
  #runStart = 0;
  #failures = 0;

  constructor(options: AgentOptions) {
    this.#options = options;
    this.#tools = options.tools;
    this.#compaction = options.compaction ?? DEFAULT_COMPACTION;
    this.#conversation = new Conversation({ model: options.model, messages: options.messages });
    this.#meter = new ContextMeter(this.#conversation.messages, this.#toolSpecs());
    this.#conversation.subscribe((event) => this.#meter.follow(event, this.#conversation.messages));
    if (options.systemPrompt) this.setSystemPrompt(options.systemPrompt);
  }

  /** The tools offered to the model. */
  get tools(): readonly Tool[] {
    return this.#tools;
  }

  /**
   * Changes the tools the next request offers (an editor switching to read-only mode, an MCP server's
   * new list). The context estimate follows; a run in progress offers them from its next model call.
   */
  setTools(tools: readonly Tool[]): void {
    this.#tools = tools;
    this.#meter.setTools(this.#toolSpecs());
  }

  #toolSpecs(): ToolSpec[] {
    return this.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
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

  /** How full the context is: the estimate by part, the window, the trigger, what a compaction would keep. */
  contextReport(): ContextReport {
    const messages = this.#conversation.messages;
    const use = this.#meter.use(messages);
    const cut = findCut(messages, this.#meter, this.#compaction.keepRecent);
    return {
      ...use,
      window: this.#compaction.window,
      trigger: triggerAt(this.#compaction),
      auto: this.#compaction.auto,
      ...(cut !== undefined ? { wouldKeep: this.#meter.tail(cut) } : {}),
    };
  }

  /**
   * Compacts now, whatever the estimate (`/compact`): prunes old tool results and summarises the
   * older part, with `instructions` for the summary. Yields the `compaction` event, or an `error`.
   */
  async *compact(instructions: string | undefined, signal: AbortSignal): AsyncGenerator<AgentEvent> {
    if (this.#running) throw new Error("Cannot compact while a run is in progress: wait for it, or stop it.");
    const compacting = this.#compact({ force: true, instructions, signal });
    let step = await compacting.next();
    for (; !step.done; step = await compacting.next()) {
      // Made between runs: the next run's stream carries it too, like any other change.
      if (step.value.type === "compaction") this.#unstreamed.push(step.value);
      yield step.value;
    }
    if (step.value.error) yield { type: "error", message: step.value.error };
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
        this.#conversation.append({ role: "tool", tool_call_id: call.id, content: INTERRUPTED }, {
          isError: true,
        }),
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
      compaction: this.#compaction,
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
    const { provider, cwd, queue, acceptsImages, beforeToolCall, env, maxTurns, inbox } = this.#options;
    const conversation = this.#conversation;
    const takeUnstreamed = () => this.#unstreamed.splice(0);
    const compactIfDue = () => this.#compactIfDue(signal);
    const recover = async function* (agent: Agent) {
      const outcome = yield* agent.#compact({ force: true, signal });
      if (outcome.error) yield { type: "error", message: outcome.error } as AgentEvent;
      return outcome.compacted;
    };
    this.#runStart = conversation.messages.length;
    try {
      const loop = runLoop(input, {
        conversation,
        provider,
        tools: () => this.tools,
        cwd,
        signal,
        env,
        beforeToolCall,
        acceptsImages,
        maxTurns,
        async *boundary() {
          yield* takeUnstreamed();
          for (const text of queue?.takeSteering() ?? []) {
            yield { type: "queue", kind: "steer", text };
            yield conversation.append({ role: "user", content: text });
          }
          for (const { notice, text } of inbox?.take() ?? []) {
            yield notice;
            yield conversation.append({ role: "user", content: text });
          }
          return yield* compactIfDue();
        },
        recover: () => recover(this),
        pending: () => queue?.hasSteering() ?? false,
        followUp: () => queue?.takeFollowUp(),
      });
      for await (const event of loop) {
        // The endpoint's count for this request (the messages so far) anchors later estimates.
        if (event.type === "usage") {
          this.#meter.anchor(event.usage.promptTokens, conversation.messages.length);
        }
        yield event;
        // What changed before the run began (a clear, a new model) comes before its first message.
        if (event.type === "agent_start") yield* takeUnstreamed();
      }
      yield* takeUnstreamed();
    } finally {
      this.#running = false;
    }
  }

  /** The boundary's compaction: at most one, and a stop instead of compacting in a loop. */
  async *#compactIfDue(signal: AbortSignal): AsyncGenerator<AgentEvent, { stop: string } | void> {
    const settings = this.#compaction;
    if (!settings.auto || this.#meter.use(this.#conversation.messages).total <= triggerAt(settings)) return;
    const outcome = yield* this.#compact({ force: false, signal });
    if (outcome.error) {
      this.#failures++;
      yield { type: "error", message: outcome.error };
      if (this.#failures >= MAX_FAILURES) {
        return {
          stop:
            `Cannot go on: compaction failed ${MAX_FAILURES} times in a row and the context is nearly full; ` +
            "run /compact with instructions, /c to start over, or raise NANOCODE_CONTEXT_WINDOW_TOKENS if the model allows.",
        };
      }
      return;
    }
    this.#failures = 0;
    const after = this.#meter.use(this.#conversation.messages).total;
    if (outcome.compacted && after > triggerAt(settings)) {
      return {
        stop:
          `Cannot bring the context under ${
            triggerAt(settings)
          } tokens: after compacting, the recent part alone holds ${after}; ` +
          "lower NANOCODE_COMPACTION_KEEP_RECENT_TOKENS, run /compact with instructions, or /c to start over.",
      };
    }
  }

  /** Prunes, then (when forced or still over the trigger) summarises. Never leaves a half-done change. */
  async *#compact(
    options: { force: boolean; instructions?: string; signal: AbortSignal },
  ): AsyncGenerator<AgentEvent, { compacted: boolean; error?: string }> {
    const settings = this.#compaction;
    const conversation = this.#conversation;
    const before = this.#meter.use(conversation.messages).total;
    const pruned = planPrune(conversation.messages, this.#meter, settings.keepRecent);
    if (pruned.length > 0) {
      const tokensAfter = before - pruned.reduce((sum, p) => sum + this.#meter.at(p.index), 0) +
        pruned.reduce((sum, p) => sum + Math.ceil(p.content.length / 4), 0);
      yield conversation.compact({ pruned, replaced: 0, kept: [], tokensBefore: before, tokensAfter });
      const now = this.#meter.use(conversation.messages).total;
      if (!options.force && now <= triggerAt(settings)) return { compacted: true };
    }
    const messages = conversation.messages;
    // Asked for by the user, a short conversation is still compacted: all but its latest turn.
    const cut = findCut(messages, this.#meter, settings.keepRecent) ??
      (options.force ? findCut(messages, this.#meter, 0) : undefined);
    if (cut === undefined) {
      if (pruned.length > 0) return { compacted: true };
      return {
        compacted: false,
        error:
          "Cannot compact: the whole conversation is recent (within NANOCODE_COMPACTION_KEEP_RECENT_TOKENS); " +
          "lower that setting or /c to start over.",
      };
    }
    const plan = planSummary(messages, cut, {
      runStart: Math.min(this.#runStart, cut),
      budget: Math.floor(settings.keepRecent / 2),
    });
    const result = await summarize(this.#options.provider, plan, {
      model: conversation.model,
      instructions: options.instructions,
      budget: settings.window - settings.reserve - 2_000,
      signal: options.signal,
    });
    if ("error" in result) {
      return {
        compacted: pruned.length > 0,
        error: `Cannot compact: the summary request failed (${result.error}); the conversation is unchanged.`,
      };
    }
    const tokensBefore = this.#meter.use(conversation.messages).total;
    const start = messages[0]?.role === "system" ? 1 : 0;
    const note = result.dropped > 0
      ? `\n\n(${result.dropped} of the oldest messages did not fit in the summary's input and are not covered.)`
      : "";
    const summary = summaryMessage(result.text + note, before);
    const replacedTokens = this.#meter.tail(start) - this.#meter.tail(cut);
    const keptTokens = plan.kept.reduce((sum, i) => sum + this.#meter.at(i), 0);
    yield conversation.compact({
      pruned: [],
      replaced: cut - start,
      kept: plan.kept,
      summary,
      tokensBefore,
      tokensAfter: tokensBefore - replacedTokens + keptTokens +
        Math.ceil(contentText(summary.content).length / 4),
    });
    this.#runStart = start;
    return { compacted: true };
  }
}
