/**
 * `nanocode mcp list`, `nanocode mcp login <server>` and `nanocode mcp logout <server>`: every
 * configured server connected and reported, as `/mcp` does in the REPL; authorizing a remote server
 * with OAuth outside the REPL (the page is printed and opened in the browser; the callback listens on
 * 127.0.0.1; the tokens are kept in `~/.nanocode/mcp-auth.json`), and forgetting what was kept.
 * @module
 */

import { nanocodeHome } from "../config/mod.ts";
import { loadMcpConfig, type McpConfig } from "../mcp/config.ts";
import { McpManager } from "../mcp/manager.ts";
import type { CliIo } from "./main.ts";

/** What `nanocode mcp …` was asked to do. */
export type McpCommand = { action: "list" } | { action: "login" | "logout"; server: string };

const encoder = new TextEncoder();

async function say(stream: WritableStream<Uint8Array>, text: string): Promise<void> {
  const writer = stream.getWriter();
  try {
    await writer.write(encoder.encode(text + "\n"));
  } finally {
    writer.releaseLock();
  }
}

/** Runs the command; resolves with the exit code. Errors are one line on stderr. */
export async function runMcpCommand(command: McpCommand, io: CliIo): Promise<number> {
  const config = await loadMcpConfig({ cwd: io.cwd, env: io.env });
  for (const warning of config.warnings) await say(io.stderr, `nanocode: ${warning.text}`);
  if (command.action === "list") return await list(config, io);
  const server = config.servers.find((s) => s.name === command.server);
  if (!server) {
    const names = config.servers.map((s) => s.name);
    await say(
      io.stderr,
      `nanocode: No MCP server "${command.server}" is configured${
        names.length ? ` (configured: ${names.join(", ")})` : ""
      }; add it to .nanocode/mcp.json or ~/.nanocode/mcp.json.`,
    );
    return 1;
  }
  if (nanocodeHome(io.env) === undefined) {
    await say(
      io.stderr,
      "nanocode: Cannot keep MCP tokens: no home folder is known; set HOME or NANOCODE_DIR.",
    );
    return 1;
  }
  const manager = await McpManager.create({ ...config, servers: [server] }, { cwd: io.cwd, env: io.env });
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    if (command.action === "logout") {
      const removed = await manager.logout(server.name);
      await say(
        io.stdout,
        removed
          ? `Logged out of ${server.name}: its tokens are forgotten.`
          : `No tokens were kept for ${server.name}.`,
      );
      return 0;
    }
    // Lines go out one after another: the stream takes one writer at a time.
    let notices = Promise.resolve();
    const status = await manager.login(
      server.name,
      (line) => notices = notices.then(() => say(io.stderr, line)),
      interrupt.signal,
    );
    await notices;
    await say(
      io.stdout,
      `Logged in to ${server.name}: ${status.tools.length} tool${status.tools.length === 1 ? "" : "s"}.`,
    );
    return 0;
  } catch (error) {
    await say(
      io.stderr,
      `nanocode: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`,
    );
    return interrupt.signal.aborted ? 130 : 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    await manager.close();
  }
}

/** Connects every enabled server (each within its timeout) and prints a line or two for each. */
async function list(config: McpConfig, io: CliIo): Promise<number> {
  if (config.servers.length === 0) {
    await say(
      io.stdout,
      "No MCP servers are configured: add them to .nanocode/mcp.json or ~/.nanocode/mcp.json.",
    );
    return 0;
  }
  const manager = await McpManager.create(config, { cwd: io.cwd, env: io.env });
  try {
    await manager.settled();
    const lines: string[] = [];
    for (const server of manager.servers()) {
      const tools = `${server.tools.length} tool${server.tools.length === 1 ? "" : "s"}`;
      const auth = server.auth === "authorized" ? ", OAuth" : "";
      const where = server.transport === "stdio"
        ? "stdio"
        : `${server.transport} ${configUrl(config, server.name)}`;
      lines.push(
        `${server.name}: ${server.state} (${where}${server.state === "running" ? `, ${tools}` : ""}${auth})`,
      );
      if (server.error !== undefined) lines.push(`  ${server.error.replace(/\s+/g, " ")}`);
    }
    await say(io.stdout, lines.join("\n"));
    return manager.servers().some((s) => s.state === "failed") ? 1 : 0;
  } finally {
    await manager.close();
  }
}

function configUrl(config: McpConfig, name: string): string {
  return config.servers.find((s) => s.name === name)?.url ?? "";
}
