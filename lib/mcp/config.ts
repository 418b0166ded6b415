/**
 * Which MCP servers a run talks to: `mcp.json` in nanocode's home, then `.nanocode/mcp.json` in every
 * ancestor of the cwd from the root down, nearer files deep-merged over farther ones (a `null` deletes
 * what it replaces). Each file may use `servers` (the original nanocode's key) or `mcpServers` (Claude
 * Code's, Cursor's, Gemini CLI's). A bad file or entry costs one warning and nothing else.
 * @module
 */

import { isAbsolute, join, resolve } from "node:path";
import {
  ancestorsOf,
  type ConfigWarning,
  type EnvReader,
  homeDir,
  nanocodeHome,
  readText,
  type TextRead,
} from "../config/mod.ts";
import { parseJsonc } from "./jsonc.ts";
import { expandVariables } from "./expand.ts";

/** How nanocode reaches a server. */
export type McpTransportType = "stdio" | "http" | "sse";

/** One server, checked and with its variables filled in. */
export interface McpServerConfig {
  /** The key it has under `servers` / `mcpServers`. */
  name: string;
  type: McpTransportType;
  /** True when the type was inferred from `url`: Streamable HTTP first, SSE if the server lacks it. */
  sseFallback: boolean;
  command?: string;
  args: string[];
  /** Added to nanocode's own environment for a stdio server. */
  env: Record<string, string>;
  /** Where a stdio server runs (default: the run's cwd). */
  cwd?: string;
  url?: string;
  /** Every header sent: `headers`, then `envHeaders`, then `Authorization` from `apiKeyEnv`. */
  headers: Record<string, string>;
  enabled: boolean;
  /** Only these tools are used (names or `*` patterns); undefined for all. */
  enabledTools?: string[];
  /** These tools are never used (names or `*` patterns). */
  disabledTools: string[];
  /** Tools also offered directly as `mcp__<server>__<tool>`. */
  selectedTools: string[];
  /** Every tool of the server is offered directly. */
  direct: boolean;
  description?: string;
  /** Connect and per-request timeout, clamped to 1 000–300 000 (default 30 000). */
  timeoutMs: number;
  /** The protocol version asked for at initialize (default: the SDK's latest). */
  protocolVersion?: string;
  /**
   * OAuth for a remote server (`oauth` entry); false for a stdio server, for `"oauth": false`, and
   * when an `Authorization` header is configured.
   */
  oauth: McpOAuthConfig | false;
  /** The nearest file that set or changed this entry. */
  source: string;
}

/** A remote server's OAuth client: pre-registered credentials, scopes, and the callback port. */
export interface McpOAuthConfig {
  /** A client registered with the authorization server beforehand (else one is registered). */
  clientId?: string;
  clientSecret?: string;
  /** Scopes asked for when the server names none. */
  scopes?: string[];
  /** The port of the callback on 127.0.0.1 (default: the registered one, else a free one). */
  callbackPort?: number;
  /**
   * An https URL where a client metadata document for nanocode is published: used as the client id
   * by authorization servers that accept such documents, instead of registering a client.
   */
  clientMetadataUrl?: string;
}

/** The servers of a run and what was wrong with the configuration. */
export interface McpConfig {
  /** In the order the files name them, enabled and disabled alike. */
  servers: McpServerConfig[];
  /** One per bad file, bad entry or unset variable. */
  warnings: ConfigWarning[];
  /** The files read, farthest first. */
  files: string[];
}

/** Where to look and what to expand with. */
export interface McpConfigOptions {
  cwd: string;
  /** Reads variables for expansion, `HOME` and `NANOCODE_DIR`. */
  env: EnvReader;
  /** Reads one file (default {@link readText}); tests may swap it. */
  read?: (path: string) => Promise<TextRead>;
}

/** Default, lowest and highest `timeoutMs`. */
export const MCP_TIMEOUT = { default: 30_000, min: 1_000, max: 300_000 } as const;

/** The file name read in nanocode's home and in each project `.nanocode/` folder. */
export const MCP_CONFIG_FILE = "mcp.json";

/**
 * The configuration files that may apply to `cwd`, farthest first: nanocode's home (when there is
 * one), then each ancestor's `.nanocode/mcp.json` from the root down (the home folder's own
 * `.nanocode` is the global one, never read twice).
 */
export function mcpConfigPaths(cwd: string, env: EnvReader): string[] {
  const nanocodeDir = nanocodeHome(env);
  const globalDir = nanocodeDir === undefined ? undefined : resolve(nanocodeDir);
  const home = homeDir(env) ? resolve(homeDir(env)) : undefined;
  const projects = ancestorsOf(cwd)
    .filter((dir) => dir !== home)
    .map((dir) => join(dir, ".nanocode"))
    .filter((dir) => dir !== globalDir)
    .map((dir) => join(dir, MCP_CONFIG_FILE));
  return globalDir === undefined ? projects : [join(globalDir, MCP_CONFIG_FILE), ...projects];
}

