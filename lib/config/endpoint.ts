/**
 * Resolving where to send requests and with which key. Flags beat the environment, the environment
 * beats files. The environment and file reads come in as parameters so tests can vary them.
 * @module
 */

import { join } from "node:path";
import { ConfigError, UsageError, VERSION } from "../core/mod.ts";

/** The endpoint used when nothing else is configured: OpenCode Go. */
export const DEFAULT_BASE_URL = "https://opencode.ai/zen/go/v1";
/** The model used when nothing else is configured. */
export const DEFAULT_MODEL = "kimi-k2.6";
/** The `max_tokens` sent with each request when `NANOCODE_MAX_TOKENS` is not set. */
export const DEFAULT_MAX_TOKENS = 8192;

/** Where the key came from, for messages that must never show the key itself. */
export type KeySource =
  | "OPENCODE_API_KEY"
  | "OPENCODE_GO_API_KEY"
  | "OPENAI_API_KEY"
  | `auth.json (${string})`
  | "none";

/** Everything a run needs to reach the model. */
export interface ResolvedConfig {
  /** The API base: shown to the user, recorded (host only) in saved sessions. */
  baseUrl: string;
  /** Where chat requests go: `OPENAI_API_URL` as given, else `<baseUrl>/chat/completions`. */
  chatUrl: string;
  /** Where the model list comes from (derived from `chatUrl` when it is `OPENAI_API_URL`). */
  modelsUrl: string;
  model: string;
  apiKey?: string;
  keySource: KeySource;
  showThinking: boolean;
  maxRetries: number;
  /** Whether to send images to the model: decided by model id (`auto`), or forced by `NANOCODE_IMAGES`. */
  images: "auto" | "on" | "off";
  /** The `User-Agent` of model and web requests: `NANOCODE_USER_AGENT`, else `nanocode/<version>`. */
  userAgent: string;
  /** The `max_tokens` of each request (`NANOCODE_MAX_TOKENS`, default 8192); undefined sends none. */
  maxTokens?: number;
  /** Milliseconds without a byte from the stream before it counts as stalled (`NANOCODE_STREAM_IDLE_TIMEOUT`). */
  streamIdleMs: number;
  /** One-line notes for the user about the choice made (which host gets which key). */
  notices: string[];
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

/**
 * The path of OpenCode's auth.json for this environment: `OPENCODE_AUTH_JSON`, else
 * `$XDG_DATA_HOME/opencode/auth.json`, else `~/.local/share/opencode/auth.json`.
 */
export function authJsonPath(env: (name: string) => string | undefined): string | undefined {
  const path = nonEmpty(env("OPENCODE_AUTH_JSON"));
  if (path) return path;
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
 * Resolves endpoint, model, key, user agent and token limit. The endpoint is `--base-url`, else
 * `OPENAI_API_URL` (the full chat-completions URL), else `OPENAI_BASE_URL`, else OpenCode Go; its host
 * decides which keys it may get. Key order for OpenCode endpoints: `OPENCODE_API_KEY`,
 * `OPENCODE_GO_API_KEY`, `OPENAI_API_KEY`, then OpenCode's auth.json (`opencode-go` before `opencode`
 * on the Go endpoint, the reverse on Zen). Other endpoints use `OPENAI_API_KEY` only, so an OpenCode
 * key is never sent to a third party. Throws {@link ConfigError} when a remote endpoint has no key, a
 * URL is not http(s) or `NANOCODE_MAX_TOKENS` is not a whole number.
 */
export async function resolveConfig(sources: ConfigSources): Promise<ResolvedConfig> {
  const { flags, env } = sources;
  const endpoint = resolveEndpoint(flags.baseUrl, env);
  const { baseUrl, chatUrl } = endpoint;
  const model = flags.model ?? setOrUnset(env, "MODEL", "a model id such as kimi-k2.6") ?? DEFAULT_MODEL;
  const showThinking = !["0", "false", "no", "off"].includes((env("SHOW_THINKING") ?? "").toLowerCase());
  const maxRetries = flags.maxRetries ?? envNumber(env, "NANOCODE_MAX_RETRIES", { min: 0, example: "3" }) ??
    4;
  const idleSeconds = envNumber(env, "NANOCODE_STREAM_IDLE_TIMEOUT", { min: 1, example: "120" }) ??
    DEFAULT_STREAM_IDLE_SECONDS;
  const notices: string[] = [];

  // Which keys may go to the endpoint is decided by the host requests are sent to.
  let apiKey: string | undefined;
  let keySource: KeySource = "none";
  const openCode = isOpenCodeEndpoint(chatUrl);
  // OpenAI's key goes to an OpenCode endpoint only as the last resort (after auth.json), and is said.
  const names = openCode ? ["OPENCODE_API_KEY", "OPENCODE_GO_API_KEY"] as const : ["OPENAI_API_KEY"] as const;
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
    const ids = chatUrl.includes("/zen/go") ? ["opencode-go", "opencode"] : ["opencode", "opencode-go"];
    const found = text ? keyFromAuthJson(text, ids) : undefined;
    if (found) {
      apiKey = found.key;
      keySource = `auth.json (${found.id})`;
    }
  }
  const openAiKey = nonEmpty(env("OPENAI_API_KEY"));
  if (!apiKey && openCode && openAiKey) {
    apiKey = openAiKey;
    keySource = "OPENAI_API_KEY";
    notices.push(
      `Sending OPENAI_API_KEY to ${
        new URL(chatUrl).host
      }, since no OpenCode key is set; set OPENCODE_API_KEY, or OPENAI_BASE_URL for another endpoint.`,
    );
  }
  if (!apiKey && !isLoopbackEndpoint(chatUrl)) {
    const hint = openCode
      ? "set OPENCODE_API_KEY (or OPENCODE_GO_API_KEY, OPENAI_API_KEY), or log in with OpenCode"
      : "set OPENAI_API_KEY";
    throw new ConfigError(`Cannot call ${endpoint.shown}: no API key found; ${hint}`);
  }
  const imagesText = (env("NANOCODE_IMAGES") ?? "").toLowerCase();
  const images = ["0", "false", "no", "off"].includes(imagesText)
    ? "off"
    : ["1", "true", "yes", "on"].includes(imagesText)
    ? "on"
    : "auto";
  const userAgent = nonEmpty(env("NANOCODE_USER_AGENT")) ?? `nanocode/${VERSION}`;
  const maxTokens = resolveMaxTokens(env("NANOCODE_MAX_TOKENS"));
  return {
    baseUrl,
    chatUrl,
    modelsUrl: endpoint.modelsUrl,
    model,
    apiKey,
    keySource,
    showThinking,
    maxRetries,
    images,
    userAgent,
    streamIdleMs: idleSeconds * 1000,
    notices,
    ...(maxTokens === undefined ? {} : { maxTokens }),
  };
}

