/**
 * `/mcp`: the configured MCP servers (state, transport, tool count, last error), a server's tools,
 * a search over every server's tools (the `mcp_search` tool the model uses), and reconnecting them.
 * @module
 */

import type { ReplMcp, ReplMcpServer } from "../runtime.ts";
import { errorMessage, fail, firstSentence, note, notWhileBusy, oneLine } from "./_output.ts";
import type { CommandHost, CommandSpec } from "./mod.ts";

const USAGE = "use /mcp status, /mcp tools <server>, /mcp search <query> or /mcp reload.";

/** Most milliseconds `/mcp search` waits for the servers before it gives up. */
const SEARCH_TIMEOUT_MS = 30_000;

function stateText(host: CommandHost, server: ReplMcpServer): string {
  const p = host.palette;
  if (server.state === "running") return p.green(server.state);
  if (server.state === "failed") return p.red(server.state);
  return p.yellow(server.state);
}

function statusLines(host: CommandHost, mcp: ReplMcp): string[] {
  const p = host.palette;
  const servers = mcp.servers();
  const lines = [p.dim(`MCP servers (${servers.length}):`)];
  for (const server of servers) {
    const count = `${server.tools.length} tool${server.tools.length === 1 ? "" : "s"}${
      server.fromCache ? " (cached)" : ""
    }`;
    lines.push(`  ${p.bold(server.name)}  ${stateText(host, server)}  ${server.transport}  ${p.dim(count)}`);
    if (server.error !== undefined) lines.push(`    ${p.red(`last error: ${oneLine(server.error)}`)}`);
  }
  return lines;
}

function toolsLines(host: CommandHost, mcp: ReplMcp, name: string): string[] | undefined {
  const server = mcp.servers().find((s) => s.name === name);
  if (!server) return undefined;
  const p = host.palette;
  if (server.tools.length === 0) {
    return [p.dim(`${name} lists no tools${server.state === "running" ? "" : ` yet (${server.state})`}.`)];
  }
  return [
    p.dim(`Tools of ${name} (${server.tools.length}):`),
    ...server.tools.map((t) => `  ${p.bold(t.name)} ${p.dim(`— ${firstSentence(t.description)}`)}`),
  ];
}

async function search(host: CommandHost, query: string): Promise<void> {
  const tool = host.runtime.tools.find((t) => t.name === "mcp_search");
  if (!tool) return note(host, "MCP search is not available: no MCP server is configured.");
  try {
    const result = await tool.execute({ query }, {
      cwd: Deno.cwd(),
      signal: AbortSignal.timeout(SEARCH_TIMEOUT_MS),
      update: () => {},
    });
    const text = result.content.map((part) => part.type === "text" ? part.text : "").join("\n").trim();
    host.print(text === "" ? [host.palette.dim("Nothing found.")] : text.split("\n"));
  } catch (error) {
    fail(host, `Cannot search the MCP servers: ${errorMessage(error)}`);
  }
}

async function reload(host: CommandHost, mcp: ReplMcp): Promise<void> {
  if (notWhileBusy(host, "reconnect the MCP servers")) return;
  const servers = mcp.servers().filter((s) => s.state !== "disabled");
  note(host, `Reconnecting ${servers.length} MCP server${servers.length === 1 ? "" : "s"}…`);
  await Promise.all(servers.map((s) => mcp.connection(s.name)?.restart().catch(() => {})));
  host.print(statusLines(host, mcp));
}

async function mcpCommand(host: CommandHost, args: string): Promise<void> {
  const mcp = host.runtime.mcp;
  if (!mcp) {
    return note(host, "No MCP servers are configured: add them to .nanocode/mcp.json (mcpServers).");
  }
  mcp.start();
  const [verb = "status", ...rest] = args.split(/\s+/).filter((w) => w !== "");
  const argument = rest.join(" ");
  switch (verb) {
    case "status":
      if (argument !== "") break;
      return host.print(statusLines(host, mcp));
    case "tools": {
      if (argument === "" || rest.length > 1) break;
      const lines = toolsLines(host, mcp, argument);
      if (lines) return host.print(lines);
      const known = mcp.servers().map((s) => s.name).join(", ");
      return fail(host, `Cannot find MCP server "${argument}": the configured servers are ${known}.`);
    }
    case "search":
      if (argument === "") return fail(host, "Cannot search for nothing: /mcp search <query>.");
      return await search(host, argument);
    case "reload":
      if (argument !== "") break;
      return await reload(host, mcp);
  }
  fail(host, `Cannot read that: ${USAGE}`);
}

/** `/mcp`, `/mcp status`, `/mcp tools <server>`, `/mcp search <query>` and `/mcp reload`. */
export const MCP_COMMAND: CommandSpec = {
  name: "mcp",
  usage: "/mcp [subcommand]",
  summary: "the MCP servers: status (alone too), tools <server>, search <query>, reload",
  run: mcpCommand,
};
