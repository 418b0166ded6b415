/**
 * The published MCP servers the tests start, pinned: the reference "everything" server and the
 * filesystem server, run by Deno from npm (cached by .ci/run, so a test run needs no download).
 * @module
 */

/** The pinned npm specifiers. .ci/run caches exactly these. */
export const EVERYTHING_SERVER = "npm:@modelcontextprotocol/server-everything@2026.8.31";
export const FILESYSTEM_SERVER = "npm:@modelcontextprotocol/server-filesystem@2026.8.31";
/** The official MCP conformance suite, which drives a client as `<command> <server-url>`. */
export const CONFORMANCE_SUITE = "npm:@modelcontextprotocol/conformance@0.1.16";

/** The command and arguments that run a published server (outside this project's config and lock). */
export function npmServerCommand(spec: string, ...args: string[]): { command: string; args: string[] } {
  return { command: Deno.execPath(), args: ["run", "--no-config", "-A", "--quiet", spec, ...args] };
}

/** A port nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A server-everything process serving HTTP on 127.0.0.1; `await using` stops it. */
export interface HttpEverything extends AsyncDisposable {
  port: number;
  /** The MCP endpoint: `/mcp` for Streamable HTTP, `/sse` for the SSE transport. */
  url: string;
}

/**
 * Starts server-everything in its `streamableHttp` or `sse` mode on a free port and resolves once it
 * listens (it says so on stderr).
 */
export async function startHttpEverything(mode: "streamableHttp" | "sse"): Promise<HttpEverything> {
  const port = freePort();
  const { command, args } = npmServerCommand(EVERYTHING_SERVER, mode);
  const child = new Deno.Command(command, {
    args,
    env: { PORT: String(port) },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 30_000);
  while (!/listening on port|running on port/i.test(seen)) {
    const { value, done } = await reader.read();
    if (done) {
      clearTimeout(deadline);
      throw new Error(`server-everything ${mode} ended before it listened:\n${seen}`);
    }
    seen += value;
  }
  clearTimeout(deadline);
  // Keep draining stderr so the server never blocks on a full pipe.
  const drain = (async () => {
    try {
      while (!(await reader.read()).done) { /* discard */ }
    } catch { /* closed */ }
  })();
  return {
    port,
    url: `http://127.0.0.1:${port}/${mode === "sse" ? "sse" : "mcp"}`,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
      await drain;
    },
  };
}
