/**
 * Direct MCP tools: each tool a server's `selectedTools` names (or every tool of a server with
 * `"direct": true`) offered to the model under its own name, `mcp__<server>__<tool>`, with the
 * server's description and schema. A call goes through the same checks as `mcp_call`.
 * @module
 */

import type { JsonSchema, Tool } from "../core/mod.ts";
import type { McpDirectTool, McpManager } from "../mcp/mod.ts";
import { findMcpTool } from "./_mcp_lookup.ts";
import { callMcpTool } from "./mcp_call.ts";

/** One direct tool per entry of `manager.directTools()` as they are known now. */
export function createMcpDirectTools(manager: McpManager): Tool[] {
  return manager.directTools().map((direct) => directTool(manager, direct));
}

function directTool(manager: McpManager, direct: McpDirectTool): Tool {
  const description = direct.tool.description.trim() || direct.tool.title || direct.tool.name;
  return {
    name: direct.name,
    description: `${description}\n(MCP tool ${direct.tool.name} of server ${direct.server})`,
    parameters: objectSchema(direct.tool.inputSchema),
    permissions: [],
    async execute(args, ctx) {
      manager.start();
      // The server's current list wins over the one this tool was made from (it may have changed).
      const found = await findMcpTool(manager, { server: direct.server, tool: direct.tool.name }, ctx.signal);
      return await callMcpTool(found, args, ctx);
    },
  };
}

/** A schema an OpenAI-compatible endpoint takes as a function's parameters: an object, no `$schema`. */
export function objectSchema(schema: JsonSchema): JsonSchema {
  const { $schema: _dropped, ...rest } = schema ?? {};
  if (rest.type === undefined) return { type: "object", properties: {}, ...rest };
  return rest;
}
