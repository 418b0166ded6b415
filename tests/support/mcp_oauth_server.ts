/**
 * A remote MCP server behind OAuth, for tests: one HTTP server on 127.0.0.1 that is both the
 * protected resource (an SDK-built MCP server over Streamable HTTP at `/mcp`, with one tool, `whoami`)
 * and its authorization server (protected-resource and authorization-server metadata, dynamic client
 * registration, an authorization endpoint that approves at once by redirecting back with a code,
 * PKCE S256, a token endpoint with refresh tokens). It records every grant and every bearer token it
 * was shown, and can expire the access tokens it issued so the next request needs a refresh. A
 * second tool, `admin`, needs the `admin` scope: called with a token without it, the server answers
 * 403 `insufficient_scope` naming the scope, as a server asking for a step-up does.
 * @module
 */

import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

/** The running server and what it saw. */
export interface OAuthMcpServer extends AsyncDisposable {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  url: string;
  /** Each token request's grant type, in order. */
  grants: string[];
  /** The scope of each authorization request (empty when none was asked for). */
  scopes: string[];
  /** Each client registration's redirect URIs. */
  registrations: string[][];
  /** Every bearer token presented at `/mcp` (valid or not), in order. */
  bearers: string[];
  /** Access tokens issued and still accepted. */
  live: Set<string>;
  /** Makes every access token issued so far invalid (the refresh tokens stay good). */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

function sha256Base64Url(text: string): Promise<string> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then((digest) =>
    btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, "-").replace(/\//g, "_").replace(
      /=+$/,
      "",
    )
  );
}

function mcpServer(): Server {
  const server = new Server({ name: "oauth-fixture", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      {
        name: "whoami",
        description: "Say who the caller is",
        inputSchema: { type: "object", properties: {} },
      },
      {
        name: "admin",
        description: "Needs the admin scope",
        inputSchema: { type: "object", properties: {} },
      },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, (request: { params: { name: string } }) => ({
    content: [{
      type: "text",
      text: request.params.name === "admin" ? "admin work done" : "you are the authorized nanocode",
    }],
  }));
  return server;
}

/** Starts the server on a free port of 127.0.0.1. */
export function startOAuthMcpServer(): OAuthMcpServer {
  const grants: string[] = [];
  const registrations: string[][] = [];
  const scopes: string[] = [];
  /** Each live access token's scopes. */
  const granted = new Map<string, string[]>();
  const bearers: string[] = [];
  const live = new Set<string>();
  const clients = new Map<string, string[]>();
  const codes = new Map<string, { challenge: string; redirect: string; scope: string[] }>();
  const refreshTokens = new Map<string, string[]>();
  let counter = 0;
  const next = (kind: string) => `${kind}-${++counter}-${crypto.randomUUID()}`;
  let base = "";

  const issue = (scope: string[]) => {
    const access = next("access");
    const refresh = next("refresh");
    live.add(access);
    granted.set(access, scope);
    refreshTokens.set(refresh, scope);
    return Response.json({
      access_token: access,
      token_type: "Bearer",
      expires_in: 3600,
      refresh_token: refresh,
      ...(scope.length ? { scope: scope.join(" ") } : {}),
    });
  };
  const challenge = (status: number, error: string, scope?: string) =>
    new Response(JSON.stringify({ error }), {
      status,
      headers: {
        "content-type": "application/json",
        "www-authenticate": `Bearer error="${error}"${
          scope ? `, scope="${scope}"` : ""
        }, resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`,
      },
    });

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/.well-known/oauth-protected-resource/mcp":
      case "/.well-known/oauth-protected-resource":
        return Response.json({ resource: `${base}/mcp`, authorization_servers: [base] });
      case "/.well-known/oauth-authorization-server":
        return Response.json({
          issuer: base,
          authorization_endpoint: `${base}/authorize`,
          token_endpoint: `${base}/token`,
          registration_endpoint: `${base}/register`,
          response_types_supported: ["code"],
          grant_types_supported: ["authorization_code", "refresh_token"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["none"],
        });
      case "/register": {
        const body = await request.json() as { redirect_uris?: string[] };
        const id = next("client");
        clients.set(id, body.redirect_uris ?? []);
        registrations.push(body.redirect_uris ?? []);
        return Response.json({ client_id: id, redirect_uris: body.redirect_uris ?? [] }, { status: 201 });
      }
      case "/authorize": {
        const q = url.searchParams;
        const redirect = q.get("redirect_uri") ?? "";
        if (
          !clients.get(q.get("client_id") ?? "")?.includes(redirect) ||
          q.get("code_challenge_method") !== "S256"
        ) {
          return new Response("bad authorization request\n", { status: 400 });
        }
        const code = next("code");
        const scope = (q.get("scope") ?? "").split(" ").filter((s) => s !== "");
        scopes.push(scope.join(" "));
        codes.set(code, { challenge: q.get("code_challenge") ?? "", redirect, scope });
        const back = new URL(redirect);
        back.searchParams.set("code", code);
        if (q.get("state")) back.searchParams.set("state", q.get("state")!);
        return Response.redirect(back.href, 302);
      }
      case "/token": {
        const form = new URLSearchParams(await request.text());
        const grant = form.get("grant_type") ?? "";
        grants.push(grant);
        if (grant === "authorization_code") {
          const pending = codes.get(form.get("code") ?? "");
          codes.delete(form.get("code") ?? "");
          if (!pending || await sha256Base64Url(form.get("code_verifier") ?? "") !== pending.challenge) {
            return Response.json({ error: "invalid_grant" }, { status: 400 });
          }
          return issue(pending.scope);
        }
        const refreshed = refreshTokens.get(form.get("refresh_token") ?? "");
        if (grant === "refresh_token" && refreshed) {
          refreshTokens.delete(form.get("refresh_token") ?? "");
          return issue(refreshed);
        }
        return Response.json({ error: "invalid_grant" }, { status: 400 });
      }
      case "/mcp": {
        const header = request.headers.get("authorization") ?? "";
        const token = header.startsWith("Bearer ") ? header.slice(7) : "";
        if (token) bearers.push(token);
        if (!live.has(token)) return challenge(401, "invalid_token");
        // No stream for server-sent messages (the protocol allows 405): one left open would keep
        // the server's shutdown waiting for a client that has gone.
        if (request.method === "GET") return new Response(null, { status: 405, headers: { allow: "POST" } });
        const body = await request.clone().json().catch(() => ({})) as {
          method?: string;
          params?: { name?: string };
        };
        if (
          body.method === "tools/call" && body.params?.name === "admin" &&
          !granted.get(token)?.includes("admin")
        ) {
          return challenge(403, "insufficient_scope", "admin");
        }
        // Stateless: a fresh server and transport for each request.
        const transport = new WebStandardStreamableHTTPServerTransport({
          sessionIdGenerator: undefined,
          enableJsonResponse: true,
        });
        await mcpServer().connect(transport);
        return await transport.handleRequest(request);
      }
      default:
        return new Response("not found\n", { status: 404 });
    }
  });
  base = `http://127.0.0.1:${server.addr.port}`;
  const close = async () => {
    await server.shutdown();
  };
  return {
    url: `${base}/mcp`,
    grants,
    scopes,
    registrations,
    bearers,
    live,
    expireAccessTokens: () => live.clear(),
    close,
    [Symbol.asyncDispose]: close,
  };
}
