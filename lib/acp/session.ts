/**
 * One editor session: an agent, the mode its tool calls run under, and the translation of its events
 * into `session/update`s. Permissions go through the agent's `beforeToolCall` hook: the mode decides,
 * and where it says "ask" the editor is asked (`session/request_permission`); a cancelled prompt
 * answers a pending question at once.
 * @module
 */

import {
  type AgentContext,
  type ClientCapabilities,
  type ContentBlock,
  type PromptResponse,
  RequestError,
  type SessionConfigOption,
  type SessionModeState,
  type SessionUpdate,
  type ToolCallContent,
  type Usage as AcpUsage,
} from "@agentclientprotocol/sdk";
import type { ToolCallRequest } from "../agent/mod.ts";
import type { AgentEvent, ContentPart, Tool, Usage } from "../core/mod.ts";
import type { LoadedSession } from "../session/mod.ts";
import { availableCommands, type CommandCall, contextText, parseCommand, skillsText } from "./commands.ts";
import { type EditorFiles, editorFileTools } from "./editor_files.ts";
import type { AcpHost, EditorMcpServer, HostSession } from "./host.ts";
import {
  CANCELLED,
  DEFAULT_MODE,
  isMode,
  type ModeId,
  MODES,
  offeredTools,
  PERMISSION_OPTIONS,
  READ_ONLY_REFUSAL,
  REJECTED,
  RememberedAnswers,
  verdictFor,
} from "./permissions.ts";
import { argumentDiffs, failedCalls, replayUpdates, savedMessages } from "./replay.ts";
import { type EditorTerminal, TERMINAL_OUTPUT_LIMIT, terminalBash } from "./terminal_bash.ts";
import {
  FILE_CHANGING,
  resolveToolPath,
  textContent,
  toolKind,
  toolLocations,
  toolTitle,
} from "./tool_calls.ts";

/** What every session of a connection shares. */
export interface SessionDeps {
  host: AcpHost;
  /** Calls the editor (notifications and requests). */
  client: AgentContext;
  /** What the editor said it can do at `initialize`. */
  capabilities: ClientCapabilities;
  /** The endpoint's models (fetched once per connection), and whether the endpoint listed them. */
  models(session: HostSession): Promise<{ ids: string[]; listed: boolean }>;
}

/** What opening a session takes besides the deps. */
export interface OpenOptions {
  cwd: string;
  resume?: LoadedSession;
  mcpServers: EditorMcpServer[];
}

/** Files larger than this get no diff (the editor would receive both texts whole). */
const LARGEST_DIFF = 1_000_000;

/** What a session knows of one tool call of the running prompt. */
interface CallState {
  name: string;
  args: Record<string, unknown>;
  /** The file's text before a write or edit ran: null when there was no file, undefined when not read. */
  before?: string | null;
  /** The editor terminal the call runs in. */
  terminalId?: string;
}

/** An editor session and its agent. */
export class AcpSession {
  readonly cwd: string;
  readonly #deps: SessionDeps;
  #host!: HostSession;
  #mode: ModeId = DEFAULT_MODE;
  /** Every tool the session may offer (with editor-backed ones in place). */
  #surface: Tool[] = [];
  /** The agent's tool list: the mode's share of the surface, changed in place when the mode changes. */
  readonly #answers = new RememberedAnswers();
  #models: { ids: string[]; listed: boolean } = { ids: [], listed: false };
  #current: { controller: AbortController; finished: Promise<unknown> } | undefined;
  readonly #calls = new Map<string, CallState>();

  private constructor(deps: SessionDeps, cwd: string) {
    this.#deps = deps;
    this.cwd = cwd;
  }

