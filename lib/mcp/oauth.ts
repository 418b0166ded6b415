/**
 * OAuth for remote MCP servers, on the SDK's client: the provider the SDK's transports call (client
 * registration, tokens, PKCE verifier, discovery state), the token store `~/.nanocode/mcp-auth.json`
 * (mode 0600, one entry a server, used only for the URL it was made for), the one-shot callback
 * listener on 127.0.0.1, and opening the browser (`$BROWSER`, else the platform's opener).
 * @module
 */

import { dirname, join } from "node:path";
import type { OAuthClientProvider, OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import type { McpOAuthConfig } from "./config.ts";

/** The token store's file name in nanocode's home. */
export const MCP_AUTH_FILE = "mcp-auth.json";

/** What is kept for one server. */
export interface McpAuthEntry {
  /** The server URL these credentials were made for; another URL never gets them. */
  url: string;
  /** The redirect URI the client was registered with (its port is reused for the callback). */
  redirectUrl?: string;
  clientInformation?: OAuthClientInformationMixed;
  tokens?: OAuthTokens;
  discovery?: OAuthDiscoveryState;
  /** When the tokens were saved (ms since the epoch), to tell their age. */
  savedAt?: number;
}

interface AuthFile {
  version: 1;
  servers: Record<string, McpAuthEntry>;
}

/**
 * The credentials of every server, in one JSON file with mode 0600. Each change re-reads the file
 * first, so two runs saving tokens for different servers do not lose each other's; the file is
 * replaced by a rename, so a reader never sees half of it. Without a home folder nothing is kept.
 */
export class McpAuthStore {
  /** The file, or undefined when nothing may be kept. */
  readonly path: string | undefined;

  constructor(path: string | undefined) {
    this.path = path;
  }

  /** The store in nanocode's home (`<home>/mcp-auth.json`), or a store keeping nothing. */
  static inHome(home: string | undefined): McpAuthStore {
    return new McpAuthStore(home === undefined ? undefined : join(home, MCP_AUTH_FILE));
  }

  /** The server's entry, when it was made for `url`. */
  get(server: string, url: string): McpAuthEntry | undefined {
    const entry = this.#read().servers[server];
    return entry?.url === url ? entry : undefined;
  }

  /** Changes the server's entry (one made for another URL starts afresh); a null result deletes it. */
  update(server: string, url: string, change: (entry: McpAuthEntry) => McpAuthEntry | null): void {
    if (this.path === undefined) return;
    const file = this.#read();
    const current = file.servers[server]?.url === url ? file.servers[server] : { url };
    const next = change({ ...current });
    if (next === null) delete file.servers[server];
    else file.servers[server] = { ...next, url };
    this.#write(file);
  }

  /** Forgets everything kept for the server. True when there was something. */
  remove(server: string): boolean {
    if (this.path === undefined) return false;
    const file = this.#read();
    if (!(server in file.servers)) return false;
    delete file.servers[server];
    this.#write(file);
    return true;
  }

  #read(): AuthFile {
    if (this.path === undefined) return { version: 1, servers: {} };
    let text: string;
    try {
      text = Deno.readTextFileSync(this.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return { version: 1, servers: {} };
      throw new Error(`Cannot read ${this.path}: ${(error as Error).message}`);
    }
    try {
      const parsed = JSON.parse(text) as Partial<AuthFile>;
      const servers = parsed && typeof parsed.servers === "object" && parsed.servers !== null
        ? parsed.servers
        : {};
      return { version: 1, servers };
    } catch {
      throw new Error(`Cannot read ${this.path}: it is not valid JSON; delete it and log in again.`);
    }
  }

  #write(file: AuthFile): void {
    const path = this.path!;
    Deno.mkdirSync(dirname(path), { recursive: true });
    const temp = `${path}.${Deno.pid}.tmp`;
    try {
      Deno.writeTextFileSync(temp, JSON.stringify(file, null, 2) + "\n", { mode: 0o600 });
      Deno.chmodSync(temp, 0o600);
      Deno.renameSync(temp, path);
    } catch (error) {
      try {
        Deno.removeSync(temp);
      } catch {
        // Nothing was left.
      }
      throw new Error(`Cannot save MCP credentials to ${path}: ${(error as Error).message}`);
    }
  }
}