/** Seconds without a byte from the model's stream before it counts as stalled. */
export const DEFAULT_STREAM_IDLE_SECONDS = 120;

/** A variable that, when set, must not be empty: an empty one is a mistake, not "use the default". */
function setOrUnset(
  env: (name: string) => string | undefined,
  name: string,
  what: string,
): string | undefined {
  const value = env(name);
  if (value === undefined) return undefined;
  if (value.trim() === "") throw new UsageError(`Cannot use an empty ${name}: give ${what}, or unset it.`);
  return value.trim();
}

/** A whole-number variable, or undefined when unset; a bad value is a usage error, as for a flag. */
function envNumber(
  env: (name: string) => string | undefined,
  name: string,
  options: { min: number; example: string },
): number | undefined {
  const value = env(name)?.trim();
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value) || Number(value) < options.min) {
    throw new UsageError(
      `Cannot use ${name}=${value}: give a whole number${
        options.min > 0 ? ` of at least ${options.min}` : ""
      } such as ${options.example}.`,
    );
  }
  return Number(value);
}

/**
 * Where requests go. `--base-url` wins (flags beat the environment), then `OPENAI_API_URL`, the full
 * chat-completions URL used as given, then `OPENAI_BASE_URL`, then the default. The models URL of an
 * `OPENAI_API_URL` replaces its trailing `/chat/completions` with `/models`; when it has none, it is
 * `$OPENAI_BASE_URL/models`, or `/models` on the API URL's own host, so a key never goes elsewhere.
 */
function resolveEndpoint(
  flag: string | undefined,
  env: (name: string) => string | undefined,
): { baseUrl: string; chatUrl: string; modelsUrl: string; shown: string } {
  const apiUrl = flag === undefined ? nonEmpty(env("OPENAI_API_URL")) : undefined;
  if (apiUrl !== undefined) {
    const url = httpUrl(apiUrl, "OPENAI_API_URL", "https://host/v1/chat/completions");
    const path = url.pathname.replace(/\/+$/, "");
    if (path.endsWith("/chat/completions")) {
      const prefix = path.slice(0, -"/chat/completions".length);
      const models = new URL(url.href);
      models.pathname = `${prefix}/models`;
      const base = `${url.origin}${prefix}`;
      return { baseUrl: base, chatUrl: apiUrl, modelsUrl: models.href, shown: apiUrl };
    }
    const envBase = nonEmpty(env("OPENAI_BASE_URL"))?.replace(/\/+$/, "");
    const base = envBase ?? url.origin;
    return { baseUrl: base, chatUrl: apiUrl, modelsUrl: `${base}/models`, shown: apiUrl };
  }
  const fromEnv = flag === undefined
    ? setOrUnset(env, "OPENAI_BASE_URL", "an endpoint such as https://host/v1")
    : undefined;
  const baseUrl = (flag ?? fromEnv ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  httpUrl(baseUrl, "OPENAI_BASE_URL", "https://host/v1");
  return {
    baseUrl,
    chatUrl: `${baseUrl}/chat/completions`,
    modelsUrl: `${baseUrl}/models`,
    shown: baseUrl,
  };
}

function httpUrl(text: string, variable: string, example: string): URL {
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return url;
  } catch {
    // Reported below.
  }
  throw new ConfigError(
    `Cannot use the endpoint "${text}": it is not an http(s) URL. Set ${variable} to e.g. ${example}`,
  );
}

/** `NANOCODE_MAX_TOKENS`: a whole number, `0` for none; unset or not a number gives the default. */
function resolveMaxTokens(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (value === undefined || value === "") return DEFAULT_MAX_TOKENS;
  if (!/^\d+$/.test(value)) {
    throw new ConfigError(
      `Cannot use NANOCODE_MAX_TOKENS=${value}: give a whole number such as 8192, or 0 to send no limit.`,
    );
  }
  const tokens = Number(value);
  return tokens === 0 ? undefined : tokens;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
