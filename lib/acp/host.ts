/**
 * What the protocol layer needs from the composition root (lib/cli/acp.ts): sessions with their
 * agents, the saved-session store, and whether a key is configured. The protocol layer never builds
 * a provider, a tool or a system prompt itself.
 * @module
 */

import type { Agent, BeforeToolCall } from "../agent/mod.ts";
import type { Tool } from "../core/mod.ts";
import type { LoadedSession, SessionInfo } from "../session/mod.ts";

/** An MCP server the editor asks a session to use (`session/new`'s `mcpServers`), in plain form. */
export type EditorMcpServer =
  | { type: "stdio"; name: string; command: string; args: string[]; env: Record<string, string> }
  | { type: "http" | "sse"; name: string; url: string; headers: Record<string, string> };

/** What opening a session takes. */
export interface SessionRequest {
  /** The folder the session works in (absolute). */
  cwd: string;
  /** A saved session to go on with (`session/load`). */
  resume?: LoadedSession;
  /** The editor's MCP servers, added to the configured ones for this session. */
  mcpServers: EditorMcpServer[];
  /** Asked before every tool call: the session's mode and the editor's permission prompt. */
  beforeToolCall: BeforeToolCall;
  /**
   * Makes the tool list the agent gets from the tool surface (editor-backed file tools and terminal,
   * the mode's narrower set). A later mode switch replaces it through `agent.setTools`.
   */
  agentTools(surface: Tool[]): Tool[];
}

/** A skill as the editor's command list shows it. */
export interface SkillInfo {
  name: string;
  description: string;
}

/** An open session: its agent and what the editor's slash commands use. */
export interface HostSession {
  /** The session id, also the saved session's id. */
  id: string;
  agent: Agent;
  skills: readonly SkillInfo[];
  /** The text `/skill:<name> args` sends to the model; throws a one-line error for an unknown skill. */
  expandSkill(name: string, args: string): Promise<string>;
  /** One line per MCP server and its state, or undefined when none is configured. */
  mcpStatus(): string[] | undefined;
  /** The endpoint's model ids; throws when it cannot list them. */
  listModels(signal: AbortSignal): Promise<string[]>;
  /** Notes for the user from opening it (unreadable context files, tools left out). */
  notes: string[];
  /** Stops its MCP servers and closes its session file. */
  close(): Promise<void>;
}

/** Why requests cannot be sent yet. */
export interface SetupProblem {
  /** `auth`: no API key was found (the editor should offer its auth methods); `config`: anything else. */
  kind: "auth" | "config";
  message: string;
}

/** The composition root as the protocol layer sees it. */
export interface AcpHost {
  /** Reads the configuration again; undefined when sessions can be opened. */
  checkSetup(): Promise<SetupProblem | undefined>;
  /** Opens a session (new, or a saved one going on). */
  openSession(request: SessionRequest): Promise<HostSession>;
  /** Saved sessions of `cwd` (or of every folder), newest first. */
  listSessions(cwd?: string): Promise<SessionInfo[]>;
  /** The saved session with this id, looked for in `cwd`'s sessions first, then everywhere. */
  findSession(id: string, cwd: string): Promise<LoadedSession | undefined>;
  /** `--max-turns`, when given. */
  maxTurns?: number;
  /** The home folder (`~` in path arguments). */
  home: string;
  /** The bash tool's default and largest timeout, in seconds, and the variable that changes the default. */
  bashTimeout: { defaultSeconds: number; maxSeconds: number };
  /** Writes a note for the user to standard error (never standard output). */
  log(message: string): void;
  /** Stops everything sessions started (child jobs, MCP servers). */
  close(): Promise<void>;
}
