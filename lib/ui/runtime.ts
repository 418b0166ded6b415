/**
 * What the REPL needs from the runtime, as interfaces: the command line's runtime satisfies them
 * structurally, and tests can build one from a real agent and a scripted provider.
 * @module
 */

import type { ContextReport } from "../agent/mod.ts";
import type { AgentEvent, ContentPart, JsonSchema, Message, Provider, Tool } from "../core/mod.ts";
import type { SessionInfo } from "../session/mod.ts";

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
  /**
   * How full the context is: the estimate by part (system prompt, tool schemas, messages), the
   * window, where automatic compaction starts, what a compaction now would keep. What `/context` shows.
   */
  contextReport(): ContextReport;
  /**
   * Compacts now, between runs, with `instructions` for the summary: yields the `compaction` event,
   * or an `error` saying why not. What `/compact` runs; throws while a run is in progress.
   */
  compact(instructions: string | undefined, signal: AbortSignal): AsyncIterable<AgentEvent>;
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

/**
 * The saved session as the REPL's commands use it. Resuming and forking replace the runtime's agent
 * and provider, so the REPL reads `runtime.agent` afresh every time.
 */
export interface ReplSessions {
  /** The file the conversation is saved to, once it has one; undefined with `--no-session`. */
  readonly path: string | undefined;
  /** Whether sessions are saved at all (false with `--no-session`). */
  readonly enabled: boolean;
  /** Names the session (stored in its file). Throws a one-line error when nothing is saved. */
  name(name: string): void;
  /** This cwd's sessions, or every cwd's; newest first. */
  list(options: { all: boolean }): Promise<SessionInfo[]>;
  /** Switches to the session a query (id, name, text) or a `.jsonl` path names; returns notes. */
  resume(query: string): Promise<string[]>;
  /**
   * Starts a new session holding this one up to now, or up to just before the Nth user message, and
   * switches to it; returns its file (undefined while it holds no user message yet).
   */
  fork(userMessage?: number): Promise<string | undefined>;
  /** Writes this session as Markdown, or HTML for a `.html` path; returns the path written. */
  export(out?: string): Promise<string>;
}

/** A child nanocode job as `/jobs` lists it. A job of lib/jobs fits. */
export interface ReplJob {
  readonly id: string;
  /** `queued`, `running`, `done`, `failed` or `cancelled`. */
  readonly state: string;
  elapsedSeconds(): number;
  readonly spec: { readonly prompt: string };
}

/** The notice of a background job's result, as the `job_result` event carries it. */
export type ReplJobNotice = Extract<AgentEvent, { type: "job_result" }>;

/**
 * The child jobs of this process: `/jobs`, and the background results an idle REPL delivers as a new
 * run. The job table of lib/jobs fits.
 */
export interface ReplJobs {
  list(): readonly ReplJob[];
  /** Stops a job; false when it had ended already. Throws a one-line error for an unknown id. */
  cancel(id: string): Promise<boolean>;
  /** Calls `listener` each time a result starts waiting; returns a function that stops it. */
  onResult(listener: () => void): () => void;
  /** Takes every waiting result as one input (each handed out once); undefined when none waits. */
  takeInput(): { notices: readonly ReplJobNotice[]; input: string } | undefined;
  /** How many results wait for delivery. */
  readonly waiting: number;
}

/** One MCP server as `/mcp` shows it. A server status of lib/mcp fits. */
export interface ReplMcpServer {
  readonly name: string;
  /** `starting`, `running`, `failed`, `disabled` or `closed`. */
  readonly state: string;
  /** `stdio`, `http` or `sse`. */
  readonly transport: string;
  readonly tools: readonly { readonly name: string; readonly description: string }[];
  /** True while the tools shown are the cached list, not yet confirmed by the server. */
  readonly fromCache: boolean;
  /** Why the server last failed, in one line. */
  readonly error?: string;
  /** OAuth: `needed` when the server waits for `/mcp login`, `authorized` when kept tokens were taken. */
  readonly auth?: string;
}

/** The MCP servers of this process, for `/mcp`. The manager of lib/mcp fits. */
export interface ReplMcp {
  /** Every configured server, in configuration order. */
  servers(): readonly ReplMcpServer[];
  /** Starts connecting the servers in the background (once). */
  start(): void;
  /** Resolves when every enabled server runs or has failed. */
  settled?(): Promise<void>;
}

/** What an MCP server asks the user for in the middle of a call. `ElicitRequest` of lib/mcp fits. */
export interface ReplElicitRequest {
  /** Why the server asks, for the user. */
  message: string;
  /** A flat object schema of the values asked for. */
  requestedSchema: JsonSchema;
}

/** The user's answer to a server's request: the values, a refusal, or the question dismissed. */
export type ReplElicitAnswer =
  | { action: "accept"; content: Record<string, unknown> }
  | { action: "decline" }
  | { action: "cancel" };

/** Answers a server's request. `Elicitor` of lib/mcp fits. */
export type ReplElicitor = (
  request: ReplElicitRequest,
  context: { server: string; signal?: AbortSignal },
) => Promise<ReplElicitAnswer>;

/** The runtime as the REPL uses it. */
export interface ReplRuntime {
  /** Replaced when a session is resumed or forked: read it afresh, never keep it. */
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
  /**
   * Re-reads context files and skills (and the MCP servers' configuration, as `reloadMcp` does) and
   * rebuilds the system prompt; returns warnings.
   */
  reload(): Promise<string[]>;
  /**
   * Closes the MCP servers, reads `mcp.json` again and starts the servers it names; the agent gets
   * their tools and a system prompt naming them, and {@link ReplRuntime.mcp} is replaced (or removed).
   * Returns the configuration's warnings; throws a one-line error when MCP is off. What
   * `/mcp reload` runs; absent where the servers cannot be re-read.
   */
  reloadMcp?(): Promise<string[]>;
  /** The saved session and the others: `/sessions`, `/resume`, `/name`, `/fork`, `/export`. */
  sessions: ReplSessions;
  /** The file the input history is kept in between runs; without one, history lasts one run. */
  history?: string;
  /** The child nanocode jobs (`/jobs`); absent where none can be started. */
  jobs?: ReplJobs;
  /** What was wrong with the MCP configuration (bad files and entries), as lines; `/mcp` shows them. */
  readonly mcpWarnings?: readonly string[];
  /** The MCP servers (`/mcp`); absent when none is configured. Replaced by a reload: read it afresh. */
  mcp?: ReplMcp;
  /**
   * Logs in to a remote MCP server with OAuth: the authorization page's address goes to `say` and
   * the browser opens on it. Resolves once the browser came back and the server answered (the system
   * prompt then names the server's tools). Throws a one-line error.
   */
  loginMcp?(server: string, say: (line: string) => void): Promise<ReplMcpServer>;
  /** Forgets a server's kept OAuth tokens and reconnects it; true when some were kept. */
  logoutMcp?(server: string): Promise<boolean>;
  /**
   * Set by the REPL while it runs: shows the page of a server that asks for an authorization in the
   * middle of a call (more scope), as the browser opens on it. Unset, such a call fails saying to log in.
   */
  showAuthorization?: (server: string, url: string) => void;
  /**
   * Where the MCP servers' questions go (elicitation). The REPL puts its own prompt here while it
   * runs and puts back what was there when it ends; absent when no server can ask.
   */
  elicit?: ReplElicitor;
}
