/**
 * The `mcp_call` tool: calls a tool of an MCP server. The arguments are checked against the tool's
 * schema first (a wrong field comes back at once, named, and nothing is sent); progress streams as
 * tool updates and keeps the call alive; an abort tells the server with `notifications/cancelled`.
 * @module
 */

import { type Tool, type ToolContext, ToolError, type ToolResult } from "../core/mod.ts";
import { checkToolArguments, type McpManager, type McpProgress } from "../mcp/mod.ts";
import { findMcpTool, type FoundTool } from "./_mcp_lookup.ts";
import { type McpCallResult, shapeCallResult } from "./_mcp_result.ts";

/** Builds `mcp_call` over the manager's servers. */
export function createMcpCallTool(manager: McpManager): Tool {
  return {
    name: "mcp_call",
    description: "Call a tool of an MCP server with arguments that match its input schema (read it with " +
      "mcp_inspect first; never guess). Returns the tool's result.",
    parameters: {
      type: "object",
      properties: {
        server: { type: "string", description: "The server's name, as mcp_search lists it." },
        tool: { type: "string", description: "The tool's name on that server." },
        arguments: {
          type: "object",
          description: "The tool's arguments, an object matching its input schema.",
        },
      },
      required: ["server", "tool"],
    },
    permissions: [],
    prepareArguments(args) {
      // Models often send the nested arguments as JSON text.
      if (typeof args.arguments === "string") {
        const text = args.arguments.trim();
        if (text === "") return { ...args, arguments: {} };
        try {
          const parsed = JSON.parse(text);
          if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
            return { ...args, arguments: parsed };
          }
        } catch {
          // Left as is: validation says what is wrong.
        }
      }
      return args;
    },
    async execute(args, ctx) {
      manager.start();
      const server = typeof args.server === "string" && args.server !== "" ? args.server : undefined;
      const found = await findMcpTool(manager, { server, tool: String(args.tool) }, ctx.signal);
      const callArgs = (args.arguments ?? {}) as Record<string, unknown>;
      return await callMcpTool(found, callArgs, ctx);
    },
  };
}

/**
 * Checks `args` against the tool's schema, calls it and shapes the result (shared by `mcp_call` and
 * the direct tools).
 */
export async function callMcpTool(
  found: FoundTool,
  args: Record<string, unknown>,
  ctx: ToolContext,
): Promise<ToolResult> {
  const label = `${found.server}.${found.tool.name}`;
  const problems = await checkToolArguments(found.tool.inputSchema, args);
  if (problems.length > 0) {
    throw new ToolError(
      `Cannot call ${label}: ${
        problems.join("; ")
      }. Nothing was sent; fix the arguments (mcp_inspect shows the schema) and call again.`,
    );
  }
  const started = Date.now();
  const result = await found.connection.callTool(found.tool.name, args, {
    signal: ctx.signal,
    onProgress: (p) => ctx.update(progressLine(p)),
  });
  const shaped = await shapeCallResult(result as McpCallResult, { label });
  return { ...shaped, details: { server: found.server, tool: found.tool.name, ms: Date.now() - started } };
}

/** `progress 3/10: step 3`, as the UI shows a running call. */
export function progressLine(p: McpProgress): string {
  const amount = p.total !== undefined ? `${p.progress}/${p.total}` : `${p.progress}`;
  return `progress ${amount}${p.message ? `: ${p.message}` : ""}`;
}
