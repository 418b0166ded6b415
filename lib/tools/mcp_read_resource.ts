/**
 * The `mcp_read_resource` tool: reads a resource of an MCP server by its URI. Text comes back as text;
 * binary contents are described by type and size.
 * @module
 */

import { formatSize, textResult, type Tool } from "../core/mod.ts";
import type { McpManager } from "../mcp/mod.ts";
import { findServer } from "./_mcp_lookup.ts";
import { boundText } from "./_mcp_result.ts";

interface ResourceContent {
  uri: string;
  mimeType?: string;
  text?: string;
  blob?: string;
}

/** Builds `mcp_read_resource` over the manager's servers. */
export function createMcpReadResourceTool(manager: McpManager): Tool {
  return {
    name: "mcp_read_resource",
    description: "Read a resource of an MCP server by URI (mcp_search lists resources with their URIs).",
    parameters: {
      type: "object",
      properties: {
        server: { type: "string", description: "The server's name." },
        uri: { type: "string", description: "The resource's URI, e.g. `file:///…` or `docs://intro`." },
      },
      required: ["server", "uri"],
    },
    permissions: [],
    readOnly: true,
    async execute(args, ctx) {
      manager.start();
      const server = String(args.server);
      const uri = String(args.uri);
      const connection = findServer(manager, server);
      const result = await connection.readResource(uri, { signal: ctx.signal });
      const contents = (result.contents ?? []) as ResourceContent[];
      const parts = contents.map((c) => {
        const header = contents.length > 1 ? `[${c.uri}${c.mimeType ? ` (${c.mimeType})` : ""}]\n` : "";
        if (typeof c.text === "string") return header + c.text;
        const blob = (c.blob ?? "").replace(/\s+/g, "");
        const bytes = Math.max(0, Math.floor(blob.length * 3 / 4) - (blob.match(/=+$/)?.[0].length ?? 0));
        return `[binary resource ${c.uri}: ${c.mimeType ?? "unknown type"}, ${
          formatSize(bytes)
        }; not shown as text]`;
      });
      const text = parts.join("\n\n") || `(${uri} is empty)`;
      return textResult(await boundText(text, { label: `${server} ${uri}` }), { server, uri });
    },
  };
}