  /** Opens a session: a new one for `cwd`, or a saved one going on. */
  static async open(deps: SessionDeps, options: OpenOptions): Promise<AcpSession> {
    const session = new AcpSession(deps, options.cwd);
    session.#host = await deps.host.openSession({
      cwd: options.cwd,
      ...(options.resume ? { resume: options.resume } : {}),
      mcpServers: options.mcpServers,
      beforeToolCall: (call, signal) => session.#beforeToolCall(call, signal),
      agentTools: (surface) => session.#agentTools(surface),
    });
    for (const note of session.#host.notes) deps.host.log(note);
    session.#models = await deps.models(session.#host);
    return session;
  }

  /** The session id (the saved session's id). */
  get id(): string {
    return this.#host.id;
  }

  get #agent() {
    return this.#host.agent;
  }

  /** The modes and the current one. */
  modeState(): SessionModeState {
    return { currentModeId: this.#mode, availableModes: [...MODES] };
  }

  /** The mode and model selectors. */
  configOptions(): SessionConfigOption[] {
    const model = this.#agent.model;
    const ids = this.#models.ids.includes(model) ? this.#models.ids : [model, ...this.#models.ids];
    return [
      {
        id: "mode",
        name: "Mode",
        description: "When nanocode asks before a tool call",
        category: "mode",
        type: "select",
        currentValue: this.#mode,
        options: MODES.map((mode) => ({ value: mode.id, name: mode.name, description: mode.description })),
      },
      {
        id: "model",
        name: "Model",
        description: "The model the next request uses",
        category: "model",
        type: "select",
        currentValue: model,
        options: ids.map((id) => ({ value: id, name: id })),
      },
    ];
  }

  /** Sends one update for this session. */
  send(update: SessionUpdate): Promise<void> {
    return this.#deps.client.notify("session/update", { sessionId: this.id, update });
  }

  /** Tells the editor which slash commands this session takes. */
  announceCommands(): Promise<void> {
    return this.send({
      sessionUpdate: "available_commands_update",
      availableCommands: availableCommands(this.#host.skills),
    });
  }

  /** Shows the saved conversation of `loaded` again, in order. */
  async replay(loaded: LoadedSession): Promise<void> {
    const updates = replayUpdates(savedMessages(loaded.entries), {
      cwd: this.cwd,
      home: this.#deps.host.home,
      failed: failedCalls(loaded.entries),
    });
    // Written in order by the connection; waiting on each would only add a round of the event loop apiece.
    await Promise.all(updates.map((update) => this.send(update)));
  }

  /** Switches the mode; the agent's tools change at once, and the editor hears of it. */
  async setMode(id: string): Promise<void> {
    if (!isMode(id)) {
      throw new RequestError(
        -32602,
        `Cannot switch to mode "${id}": choose one of ${MODES.map((m) => m.id).join(", ")}.`,
      );
    }
    this.#mode = id;
    this.#agent.setTools(offeredTools(id, this.#surface));
    await this.send({ sessionUpdate: "current_mode_update", currentModeId: id });
    await this.send({ sessionUpdate: "config_option_update", configOptions: this.configOptions() });
  }

  /** Switches the model the next request names. */
  async setModel(id: string): Promise<void> {
    const { ids, listed } = this.#models;
    if (listed && !ids.includes(id) && id !== this.#agent.model) {
      throw new RequestError(
        -32602,
        `Cannot use model "${id}": the endpoint does not list it; choose one of ${
          ids.slice(0, 20).join(", ")
        }${ids.length > 20 ? ", …" : ""}.`,
      );
    }
    if (id !== this.#agent.model) this.#agent.setModel(id);
    await this.send({ sessionUpdate: "config_option_update", configOptions: this.configOptions() });
  }

  /** Sets a config option (`mode` or `model`); returns them all. */
  async setConfigOption(configId: string, value: unknown): Promise<SessionConfigOption[]> {
    if (typeof value !== "string") {
      throw new RequestError(
        -32602,
        `Cannot set ${configId} to ${JSON.stringify(value)}: give one of its values.`,
      );
    }
    if (configId === "mode") await this.setMode(value);
    else if (configId === "model") await this.setModel(value);
    else {throw new RequestError(
        -32602,
        `Cannot set config option "${configId}": this session has mode and model.`,
      );}
    return this.configOptions();
  }

  /** Runs one prompt; a prompt still running in this session is cancelled first. */
  async prompt(blocks: ContentBlock[], signal: AbortSignal): Promise<PromptResponse> {
    if (this.#current) {
      this.#current.controller.abort();
      await this.#current.finished.catch(() => {});
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    const finished = this.#runPrompt(blocks, controller.signal);
    const current = { controller, finished };
    this.#current = current;
    try {
      return await finished;
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (this.#current === current) this.#current = undefined;
    }
  }

  /** Stops the running prompt: its model call, its tools and any question pending in the editor. */
  cancel(): void {
    this.#current?.controller.abort();
  }

  /** Cancels what runs and closes the session's servers and file. */
  async close(): Promise<void> {
    this.cancel();
    await this.#current?.finished.catch(() => {});
    await this.#host.close();
  }

  async #runPrompt(blocks: ContentBlock[], signal: AbortSignal): Promise<PromptResponse> {
    const input = this.#input(blocks);
    const command = typeof input === "string" ? parseCommand(input) : undefined;
    return command ? await this.#command(command, signal) : await this.#run(input, signal);
  }

  /** The prompt as the agent takes it: text, or parts when it holds images. */
  #input(blocks: ContentBlock[]): string | ContentPart[] {
    const parts: ContentPart[] = [];
    const addText = (text: string) => {
      const last = parts.at(-1);
      if (last?.type === "text") last.text += text;
      else parts.push({ type: "text", text });
    };
    for (const [i, block] of blocks.entries()) {
      switch (block.type) {
        case "text":
          addText(block.text);
          break;
        case "image":
          parts.push({
            type: "image_url",
            image_url: { url: `data:${block.mimeType};base64,${block.data}` },
          });
          break;
        case "resource_link":
          addText(`[@${block.name}](${block.uri})`);
          break;
        case "resource": {
          const resource = block.resource;
          if ("text" in resource) {
            addText(`\n<context ref="${resource.uri}">\n${resource.text}\n</context>\n`);
          } else if (resource.mimeType?.startsWith("image/")) {
            parts.push({
              type: "image_url",
              image_url: { url: `data:${resource.mimeType};base64,${resource.blob}` },
            });
          } else {
            addText(
              `[@${resource.uri}: binary content${
                resource.mimeType ? ` (${resource.mimeType})` : ""
              }, not shown]`,
            );
          }
          break;
        }
        case "audio":
          throw new RequestError(
            -32602,
            `Cannot read the prompt: block ${i} is audio, which nanocode does not take (it does not advertise it); send text or images.`,
          );
      }
    }
    if (parts.every((p) => p.type === "text")) return parts.map((p) => (p as { text: string }).text).join("");
    return parts;
  }

  async #say(text: string): Promise<void> {
    await this.send({ sessionUpdate: "agent_message_chunk", content: { type: "text", text } });
  }

  async #command(command: CommandCall, signal: AbortSignal): Promise<PromptResponse> {
    switch (command.name) {
      case "skill": {
        let text: string;
        try {
          text = await this.#host.expandSkill(command.skill!, command.args);
        } catch (error) {
          await this.#say(messageOf(error));
          return { stopReason: "end_turn" };
        }
        return await this.#run(text, signal);
      }
      case "compact":
        for await (const event of this.#agent.compact(command.args || undefined, signal)) {
          if (event.type === "compaction") {
            await this.#say(
              `Compacted the conversation: about ${event.tokensBefore} tokens before, ${event.tokensAfter} after.`,
            );
          } else if (event.type === "error") await this.#say(event.message);
        }
        return { stopReason: signal.aborted ? "cancelled" : "end_turn" };
      case "context":
        await this.#say(contextText(this.#agent.contextReport()));
        return { stopReason: "end_turn" };
      case "skills":
        await this.#say(skillsText(this.#host.skills));
        return { stopReason: "end_turn" };
      case "mcp":
        await this.#say(
          this.#host.mcpStatus()?.join("\n") ??
            "No MCP servers are configured: add them to .nanocode/mcp.json, or in the editor's settings.",
        );
        return { stopReason: "end_turn" };
    }
  }

  /** Runs the agent on `input`, streaming what it does, and says why it stopped. */
  async #run(input: string | ContentPart[], signal: AbortSignal): Promise<PromptResponse> {
    this.#calls.clear();
    let end: Extract<AgentEvent, { type: "agent_end" }> | undefined;
    let failure: string | undefined;
    for await (const event of this.#agent.run(input, signal)) {
      switch (event.type) {
        case "text_delta":
          await this.#say(event.text);
          break;
        case "thinking_delta":
          await this.send({
            sessionUpdate: "agent_thought_chunk",
            content: { type: "text", text: event.text },
          });
          break;
        case "tool_call":
          await this.#announceCall(event.id, event.name, event.args, event.rawArgs);
          break;
        case "tool_update":
          if (!this.#calls.get(event.id)?.terminalId) {
            await this.send({
              sessionUpdate: "tool_call_update",
              toolCallId: event.id,
              status: "in_progress",
              content: [textContent(event.text)],
            });
          }
          break;
        case "tool_result":
          await this.#finishCall(event);
          break;
        case "turn_start":
          // An error the run went on after (a failed compaction) is shown, not kept for the end.
          if (failure !== undefined) await this.#say(`\n\n[nanocode: ${failure}]\n\n`);
          failure = undefined;
          break;
        case "error":
          failure = event.message;
          break;
        case "turn_end": {
          const report = this.#agent.contextReport();
          await this.send({ sessionUpdate: "usage_update", used: report.total, size: report.window });
          break;
        }
        case "agent_end":
          end = event;
          break;
      }
    }
    const usage = end ? acpUsage(end.usage) : undefined;
    const withUsage = (stopReason: PromptResponse["stopReason"]): PromptResponse =>
      usage ? { stopReason, usage } : { stopReason };
    if (signal.aborted || end?.reason === "aborted") return withUsage("cancelled");
    switch (end?.reason) {
      case "length":
        return withUsage("max_tokens");
      case "content_filter":
        return withUsage("refusal");
      case "error": {
        const maxTurns = this.#deps.host.maxTurns;
        if (maxTurns !== undefined && end.turns >= maxTurns) return withUsage("max_turn_requests");
        throw new RequestError(-32603, end.error ?? failure ?? "The model request failed.");
      }
    }
    return withUsage("end_turn");
  }

  async #announceCall(
    id: string,
    name: string,
    args: Record<string, unknown>,
    rawArgs?: string,
  ): Promise<void> {
    this.#calls.set(id, { name, args });
    const { home } = this.#deps.host;
    await this.send({
      sessionUpdate: "tool_call",
      toolCallId: id,
      title: toolTitle(name, args, this.cwd, home),
      kind: toolKind(name),
      status: "pending",
      locations: toolLocations(name, args, this.cwd, home),
      rawInput: rawArgs !== undefined ? { rawArgs } : args,
    });
  }

  async #finishCall(result: Extract<AgentEvent, { type: "tool_result" }>): Promise<void> {
    let state = this.#calls.get(result.id);
    if (!state) {
      // A call skipped because the prompt was cancelled first is shown too, so none stays unseen.
      await this.#announceCall(result.id, result.name, {});
      state = this.#calls.get(result.id)!;
    }
    const content: ToolCallContent[] = [];
    if (state.terminalId) content.push({ type: "terminal", terminalId: state.terminalId });
    if (!result.isError && FILE_CHANGING.has(state.name)) content.push(...await this.#diffs(state));
    content.push(textContent(result.text));
    const update: SessionUpdate = {
      sessionUpdate: "tool_call_update",
      toolCallId: result.id,
      status: result.isError ? "failed" : "completed",
      content,
      rawOutput: result.details ? { output: result.text, details: result.details } : { output: result.text },
    };
    const line = result.details?.firstChangedLine;
    const [location] = toolLocations(state.name, state.args, this.cwd, this.#deps.host.home);
    if (location && typeof line === "number") update.locations = [{ path: location.path, line }];
    await this.send(update);
  }

  /** A write's or an edit's change: the file before and after, or (without them) what the call asked for. */
  async #diffs(state: CallState): Promise<ToolCallContent[]> {
    const path = typeof state.args.path === "string" ? state.args.path : undefined;
    if (path && state.before !== undefined) {
      const absolute = resolveToolPath(path, this.cwd, this.#deps.host.home);
      const after = await this.#fileText(absolute);
      if (after !== undefined && after !== null && after.length <= LARGEST_DIFF) {
        return [{ type: "diff", path: absolute, oldText: state.before, newText: after }];
      }
    }
    return argumentDiffs(state.name, state.args, { cwd: this.cwd, home: this.#deps.host.home });
  }

  /** A file's text as the editor has it (or on disk): null when there is none, undefined when unreadable. */
  async #fileText(absolute: string): Promise<string | null | undefined> {
    try {
      const text = this.#deps.capabilities.fs?.readTextFile
        ? await this.#files().read(absolute)
        : await Deno.readTextFile(absolute).catch((error) => {
          if (error instanceof Deno.errors.NotFound) return undefined;
          throw error;
        });
      return text ?? null;
    } catch {
      return undefined;
    }
  }

  async #beforeToolCall(call: ToolCallRequest, signal: AbortSignal): Promise<{ block: string } | undefined> {
    const verdict = verdictFor(this.#mode, call.tool, call.args);
    if (verdict === "deny") return { block: READ_ONLY_REFUSAL };
    if (verdict === "ask") {
      const remembered = this.#answers.answer(call.name);
      if (remembered === "reject") return { block: REJECTED };
      if (remembered !== "allow") {
        const answer = await this.#ask(call, signal);
        if (answer === "cancelled") return { block: CANCELLED };
        this.#answers.remember(call.name, answer);
        if (answer !== "allow_once" && answer !== "allow_always") return { block: REJECTED };
      }
    }
    const state = this.#calls.get(call.id) ?? { name: call.name, args: call.args };
    this.#calls.set(call.id, state);
    if (FILE_CHANGING.has(call.name) && typeof call.args.path === "string") {
      const before = await this.#fileText(resolveToolPath(call.args.path, this.cwd, this.#deps.host.home));
      if (before === null || (before !== undefined && before.length <= LARGEST_DIFF)) state.before = before;
    }
    await this.send({ sessionUpdate: "tool_call_update", toolCallId: call.id, status: "in_progress" });
  }

  /** Asks the editor about a call: the option picked, or `cancelled`. */
  async #ask(call: ToolCallRequest, signal: AbortSignal): Promise<string> {
    if (signal.aborted) return "cancelled";
    const { home } = this.#deps.host;
    const preview = argumentDiffs(call.name, call.args, { cwd: this.cwd, home });
    if (call.name === "write" && preview[0]?.type === "diff") {
      const before = await this.#fileText(preview[0].path);
      if (typeof before === "string" && before.length <= LARGEST_DIFF) preview[0].oldText = before;
    }
    let onAbort = () => {};
    const cancelled = new Promise<string>((resolve) => {
      onAbort = () => resolve("cancelled");
      signal.addEventListener("abort", onAbort, { once: true });
    });
    const asked = this.#deps.client.request("session/request_permission", {
      sessionId: this.id,
      toolCall: {
        toolCallId: call.id,
        title: toolTitle(call.name, call.args, this.cwd, home),
        kind: toolKind(call.name),
        status: "pending",
        locations: toolLocations(call.name, call.args, this.cwd, home),
        rawInput: call.args,
        ...(preview.length > 0 ? { content: preview } : {}),
      },
      options: [...PERMISSION_OPTIONS],
    }, { cancellationSignal: signal }).then((response) =>
      response.outcome.outcome === "selected" ? response.outcome.optionId : "cancelled"
    );
    // Once the prompt is cancelled nobody waits for the editor's late answer.
    asked.catch(() => {});
    try {
      return await Promise.race([asked, cancelled]);
    } catch (error) {
      if (signal.aborted) return "cancelled";
      throw new Error(
        `the editor did not answer the permission request (${
          messageOf(error)
        }); switch the session to auto mode to run tools without asking.`,
      );
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  /** The agent's tools: editor-backed where the editor offers files and terminals, narrowed by the mode. */
  #agentTools(surface: Tool[]): Tool[] {
    const { capabilities, host } = this.#deps;
    let tools = surface;
    const fs = capabilities.fs;
    if (fs?.readTextFile || fs?.writeTextFile) {
      tools = editorFileTools(tools, this.#files(), {
        read: fs.readTextFile === true,
        write: fs.writeTextFile === true,
        home: host.home,
      });
    }
    if (capabilities.terminal) {
      tools = tools.map((tool) =>
        tool.name === "bash" ? terminalBash(tool, this.#terminal(), host.bashTimeout) : tool
      );
    }
    this.#surface = tools;
    return offeredTools(this.#mode, tools);
  }

  #files(): EditorFiles {
    const client = this.#deps.client;
    return {
      read: async (path) => {
        try {
          return (await client.request("fs/read_text_file", { sessionId: this.id, path })).content;
        } catch (error) {
          if (notFound(error)) return undefined;
          throw new Error(`Cannot read ${path} through the editor: ${messageOf(error)}`);
        }
      },
      write: async (path, content) => {
        await client.request("fs/write_text_file", { sessionId: this.id, path, content });
      },
    };
  }

  #terminal(): EditorTerminal {
    const client = this.#deps.client;
    const sessionId = () => this.id;
    return {
      create: async (command, cwd, callId) => {
        const { terminalId } = await client.request("terminal/create", {
          sessionId: sessionId(),
          command: "bash",
          args: ["-c", command],
          cwd,
          outputByteLimit: TERMINAL_OUTPUT_LIMIT,
        });
        // Embedded in the tool call, so the user watches the command run.
        const state = callId ? this.#calls.get(callId) : undefined;
        if (callId && state) {
          state.terminalId = terminalId;
          await this.send({
            sessionUpdate: "tool_call_update",
            toolCallId: callId,
            status: "in_progress",
            content: [{ type: "terminal", terminalId }],
          });
        }
        return terminalId;
      },
      waitForExit: (terminalId) =>
        client.request("terminal/wait_for_exit", { sessionId: sessionId(), terminalId }),
      output: (terminalId) => client.request("terminal/output", { sessionId: sessionId(), terminalId }),
      kill: async (terminalId) => {
        await client.request("terminal/kill", { sessionId: sessionId(), terminalId });
      },
      release: async (terminalId) => {
        await client.request("terminal/release", { sessionId: sessionId(), terminalId });
      },
    };
  }
}

/** The usage of a prompt in ACP's terms. */
function acpUsage(usage: Usage): AcpUsage {
  return {
    inputTokens: usage.promptTokens,
    outputTokens: usage.completionTokens,
    totalTokens: usage.totalTokens,
    ...(usage.cachedTokens !== undefined ? { cachedReadTokens: usage.cachedTokens } : {}),
    ...(usage.reasoningTokens !== undefined ? { thoughtTokens: usage.reasoningTokens } : {}),
  };
}

/** Whether an editor's error means "no such file". */
function notFound(error: unknown): boolean {
  if (error instanceof RequestError && error.code === -32002) return true;
  const text = `${messageOf(error)} ${JSON.stringify((error as { data?: unknown })?.data ?? "")}`;
  return /not found|no such file|enoent|does not exist/i.test(text);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