/**
 * Reads and merges every configuration file and checks each server. Never throws: problems become
 * warnings, and the servers that are fine are all returned.
 * @example
 * ```ts
 * const { servers, warnings } = await loadMcpConfig({ cwd: Deno.cwd(), env: (n) => Deno.env.get(n) });
 * ```
 */
export async function loadMcpConfig(options: McpConfigOptions): Promise<McpConfig> {
  const read = options.read ?? readText;
  const paths = mcpConfigPaths(options.cwd, options.env);
  const reads = await Promise.all(paths.map((path) => read(path)));
  const warnings: ConfigWarning[] = [];
  const files: string[] = [];
  let merged: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  reads.forEach((result, i) => {
    const path = paths[i];
    if (result.kind === "missing") return;
    // Outside a narrowed --allow-read is expected, and context discovery already names those folders.
    if (result.kind === "unreadable" && result.outsideRead) return;
    if (result.kind === "unreadable") {
      warnings.push({ text: `Skipped MCP config ${path}: it ${result.reason}; ${result.fix}.`, path });
      return;
    }
    const servers = serversOfFile(result.text, path, warnings);
    if (servers === undefined) return;
    files.push(path);
    for (const name of Object.keys(servers)) sources.set(name, path);
    merged = mergeDeep(merged, servers);
  });
  const servers: McpServerConfig[] = [];
  for (const [name, entry] of Object.entries(merged)) {
    const source = sources.get(name)!;
    const server = parseServer(name, entry, { source, cwd: options.cwd, env: options.env, warnings });
    if (server) servers.push(server);
  }
  return { servers, warnings, files };
}

/** The servers object of one file, or undefined (with a warning) when the file cannot be used. */
function serversOfFile(
  text: string,
  path: string,
  warnings: ConfigWarning[],
): Record<string, unknown> | undefined {
  let data: unknown;
  try {
    data = text.trim() === "" ? {} : parseJsonc(text);
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    warnings.push({ text: `Skipped MCP config ${path}: it is not valid JSON (${why}); fix it.`, path });
    return undefined;
  }
  if (!isObject(data)) {
    warnings.push({
      text: `Skipped MCP config ${path}: it must hold a JSON object with "servers" or "mcpServers".`,
      path,
    });
    return undefined;
  }
  if ("servers" in data && "mcpServers" in data) {
    warnings.push({
      text: `Skipped MCP config ${path}: it has both "servers" and "mcpServers"; keep one of them.`,
      path,
    });
    return undefined;
  }
  const servers = data.servers ?? data.mcpServers;
  if (servers === undefined || servers === null) return {};
  if (!isObject(servers)) {
    const key = "servers" in data ? "servers" : "mcpServers";
    warnings.push({
      text: `Skipped MCP config ${path}: "${key}" must be an object of servers by name.`,
      path,
    });
    return undefined;
  }
  return servers;
}

/**
 * `over` merged into `base`: objects merge key by key, a `null` deletes the key, anything else
 * (arrays included) replaces. Neither input is changed.
 * @example
 * ```ts
 * mergeDeep({ a: { x: 1, y: 2 } }, { a: { y: null, z: 3 } }); // { a: { x: 1, z: 3 } }
 * ```
 */
export function mergeDeep(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key])) {
      out[key] = mergeDeep(out[key] as Record<string, unknown>, value);
    } else out[key] = isObject(value) ? mergeDeep({}, value) : value;
  }
  return out;
}

interface ParseContext {
  source: string;
  cwd: string;
  env: EnvReader;
  warnings: ConfigWarning[];
}

/** Thrown inside {@link parseServer} for the first problem of an entry. */
class EntryProblem extends Error {}

const TYPES: Record<string, McpTransportType> = {
  stdio: "stdio",
  local: "stdio",
  http: "http",
  "streamable-http": "http",
  streamableHttp: "http",
  streamable_http: "http",
  sse: "sse",
};

