/**
 * `nanocode --acp`: the composition root for editors. Configuration is read as in any other mode;
 * each editor session gets a runtime of its own (its cwd, its saved session, its MCP servers), whose
 * agent asks the session before tool calls and uses the editor's buffers and terminal when offered.
 * @module
 */

import type { AcpHost, EditorMcpServer, HostSession, SessionRequest, SetupProblem } from "../acp/mod.ts";
import { ConfigError } from "../core/mod.ts";
import { homeDir, resolveConfig, type ResolvedConfig } from "../config/mod.ts";
import { listSessions, readSession } from "../session/mod.ts";
import { MCP_TIMEOUT, type McpServerConfig } from "../mcp/config.ts";
import { acceptsImages } from "../provider/capabilities.ts";
import type { CliOptions } from "./args.ts";
import type { CliIo } from "./main.ts";
import { endpointNetProblem } from "./permissions.ts";
import { sessionsRoot } from "./sessions.ts";

/** What opening the first session needs, loaded then: `initialize` is answered without it. */
const sessionModules = () =>
  Promise.all([import("./runtime.ts"), import("../tools/bash.ts"), import("../tools/mcp_search.ts")]);

const encoder = new TextEncoder();

/**
 * Serves one editor on standard input and output until it disconnects (0), or until a signal ends
 * nanocode (130, 143, 129): every prompt is cancelled and every command stopped first.
 */
export async function runAcp(options: CliOptions, io: CliIo): Promise<number> {
  const { serveAcp } = await import("../acp/mod.ts");
  const host = acpHost(options, io);
  await host.checkSetup();
  const stopped = new AbortController();
  let code = 0;
  const listeners = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) => {
    const handler = () => {
      code = signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 129;
      stopped.abort();
    };
    try {
      Deno.addSignalListener(signal, handler);
    } catch {
      // Not every platform has every signal.
    }
    return [signal, handler] as const;
  });
  try {
    await serveAcp(host, {
      input: Deno.stdin.readable,
      output: io.stdout,
      images: host.images(),
      signal: stopped.signal,
    });
  } finally {
    for (const [signal, handler] of listeners) {
      try {
        Deno.removeSignalListener(signal, handler);
      } catch {
        // It was never added.
      }
    }
  }
  return code;
}

/** The host with the configuration resolved on demand (again at each check, so a key set later counts). */
function acpHost(options: CliOptions, io: CliIo): AcpHost & { images(): boolean } {
  let config: ResolvedConfig | undefined;
  const readFile = async (path: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch {
      return undefined;
    }
  };
  const resolve = (env: CliIo["env"]) =>
    resolveConfig({
      flags: { model: options.model, baseUrl: options.baseUrl, maxRetries: options.maxRetries },
      env,
      readFile,
    });
  const root = sessionsRoot(io.env);
  const open = new Set<HostSession>();
  // Set when the first session opens (the bash tool's module loads with the runtime).
  let bashTimeout = { defaultSeconds: 0, maxSeconds: 0 };

  const log = (message: string) => {
    const writer = io.stderr.getWriter();
    writer.write(encoder.encode(`nanocode: ${message}\n`)).catch(() => {}).finally(() =>
      writer.releaseLock()
    );
  };

  return {
    log,
    home: homeDir(io.env),
    maxTurns: options.maxTurns,
    get bashTimeout() {
      return bashTimeout;
    },
    images: () =>
      config ? (config.images === "auto" ? acceptsImages(config.model) : config.images === "on") : true,

    async checkSetup(): Promise<SetupProblem | undefined> {
      try {
        config = await resolve(io.env);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        config = undefined;
        // Only the key is missing when a stand-in key would do: then the editor offers its auth methods.
        const withKey = (name: string) =>
          name === "OPENAI_API_KEY" || name === "OPENCODE_API_KEY" ? "nanocode-key-check" : io.env(name);
        const keyOnly = await resolve(withKey).then(() => true, () => false);
        return { kind: keyOnly ? "auth" : "config", message: error.message };
      }
      const unreachable = endpointNetProblem(config.chatUrl);
      return unreachable ? { kind: "config", message: unreachable } : undefined;
    },

    async openSession(request: SessionRequest): Promise<HostSession> {
      if (!config) throw new ConfigError("Cannot open a session: the configuration has not been read.");
      const [{ createRuntime }, bash, { stateLines }] = await sessionModules();
      bashTimeout = { defaultSeconds: bash.DEFAULT_TIMEOUT_SECONDS, maxSeconds: bash.MAX_TIMEOUT_SECONDS };
      const runtime = await createRuntime({
        options,
        config,
        io: { ...io, cwd: request.cwd },
        ...(request.resume ? { resume: request.resume } : {}),
        beforeToolCall: request.beforeToolCall,
        agentTools: request.agentTools,
        mcpServers: request.mcpServers.map(serverConfig),
      });
      runtime.notify = log;
      const session: HostSession = {
        id: runtime.sessions.id,
        agent: runtime.agent,
        skills: runtime.skills.map(({ name, description }) => ({ name, description })),
        expandSkill: (name, args) => runtime.expandSkill(name, args),
        mcpStatus: () => (runtime.mcp ? stateLines(runtime.mcp.servers()) : undefined),
        listModels: (signal) => runtime.provider.listModels(signal),
        notes: [...runtime.warnings, ...(request.resume?.warnings ?? [])],
        close: async () => {
          open.delete(session);
          await runtime.mcp?.close();
        },
      };
      open.add(session);
      return session;
    },

    listSessions: (cwd) => root === undefined ? Promise.resolve([]) : listSessions(root, cwd ? { cwd } : {}),

    async findSession(id, cwd) {
      if (root === undefined) return undefined;
      const here = (await listSessions(root, { cwd })).find((s) => s.id === id);
      const found = here ?? (await listSessions(root)).find((s) => s.id === id);
      return found ? await readSession(found.path) : undefined;
    },

    async close() {
      await Promise.all([...open].map((session) => session.close().catch(() => {})));
      // Child jobs exist only once a session ran; without one the jobs module never loads.
      if (bashTimeout.maxSeconds > 0) {
        const { processJobs } = await import("../jobs/mod.ts");
        await processJobs().stopAll();
      }
    },
  };
}

/** An editor's MCP server as nanocode's configuration holds one: enabled, with the default timeout. */
function serverConfig(server: EditorMcpServer): McpServerConfig {
  const common = {
    name: server.name,
    sseFallback: false,
    enabled: true,
    disabledTools: [],
    selectedTools: [],
    direct: false,
    timeoutMs: MCP_TIMEOUT.default,
    source: "the editor (session/new)",
  };
  return server.type === "stdio"
    ? {
      ...common,
      type: "stdio",
      command: server.command,
      args: server.args,
      env: server.env,
      headers: {},
      oauth: false,
    }
    : {
      ...common,
      type: server.type,
      url: server.url,
      headers: server.headers,
      args: [],
      env: {},
      // The editor's own headers carry its credentials; OAuth only when it sent none.
      oauth: Object.keys(server.headers).some((h) => h.toLowerCase() === "authorization") ? false : {},
    };
}
