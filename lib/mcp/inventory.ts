/**
 * What nanocode knows about its MCP servers at any moment: each server's state, its tools and
 * resources (live, or from the cache while it starts), and why it failed.
 * @module
 */

import type { JsonSchema } from "../core/mod.ts";
import type { McpTransportType } from "./config.ts";

/** One tool a server offers. */
export interface McpToolInfo {
  name: string;
  title?: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  /** The server's hints (`readOnlyHint`, `destructiveHint`, …), as sent. */
  annotations?: Record<string, unknown>;
}

/** One resource a server offers. */
export interface McpResourceInfo {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

/** A server's tools and resources, as listed (and cached). */
export interface McpListing {
  tools: McpToolInfo[];
  resources: McpResourceInfo[];
}

/**
 * Where a server is: `starting` (connecting; its tools may be known from the cache), `running`,
 * `failed` (could not start, exited or timed out; `error` says why), `disabled` (by configuration),
 * `closed` (nanocode let it go).
 */
export type McpServerState = "starting" | "running" | "failed" | "disabled" | "closed";

/** One server as the tools and `/mcp status` show it. */
export interface McpServerStatus {
  name: string;
  description?: string;
  state: McpServerState;
  /** The transport in use: for a url server, `http` or (after the fallback) `sse`. */
  transport: McpTransportType;
  /** The tools as filtered by the configuration; from the cache while `fromCache` is true. */
  tools: readonly McpToolInfo[];
  resources: readonly McpResourceInfo[];
  /** True while the lists shown are the cached ones, not yet confirmed by the server. */
  fromCache: boolean;
  /** Why the server failed, in one line. */
  error?: string;
  /**
   * OAuth, for a remote server that uses it: `needed` when it refused nanocode until someone logs in
   * (`/mcp login`), `authorized` when kept tokens were accepted.
   */
  auth?: "needed" | "authorized";
  /** The process id of a stdio server while it runs (it leads its own process group). */
  pid?: number;
  /** The last lines the server wrote to stderr (bounded). */
  stderrTail: string;
  /** The server's own name and version, once it answered. */
  serverInfo?: { name: string; version: string };
  /** What the server says about how to use it (its `instructions`), once it answered. */
  instructions?: string;
}