/** Checks one entry; undefined (and one warning) when it is not a usable server. */
function parseServer(name: string, entry: unknown, ctx: ParseContext): McpServerConfig | undefined {
  const bad = (why: string) => {
    ctx.warnings.push({
      text: `Skipped MCP server "${name}" in ${ctx.source}: ${why}.`,
      path: ctx.source,
    });
    return undefined;
  };
  if (!isObject(entry)) return bad(`an entry must be an object with "command" or "url"`);
  try {
    const dropped = (field: string, variable: string) =>
      ctx.warnings.push({
        text: `MCP server "${name}": dropped ${field} because $${variable} is not set (${ctx.source}).`,
        path: ctx.source,
      });
    const expand = (field: string, text: string): string | undefined => {
      const result = expandVariables(text, ctx.env);
      if ("value" in result) return result.value;
      dropped(field, result.missing);
      return undefined;
    };

    const rawType = optionalString(entry, "type");
    if (rawType !== undefined && !(rawType in TYPES)) {
      throw new EntryProblem(`"type" must be "stdio", "http" or "sse", not "${rawType}"`);
    }
    const command = optionalString(entry, "command");
    const rawUrl = optionalString(entry, "url") ?? optionalString(entry, "baseUrl") ??
      optionalString(entry, "httpUrl");
    let type: McpTransportType;
    if (rawType !== undefined) type = TYPES[rawType];
    else if (command !== undefined) type = "stdio";
    else if (rawUrl !== undefined) type = "http";
    else throw new EntryProblem(`it needs "command" (a local server) or "url" (a remote one)`);
    if (type === "stdio" && command === undefined) throw new EntryProblem(`a stdio server needs "command"`);
    if (type === "stdio" && command!.trim() === "") throw new EntryProblem(`"command" is empty`);
    if (type !== "stdio" && rawUrl === undefined) throw new EntryProblem(`a ${type} server needs "url"`);

    const args: string[] = [];
    for (const [i, arg] of stringList(entry, "args").entries()) {
      const value = expand(`args[${i}]`, arg);
      if (value !== undefined) args.push(value);
    }
    const env: Record<string, string> = {};
    for (const [key, raw] of Object.entries(stringMap(entry, "env"))) {
      const value = expand(`env.${key}`, raw);
      if (value !== undefined) env[key] = value;
    }
    const headers: Record<string, string> = {};
    for (const [key, raw] of Object.entries(stringMap(entry, "headers"))) {
      const value = expand(`header ${key}`, raw);
      if (value !== undefined) headers[key] = value;
    }
    for (const [header, variable] of Object.entries(stringMap(entry, "envHeaders"))) {
      const value = ctx.env(variable);
      if (value === undefined) dropped(`header ${header}`, variable);
      else headers[header] = value;
    }
    const apiKeyEnv = optionalString(entry, "apiKeyEnv");
    const hasAuthorization = Object.keys(headers).some((h) => h.toLowerCase() === "authorization");
    if (apiKeyEnv !== undefined && !hasAuthorization) {
      const key = ctx.env(apiKeyEnv);
      if (key === undefined) dropped("the Authorization header", apiKeyEnv);
      else headers.Authorization = `Bearer ${key}`;
    }
    let url: string | undefined;
    if (type !== "stdio") {
      const expanded = expandVariables(rawUrl!, ctx.env);
      if ("missing" in expanded) {
        throw new EntryProblem(`its url needs $${expanded.missing}, which is not set`);
      }
      try {
        url = new URL(expanded.value).href;
      } catch {
        throw new EntryProblem(`"url" is not a URL: ${expanded.value}`);
      }
      if (!/^https?:$/.test(new URL(url).protocol)) {
        throw new EntryProblem(`"url" must be http or https: ${url}`);
      }
    }
    const cwdField = optionalString(entry, "cwd");
    const enabled = optionalBoolean(entry, "enabled") ?? true;
    const disabled = optionalBoolean(entry, "disabled") ?? false;
    const enabledTools = entry.enabledTools !== undefined
      ? stringList(entry, "enabledTools")
      : entry.allowedTools !== undefined
      ? stringList(entry, "allowedTools")
      : undefined;
    const timeout = optionalNumber(entry, "timeoutMs") ?? MCP_TIMEOUT.default;
    const description = optionalString(entry, "description");
    const protocolVersion = optionalString(entry, "protocolVersion");
    const hasAuthorizationHeader = Object.keys(headers).some((h) => h.toLowerCase() === "authorization");
    const oauth = type === "stdio" || hasAuthorizationHeader ? false : parseOAuth(entry.oauth, expand);
    return {
      name,
      type,
      sseFallback: rawType === undefined && type === "http" && entry.httpUrl === undefined,
      ...(command !== undefined ? { command } : {}),
      args,
      env,
      ...(cwdField !== undefined ? { cwd: resolveCwd(cwdField, ctx) } : {}),
      ...(url !== undefined ? { url } : {}),
      headers,
      enabled: enabled && !disabled,
      ...(enabledTools !== undefined ? { enabledTools } : {}),
      disabledTools: stringList(entry, "disabledTools"),
      selectedTools: stringList(entry, "selectedTools"),
      direct: optionalBoolean(entry, "direct") ?? false,
      ...(description !== undefined ? { description } : {}),
      timeoutMs: Math.min(MCP_TIMEOUT.max, Math.max(MCP_TIMEOUT.min, Math.round(timeout))),
      ...(protocolVersion !== undefined ? { protocolVersion } : {}),
      oauth,
      source: ctx.source,
    };
  } catch (error) {
    if (error instanceof EntryProblem) return bad(error.message);
    throw error;
  }
}

