/**
 * The `mcp_inspect` tool: one MCP tool's full description and input schema, so the model calls it with
 * the arguments it expects instead of guessing. An unknown name answers the nearest ones.
 * @module
 */

import { textResult, type Tool } from "../core/mod.ts";
import type { McpManager } from "../mcp/mod.ts";
import { findMcpTool } from "./_mcp_lookup.ts";
import { boundText } from "./_mcp_result.ts";

/** Builds `mcp_inspect` over the manager's servers. */
export function createMcpInspectTool(manager: McpManager): Tool {
  return {
    name: "mcp_inspect",
    description: "Show an MCP tool's full description and input schema (JSON Schema). Give the tool as " +
      "mcp_search listed it (`server.tool`), or `server` and `tool`. Read it before mcp_call.",
    parameters: {
      type: "object",
      properties: {
        server: { type: "string", description: "The server's name (optional when the tool name is unique)." },
        tool: { type: "string", description: "The tool's name, or `server.tool`." },
        refresh: { type: "boolean", description: "Ask the server for its tool list again first." },
      },
      required: ["tool"],
    },
    permissions: [],
    readOnly: true,
    async execute(args, ctx) {
      manager.start();
      const server = typeof args.server === "string" && args.server !== "" ? args.server : undefined;
      if (args.refresh === true) {
        const targets = server ? [server] : manager.servers().map((s) => s.name);
        await Promise.all(
          targets.map((name) => manager.connection(name)?.refresh(ctx.signal).catch(() => {})),
        );
      }
      const found = await findMcpTool(manager, { server, tool: String(args.tool) }, ctx.signal);
      const { tool } = found;
      const direct = manager.directTools().find((d) =>
        d.server === found.server && d.tool.name === tool.name
      );
      const hints = Object.entries(tool.annotations ?? {}).filter(([key, value]) =>
        key.endsWith("Hint") && value
      )
        .map(([key]) => key);
      const call = direct
        ? `Call it directly as ${direct.name}, or with mcp_call {"server": ${
          JSON.stringify(found.server)
        }, "tool": ${JSON.stringify(tool.name)}, "arguments": {...}}.`
        : `Call it with mcp_call {"server": ${JSON.stringify(found.server)}, "tool": ${
          JSON.stringify(tool.name)
        }, "arguments": {...}}.`;
      const text = [
        `${found.server}.${tool.name}${tool.title ? ` (${tool.title})` : ""}`,
        tool.description.trim() || "(no description)",
        ...(hints.length ? [`Hints: ${hints.join(", ")}`] : []),
        `Input schema:\n${JSON.stringify(tool.inputSchema, null, 2)}`,
        ...(tool.outputSchema ? [`Output schema:\n${JSON.stringify(tool.outputSchema, null, 2)}`] : []),
        call,
      ].join("\n\n");
      return textResult(await boundText(text, { label: `${found.server}.${tool.name}` }));
    },
  };
}
