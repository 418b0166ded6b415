// deno-lint-ignore-file no-console
/**
 * nanocode's MCP client as the official conformance suite drives a client: `<command> <server-url>`.
 * It connects to the server with the client nanocode uses (Streamable HTTP), lists the tools, calls
 * each with arguments made from its schema (a default where there is one, else a plain value of the
 * type), and closes. A server that wants OAuth is logged in to as `nanocode mcp login` does it: the
 * authorization page goes to `$BROWSER`, the callback listens on 127.0.0.1, and the tokens are kept
 * in `$NANOCODE_DIR/mcp-auth.json` (a fresh temporary folder when it is unset). Client credentials
 * the suite gives in `MCP_CONFORMANCE_CONTEXT` (`client_id`, `client_secret`) are used as a
 * pre-registered client, as an `oauth` entry in mcp.json would be, and `NANOCODE_CLIENT_METADATA_URL`
 * stands for `oauth.clientMetadataUrl` (a published client metadata document). Run the suite with
 * `deno run -A npm:@modelcontextprotocol/conformance client --command "deno run -A scripts/mcp_conformance_client.ts" --scenario tools_call`.
 * @module
 */

import { join } from "node:path";
import { type JsonSchema, VERSION } from "../lib/core/mod.ts";
import { ServerConnection } from "../lib/mcp/client.ts";
import type { McpOAuthConfig } from "../lib/mcp/config.ts";
import { McpAuthStore, openBrowser } from "../lib/mcp/oauth.ts";

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

/** A pre-registered client from the suite's context, if it gives one. */
function oauthFromContext(): McpOAuthConfig {
  // A published client metadata document, as `oauth.clientMetadataUrl` in mcp.json gives one.
  const metadata = Deno.env.get("NANOCODE_CLIENT_METADATA_URL");
  const published = metadata ? { clientMetadataUrl: metadata } : {};
  const text = Deno.env.get("MCP_CONFORMANCE_CONTEXT");
  if (!text) return published;
  const context = JSON.parse(text) as { client_id?: string; client_secret?: string };
  return {
    ...published,
    ...(context.client_id ? { clientId: context.client_id } : {}),
    ...(context.client_secret ? { clientSecret: context.client_secret } : {}),
  };
}

async function main(url: string | undefined): Promise<number> {
  if (!url) {
    console.error("usage: mcp_conformance_client.ts <server-url>");
    return 2;
  }
  const home = Deno.env.get("NANOCODE_DIR") ?? await Deno.makeTempDir({ prefix: "nanocode-conformance-" });
  const env = (name: string) => Deno.env.get(name);
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
      oauth: oauthFromContext(),
      source: "conformance",
    },
    auth: {
      store: new McpAuthStore(join(home, "mcp-auth.json")),
      // A server asking for more scope during a call is authorized at once, as in the REPL.
      show: async (_server, page) => {
        const problem = await openBrowser(page.href, env);
        if (problem) throw new Error(problem);
      },
    },
    baseEnv: {},
    cwd: Deno.cwd(),
    clientInfo: { name: "nanocode", version: VERSION },
  });
  try {
    await connection.start();
    if (connection.status().auth === "needed") {
      await connection.login(async (_server, page) => {
        console.error(`Opening ${page.href}`);
        const problem = await openBrowser(page.href, env);
        if (problem) throw new Error(problem);
      });
    }
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