/** What a provider is built from. */
export interface McpOAuthProviderOptions {
  server: string;
  url: string;
  store: McpAuthStore;
  oauth: McpOAuthConfig;
  clientName: string;
  clientVersion: string;
}

/**
 * The SDK's view of one server's OAuth client. It never opens anything itself: when the SDK wants the
 * user sent to the authorization page, the URL is kept ({@link McpOAuthProvider.pendingAuthorization})
 * for the connection to act on: open the browser when someone can finish the flow, or report that
 * the server needs a login.
 */
export class McpOAuthProvider implements OAuthClientProvider {
  readonly #options: McpOAuthProviderOptions;
  #port?: number;
  #verifier?: string;
  #state?: string;
  /** The authorization page the SDK asked to send the user to, until the flow finishes. */
  pendingAuthorization?: URL;
  /** The server wants a scope the kept grant lacks: refreshing cannot widen it, the user must approve. */
  #stepUp = false;

  constructor(options: McpOAuthProviderOptions) {
    this.#options = options;
  }

  /** A published client metadata document, used as the client id where the server accepts one. */
  get clientMetadataUrl(): string | undefined {
    return this.#options.oauth.clientMetadataUrl;
  }

  /** The port the callback listens on: configured, else the one registered before, else a free one. */
  get port(): number {
    this.#port ??= this.#options.oauth.callbackPort ?? registeredPort(this.#entry()?.redirectUrl) ??
      freePort() ?? UNLISTENABLE_PORT;
    return this.#port;
  }

  /**
   * Readies a login, which needs the callback: a client registered when nanocode could not listen
   * (its redirect URI names no usable port) is forgotten so a new one is registered.
   * @throws {Error} when nanocode may not listen on 127.0.0.1, before anything is registered.
   */
  prepareLogin(): void {
    if (
      registeredPort(this.#entry()?.redirectUrl) === UNLISTENABLE_PORT &&
      this.#options.oauth.clientId === undefined
    ) {
      this.#update((entry) => {
        const { clientInformation: _, redirectUrl: __, ...rest } = entry;
        return rest;
      });
      this.#port = undefined;
    }
    if (this.port === UNLISTENABLE_PORT) {
      throw new Error(`Cannot listen for the authorization callback on 127.0.0.1: ${NOT_ALLOWED}`);
    }
  }

  get redirectUrl(): string {
    return `http://127.0.0.1:${this.port}/callback`;
  }

  get clientMetadata(): OAuthClientMetadata {
    const { oauth, clientName, clientVersion } = this.#options;
    return {
      client_name: clientName,
      software_id: clientName,
      software_version: clientVersion,
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: oauth.clientSecret !== undefined ? "client_secret_basic" : "none",
      ...(oauth.scopes !== undefined ? { scope: oauth.scopes.join(" ") } : {}),
    };
  }

  /** The `state` of the authorization request, checked when the browser comes back. */
  state(): string {
    this.#state = randomToken();
    return this.#state;
  }

  /** The state sent with the last authorization request. */
  get expectedState(): string | undefined {
    return this.#state;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    const { oauth } = this.#options;
    const stored = this.#entry()?.clientInformation;
    if (oauth.clientId !== undefined) {
      // Pre-registered: the configuration wins; the issuer it was first used with is kept.
      const issuer = stored?.client_id === oauth.clientId
        ? (stored as { issuer?: string }).issuer
        : undefined;
      return {
        client_id: oauth.clientId,
        ...(oauth.clientSecret !== undefined ? { client_secret: oauth.clientSecret } : {}),
        ...(issuer !== undefined ? { issuer } : {}),
      } as OAuthClientInformationMixed;
    }
    return stored;
  }

  saveClientInformation(information: OAuthClientInformationMixed): void {
    this.#update((entry) => ({ ...entry, clientInformation: information, redirectUrl: this.redirectUrl }));
  }

  tokens(): OAuthTokens | undefined {
    const tokens = this.#entry()?.tokens;
    if (!this.#stepUp || tokens?.refresh_token === undefined) return tokens;
    // Without its refresh token the SDK goes to the authorization page, asking for the wider scope.
    const { refresh_token: _, ...rest } = tokens;
    return rest;
  }

  /**
   * Looks at the server's answers: a 403 with `insufficient_scope` means the next authorization must
   * be a new approval, not a refresh (a refresh keeps the scope it had).
   */
  noteResponse(response: Response): void {
    if (response.status !== 403) return;
    if (/error="?insufficient_scope/i.test(response.headers.get("www-authenticate") ?? "")) {
      this.#stepUp = true;
    }
  }

  saveTokens(tokens: OAuthTokens): void {
    this.pendingAuthorization = undefined;
    this.#stepUp = false;
    this.#update((entry) => ({ ...entry, tokens, savedAt: Date.now() }));
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    this.pendingAuthorization = authorizationUrl;
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.#verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (this.#verifier === undefined) throw new Error("no authorization is under way");
    return this.#verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#update((entry) => ({ ...entry, discovery: state }));
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#entry()?.discovery;
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "verifier") {
      this.#verifier = undefined;
      return;
    }
    this.#update((entry) => {
      if (scope === "all") return null;
      const next = { ...entry };
      if (scope === "client") delete next.clientInformation;
      if (scope === "tokens") delete next.tokens;
      if (scope === "discovery") delete next.discovery;
      return next;
    });
  }

  /** Whether tokens are kept for this server. */
  hasTokens(): boolean {
    return this.#entry()?.tokens !== undefined;
  }

  #entry(): McpAuthEntry | undefined {
    return this.#options.store.get(this.#options.server, this.#options.url);
  }

  #update(change: (entry: McpAuthEntry) => McpAuthEntry | null): void {
    this.#options.store.update(this.#options.server, this.#options.url, change);
  }
}

