/**
 * Finding the MCP server and tool a call names, however the model spelled it (`server` + `tool`,
 * `server.tool`, or a direct name `mcp__server__tool`), and the nearest names when there is none.
 * @module
 */

import type { McpManager, McpServerStatus, McpToolInfo, ServerConnection } from "../mcp/mod.ts";
import { editDistance } from "../core/mod.ts";

/** A tool found, with the connection that calls it. */
export interface FoundTool {
  server: string;
  tool: McpToolInfo;
  connection: ServerConnection;
}

/** A request for a tool, as a tool call's arguments give it. */
export interface ToolQuery {
  server?: string;
  tool: string;
}

/** Finds a tool, waiting for a server that is still starting without a cached list. */
export async function findMcpTool(
  manager: McpManager,
  query: ToolQuery,
  signal: AbortSignal,
): Promise<FoundTool> {
  const { server, tool } = normalizeQuery(manager, query);
  if (server !== undefined) {
    const connection = findServer(manager, server);
    let found = connection.status().tools.find((t) => t.name === tool);
    if (!found) {
      await waitUnlessListed(connection, signal);
      found = connection.status().tools.find((t) => t.name === tool);
    }
    if (found) return { server, tool: found, connection };
    const status = connection.status();
    if (status.state === "failed") {
      throw new Error(`Cannot use MCP server "${server}": it failed: ${status.error ?? "unknown error"}.`);
    }
    throw new Error(
      `Unknown tool "${tool}" on MCP server "${server}". ${nearestNote(manager, tool, server)}`,
    );
  }
  let matches = toolsNamed(manager, tool);
  if (matches.length === 0) {
    // A server still starting may hold it; wait for those that have not listed anything yet.
    const pending = manager.servers().filter((s) => s.state === "starting" && s.fromCache === false);
    await Promise.all(pending.map((s) => waitUnlessListed(manager.connection(s.name)!, signal)));
    matches = toolsNamed(manager, tool);
  }
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new Error(
      `Tool "${tool}" is offered by several MCP servers (${
        matches.map((m) => m.server).join(", ")
      }); pass "server" to choose one.`,
    );
  }
  throw new Error(`Unknown MCP tool "${tool}". ${nearestNote(manager, tool)}`);
}

/** The connection of a server by name; throws naming the configured servers when there is none. */
export function findServer(manager: McpManager, name: string): ServerConnection {
  const connection = manager.connection(name);
  if (connection) {
    if (connection.status().state === "disabled") {
      throw new Error(`Cannot use MCP server "${name}": it is disabled in ${connection.config.source}.`);
    }
    return connection;
  }
  const names = manager.servers().filter((s) => s.state !== "disabled").map((s) => s.name);
  const near = nearestStrings(name, names, 3);
  throw new Error(
    `Unknown MCP server "${name}"${near.length ? `; did you mean ${near.join(", ")}?` : "."} Servers: ${
      names.join(", ") || "none"
    }.`,
  );
}

function normalizeQuery(manager: McpManager, query: ToolQuery): { server?: string; tool: string } {
  let { server, tool } = query;
  tool = tool.trim();
  if (tool.startsWith("mcp__")) {
    const direct = manager.directTools().find((d) => d.name === tool);
    if (direct) return { server: direct.server, tool: direct.tool.name };
  }
  const names = manager.servers().map((s) => s.name);
  if (server !== undefined && tool.startsWith(`${server}.`) && !hasTool(manager, server, tool)) {
    tool = tool.slice(server.length + 1);
  } else if (server === undefined) {
    const prefix = names.find((n) => tool.startsWith(`${n}.`) && !toolsNamed(manager, tool).length);
    if (prefix) {
      server = prefix;
      tool = tool.slice(prefix.length + 1);
    }
  }
  return { ...(server !== undefined ? { server } : {}), tool };
}

function hasTool(manager: McpManager, server: string, tool: string): boolean {
  return manager.connection(server)?.status().tools.some((t) => t.name === tool) ?? false;
}

function toolsNamed(manager: McpManager, tool: string): FoundTool[] {
  const found: FoundTool[] = [];
  for (const status of manager.servers()) {
    if (status.state === "disabled") continue;
    const info = status.tools.find((t) => t.name === tool);
    if (info) found.push({ server: status.name, tool: info, connection: manager.connection(status.name)! });
  }
  return found;
}

/** Waits for a server that has no list yet (neither live nor cached); failures are read from its status. */
async function waitUnlessListed(connection: ServerConnection, signal: AbortSignal): Promise<void> {
  const status = connection.status();
  if (status.state !== "starting") return;
  try {
    await connection.ready(signal);
  } catch (error) {
    if (signal.aborted) throw error;
  }
}

/** `Nearest: a.b, c.d.` for an unknown tool (within one server when given). */
export function nearestNote(manager: McpManager, tool: string, server?: string): string {
  const candidates = manager.servers()
    .filter((s: McpServerStatus) => s.state !== "disabled" && (server === undefined || s.name === server))
    .flatMap((s) => s.tools.map((t) => ({ label: `${s.name}.${t.name}`, name: t.name })));
  if (candidates.length === 0) {
    return "No MCP server has listed any tool yet; mcp_search shows their states.";
  }
  const near = nearestStrings(tool, candidates.map((c) => c.name), 5);
  const labels = near.map((name) => candidates.find((c) => c.name === name)!.label);
  return `Nearest: ${labels.join(", ")}. Use mcp_search to look for tools.`;
}

/** Up to `n` of `names` closest to `target`: containing it first, then by edit distance. */
export function nearestStrings(target: string, names: readonly string[], n: number): string[] {
  const t = target.toLowerCase();
  const unique = [...new Set(names)];
  const scored = unique.map((name) => {
    const l = name.toLowerCase();
    const contains = l.includes(t) || t.includes(l);
    return { name, score: (contains ? 0 : 1000) + editDistance(t, l) };
  });
  scored.sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : 1));
  return scored.slice(0, n).map((s) => s.name);
}
