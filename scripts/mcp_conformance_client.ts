// deno-lint-ignore-file no-console
/**
 * nanocode's MCP client as the official conformance suite drives a client: `<command> <server-url>`.
 * It connects to the server with the client nanocode uses (Streamable HTTP), lists the tools, calls
 * each with arguments made from its schema (a default where there is one, else a plain value of the
 * type), and closes. Run the suite with
 * `deno run -A npm:@modelcontextprotocol/conformance client --command "deno run -A scripts/mcp_conformance_client.ts" --scenario tools_call`.
 * @module
 */

import { type JsonSchema, VERSION } from "../lib/core/mod.ts";
import { ServerConnection } from "../lib/mcp/client.ts";

/** A value for a parameter: its default, else the first of an enum, else something of its type. */
function example(schema: JsonSchema): unknown {
  if ("default" in schema) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case "number":
    case "integer":
      return 2;
    case "boolean":
      return true;
    case "array":
      return [];
    case "object":
      return {};
    default:
      return "nanocode";
  }
}

function exampleArguments(schema: JsonSchema): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, example(property)]));
}

async function main(url: string | undefined): Promise<number> {
  if (!url) {
    console.error("usage: mcp_conformance_client.ts <server-url>");
    return 2;
  }
  const connection = new ServerConnection({
    config: {
      name: "conformance",
      type: "http",
      sseFallback: false,
      args: [],
      env: {},
      url,
      headers: {},
      enabled: true,
      disabledTools: [],
      selectedTools: [],
      direct: false,
      timeoutMs: 30_000,
      source: "conformance",
    },
    baseEnv: {},
    cwd: Deno.cwd(),
    clientInfo: { name: "nanocode", version: VERSION },
  });
  try {
    void connection.start();
    await connection.ready();
    for (const tool of connection.status().tools) {
      const result = await connection.callTool(tool.name, exampleArguments(tool.inputSchema));
      console.log(`${tool.name}: ${JSON.stringify(result.content ?? result)}`);
    }
    return 0;
  } catch (error) {
    console.error(`nanocode conformance client: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await connection.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args[0]));
