/**
 * One MCP server: connecting (stdio in its own process group, Streamable HTTP falling back to SSE),
 * listing its tools and resources page by page, following `list_changed`, calling tools with abort,
 * timeout and progress, and keeping why it failed with the tail of its stderr.
 * @module
 */

import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, JSONRPCMessage, ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import { type McpServerConfig, type McpTransportType, toolAllowed } from "./config.ts";
import type {
  McpListing,
  McpResourceInfo,
  McpServerState,
  McpServerStatus,
  McpToolInfo,
} from "./inventory.ts";
import { loadHttpTransports, loadSdk, type SdkCore } from "./sdk.ts";
import { answerWithDefaults, type Elicitor, type ElicitRequest } from "./elicit.ts";
import type { JsonSchema } from "../core/mod.ts";
import { ProcessGroupTransport } from "./stdio_transport.ts";
import { listenForAuthorization, type McpAuthStore, McpOAuthProvider } from "./oauth.ts";

/** A progress notification of a running call. */
export interface McpProgress {
  progress: number;
  total?: number;
  message?: string;
}

/** What a call may be given besides its arguments. */
export interface McpCallOptions {
  signal?: AbortSignal;
  /** Progress notifications as they come; each one also restarts the call's timeout. */
  onProgress?: (progress: McpProgress) => void;
}

/** Shows someone an authorization page: prints its URL and opens the browser. */
export type ShowAuthorization = (server: string, url: URL) => Promise<void> | void;

/** OAuth for remote servers. */
export interface McpAuthOptions {
  /** Where clients and tokens are kept. */
  store: McpAuthStore;
  /**
   * Given where someone can finish a login at once (the REPL): a server asking for more scope in
   * the middle of a call is then authorized on the spot. Without it, the call fails saying to log in.
   */
  show?: ShowAuthorization;
}

/** What a connection is built from. */
export interface ServerConnectionOptions {
  config: McpServerConfig;
  /** The environment a stdio server starts with; the configuration's `env` is laid over it. */
  baseEnv: Record<string, string>;
  /** Where a stdio server runs when its configuration names no `cwd`. */
  cwd: string;
  /** The listing from the cache, shown until the server gives its own. */
  cached?: McpListing;
  /** How nanocode introduces itself at initialize. */
  clientInfo: { name: string; version: string };
  /** Called with each listing the server gives that differs from the one before (to cache it). */
  onListing?: (listing: McpListing) => void;
  /** Called whenever the state or the lists change. */
  onChange?: () => void;
  /** Milliseconds a stdio server gets after SIGTERM before SIGKILL (default 1500). */
  termGraceMs?: number;
  /** Answers a server's elicitation (default {@link answerWithDefaults}: nobody is asked). */
  elicit?: Elicitor;
  /** OAuth for remote servers (absent: a server that asks for it fails with HTTP 401). */
  auth?: McpAuthOptions;
}

/** Most milliseconds a login waits for the browser to come back. */
export const LOGIN_TIMEOUT_MS = 5 * 60_000;
/** Most authorizations one connection attempt or one call goes through (scope step-ups included). */
const MAX_AUTH_ROUNDS = 3;

/** Most bytes of stderr kept per server. */
const STDERR_KEEP = 8 * 1024;
/** Most pages of a list followed, against a server whose cursor never ends. */
const MAX_PAGES = 1000;

/** A connection to one server. Never throws from `start`; failures become the `failed` state. */
export class ServerConnection {
  readonly config: McpServerConfig;
  readonly #options: ServerConnectionOptions;
  #state: McpServerState;
  #transportType: McpTransportType;
  #listing: McpListing;
  /** The listing's tools as the configuration filters them (kept, so an unchanged list is the same array). */
  #tools: McpToolInfo[];
  #fromCache: boolean;
  #listed = false;
  #error?: string;
  #stderr = "";
  #client?: Client;
  #transport?: Transport;
  #ready?: Promise<void>;
  #closing = false;
  #stop = new AbortController();
  #serverInfo?: { name: string; version: string };
  #instructions?: string;
  #relisting?: ReturnType<typeof setTimeout>;
  #provider?: McpOAuthProvider;
  #auth?: "needed" | "authorized";
  /** While `login` runs: who shows the authorization page. */
  #loginShow?: ShowAuthorization;
  #loginSignal?: AbortSignal;
  /** The authorization under way, so parallel calls wanting more scope share one. */
  #authorizing?: Promise<void>;
  /** The timers of the calls under way. */
  readonly #calls = new Set<CallTimer>();
  /** How many of the server's questions (elicitation) wait for an answer. */
  #eliciting = 0;

