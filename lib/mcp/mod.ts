/**
 * MCP servers: their configuration, the clients (the SDK loads on first use), the inventory of their
 * tools and resources, the tool-list cache and the names of direct tools. No tool definitions: those
 * live in lib/tools/mcp_*.ts.
 * @module
 */

export * from "./config.ts";
export * from "./expand.ts";
export * from "./jsonc.ts";
export * from "./inventory.ts";
export * from "./cache.ts";
export * from "./names.ts";
export * from "./search.ts";
export * from "./validate.ts";
export * from "./elicit.ts";
export {
  LOGIN_TIMEOUT_MS,
  type McpAuthOptions,
  type McpCallOptions,
  type McpProgress,
  ServerConnection,
  type ServerConnectionOptions,
  type ShowAuthorization,
} from "./client.ts";
export { MCP_AUTH_FILE, type McpAuthEntry, McpAuthStore, openBrowser } from "./oauth.ts";
export * from "./manager.ts";
export { openServerGroups, stopOpenGroupsNow } from "./stdio_transport.ts";