/** Most milliseconds closing the callback listener waits for the browser's connection to end. */
const CLOSE_WAIT_MS = 2_000;

/** What came back to the callback. */
export type CallbackResult = { code: string } | { error: string };

/** A listener for one authorization's redirect back to nanocode. */
export interface AuthorizationCallback {
  /** Settles with the code, or rejects with why there is none (refused, wrong state, aborted). */
  code: Promise<string>;
  /** Stops listening (idempotent). */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:`port` for the browser coming back to `/callback`. Only a request carrying
 * `expectedState` counts (others get 400 and the wait goes on); the first one that does ends it.
 * @throws {Error} when the port cannot be had.
 */
export function listenForAuthorization(
  port: number,
  expectedState: () => string | undefined,
  options: { server: string; signal?: AbortSignal },
): AuthorizationCallback {
  let settle!: { resolve: (code: string) => void; reject: (error: Error) => void };
  const code = new Promise<string>((resolve, reject) => settle = { resolve, reject });
  code.catch(() => {});
  const stop = new AbortController();
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname: "127.0.0.1",
      port,
      signal: stop.signal,
      onListen: () => {},
    }, (request) => {
      const url = new URL(request.url);
      if (url.pathname !== "/callback") return new Response("Not found\n", { status: 404 });
      const result = callbackResult(url, expectedState());
      if (result === undefined) {
        return page(400, "This is not the answer nanocode is waiting for (its state does not match).");
      }
      if ("error" in result) {
        settle.reject(new Error(`the authorization server refused: ${result.error}`));
        return page(
          400,
          `Authorization of ${options.server} failed: ${result.error}. You can close this tab.`,
        );
      }
      settle.resolve(result.code);
      return page(200, `nanocode is now authorized for ${options.server}. You can close this tab.`);
    });
  } catch (error) {
    const why = error instanceof Deno.errors.AddrInUse
      ? `port ${port} is in use (set "oauth": {"callbackPort": N} to choose another)`
      : notAllowed(error)
      ? NOT_ALLOWED
      : (error as Error).message;
    throw new Error(`Cannot listen for the authorization callback on 127.0.0.1:${port}: ${why}`);
  }
  const onAbort = () => settle.reject(new Error("the login was cancelled"));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let closed: Promise<void> | undefined;
  return {
    code,
    close() {
      options.signal?.removeEventListener("abort", onAbort);
      closed ??= (async () => {
        stop.abort();
        // A browser holding its connection open must not hold the login up: wait a moment, no more.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          server.finished.catch(() => {}),
          new Promise((resolve) => timer = setTimeout(resolve, CLOSE_WAIT_MS)),
        ]);
        clearTimeout(timer);
      })();
      return closed;
    },
  };
}