  constructor(options: ServerConnectionOptions) {
    this.#options = options;
    this.config = options.config;
    this.#state = options.config.enabled ? "starting" : "disabled";
    this.#transportType = options.config.type;
    this.#listing = options.cached ?? { tools: [], resources: [] };
    this.#tools = this.#listing.tools.filter((t) => toolAllowed(options.config, t.name));
    this.#fromCache = options.cached !== undefined;
  }

  /** Starts connecting (once); the promise settles when the server runs or has failed. */
  start(): Promise<void> {
    if (this.#state === "disabled") return Promise.resolve();
    this.#ready ??= this.#connect();
    return this.#ready;
  }

  /** Stops the server (killing a stdio server's group) and connects again. */
  async restart(): Promise<void> {
    if (this.#state === "disabled") return;
    await this.#shutdown();
    this.#closing = false;
    this.#stop = new AbortController();
    this.#error = undefined;
    this.#auth = undefined;
    this.#setState("starting");
    this.#ready = this.#connect();
    return this.#ready;
  }

  /** Whether this server may log in with OAuth (a remote server, OAuth not turned off, a store). */
  get usesOAuth(): boolean {
    return this.config.type !== "stdio" && this.config.oauth !== false && this.#options.auth !== undefined;
  }

  /**
   * Connects again, authorizing in the browser when the server asks: `show` is given the page (it
   * prints the URL and opens the browser), the callback waits on 127.0.0.1 (at most
   * {@link LOGIN_TIMEOUT_MS}), and the tokens are kept for the next runs.
   * @throws {Error} when the server does not use OAuth, or the login or the connection failed.
   */
  async login(show: ShowAuthorization, signal?: AbortSignal): Promise<void> {
    const { name, source } = this.config;
    if (this.#state === "disabled") throw new Error(`MCP server "${name}" is disabled in ${source}.`);
    if (!this.usesOAuth) {
      const why = this.config.type === "stdio"
        ? "it is a local (stdio) server"
        : this.#options.auth === undefined
        ? "there is no home folder to keep its tokens in"
        : `OAuth is turned off for it in ${source} ("oauth": false, or an Authorization header)`;
      throw new Error(`Cannot log in to MCP server "${name}": ${why}.`);
    }
    this.#loginShow = show;
    this.#loginSignal = signal;
    try {
      await this.restart();
    } finally {
      this.#loginShow = undefined;
      this.#loginSignal = undefined;
    }
    if (this.#state !== "running") {
      throw new Error(`Cannot log in to MCP server "${name}": ${this.#error ?? "it did not connect"}.`);
    }
  }

  /**
   * Forgets the server's kept tokens and client; a connection already made is made again without
   * them. True when something was kept.
   */
  async logout(): Promise<boolean> {
    const removed = this.#options.auth?.store.remove(this.config.name) ?? false;
    if (this.#ready) await this.restart();
    return removed;
  }

  /** The server as the tools show it. */
  status(): McpServerStatus {
    return {
      name: this.config.name,
      ...(this.config.description !== undefined ? { description: this.config.description } : {}),
      state: this.#state,
      transport: this.#transportType,
      tools: this.#tools,
      resources: this.#listing.resources,
      fromCache: this.#fromCache,
      ...(this.#error !== undefined ? { error: this.#error } : {}),
      ...(this.#auth !== undefined ? { auth: this.#auth } : {}),
      ...(this.#transport instanceof ProcessGroupTransport && this.#transport.pid !== undefined
        ? { pid: this.#transport.pid }
        : {}),
      stderrTail: this.#stderr,
      ...(this.#serverInfo ? { serverInfo: this.#serverInfo } : {}),
      ...(this.#instructions !== undefined ? { instructions: this.#instructions } : {}),
    };
  }

  /** Waits until the server runs; throws with the reason when it failed, was disabled or closed. */
  async ready(signal?: AbortSignal): Promise<Client> {
    if (this.#state === "disabled") {
      throw new Error(
        `Cannot use MCP server "${this.config.name}": it is disabled in ${this.config.source}.`,
      );
    }
    await abortable(this.start(), signal);
    if (this.#state !== "running" || !this.#client) {
      const why = this.#state === "closed" ? "it was closed" : `it failed: ${this.#error ?? "unknown error"}`;
      throw new Error(`Cannot use MCP server "${this.config.name}": ${why}.`);
    }
    return this.#client;
  }

  /** Lists the tools and resources again, from the server (not the cache). */
  async refresh(signal?: AbortSignal): Promise<void> {
    if (this.#state === "failed") return await this.restart();
    const client = await this.ready(signal);
    await this.#list(client, signal);
  }

  /** Calls a tool. Honours abort (the server is told with `notifications/cancelled`) and the timeout. */
  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: McpCallOptions = {},
  ): Promise<CallToolResult> {
    const client = await this.ready(options.signal);
    const { onProgress } = options;
    // The call's own timer: progress restarts it, a question to the user holds it.
    const timer = new CallTimer(this.config.timeoutMs);
    for (let i = 0; i < this.#eliciting; i++) timer.hold();
    this.#calls.add(timer);
    const signal = options.signal ? AbortSignal.any([options.signal, timer.signal]) : timer.signal;
    const call = () =>
      client.callTool({ name, arguments: args }, undefined, {
        signal,
        timeout: NO_SDK_TIMEOUT,
        onprogress: (p: { progress: number; total?: number; message?: string }) => {
          timer.restart();
          onProgress?.({
            progress: p.progress,
            ...(p.total !== undefined ? { total: p.total } : {}),
            ...(p.message !== undefined ? { message: p.message } : {}),
          });
        },
      }) as Promise<CallToolResult>;
    try {
      return await this.#withAuthorization(call, options.signal, timer);
    } catch (error) {
      if (timer.fired && !options.signal?.aborted) {
        throw new Error(
          `Cannot call ${this.config.name}.${name}: it did not answer within ${
            this.config.timeoutMs / 1000
          }s`,
        );
      }
      // nanocode keeps the call's time itself, so a timeout error came from the server's own work.
      // (An abort reaches here with that code too: the SDK wraps its reason the same way.)
      if ((error as { code?: unknown })?.code === -32001 && !options.signal?.aborted) {
        const message = error instanceof Error
          ? error.message.replace(/^(MCP error -?\d+: )+/, "")
          : String(error);
        throw new Error(`Cannot call ${this.config.name}.${name}: the server answered: ${message}`);
      }
      throw await this.#callError(`call ${this.config.name}.${name}`, error, options.signal);
    } finally {
      timer.stop();
      this.#calls.delete(timer);
    }
  }

  /** Reads a resource by URI. */
  async readResource(uri: string, options: { signal?: AbortSignal } = {}): Promise<ReadResourceResult> {
    const client = await this.ready(options.signal);
    try {
      return await this.#withAuthorization(() =>
        client.readResource({ uri }, {
          ...(options.signal ? { signal: options.signal } : {}),
          timeout: this.config.timeoutMs,
        }), options.signal);
    } catch (error) {
      throw await this.#callError(`read ${uri} from ${this.config.name}`, error, options.signal);
    }
  }

  /** Lets the server go; a stdio server's whole process group is stopped. */
  async close(): Promise<void> {
    await this.#shutdown();
    if (this.#state !== "disabled") this.#setState("closed");
  }

  async #shutdown(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#relisting);
    this.#stop.abort(new Error("closed"));
    const client = this.#client;
    const transport = this.#transport;
    this.#client = undefined;
    this.#transport = undefined;
    await client?.close().catch(() => {});
    await transport?.close().catch(() => {});
    await this.#ready?.catch(() => {});
  }

  async #connect(): Promise<void> {
    const { config } = this;
    // A login leaves the user the time to authorize in the browser as well.
    const allowed = config.timeoutMs + (this.#loginShow ? LOGIN_TIMEOUT_MS : 0);
    const deadline = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(allowed)]);
    try {
      const sdk = await loadSdk();
      let client: Client;
      if (config.type === "stdio") {
        client = await this.#open(sdk, this.#stdioTransport(sdk), deadline);
      } else {
        const http = await loadHttpTransports();
        const provider = this.#authProvider();
        const init = {
          requestInit: { headers: config.headers },
          ...(provider
            ? {
              authProvider: provider,
              fetch: async (input: string | URL, request?: RequestInit) => {
                const response = await fetch(input, request);
                provider.noteResponse(response);
                return response;
              },
            }
            : {}),
        };
        const url = new URL(config.url!);
        if (config.type === "sse") {
          client = await this.#openAuthorized(sdk, () => new http.SSEClientTransport(url, init), deadline);
        } else {
          try {
            client = await this.#openAuthorized(
              sdk,
              () => new http.StreamableHTTPClientTransport(url, init),
              deadline,
            );
          } catch (error) {
            const status = error instanceof http.StreamableHTTPError
              ? (error as { code?: number }).code
              : undefined;
            if (
              !config.sseFallback || deadline.aborted || status === undefined || status === 401 ||
              status === 403
            ) {
              throw error;
            }
            // A server that answers the Streamable HTTP POST with a 4xx may speak the older SSE protocol.
            client = await this.#openAuthorized(sdk, () => new http.SSEClientTransport(url, init), deadline);
            this.#transportType = "sse";
          }
        }
        if (provider?.hasTokens()) this.#auth = "authorized";
      }
      if (this.#closing) return;
      this.#client = client;
      this.#serverInfo = client.getServerVersion()
        ? { name: client.getServerVersion()!.name, version: client.getServerVersion()!.version }
        : undefined;
      this.#instructions = client.getInstructions();
      client.setNotificationHandler(sdk.ToolListChangedNotificationSchema, () => this.#relistSoon());
      client.setNotificationHandler(sdk.ResourceListChangedNotificationSchema, () => this.#relistSoon());
      client.onclose = () => {
        if (this.#closing || this.#client !== client) return;
        this.#client = undefined;
        this.#fail(this.#exitReason("exited while running") ?? "the connection closed");
      };
      // A server may let initialize through and want an authorization for its lists.
      await this.#withAuthorization(() => this.#list(client, deadline), this.#loginSignal);
      if (this.#closing) return;
      this.#setState("running");
    } catch (error) {
      if (this.#closing) return;
      const needsLogin = this.usesOAuth && isUnauthorized(error);
      if (needsLogin) this.#auth = "needed";
      const reason = this.#exitReason("exited before it answered") ??
        (needsLogin ? this.#loginAdvice(error) : describeError(error, deadline, config));
      const transport = this.#transport;
      this.#client = undefined;
      this.#transport = undefined;
      await transport?.close().catch(() => {});
      this.#fail(reason);
    }
  }

  /**
   * The OAuth provider for this connection: when the server uses OAuth and tokens are kept, or a
   * login is under way. Without kept tokens a server is first asked without one, so a run that
   * nobody logged in never registers a client or touches the authorization server.
   */
  #authProvider(): McpOAuthProvider | undefined {
    const auth = this.#options.auth;
    if (!this.usesOAuth || !auth || this.config.oauth === false) return undefined;
    const provider = new McpOAuthProvider({
      server: this.config.name,
      url: this.config.url!,
      store: auth.store,
      oauth: this.config.oauth,
      clientName: this.#options.clientInfo.name,
      clientVersion: this.#options.clientInfo.version,
    });
    // A login needs the callback: find out now whether it can listen, before a client is registered.
    if (this.#loginShow) provider.prepareLogin();
    this.#provider = provider.hasTokens() || this.#loginShow ? provider : undefined;
    return this.#provider;
  }

  /**
   * Connects over transports made by `make`; when the server wants an authorization and someone can
   * give it (a login), shows the page, waits for the callback, and connects again.
   */
  async #openAuthorized(sdk: SdkCore, make: () => Transport, deadline: AbortSignal): Promise<Client> {
    for (let round = 0;; round++) {
      const transport = make();
      try {
        return await this.#open(sdk, transport, deadline);
      } catch (error) {
        const show = this.#loginShow ?? this.#options.auth?.show;
        const provider = this.#provider;
        if (!show || !provider?.pendingAuthorization || !isUnauthorized(error) || round >= MAX_AUTH_ROUNDS) {
          throw error;
        }
        await this.#authorize(provider, transport, show, this.#loginSignal);
      }
    }
  }

  /**
   * Runs `request`; a server wanting more scope is authorized on the spot when someone can, then asked
   * again. `timer`, a call's, stands still while the user is in the browser.
   */
  async #withAuthorization<T>(
    request: () => Promise<T>,
    signal?: AbortSignal,
    timer?: CallTimer,
  ): Promise<T> {
    for (let round = 0;; round++) {
      try {
        return await request();
      } catch (error) {
        const show = this.#loginShow ?? this.#options.auth?.show;
        const provider = this.#provider;
        const transport = this.#transport;
        if (!isUnauthorized(error) || !provider?.pendingAuthorization || !transport) throw error;
        if (!show || round >= MAX_AUTH_ROUNDS) {
          this.#auth = "needed";
          throw new Error(this.#loginAdvice(error));
        }
        this.#authorizing ??= this.#authorize(provider, transport, show, signal)
          .finally(() => this.#authorizing = undefined);
        timer?.hold();
        try {
          await this.#authorizing;
        } finally {
          timer?.release();
        }
      }
    }
  }

  /** Shows the pending authorization page, waits for the browser to come back, and takes the tokens. */
  async #authorize(
    provider: McpOAuthProvider,
    transport: Transport,
    show: ShowAuthorization,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const page = provider.pendingAuthorization!;
    const timeout = AbortSignal.timeout(LOGIN_TIMEOUT_MS);
    const stop = AbortSignal.any([this.#stop.signal, timeout, ...(signal ? [signal] : [])]);
    const callback = listenForAuthorization(provider.port, () => provider.expectedState, {
      server: this.config.name,
      signal: stop,
    });
    try {
      await show(this.config.name, page);
      const code = await callback.code.catch((error) => {
        if (timeout.aborted) {
          throw new Error(
            `nobody finished the login in the browser within ${LOGIN_TIMEOUT_MS / 60_000} minutes`,
          );
        }
        throw error;
      });
      provider.pendingAuthorization = undefined;
      await (transport as unknown as { finishAuth(code: string): Promise<void> }).finishAuth(code);
      this.#auth = "authorized";
    } finally {
      await callback.close();
    }
  }

  /** What to do about a server that wants an authorization nobody can give now. */
  #loginAdvice(error: unknown): string {
    const name = this.config.name;
    const detail = error instanceof Error && !/^Unauthorized$/i.test(error.message) &&
        !/HTTP 401|Error POSTing/.test(error.message)
      ? ` (${error.message.split("\n")[0]})`
      : "";
    return `it needs an OAuth login${detail}: run /mcp login ${name} in the REPL, or nanocode mcp login ${name}`;
  }

  /** Connects a new client over `transport`, asking for the configured protocol version. */
  async #open(sdk: SdkCore, transport: Transport, signal: AbortSignal): Promise<Client> {
    const version = this.config.protocolVersion;
    if (version) {
      const send = transport.send.bind(transport);
      transport.send = (message: JSONRPCMessage, options?: TransportSendOptions) =>
        send(withProtocolVersion(message, version), options);
    }
    this.#transport = transport;
    const client = new sdk.Client(this.#options.clientInfo, { capabilities: { elicitation: {} } });
    const elicit = this.#options.elicit ??
      ((request: ElicitRequest) => Promise.resolve(answerWithDefaults(request)));
    client.setRequestHandler(
      sdk.ElicitRequestSchema,
      async (request: { params: unknown }, extra: { signal: AbortSignal }) => {
        const params = (request.params ?? {}) as { message?: unknown; requestedSchema?: unknown };
        // The user's time to answer does not count against the calls waiting on the answer.
        this.#eliciting++;
        for (const timer of this.#calls) timer.hold();
        try {
          return await elicit({
            message: typeof params.message === "string" ? params.message : "",
            requestedSchema: (params.requestedSchema ?? {}) as JsonSchema,
          }, { server: this.config.name, signal: extra.signal });
        } finally {
          this.#eliciting--;
          for (const timer of this.#calls) timer.release();
        }
      },
    );
    followCancellations(sdk, client);
    try {
      await client.connect(transport, { signal, timeout: this.config.timeoutMs });
    } catch (error) {
      await client.close().catch(() => {});
      throw error;
    }
    return client;
  }

  #stdioTransport(sdk: SdkCore): ProcessGroupTransport {
    const { config } = this;
    return new ProcessGroupTransport({
      command: config.command!,
      args: config.args,
      env: { ...this.#options.baseEnv, ...config.env },
      cwd: config.cwd ?? this.#options.cwd,
      onStderr: (text) => {
        this.#stderr = (this.#stderr + text).slice(-STDERR_KEEP);
      },
      deserialize: sdk.deserializeMessage,
      ...(this.#options.termGraceMs !== undefined ? { termGraceMs: this.#options.termGraceMs } : {}),
    });
  }

  async #list(client: Client, signal?: AbortSignal): Promise<void> {
    const capabilities = client.getServerCapabilities() ?? {};
    const request = { ...(signal ? { signal } : {}), timeout: this.config.timeoutMs };
    const tools: McpToolInfo[] = [];
    if (capabilities.tools) {
      await eachPage(async (cursor) => {
        const page = await client.listTools(cursor ? { cursor } : undefined, request);
        for (const tool of page.tools) tools.push(toolInfo(tool));
        return page.nextCursor;
      });
    }
    const resources: McpResourceInfo[] = [];
    if (capabilities.resources) {
      await eachPage(async (cursor) => {
        const page = await client.listResources(cursor ? { cursor } : undefined, request);
        for (const r of page.resources) resources.push(resourceInfo(r));
        return page.nextCursor;
      });
    }
    const listing = { tools, resources };
    const changed = JSON.stringify(listing) !== JSON.stringify(this.#listing);
    if (changed) {
      this.#listing = listing;
      this.#tools = tools.filter((t) => toolAllowed(this.config, t.name));
    }
    // A list equal to the cached one leaves the cache alone; a first list with no cache fills it.
    if (changed || (this.#options.cached === undefined && !this.#listed)) this.#options.onListing?.(listing);
    this.#listed = true;
    this.#fromCache = false;
    this.#options.onChange?.();
  }

  /** Lists again shortly after a `list_changed` notification (several in a row give one listing). */
  #relistSoon(): void {
    clearTimeout(this.#relisting);
    this.#relisting = setTimeout(() => {
      const client = this.#client;
      if (!client || this.#closing) return;
      this.#list(client).catch(() => {});
    }, 20);
  }

  #fail(reason: string): void {
    const last = lastLine(this.#stderr);
    this.#error = last && !reason.includes(last) ? `${reason}; stderr: ${last}` : reason;
    this.#setState("failed");
  }

  #setState(state: McpServerState): void {
    this.#state = state;
    this.#options.onChange?.();
  }

  /** Why a stdio server's process is gone, once it is. */
  #exitReason(what: string): string | undefined {
    const transport = this.#transport;
    if (!(transport instanceof ProcessGroupTransport) || !transport.exitedUnasked) return undefined;
    const status = transport.exitStatus!;
    return status.signal ? `${what} (killed by ${status.signal})` : `${what} (exit code ${status.code})`;
  }

  async #callError(what: string, error: unknown, signal: AbortSignal | undefined): Promise<Error> {
    if (signal?.aborted) return new Error(`Cannot ${what}: it was aborted.`);
    // A server that died mid-call shows as a closed connection; wait for its exit to say so.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const exit = this.#exitReason("the server exited");
    if (exit) return new Error(`Cannot ${what}: ${exit}.`);
    return new Error(`Cannot ${what}: ${describeError(error, undefined, this.config)}.`);
  }
}

/**
 * Passes the server's `notifications/cancelled` on to the handler of the request it names, for every
 * id: the SDK's own handler skips request id 0 (it tests the id for truth), and 0 is the first request
 * a server sends, so a server giving up on its first question would leave it on the user's screen.
 * Left to the SDK when its inner map is not where this expects it.
 */
function followCancellations(sdk: SdkCore, client: Client): void {
  const handlers = (client as unknown as { _requestHandlerAbortControllers?: unknown })
    ._requestHandlerAbortControllers;
  if (!(handlers instanceof Map)) return;
  client.setNotificationHandler(
    sdk.CancelledNotificationSchema,
    (notification: { params: { requestId?: string | number; reason?: string } }) => {
      const { requestId, reason } = notification.params;
      if (requestId !== undefined) (handlers.get(requestId) as AbortController | undefined)?.abort(reason);
    },
  );
}

/** The SDK's own request timeout, set out of the way where nanocode keeps the time itself. */
const NO_SDK_TIMEOUT = 2_147_483_647;

/**
 * A call's timeout: aborts its signal `ms` after it started or last made progress, and stands still
 * while held (while the user answers a question the server asked in the middle of the call).
 */
class CallTimer {
  readonly #controller = new AbortController();
  readonly #ms: number;
  #timer?: ReturnType<typeof setTimeout>;
  #held = 0;

  constructor(ms: number) {
    this.#ms = ms;
    this.restart();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the time ran out. */
  get fired(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Starts counting again from now (unless held). */
  restart(): void {
    clearTimeout(this.#timer);
    if (this.#held > 0 || this.fired) return;
    this.#timer = setTimeout(
      () => this.#controller.abort(new DOMException("The MCP call timed out.", "TimeoutError")),
      this.#ms,
    );
  }

  hold(): void {
    this.#held++;
    clearTimeout(this.#timer);
  }

  /** Ends one hold; the last one starts the count afresh. */
  release(): void {
    this.#held = Math.max(0, this.#held - 1);
    this.restart();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

/** Whether `error` is the server refusing nanocode for want of an authorization. */
function isUnauthorized(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "UnauthorizedError" || error.constructor.name === "UnauthorizedError") return true;
  const code = (error as { code?: unknown }).code;
  return code === 401 || /\bHTTP 401\b|Non-200 status code \(401\)/.test(error.message);
}

/** Follows `nextCursor` until it ends (or repeats, or passes {@link MAX_PAGES}). */
async function eachPage(page: (cursor: string | undefined) => Promise<string | undefined>): Promise<void> {
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    cursor = await page(cursor);
    if (cursor === undefined || seen.has(cursor)) return;
    seen.add(cursor);
  }
}

function toolInfo(tool: {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}): McpToolInfo {
  return {
    name: tool.name,
    ...(tool.title !== undefined ? { title: tool.title } : {}),
    description: tool.description ?? "",
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema !== undefined ? { outputSchema: tool.outputSchema } : {}),
    ...(tool.annotations !== undefined ? { annotations: tool.annotations } : {}),
  };
}

function resourceInfo(r: {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}): McpResourceInfo {
  return {
    uri: r.uri,
    name: r.name,
    ...(r.title !== undefined ? { title: r.title } : {}),
    ...(r.description !== undefined ? { description: r.description } : {}),
    ...(r.mimeType !== undefined ? { mimeType: r.mimeType } : {}),
  };
}

function withProtocolVersion(message: JSONRPCMessage, version: string): JSONRPCMessage {
  if (!("method" in message) || message.method !== "initialize" || !("id" in message)) return message;
  return { ...message, params: { ...message.params, protocolVersion: version } } as JSONRPCMessage;
}

/** One line saying why a connection or a request failed. */
function describeError(error: unknown, deadline: AbortSignal | undefined, config: McpServerConfig): string {
  const seconds = `${config.timeoutMs / 1000}s`;
  if (
    deadline?.aborted && deadline.reason instanceof DOMException && deadline.reason.name === "TimeoutError"
  ) {
    return `it did not answer within ${seconds} (raise "timeoutMs" in ${config.source} if it is slow to start)`;
  }
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === -32001 || /request timed out/i.test(message)) return `it did not answer within ${seconds}`;
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return `it did not answer within ${seconds}`;
  }
  if (typeof code === "number" && code >= 400 && code < 600) {
    if (code === 403 && /after trying upscoping/.test(message)) {
      return `${config.url} refused the request (HTTP 403) even with the scopes it asked for; the account may lack that access`;
    }
    if (code === 401 || code === 403) {
      return `${config.url} refused the request (HTTP ${code}); check its headers or API key`;
    }
    return `${config.url} answered HTTP ${code}`;
  }
  if (/ECONNREFUSED|Connection refused|error sending request|tcp connect error/i.test(message)) {
    return `cannot connect to ${config.url}`;
  }
  return message.replace(/^(MCP error -?\d+: )+/, "").split("\n")[0];
}

function lastLine(text: string): string | undefined {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const last = lines.at(-1);
  return last === undefined ? undefined : last.length > 300 ? `${last.slice(0, 299)}…` : last;
}

/** Resolves with `promise`, or rejects when `signal` aborts first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
