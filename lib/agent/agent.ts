/**
 * The agent loop: send the conversation to the model, stream its answer, run the tools it calls,
 * append their results and go again until it answers without tools. It orchestrates and nothing
 * else: the provider and the tools come in as arguments, everything it does comes out as events.
 * @module
 */

import {
  addUsage,
  type AgentEvent,
  type AssembledToolCall,
  type AssistantMessage,
  type ContentPart,
  contentText,
  type ImagePart,
  type Message,
  type Provider,
  type ProviderDelta,
  type StopReason,
  type Tool,
  ToolError,
  type ToolResult,
  type ToolSpec,
  type Usage,
  ZERO_USAGE,
} from "../core/mod.ts";
import { checkArguments, coerceArguments, parseArguments } from "./validate.ts";
import type { MessageQueue } from "./queue.ts";

/** What an agent is made of. */
export interface AgentOptions {
  provider: Provider;
  tools: readonly Tool[];
  model: string;
  /** The folder tools resolve relative paths against. */
  cwd: string;
  /** The system prompt; the first message of the conversation. */
  systemPrompt?: string;
  /** Where steering and follow-up messages come from (the REPL's input line). */
  queue?: MessageQueue;
  /**
   * Whether a model accepts images (default: every model does); for one that does not, tool images
   * are replaced by a note saying they were omitted.
   */
  acceptsImages?: (model: string) => boolean;
}

/** A conversation with a model and the tools it may call. */
export class Agent {
  /** The conversation, in the OpenAI message form sent on the wire. */
  messages: Message[] = [];
  /** The model id requests name; may change between runs. */
  model: string;
  /** The tools offered to the model; may change between runs. */
  tools: readonly Tool[];
  readonly #options: AgentOptions;

  constructor(options: AgentOptions) {
    this.#options = options;
    this.model = options.model;
    this.tools = options.tools;
    if (options.systemPrompt) this.messages.push({ role: "system", content: options.systemPrompt });
  }

  /** Replaces the system prompt (e.g. after context files were reloaded), keeping the conversation. */
  setSystemPrompt(prompt: string): void {
    if (this.messages[0]?.role === "system") this.messages[0] = { role: "system", content: prompt };
    else this.messages.unshift({ role: "system", content: prompt });
  }

  /** Drops everything but the system prompt. */
  clear(): void {
    this.messages = this.messages.filter((m) => m.role === "system");
  }

  /**
   * Runs the loop for one user input and yields its events. Aborting `signal` stops the model call
   * and the running tool at once and leaves the conversation consistent: every tool call the model
   * made gets a result.
   */
  async *run(input: string | ContentPart[], signal: AbortSignal): AsyncGenerator<AgentEvent> {
    const { provider, cwd, queue } = this.#options;
    const toolNames = this.tools.map((t) => t.name);
    yield { type: "agent_start", model: this.model, cwd, tools: toolNames };
    this.messages.push({ role: "user", content: input });

    let total: Usage = { ...ZERO_USAGE };
    let turn = 0;
    let finalText = "";
    let reason: StopReason = "stop";
    let error: string | undefined;

    while (true) {
      for (const text of queue?.takeSteering() ?? []) {
        this.messages.push({ role: "user", content: text });
        yield { type: "queue", kind: "steer", text };
      }
      turn++;
      yield { type: "turn_start", turn };

      const specs: ToolSpec[] = this.tools.map((t) => ({
        name: t.name,
        description: t.description,
        parameters: t.parameters,
      }));
      let done: Extract<ProviderDelta, { type: "done" }> | undefined;
      for await (
        const delta of provider.stream({ model: this.model, messages: this.messages, tools: specs }, signal)
      ) {
        switch (delta.type) {
          case "text":
            yield { type: "text_delta", text: delta.text };
            break;
          case "thinking":
            yield { type: "thinking_delta", text: delta.text };
            break;
          case "usage":
            total = addUsage(total, delta.usage);
            yield { type: "usage", usage: delta.usage, total };
            break;
          case "retry":
            yield { ...delta, type: "retry" };
            break;
          case "tool_call":
            break;
          case "done":
            done = delta;
            break;
        }
      }
      if (!done) {
        done = {
          type: "done",
          reason: "error",
          message: { role: "assistant", content: null },
          toolCalls: [],
          error: "the model stream ended without a result",
        };
      }
      reason = done.reason;

      if (done.reason === "error" || done.reason === "aborted") {
        // Keep what the model said, but never tool calls that will not run: a broken stream's calls
        // may be incomplete, and running them could repeat work the model did not finish asking for.
        const text = contentText(done.message.content);
        if (text) this.messages.push({ role: "assistant", content: text });
        finalText = text;
        if (done.reason === "error") {
          error = done.error ?? "the model request failed";
          yield { type: "error", message: error, ...(done.contextOverflow ? { contextOverflow: true } : {}) };
        }
        yield { type: "turn_end", turn, reason: done.reason };
        break;
      }

      this.messages.push(withValidArguments(done.message));
      finalText = contentText(done.message.content);
      if (done.toolCalls.length === 0) {
        yield { type: "turn_end", turn, reason: done.reason };
        if (signal.aborted) break;
        // Steering typed while the last answer streamed goes first: the loop's top delivers it. Only
        // then do follow-ups run.
        if (queue?.hasSteering()) continue;
        const followUp = queue?.takeFollowUp();
        if (followUp !== undefined) {
          this.messages.push({ role: "user", content: followUp });
          yield { type: "queue", kind: "followup", text: followUp };
          continue;
        }
        break;
      }

      const images: { id: string; parts: ImagePart[] }[] = [];
      for (const call of done.toolCalls) {
        if (signal.aborted) {
          const text = "Tool call skipped: the user interrupted the run before it started.";
          this.messages.push({ role: "tool", tool_call_id: call.id, content: text });
          yield { type: "tool_result", id: call.id, name: call.name, isError: true, text };
          continue;
        }
        const outcome = yield* this.#runTool(call, signal);
        this.messages.push({ role: "tool", tool_call_id: call.id, content: outcome.text });
        if (outcome.images.length > 0) images.push({ id: call.id, parts: outcome.images });
      }
      for (const { id, parts } of images) {
        const note: ContentPart = {
          type: "text",
          text: `Image${parts.length > 1 ? "s" : ""} from tool call ${id}:`,
        };
        this.messages.push({ role: "user", content: [note, ...parts] });
      }
      yield { type: "turn_end", turn, reason: done.reason };
      if (signal.aborted) {
        reason = "aborted";
        break;
      }
    }

    yield {
      type: "agent_end",
      text: finalText,
      reason,
      usage: total,
      turns: turn,
      ...(error !== undefined ? { error } : {}),
    };
  }

