/**
 * `nanocode --acp`: the agent side of the Agent Client Protocol over a pair of byte streams (stdin and
 * stdout). Standard output carries protocol messages and nothing else; notes go to the host's log.
 * @module
 */

import { isAbsolute } from "node:path";
import {
  agent,
  type AgentContext,
  type ClientCapabilities,
  type InitializeResponse,
  type McpServer,
  ndJsonStream,
  PROTOCOL_VERSION,
  RequestError,
  type SessionInfo as AcpSessionInfo,
} from "@agentclientprotocol/sdk";
import { VERSION } from "../core/mod.ts";
import { sessionTitle } from "../session/mod.ts";
import type { AcpHost, EditorMcpServer, HostSession } from "./host.ts";
import { AcpSession, type SessionDeps } from "./session.ts";
import { coalescedOutput, correctedStream } from "./stream.ts";

/** The streams the protocol runs over. */
export interface ServeOptions {
  /** What the editor sends (nanocode's standard input). */
  input: ReadableStream<Uint8Array>;
  /** Where protocol messages go (nanocode's standard output). */
  output: WritableStream<Uint8Array>;
  /** Whether the configured model takes images (advertised as a prompt capability). */
  images: boolean;
  /** Ends the connection as if the editor had closed it (a signal to nanocode). */
  signal?: AbortSignal;
}

/** Sessions listed per `session/list` page. */
const PAGE = 100;

/** The one auth method: a key in the environment nanocode starts with. */
const AUTH_METHOD_ID = "environment-key";

/**
 * Serves one editor until it closes the connection (standard input ends), then stops every session
 * and what they started.
 */
