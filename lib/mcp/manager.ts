/**
 * Every configured MCP server of a run: read from the cache at once, connected in the background in
 * parallel, and closed together. The tools (lib/tools/mcp_*.ts) work through this.
 * @module
 */

import { join } from "node:path";
import { type ConfigWarning, type EnvReader, nanocodeHome } from "../config/mod.ts";
import { VERSION } from "../core/mod.ts";
import { readCachedListing, writeCachedListing } from "./cache.ts";
import { ServerConnection, type ShowAuthorization } from "./client.ts";
import { McpAuthStore, openBrowser } from "./oauth.ts";
import { loadMcpConfig, type McpConfig } from "./config.ts";
import type { Elicitor } from "./elicit.ts";
import type { McpServerStatus, McpToolInfo } from "./inventory.ts";
import { assignDirectNames } from "./names.ts";

/** What a manager is built from. */
export interface McpManagerOptions {
  /** The run's folder: project config is found from here, and stdio servers run here by default. */
  cwd: string;
  /** Reads variables (expansion, `HOME`, `NANOCODE_DIR`). */
  env: EnvReader;
  /** The environment stdio servers start with (default: nanocode's own, when it may read it). */
  baseEnv?: Record<string, string>;
  /** Where tool lists are cached (default `<nanocode home>/cache/mcp`). */
  cacheDir?: string;
  /** Milliseconds a stdio server gets after SIGTERM before SIGKILL (default 1500). */
  termGraceMs?: number;
  /**
   * Answers the servers' elicitation requests (the REPL asks the user). Default `answerWithDefaults`:
   * nobody is asked, so a request is accepted with its defaults or declined.
   */
  elicit?: Elicitor;
  /** Where OAuth clients and tokens are kept (default `<nanocode home>/mcp-auth.json`). */
  authStore?: McpAuthStore;
  /**
   * Asked each time a server wants an authorization in the middle of a call (more scope): how to show
   * the page, when someone can finish a login at once (the REPL); undefined, the call fails saying to
   * log in.
   */
  showAuthorization?: () => ShowAuthorization | undefined;
}

/** A tool offered directly to the model, and what it stands for. */
export interface McpDirectTool {
  /** `mcp__<server>__<tool>`, sanitised and unique. */
  name: string;
  server: string;
  tool: McpToolInfo;
}

/** The servers of a run. */
export class McpManager {
  /** The configuration the servers came from. */
  readonly config: McpConfig;
  readonly #connections: ServerConnection[];
  readonly #listeners = new Set<() => void>();
  readonly #writes = new Set<Promise<unknown>>();
  readonly #env: EnvReader;
  #started = false;
  #startTimer?: ReturnType<typeof setTimeout>;

  private constructor(config: McpConfig, connections: ServerConnection[], env: EnvReader) {
    this.config = config;
    this.#connections = connections;
    this.#env = env;
  }

  /**
   * Builds the manager for `config`: reads each enabled server's cached listing, connects nothing yet
   * (call {@link McpManager.start}).
   */
  static async create(config: McpConfig, options: McpManagerOptions): Promise<McpManager> {
    const home = nanocodeHome(options.env);
    // Without a home folder nothing is kept: no cache.
    const cacheDir = options.cacheDir ?? (home === undefined ? undefined : join(home, "cache", "mcp"));
    const baseEnv = options.baseEnv ?? processEnv();
    const store = options.authStore ?? (home === undefined ? undefined : McpAuthStore.inHome(home));
    const showAuthorization = options.showAuthorization;
    const auth = store === undefined ? undefined : {
      store,
      get show() {
        return showAuthorization?.();
      },
    };
    const cached = await Promise.all(
      config.servers.map((s) =>
        s.enabled && cacheDir !== undefined ? readCachedListing(cacheDir, s) : Promise.resolve(undefined)
      ),
    );
    const events = { track: (_write: Promise<unknown>) => {}, changed: () => {} };
    const connections = config.servers.map((server, i) => {
      const listing = cached[i];
      return new ServerConnection({
        config: server,
        baseEnv,
        cwd: options.cwd,
        ...(listing ? { cached: { tools: listing.tools, resources: listing.resources } } : {}),
        clientInfo: { name: "nanocode", version: VERSION },
        ...(options.termGraceMs !== undefined ? { termGraceMs: options.termGraceMs } : {}),
        ...(options.elicit ? { elicit: options.elicit } : {}),
        ...(auth ? { auth } : {}),
        onListing: (fresh) => {
          if (cacheDir !== undefined) events.track(writeCachedListing(cacheDir, server, fresh));
        },
        onChange: () => events.changed(),
      });
    });
    const manager = new McpManager(config, connections, options.env);
    events.track = (write) => manager.#track(write);
    events.changed = () => manager.#changed();
    return manager;
  }