/** The `oauth` field: absent or true for the defaults, false to turn OAuth off, else an object. */
function parseOAuth(
  value: unknown,
  expand: (field: string, text: string) => string | undefined,
): McpOAuthConfig | false {
  if (value === undefined || value === null || value === true) return {};
  if (value === false) return false;
  if (!isObject(value)) throw new EntryProblem(`"oauth" must be an object, true or false`);
  const text = (key: string) => {
    const raw = optionalString(value, key);
    return raw === undefined ? undefined : expand(`oauth.${key}`, raw);
  };
  const clientId = text("clientId");
  const clientSecret = text("clientSecret");
  const scopes = typeof value.scopes === "string"
    ? value.scopes.split(/\s+/).filter((s) => s !== "")
    : value.scopes !== undefined
    ? stringList(value, "scopes")
    : undefined;
  const port = optionalNumber(value, "callbackPort");
  const clientMetadataUrl = text("clientMetadataUrl");
  if (clientMetadataUrl !== undefined && !/^https:\/\/[^/]+\/./.test(clientMetadataUrl)) {
    throw new EntryProblem(`"oauth.clientMetadataUrl" must be an https URL with a path`);
  }
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new EntryProblem(`"oauth.callbackPort" must be a port number (1-65535)`);
  }
  if (clientSecret !== undefined && clientId === undefined) {
    throw new EntryProblem(`"oauth.clientSecret" needs "oauth.clientId"`);
  }
  return {
    ...(clientId !== undefined ? { clientId } : {}),
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    ...(scopes !== undefined ? { scopes } : {}),
    ...(port !== undefined ? { callbackPort: port } : {}),
    ...(clientMetadataUrl !== undefined ? { clientMetadataUrl } : {}),
  };
}

function resolveCwd(value: string, ctx: ParseContext): string {
  const home = homeDir(ctx.env);
  const path = value === "~" ? home : value.startsWith("~/") ? join(home, value.slice(2)) : value;
  return isAbsolute(path) ? path : resolve(ctx.cwd, path);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function optionalString(entry: Record<string, unknown>, key: string): string | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new EntryProblem(`"${key}" must be a string`);
  return value;
}

function optionalBoolean(entry: Record<string, unknown>, key: string): boolean | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw new EntryProblem(`"${key}" must be true or false`);
  return value;
}

function optionalNumber(entry: Record<string, unknown>, key: string): number | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new EntryProblem(`"${key}" must be a number`);
  }
  return value;
}

function stringList(entry: Record<string, unknown>, key: string): string[] {
  const value = entry[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new EntryProblem(`"${key}" must be an array of strings`);
  return value.map((item, i) => {
    if (typeof item === "string") return item;
    if (typeof item === "number" || typeof item === "boolean") return String(item);
    throw new EntryProblem(`"${key}[${i}]" must be a string`);
  });
}

function stringMap(entry: Record<string, unknown>, key: string): Record<string, string> {
  const value = entry[key];
  if (value === undefined) return {};
  if (!isObject(value)) throw new EntryProblem(`"${key}" must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (typeof item === "string") out[name] = item;
    else if (typeof item === "number" || typeof item === "boolean") out[name] = String(item);
    else throw new EntryProblem(`"${key}.${name}" must be a string`);
  }
  return out;
}

/**
 * Whether `name` passes a server's `enabledTools` / `disabledTools` filters. Patterns are names or
 * use `*` for any run of characters.
 */
export function toolAllowed(server: McpServerConfig, name: string): boolean {
  if (server.enabledTools && !server.enabledTools.some((p) => matchesPattern(p, name))) return false;
  return !server.disabledTools.some((p) => matchesPattern(p, name));
}

function matchesPattern(pattern: string, name: string): boolean {
  if (!pattern.includes("*")) return pattern === name;
  const source = pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${source}$`).test(name);
}

/**
 * The part of a server's configuration that decides which tools it lists: the cache of its tool list
 * is keyed by this, so editing the command, url, env or headers starts a fresh list.
 */
export function listingKey(server: McpServerConfig): string {
  return JSON.stringify([
    server.name,
    server.type,
    server.command ?? null,
    server.args,
    sorted(server.env),
    server.cwd ?? null,
    server.url ?? null,
    sorted(server.headers),
    server.protocolVersion ?? null,
  ]);
}

function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