export async function serveAcp(host: AcpHost, options: ServeOptions): Promise<void> {
  const sessions = new Map<string, AcpSession>();
  let capabilities: ClientCapabilities = {};
  let models: Promise<{ ids: string[]; listed: boolean }> | undefined;
  const listModels = (session: HostSession) =>
    models ??= session.listModels(AbortSignal.timeout(3000)).then(
      (ids) => ({ ids, listed: ids.length > 0 }),
      (error) => {
        host.log(`Cannot list the endpoint's models (${messageOf(error)}); offering the configured one.`);
        return { ids: [], listed: false };
      },
    );
  const deps = (client: AgentContext): SessionDeps => ({ host, client, capabilities, models: listModels });

  const sessionOf = (id: string): AcpSession => {
    const session = sessions.get(id);
    if (!session) {
      throw new RequestError(
        -32602,
        `Cannot find session "${id}": it is not open on this connection; open it with session/new or session/load first.`,
        { sessionId: id },
      );
    }
    return session;
  };

  const ready = async () => {
    const problem = await host.checkSetup();
    if (problem?.kind === "auth") {
      throw RequestError.authRequired({ methods: [AUTH_METHOD_ID] }, problem.message);
    }
    if (problem) throw new RequestError(-32603, problem.message);
  };

  const absoluteCwd = (cwd: string) => {
    if (!isAbsolute(cwd)) {
      throw new RequestError(-32602, `Cannot open a session in "${cwd}": cwd must be an absolute path.`);
    }
    return cwd;
  };

  const app = agent({ name: "nanocode" })
    .onRequest("initialize", async ({ params }): Promise<InitializeResponse> => {
      capabilities = params.clientCapabilities ?? {};
      const problem = await host.checkSetup();
      return {
        protocolVersion: PROTOCOL_VERSION,
        agentInfo: { name: "nanocode", title: "nanocode", version: VERSION },
        agentCapabilities: {
          loadSession: true,
          promptCapabilities: { image: options.images, audio: false, embeddedContext: true },
          mcpCapabilities: { http: true, sse: true },
          sessionCapabilities: { list: {}, close: {} },
        },
        authMethods: problem?.kind === "auth"
          ? [{
            id: AUTH_METHOD_ID,
            name: "API key in the environment",
            description: `${
              problem.message.replace(/\.?$/, ".")
            } Set the key in the environment the editor starts nanocode with (Zed: "env" in its agent_servers entry), then start a new thread.`,
          }]
          : [],
      };
    })
    .onRequest("authenticate", async () => {
      await ready();
      return {};
    })
    .onRequest("session/new", async ({ params, client }) => {
      await ready();
      const session = await AcpSession.open(deps(client), {
        cwd: absoluteCwd(params.cwd),
        mcpServers: editorServers(params.mcpServers),
      });
      sessions.set(session.id, session);
      // After the response, so the editor knows the session the commands are for.
      setTimeout(() => void session.announceCommands().catch(() => {}), 0);
      return { sessionId: session.id, modes: session.modeState(), configOptions: session.configOptions() };
    })
    .onRequest("session/load", async ({ params, client }) => {
      await ready();
      const cwd = absoluteCwd(params.cwd);
      const saved = await host.findSession(params.sessionId, cwd);
      if (!saved) {
        throw new RequestError(
          -32602,
          `Cannot load session "${params.sessionId}": no saved session has that id; session/list shows the saved ones.`,
          { sessionId: params.sessionId },
        );
      }
      await sessions.get(params.sessionId)?.close();
      const session = await AcpSession.open(deps(client), {
        cwd,
        resume: saved,
        mcpServers: editorServers(params.mcpServers),
      });
      sessions.set(session.id, session);
      await session.replay(saved);
      setTimeout(() => void session.announceCommands().catch(() => {}), 0);
      return { modes: session.modeState(), configOptions: session.configOptions() };
    })
    .onRequest("session/list", async ({ params }) => {
      const all = await host.listSessions(params.cwd ?? undefined);
      const start = Number(params.cursor ?? 0);
      if (!Number.isInteger(start) || start < 0) {
        throw new RequestError(
          -32602,
          `Cannot list sessions from cursor "${params.cursor}": pass a nextCursor.`,
        );
      }
      const page = all.slice(start, start + PAGE).map((info): AcpSessionInfo => ({
        sessionId: info.id,
        cwd: info.cwd,
        title: sessionTitle(info),
        updatedAt: info.updated.toISOString(),
      }));
      return {
        sessions: page,
        ...(start + PAGE < all.length ? { nextCursor: String(start + PAGE) } : {}),
      };
    })
    .onRequest("session/close", async ({ params }) => {
      const session = sessionOf(params.sessionId);
      sessions.delete(params.sessionId);
      await session.close();
      return {};
    })
    .onRequest(
      "session/prompt",
      ({ params, signal }) => sessionOf(params.sessionId).prompt(params.prompt, signal),
    )
    .onNotification("session/cancel", ({ params }) => sessions.get(params.sessionId)?.cancel())
    .onRequest("session/set_mode", async ({ params }) => {
      await sessionOf(params.sessionId).setMode(params.modeId);
      return {};
    })
    .onRequest("session/set_config_option", async ({ params }) => ({
      configOptions: await sessionOf(params.sessionId).setConfigOption(params.configId, params.value),
    }))
    // The selector of ACP before config options, which some editors still send.
    .onRequest("session/set_model", parseSetModel, async ({ params }) => {
      await sessionOf(params.sessionId).setModel(params.modelId);
      return {};
    });

  const output = coalescedOutput(options.output);
  const connection = app.connect(correctedStream(ndJsonStream(output.writable, options.input)));
  const stop = () => connection.close();
  options.signal?.addEventListener("abort", stop, { once: true });
  await connection.closed;
  options.signal?.removeEventListener("abort", stop);
  await output.drain();
  await Promise.all([...sessions.values()].map((session) => session.close().catch(() => {})));
  await host.close();
}

function parseSetModel(params: unknown): { sessionId: string; modelId: string } {
  const { sessionId, modelId } = (params ?? {}) as Record<string, unknown>;
  if (typeof sessionId !== "string" || typeof modelId !== "string") {
    throw new RequestError(
      -32602,
      "Invalid params: session/set_model takes a sessionId and a modelId (strings).",
    );
  }
  return { sessionId, modelId };
}

/** The editor's MCP servers in plain form; ACP's own transport (`acp`) is not one nanocode speaks. */
function editorServers(servers: readonly McpServer[]): EditorMcpServer[] {
  return servers.flatMap((server): EditorMcpServer[] => {
    const pairs = (list: readonly { name: string; value: string }[]) =>
      Object.fromEntries(list.map((p) => [p.name, p.value]));
    if ("type" in server && (server.type === "http" || server.type === "sse")) {
      return [{ type: server.type, name: server.name, url: server.url, headers: pairs(server.headers) }];
    }
    if ("command" in server) {
      return [{
        type: "stdio",
        name: server.name,
        command: server.command,
        args: server.args,
        env: pairs(server.env),
      }];
    }
    return [];
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
