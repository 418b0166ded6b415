/**
 * The editor protocol: `nanocode --acp` serves Zed, Neovim, JetBrains and other editors over the
 * Agent Client Protocol. Agent events become `session/update`s; permissions go through
 * `beforeToolCall`; files and commands can go through the editor's buffers and terminals.
 * @module
 */

export { serveAcp, type ServeOptions } from "./server.ts";
export type {
  AcpHost,
  EditorMcpServer,
  HostSession,
  SessionRequest,
  SetupProblem,
  SkillInfo,
} from "./host.ts";
export { type ModeId, MODES } from "./permissions.ts";
