/**
 * Resolving where to send requests and with which key. Flags beat the environment, the environment
 * beats files. The environment and file reads come in as parameters so tests can vary them.
 * @module
 */

import { join } from "node:path";
import { ConfigError } from "../core/mod.ts";

/** The endpoint used when nothing else is configured: OpenCode Go. */
export const DEFAULT_BASE_URL = "https://opencode.ai/zen/go/v1";
/** The model used when nothing else is configured. */
export const DEFAULT_MODEL = "kimi-k2.6";

/** Where the key came from, for messages that must never show the key itself. */
export type KeySource =
  | "OPENCODE_API_KEY"
  | "OPENCODE_GO_API_KEY"
  | "OPENAI_API_KEY"
  | `auth.json (${string})`
  | "none";

/** Everything a run needs to reach the model. */
export interface ResolvedConfig {
  baseUrl: string;
  model: string;
  apiKey?: string;
  keySource: KeySource;
  showThinking: boolean;
  maxRetries: number;
  /** Whether to send images to the model: decided by model id (`auto`), or forced by `NANOCODE_IMAGES`. */
  images: "auto" | "on" | "off";
}

/** What resolution reads. */
export interface ConfigSources {
  /** Flag values (undefined when not given). */
  flags: { model?: string; baseUrl?: string; maxRetries?: number };
  /** Reads an environment variable. */
  env: (name: string) => string | undefined;
  /** Reads a text file, or returns undefined when it cannot be read. */
  readFile: (path: string) => Promise<string | undefined>;
}

/** True for OpenCode's hosted endpoints, whose keys live in OpenCode's auth.json. */
export function isOpenCodeEndpoint(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === "opencode.ai" || host.endsWith(".opencode.ai");
  } catch {
    return false;
  }
}

/** True for endpoints on this machine, which often run without keys (Ollama, llama.cpp, LM Studio). */
export function isLoopbackEndpoint(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || host.startsWith("127.");
  } catch {
    return false;
  }
}

/** The path of OpenCode's auth.json for this environment. */
export function authJsonPath(env: (name: string) => string | undefined): string | undefined {
  const dataHome = env("XDG_DATA_HOME");
  if (dataHome) return join(dataHome, "opencode", "auth.json");
  const home = env("HOME") ?? env("USERPROFILE");
  return home ? join(home, ".local", "share", "opencode", "auth.json") : undefined;
}

/**
 * Reads a key out of OpenCode's auth.json text: an `api` entry's key, a `wellknown` entry's token or
 * an unexpired `oauth` access token, under the provider ids given; the first found wins. Invalid
 * JSON or entries are skipped, never thrown.
 */
export function keyFromAuthJson(
  text: string,
  providerIds: readonly string[],
  now: number = Date.now(),
): { id: string; key: string } | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== "object") return undefined;
  for (const id of providerIds) {
    const entry = (data as Record<string, unknown>)[id];
    if (entry === null || typeof entry !== "object") continue;
    const { type, key, token, access, expires } = entry as Record<string, unknown>;
    if (type === "api" && typeof key === "string" && key !== "") return { id, key };
    // A "wellknown" entry names an environment variable in `key` and holds the secret in `token`.
    if (type === "wellknown" && typeof token === "string" && token !== "") return { id, key: token };
    const expired = typeof expires === "number" && expires <= now;
    if (type === "oauth" && typeof access === "string" && access !== "" && !expired) {
      return { id, key: access };
    }
  }
  return undefined;
}

/**
 * Resolves endpoint, model and key. Key order for OpenCode endpoints: `OPENCODE_API_KEY`,
 * `OPENCODE_GO_API_KEY`, `OPENAI_API_KEY`, then OpenCode's auth.json (`opencode-go` before `opencode`
 * on the Go endpoint, the reverse on Zen). Other endpoints use `OPENAI_API_KEY` only, so an OpenCode
 * key is never sent to a third party. Throws {@link ConfigError} when a remote endpoint has no key.
 */
export async function resolveConfig(sources: ConfigSources): Promise<ResolvedConfig> {
  const { flags, env } = sources;
  const baseUrl = (flags.baseUrl ?? nonEmpty(env("OPENAI_BASE_URL")) ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError("not http");
  } catch {
    throw new ConfigError(
      `Cannot use the endpoint "${baseUrl}": it is not an http(s) URL. Set OPENAI_BASE_URL to e.g. https://host/v1`,
    );
  }
  const model = flags.model ?? nonEmpty(env("MODEL")) ?? DEFAULT_MODEL;
  const showThinking = !["0", "false", "no", "off"].includes((env("SHOW_THINKING") ?? "").toLowerCase());
  const retriesText = env("NANOCODE_MAX_RETRIES");
  const maxRetries = flags.maxRetries ??
    (retriesText !== undefined && /^\d+$/.test(retriesText) ? Number(retriesText) : 4);

  let apiKey: string | undefined;
  let keySource: KeySource = "none";
  const openCode = isOpenCodeEndpoint(baseUrl);
  const names = openCode
    ? ["OPENCODE_API_KEY", "OPENCODE_GO_API_KEY", "OPENAI_API_KEY"] as const
    : ["OPENAI_API_KEY"] as const;
  for (const name of names) {
    const value = nonEmpty(env(name));
    if (value) {
      apiKey = value;
      keySource = name;
      break;
    }
  }
  if (!apiKey && openCode) {
    const path = authJsonPath(env);
    const text = path ? await sources.readFile(path) : undefined;
    const ids = baseUrl.includes("/zen/go") ? ["opencode-go", "opencode"] : ["opencode", "opencode-go"];
    const found = text ? keyFromAuthJson(text, ids) : undefined;
    if (found) {
      apiKey = found.key;
      keySource = `auth.json (${found.id})`;
    }
  }
  if (!apiKey && !isLoopbackEndpoint(baseUrl)) {
    const hint = openCode
      ? "set OPENCODE_API_KEY (or OPENCODE_GO_API_KEY, OPENAI_API_KEY), or log in with OpenCode"
      : "set OPENAI_API_KEY";
    throw new ConfigError(`Cannot call ${baseUrl}: no API key found; ${hint}`);
  }
  const imagesText = (env("NANOCODE_IMAGES") ?? "").toLowerCase();
  const images = ["0", "false", "no", "off"].includes(imagesText)
    ? "off"
    : ["1", "true", "yes", "on"].includes(imagesText)
    ? "on"
    : "auto";
  return { baseUrl, model, apiKey, keySource, showThinking, maxRetries, images };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
