/**
 * The MCP tool set: `mcp_search`, `mcp_inspect`, `mcp_call`, `mcp_read_resource` and the direct tools,
 * offered only when at least one server is configured, and the lines of the system prompt that name
 * the servers and say how to use them.
 * @module
 */

import type { Tool } from "../core/mod.ts";
import { type McpDirectTool, type McpManager, startMcp, type StartMcpOptions } from "../mcp/mod.ts";
import { createMcpSearchTool } from "./mcp_search.ts";
import { createMcpInspectTool } from "./mcp_inspect.ts";
import { createMcpCallTool } from "./mcp_call.ts";
import { createMcpReadResourceTool } from "./mcp_read_resource.ts";
import { createMcpDirectTools } from "./mcp_direct.ts";

/** The names of the four tools every run with MCP servers gets. */
export const MCP_TOOL_NAMES: readonly string[] = [
  "mcp_search",
  "mcp_inspect",
  "mcp_call",
  "mcp_read_resource",
];

/**
 * The tools for the manager's servers: the four `mcp_*` tools, then the direct tools known now (from
 * the cache or the first listing).
 */
export function createMcpTools(manager: McpManager): Tool[] {
  return [
    createMcpSearchTool(manager),
    createMcpInspectTool(manager),
    createMcpCallTool(manager),
    createMcpReadResourceTool(manager),
    ...createMcpDirectTools(manager),
  ];
}

/**
 * The system prompt's MCP section: each enabled server (name, description, tool count or why it
 * failed) and how to use them. Undefined when no server is enabled.
 */
export function mcpPromptSection(manager: McpManager): string | undefined {
  const servers = manager.servers().filter((s) => s.state !== "disabled");
  if (servers.length === 0) return undefined;
  const hasDirect = manager.directTools().length > 0;
  const lines = servers.map((s) => {
    const about = s.description ? `: ${s.description.replace(/\s+/g, " ").trim()}` : "";
    const state = s.state === "failed"
      ? `failed: ${s.error ?? "unknown error"}`
      : s.tools.length > 0 || s.state === "running"
      ? `${s.tools.length} tool${s.tools.length === 1 ? "" : "s"}${
        s.resources.length ? `, ${s.resources.length} resource${s.resources.length === 1 ? "" : "s"}` : ""
      }`
      : "starting";
    return `- ${s.name}${about} (${state})`;
  });
  return [
    "# MCP servers",
    "These MCP servers are configured:\n" + lines.join("\n"),
    [
      "- Prefer an MCP server's tools over websearch and webfetch when a server fits the request.",
      hasDirect
        ? "- Use a direct tool (named mcp__<server>__<tool>) when there is one; otherwise find the tool with " +
          "mcp_search, read its schema with mcp_inspect, then call it with mcp_call."
        : "- Find the tool with mcp_search, read its schema with mcp_inspect, then call it with mcp_call.",
      "- Never guess a tool's arguments: inspect it first. mcp_read_resource reads a resource by URI.",
    ].join("\n"),
  ].join("\n\n");
}

/** What {@link startMcpTools} gives the runtime. */
export interface McpToolSet {
  /**
   * The tools to add to the surface (none when no server is enabled). Replaced by a new array when
   * the direct tools change (see {@link McpToolsOptions.onToolsChange}).
   */
  tools: Tool[];
  /** The system prompt's MCP section, when a server is enabled. */
  promptSection?: string;
  /** One per bad configuration file or entry, as values (the runtime folds those outside --allow-read). */
  warnings: Awaited<ReturnType<typeof startMcp>>["warnings"];
  /** The servers, for `/mcp` commands and for closing them. */
  manager?: McpManager;
}

/** Options for {@link startMcpTools}. */
export interface McpToolsOptions extends StartMcpOptions {
  /**
   * Called after the set's `tools` changed because the direct tools did: a tool a server's
   * `selectedTools` names appeared or went (`list_changed`, a first listing after the cache, a
   * reconnect), or its schema changed. Never called when only a state changed. Default: none.
   */
  onToolsChange?: () => void;
}

/**
 * Reads the MCP configuration and, when a server is enabled, starts every server in the background
 * and returns the tools and prompt lines for them. Waits only for servers with direct tools and no
 * cached list. With no server configured nothing else happens: the SDK is never loaded.
 * @example
 * ```ts
 * const mcp = await startMcpTools({ cwd: Deno.cwd(), env: (n) => Deno.env.get(n) });
 * tools.push(...mcp.tools);
 * ```
 */
export async function startMcpTools(options: McpToolsOptions): Promise<McpToolSet> {
  const { manager, warnings } = await startMcp(options);
  if (!manager) return { tools: [], warnings };
  const set: McpToolSet = {
    tools: createMcpTools(manager),
    promptSection: mcpPromptSection(manager),
    warnings,
    manager,
  };
  // Followed from the moment the tools were made, so no change falls in between.
  followDirectTools(set, manager, () => options.onToolsChange?.());
  return set;
}

/**
 * Replaces `set.tools` (the four `mcp_*` tools, then fresh direct tools) whenever the direct tools
 * differ from those last made, then calls `changed`. Unchanged lists keep their objects, so names and
 * list entries compared by identity suffice: a change of state alone costs one walk over the direct tools.
 */
function followDirectTools(set: McpToolSet, manager: McpManager, changed: () => void): void {
  const fixed = set.tools.filter((t) => MCP_TOOL_NAMES.includes(t.name));
  let known = manager.directTools();
  manager.subscribe(() => {
    const now = manager.directTools();
    if (sameDirectTools(known, now)) return;
    known = now;
    set.tools = [...fixed, ...createMcpDirectTools(manager)];
    changed();
  });
}

function sameDirectTools(a: readonly McpDirectTool[], b: readonly McpDirectTool[]): boolean {
  return a.length === b.length && a.every((d, i) => d.name === b[i].name && d.tool === b[i].tool);
}
