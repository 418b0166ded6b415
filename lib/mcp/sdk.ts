/**
 * The MCP SDK, loaded on first use: a run with no MCP server configured never loads it, and one with
 * servers loads it in the background after start-up.
 * @module
 */

/** The parts of the SDK every connection uses. */
export type SdkCore = Awaited<ReturnType<typeof importCore>>;
/** The HTTP transports (Streamable HTTP and the older SSE one). */
export type SdkHttp = Awaited<ReturnType<typeof importHttp>>;

let core: Promise<SdkCore> | undefined;
let http: Promise<SdkHttp> | undefined;

async function importCore() {
  const [client, types, stdio] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/types.js"),
    import("@modelcontextprotocol/sdk/shared/stdio.js"),
  ]);
  return {
    Client: client.Client,
    McpError: types.McpError,
    ErrorCode: types.ErrorCode,
    ToolListChangedNotificationSchema: types.ToolListChangedNotificationSchema,
    ResourceListChangedNotificationSchema: types.ResourceListChangedNotificationSchema,
    ElicitRequestSchema: types.ElicitRequestSchema,
    CancelledNotificationSchema: types.CancelledNotificationSchema,
    deserializeMessage: stdio.deserializeMessage,
  };
}

async function importHttp() {
  const [streamable, sse, auth] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    import("@modelcontextprotocol/sdk/client/sse.js"),
    import("@modelcontextprotocol/sdk/client/auth.js"),
  ]);
  return {
    StreamableHTTPClientTransport: streamable.StreamableHTTPClientTransport,
    StreamableHTTPError: streamable.StreamableHTTPError,
    SSEClientTransport: sse.SSEClientTransport,
    UnauthorizedError: auth.UnauthorizedError,
  };
}

/** The SDK's client and protocol types; a failed load is tried again on the next call. */
export function loadSdk(): Promise<SdkCore> {
  core ??= importCore().catch((error) => {
    core = undefined;
    throw new Error(`Cannot load the MCP SDK: ${firstLine(error)}`);
  });
  return core;
}

/** The SDK's HTTP transports; a failed load is tried again on the next call. */
export function loadHttpTransports(): Promise<SdkHttp> {
  http ??= importHttp().catch((error) => {
    http = undefined;
    throw new Error(`Cannot load the MCP SDK's HTTP transports: ${firstLine(error)}`);
  });
  return http;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