  async *#runTool(
    call: AssembledToolCall,
    signal: AbortSignal,
  ): AsyncGenerator<AgentEvent, { text: string; images: ImagePart[] }> {
    const tool = this.tools.find((t) => t.name === call.name);
    let args: Record<string, unknown> | undefined;
    let failure: string | undefined;
    if (!tool) {
      const names = this.tools.map((t) => t.name).join(", ") || "none";
      failure = `Unknown tool "${call.name}". Available tools: ${names}.`;
    } else {
      try {
        args = parseArguments(call.name, call.arguments);
        if (tool.prepareArguments) args = tool.prepareArguments(args);
        args = coerceArguments(tool.parameters, args);
        const problems = checkArguments(tool.parameters, args);
        if (problems.length > 0) {
          failure = `Cannot run ${call.name}: ${
            problems.join("; ")
          }. Call it again with arguments that match its parameters.`;
        }
      } catch (e) {
        failure = e instanceof Error ? e.message : String(e);
      }
    }
    yield { type: "tool_call", id: call.id, name: call.name, args: args ?? call.arguments };
    if (failure !== undefined || !tool || !args) {
      const text = failure ?? `Cannot run ${call.name}.`;
      yield { type: "tool_result", id: call.id, name: call.name, isError: true, text };
      return { text, images: [] };
    }

    // Tool updates arrive through a callback while the tool runs; hand them to this generator.
    const updates: string[] = [];
    let wake: (() => void) | undefined;
    const ctx = {
      cwd: this.#options.cwd,
      signal,
      update: (text: string) => {
        updates.push(text);
        wake?.();
      },
    };
    let settled = false;
    let result: ToolResult | undefined;
    let thrown: unknown;
    const running = (async () => {
      try {
        result = await tool.execute(args, ctx);
      } catch (e) {
        thrown = e;
      } finally {
        settled = true;
        wake?.();
      }
    })();
    while (!settled || updates.length > 0) {
      if (updates.length > 0) {
        for (const text of updates.splice(0)) {
          yield { type: "tool_update", id: call.id, name: call.name, text };
        }
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    await running;

    if (thrown !== undefined || !result) {
      const text = thrown instanceof Error ? thrown.message : String(thrown ?? "the tool returned nothing");
      const details = thrown instanceof ToolError ? thrown.details : undefined;
      yield {
        type: "tool_result",
        id: call.id,
        name: call.name,
        isError: true,
        text,
        ...(details ? { details } : {}),
      };
      return { text, images: [] };
    }
    const text = contentText(result.content) || "(no output)";
    let images = result.content.filter((p): p is ImagePart => p.type === "image_url");
    let modelText = text;
    if (images.length > 0 && this.#options.acceptsImages?.(this.model) === false) {
      modelText += `\n[${images.length} image(s) omitted: the current model does not accept images.]`;
      images = [];
    }
    yield {
      type: "tool_result",
      id: call.id,
      name: call.name,
      isError: false,
      text: modelText,
      ...(result.details ? { details: result.details } : {}),
    };
    return { text: modelText, images };
  }
}

/**
 * The assistant message as it is kept for later requests: tool-call arguments that are not a JSON
 * object become `{}`, since some endpoints reject a history holding malformed arguments. The tool's
 * error result already told the model what was wrong with what it sent.
 */
function withValidArguments(message: AssistantMessage): AssistantMessage {
  if (!message.tool_calls?.some((call) => !isJsonObject(call.function.arguments))) return message;
  return {
    ...message,
    tool_calls: message.tool_calls.map((call) =>
      isJsonObject(call.function.arguments)
        ? call
        : { ...call, function: { ...call.function, arguments: "{}" } }
    ),
  };
}

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}
