/**
 * `/mcp`: the configured MCP servers (state, transport, tool count, last error), a server's tools,
 * a search over every server's tools (the `mcp_search` tool the model uses), and reloading them from
 * `mcp.json`.
 * @module
 */

import type { ReplMcp, ReplMcpServer } from "../runtime.ts";
import { errorMessage, fail, firstSentence, note, notWhileBusy, oneLine } from "./_output.ts";
import type { CommandHost, CommandSpec } from "./mod.ts";

const USAGE =
  "use /mcp status, /mcp tools <server>, /mcp search <query>, /mcp login <server>, /mcp logout <server> or /mcp reload.";

/** Most milliseconds `/mcp` waits for servers still starting before it shows them. */
const STATUS_WAIT_MS = 5_000;

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
    const auth = server.auth === "needed"
      ? `  ${p.yellow(`needs /mcp login ${server.name}`)}`
      : server.auth === "authorized"
      ? `  ${p.dim("OAuth")}`
      : "";
    lines.push(
      `  ${p.bold(server.name)}  ${stateText(host, server)}  ${server.transport}  ${p.dim(count)}${auth}`,
    );
    if (server.error !== undefined) lines.push(`    ${p.red(`last error: ${oneLine(server.error)}`)}`);
  }
  return lines;
}

/**
 * The status, once the servers still starting have run or failed (at most {@link STATUS_WAIT_MS}; a
 * server slower than that shows as starting).
 */
async function status(host: CommandHost, mcp: ReplMcp): Promise<void> {
  const starting = mcp.servers().filter((s) => s.state === "starting").length;
  if (starting > 0 && mcp.settled) {
    note(host, `Connecting ${starting} MCP server${starting === 1 ? "" : "s"}…`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      mcp.settled(),
      new Promise((resolve) => timer = setTimeout(resolve, STATUS_WAIT_MS)),
    ]);
    clearTimeout(timer);
  }
  host.print(statusLines(host, mcp));
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

/**
 * Closes every server, reads `mcp.json` again and starts what it names now; the model gets the new
 * tools and a system prompt naming the new servers from its next request.
 */
async function reload(host: CommandHost): Promise<void> {
  if (notWhileBusy(host, "reload the MCP servers")) return;
  const { runtime } = host;
  if (!runtime.reloadMcp) {
    return fail(host, "Cannot reload the MCP servers: this session cannot re-read mcp.json.");
  }
  note(host, "Closing the MCP servers and reading mcp.json again…");
  let warnings: string[];
  try {
    warnings = await runtime.reloadMcp();
  } catch (error) {
    const message = errorMessage(error);
    return fail(host, message.startsWith("Cannot ") ? message : `Cannot reload the MCP servers: ${message}`);
  }
  if (warnings.length > 0) host.print(warnings.map((w) => host.palette.yellow(`! ${w}`)));
  if (!runtime.mcp) return note(host, NONE);
  host.print(statusLines(host, runtime.mcp));
}

/** Logs in to a remote server with OAuth: the page's address is shown and the browser opens on it. */
async function login(host: CommandHost, name: string): Promise<void> {
  if (notWhileBusy(host, `log in to ${name}`)) return;
  const { runtime } = host;
  if (!runtime.loginMcp) return fail(host, "Cannot log in here: this session has no MCP servers of its own.");
  note(host, `Logging in to ${name}; finish in the browser (nanocode waits up to 5 minutes)…`);
  try {
    const status = await runtime.loginMcp(name, (line) => note(host, line));
    const tools = `${status.tools.length} tool${status.tools.length === 1 ? "" : "s"}`;
    host.print([`${host.palette.green("✓")} Logged in to ${name}: ${tools}.`]);
  } catch (error) {
    fail(host, errorMessage(error));
  }
}

/** Forgets a server's kept tokens. */
async function logout(host: CommandHost, name: string): Promise<void> {
  if (notWhileBusy(host, `log out of ${name}`)) return;
  const { runtime } = host;
  if (!runtime.logoutMcp) {
    return fail(host, "Cannot log out here: this session has no MCP servers of its own.");
  }
  try {
    const removed = await runtime.logoutMcp(name);
    note(
      host,
      removed ? `Logged out of ${name}: its tokens are forgotten.` : `No tokens were kept for ${name}.`,
    );
  } catch (error) {
    fail(host, errorMessage(error));
  }
}

/** The configuration's problems (a bad file, a bad entry, an unset variable), one yellow line each. */
function printWarnings(host: CommandHost): void {
  const warnings = host.runtime.mcpWarnings ?? [];
  if (warnings.length > 0) host.print(warnings.map((w) => host.palette.yellow(`! ${w}`)));
}

const NONE = "No MCP servers are configured: add them to .nanocode/mcp.json (mcpServers), then /mcp reload.";

async function mcpCommand(host: CommandHost, args: string): Promise<void> {
  const [verb = "status", ...rest] = args.split(/\s+/).filter((w) => w !== "");
  const argument = rest.join(" ");
  // Reloading reads the configuration again, so it works when none was configured at start too.
  if (verb === "reload") {
    if (argument !== "") return fail(host, `Cannot read that: ${USAGE}`);
    return await reload(host);
  }
  const mcp = host.runtime.mcp;
  if (!mcp) {
    if (verb === "status" && argument === "") printWarnings(host);
    return note(host, NONE);
  }
  mcp.start();
  switch (verb) {
    case "status":
      if (argument !== "") break;
      await status(host, mcp);
      return printWarnings(host);
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
    case "login":
    case "logout":
      if (argument === "" || rest.length > 1) {
        return fail(
          host,
          `Cannot ${verb === "login" ? "log in" : "log out"}: name one server, /mcp ${verb} <server>.`,
        );
      }
      return verb === "login" ? await login(host, argument) : await logout(host, argument);
  }
  fail(host, `Cannot read that: ${USAGE}`);
}

/**
 * `/mcp`, `/mcp status`, `/mcp tools <server>`, `/mcp search <query>`, `/mcp login <server>`,
 * `/mcp logout <server>` and `/mcp reload`.
 */
export const MCP_COMMAND: CommandSpec = {
  name: "mcp",
  usage: "/mcp [subcommand]",
  summary:
    "the MCP servers: status (alone too), tools <server>, search <query>, login|logout <server> (OAuth), reload (re-reads mcp.json)",
  run: mcpCommand,
};