  /** Starts connecting every enabled server, all at once, in the background (once). */
  start(): void {
    clearTimeout(this.#startTimer);
    if (this.#started) return;
    this.#started = true;
    for (const connection of this.#connections) void connection.start();
  }

  /**
   * Starts the servers after `delayMs` unless something needs them sooner (any tool use calls
   * {@link McpManager.start}). The timer does not keep the process alive.
   */
  startSoon(delayMs: number): void {
    if (this.#started || this.#startTimer !== undefined) return;
    this.#startTimer = setTimeout(() => this.start(), delayMs);
    Deno.unrefTimer(this.#startTimer as unknown as number);
  }

  /** The warnings of the configuration, as lines for the user. */
  get warnings(): ConfigWarning[] {
    return this.config.warnings;
  }

  /** Every configured server, in configuration order. */
  servers(): McpServerStatus[] {
    return this.#connections.map((c) => c.status());
  }

  /** The connection to the server of that name. */
  connection(name: string): ServerConnection | undefined {
    return this.#connections.find((c) => c.config.name === name);
  }

  /** Resolves when every enabled server runs or has failed. */
  async settled(): Promise<void> {
    this.start();
    await Promise.all(this.#connections.map((c) => c.start()));
  }

  /**
   * Waits for the servers the first request cannot do without: those with direct tools and no cached
   * list (each bounded by its own timeout). Every other server goes on connecting in the background.
   */
  async directToolsReady(): Promise<void> {
    const needed = this.#connections.filter((c) =>
      hasDirectTools(c) && c.status().state === "starting" && !c.status().fromCache
    );
    if (needed.length === 0) return;
    this.start();
    await Promise.all(needed.map((c) => c.start()));
  }

  /**
   * The tools offered directly: each tool named in a server's `selectedTools`, or every tool of a
   * server with `direct: true`, from the lists known now, named `mcp__<server>__<tool>`.
   */
  directTools(): McpDirectTool[] {
    const wanted: { server: string; tool: McpToolInfo }[] = [];
    for (const connection of this.#connections) {
      if (!hasDirectTools(connection)) continue;
      const { config } = connection;
      const status = connection.status();
      for (const tool of status.tools) {
        if (config.direct || config.selectedTools.includes(tool.name)) {
          wanted.push({ server: config.name, tool });
        }
      }
    }
    const names = assignDirectNames(wanted.map((w) => ({ server: w.server, tool: w.tool.name })));
    const byRef = new Map([...names].map(([name, ref]) => [`${ref.server}\u0000${ref.tool}`, name]));
    return wanted.map((w) => ({ name: byRef.get(`${w.server}\u0000${w.tool.name}`)!, ...w }));
  }

  /**
   * Logs in to a remote server with OAuth: `say` gets the authorization page's address (always
   * printed), the browser is opened on it (`$BROWSER`, else the platform's opener), and the call
   * resolves once the browser came back and the server answered with the new token.
   * @throws {Error} one line: no such server, it does not use OAuth, or the login failed.
   */
  async login(name: string, say: (line: string) => void, signal?: AbortSignal): Promise<McpServerStatus> {
    const connection = this.#named(name, "log in to");
    await connection.login(async (server, page) => {
      say(`Authorize nanocode for ${server} in your browser: ${page.href}`);
      const problem = await openBrowser(page.href, this.#env);
      if (problem) say(`Could not open a browser (${problem}); open the address above.`);
    }, signal);
    return connection.status();
  }

  /** Forgets a server's kept OAuth tokens and client, and reconnects it; true when something was kept. */
  async logout(name: string): Promise<boolean> {
    return await this.#named(name, "log out of").logout();
  }

  #named(name: string, what: string): ServerConnection {
    const connection = this.connection(name);
    if (connection) return connection;
    const known = this.#connections.map((c) => c.config.name);
    throw new Error(
      `Cannot ${what} MCP server "${name}": it is not configured${
        known.length ? ` (configured: ${known.join(", ")})` : ""
      }.`,
    );
  }

  /** Calls `listener` whenever a server's state or lists change; returns a function that stops it. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Closes every server (stdio servers' process groups are stopped) and finishes cache writes. */
  async close(): Promise<void> {
    clearTimeout(this.#startTimer);
    await Promise.all(this.#connections.map((c) => c.close()));
    await Promise.all([...this.#writes]);
  }

  #track(write: Promise<unknown>): void {
    this.#writes.add(write);
    write.finally(() => this.#writes.delete(write));
  }

  #changed(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}

function hasDirectTools(connection: ServerConnection): boolean {
  const { config } = connection;
  return config.enabled && (config.direct || config.selectedTools.length > 0);
}

/** nanocode's environment, or nothing when it may not be read. */
function processEnv(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}

/**
 * How long after start-up the servers start connecting, unless a tool needs them sooner. Loading the
 * SDK costs about 100 ms of module evaluation on the main thread; begun at once, it would delay the
 * first request by as much.
 */
export const MCP_START_DELAY_MS = 200;

/** Options for {@link startMcp}. */
export interface StartMcpOptions extends McpManagerOptions {
  /** Milliseconds before the servers start when nothing needs them sooner (default {@link MCP_START_DELAY_MS}). */
  startDelayMs?: number;
  /** The configuration, when the caller has read it already (default: read it). */
  config?: McpConfig;
}

/** The servers of a run, and what was wrong with their configuration. */
export interface McpStart {
  /** Undefined when no server is enabled: then the SDK is never loaded and no tool offered. */
  manager?: McpManager;
  warnings: ConfigWarning[];
}

/**
 * Reads the configuration and, when a server is enabled, starts every server in the background
 * shortly after (see {@link MCP_START_DELAY_MS}). Resolves once the servers with direct tools and no
 * cached list have answered (or failed), so the first request can offer their tools; every other
 * server never holds the run up.
 * @example
 * ```ts
 * const { manager, warnings } = await startMcp({ cwd: Deno.cwd(), env: (n) => Deno.env.get(n) });
 * // ... use manager.servers(), then:
 * await manager?.close();
 * ```
 */
export async function startMcp(options: StartMcpOptions): Promise<McpStart> {
  const config = options.config ?? await loadMcpConfig({ cwd: options.cwd, env: options.env });
  if (!config.servers.some((s) => s.enabled)) return { warnings: config.warnings };
  const manager = await McpManager.create(config, options);
  await manager.directToolsReady();
  manager.startSoon(options.startDelayMs ?? MCP_START_DELAY_MS);
  return { manager, warnings: config.warnings };
}