/** The code or error a callback URL carries, or undefined when its state is not the expected one. */
export function callbackResult(url: URL, expectedState: string | undefined): CallbackResult | undefined {
  const state = url.searchParams.get("state") ?? undefined;
  if (expectedState !== undefined && state !== expectedState) return undefined;
  const error = url.searchParams.get("error");
  if (error !== null) {
    const description = url.searchParams.get("error_description");
    return { error: description ? `${error} (${description})` : error };
  }
  const code = url.searchParams.get("code");
  return code === null || code === "" ? { error: "no code came back" } : { code };
}

function page(status: number, text: string): Response {
  const body = `<!doctype html><meta charset="utf-8"><title>nanocode</title><p>${escapeHtml(text)}</p>\n`;
  // The browser need not keep the connection: the listener stops once the code came.
  return new Response(body, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", connection: "close" },
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** The command that opens a URL: `$BROWSER` (words; `%s` stands for the URL), else the platform's. */
export function browserCommand(
  url: string,
  env: (name: string) => string | undefined,
  os: typeof Deno.build.os = Deno.build.os,
): string[] {
  const browser = env("BROWSER")?.trim();
  if (browser) {
    // $BROWSER may list several commands separated by ":"; the first is used.
    const words = browser.split(":")[0].trim().split(/\s+/);
    return words.some((w) => w.includes("%s")) ? words.map((w) => w.replaceAll("%s", url)) : [...words, url];
  }
  if (os === "darwin") return ["open", url];
  if (os === "windows") return ["cmd", "/c", "start", "", url];
  return ["xdg-open", url];
}

/**
 * Opens `url` in a browser without waiting for it to close. Resolves with why it could not be
 * opened, or undefined when the opener started.
 */
export async function openBrowser(
  url: string,
  env: (name: string) => string | undefined,
): Promise<string | undefined> {
  const [command, ...args] = browserCommand(url, env);
  try {
    const child = new Deno.Command(command, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
    child.unref();
    child.status.catch(() => {});
    return await Promise.resolve(undefined);
  } catch (error) {
    return error instanceof Deno.errors.NotFound
      ? `${command} was not found (set $BROWSER to the browser to use)`
      : `cannot run ${command}: ${(error as Error).message}`;
  }
}

function registeredPort(redirectUrl: string | undefined): number | undefined {
  if (redirectUrl === undefined) return undefined;
  try {
    const port = Number(new URL(redirectUrl).port);
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

function notAllowed(error: unknown): boolean {
  return error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable;
}

/**
 * The port the redirect URI names when no free one could be had (nanocode may not listen on
 * 127.0.0.1): the SDK reads the redirect URI even to refresh a token, which needs no callback, so
 * this must not fail; a login that does need one fails at the listener, saying which flag to add.
 */
const UNLISTENABLE_PORT = 1;

const NOT_ALLOWED = "nanocode may not listen there (add --allow-net=127.0.0.1)";

/** A port free on 127.0.0.1 now, or undefined when nanocode may not listen there. */
function freePort(): number | undefined {
  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  } catch {
    return undefined;
  }
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
