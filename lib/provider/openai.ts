/**
 * The provider for OpenAI-compatible `/chat/completions` endpoints (OpenCode Zen and Go, OpenAI,
 * OpenRouter, DeepSeek, Moonshot, vLLM, Ollama, LM Studio, LiteLLM…): request building, retries
 * before the first byte of output, streaming, and one-line errors.
 * @module
 */

import type { AssistantMessage } from "../core/messages.ts";
import type { ChatRequest, Provider, ProviderDelta } from "../core/provider.ts";
import { ProviderError } from "../core/errors.ts";
import { VERSION } from "../core/version.ts";
import { ResponseAssembler } from "./assemble.ts";
import { encodeChatBody } from "./body.ts";
import { readChatStream } from "./chat_stream.ts";
import { describeHttpError, oneLine, serverMessage } from "./http_errors.ts";
import {
  abortableSleep,
  backoffDelay,
  formatIdle,
  formatWait,
  isRetryableStatus,
  MAX_RETRY_WAIT_MS,
  retryAfterMs,
} from "./retry.ts";

/** Options of {@link createOpenAIProvider}. */
export interface OpenAIProviderOptions {
  /** The API base, e.g. `https://opencode.ai/zen/go/v1` (a trailing slash is ignored). */
  baseUrl: string;
  /** Where chat requests go (default `<baseUrl>/chat/completions`), e.g. from `OPENAI_API_URL`. */
  chatUrl?: string;
  /** Where the model list comes from (default `<baseUrl>/models`). */
  modelsUrl?: string;
  /** The reply's token limit sent with each request (default: none). */
  maxTokens?: number;
  /**
   * Milliseconds without a byte (waiting for the response, or between chunks) after which a request
   * counts as stalled: retried like a dropped connection before any output, reported after. Default:
   * no limit.
   */
  idleMs?: number;
  /** Sent as `Authorization: Bearer <key>` when set. */
  apiKey?: string;
  /** Where the key came from, e.g. `OPENAI_API_KEY`: what a refused key's message tells to check. */
  keySource?: string;
  /** Extra request headers; they override the defaults. */
  headers?: Record<string, string>;
  /** How many times a failed request is sent again before giving up (default 4). */
  maxRetries?: number;
  /** Stable per conversation; sent as `x-opencode-session` (OpenCode Go requires one). */
  sessionId: string;
  /** The `User-Agent` header (default `nanocode/<VERSION>`). */
  userAgent?: string;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** Waits between retries (default: a timer that the signal cancels). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1) (default `Math.random`). */
  random?: () => number;
}

/**
 * Creates a provider for an OpenAI-compatible endpoint.
 *
 * @example
 * ```ts
 * const provider = createOpenAIProvider({ baseUrl, apiKey, sessionId: crypto.randomUUID() });
 * for await (const delta of provider.stream({ model, messages }, signal)) handle(delta);
 * ```
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): Provider {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": options.userAgent ?? `nanocode/${VERSION}`,
    "x-opencode-session": options.sessionId,
  };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  for (const [key, value] of Object.entries(options.headers ?? {})) headers[key.toLowerCase()] = value;
  const settings: Settings = {
    baseUrl,
    chatUrl: options.chatUrl ?? `${baseUrl}/chat/completions`,
    modelsUrl: options.modelsUrl ?? `${baseUrl}/models`,
    maxTokens: options.maxTokens,
    idleMs: options.idleMs,
    key: options.keySource ? `${options.keySource} (the key in use)` : "your API key",
    headers,
    maxRetries: options.maxRetries ?? 4,
    fetch: options.fetch ?? globalThis.fetch,
    sleep: options.sleep ?? abortableSleep,
    random: options.random ?? Math.random,
  };
  return {
    stream: (request, signal) => streamChat(settings, request, signal),
    listModels: (signal) => listModels(settings, signal),
  };
}

interface Settings {
  baseUrl: string;
  chatUrl: string;
  modelsUrl: string;
  maxTokens?: number;
  headers: Record<string, string>;
  maxRetries: number;
  fetch: typeof fetch;
  idleMs?: number;
  /** What a refused key's message tells to check. */
  key: string;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  random: () => number;
}

async function* streamChat(
  settings: Settings,
  request: ChatRequest,
  signal: AbortSignal,
): AsyncGenerator<ProviderDelta, void, undefined> {
  const url = settings.chatUrl;
  const model = request.model;
  const body = encodeChatBody(request, { maxTokens: settings.maxTokens, url });
  const { maxRetries } = settings;
  for (let attempt = 0;; attempt++) {
    if (signal.aborted) return yield aborted();
    let response: Response;
    // Waiting for the response counts toward the idle limit too; the body's own wait is timed below.
    const waiting = new AbortController();
    const idle = settings.idleMs === undefined
      ? undefined
      : setTimeout(() => waiting.abort(), settings.idleMs);
    try {
      response = await settings.fetch(url, {
        method: "POST",
        headers: settings.headers,
        body,
        signal: AbortSignal.any([signal, waiting.signal]),
      });
    } catch (error) {
      if (signal.aborted) return yield aborted();
      const said = waiting.signal.aborted
        ? `no response for ${formatIdle(settings.idleMs!)} (NANOCODE_STREAM_IDLE_TIMEOUT)`
        : oneLine(error instanceof Error ? error.message : String(error), 200);
      if (isPermissionError(error)) {
        return yield failed(
          `Cannot reach ${url}: network access was not granted (${said}); run with --allow-net for that host`,
        );
      }
      if (attempt >= maxRetries) {
        return yield failed(
          `Cannot reach ${url}: ${said}${retried(attempt)}; check the base URL and your network`,
        );
      }
      const delayMs = backoffDelay(attempt, settings.random);
      yield { type: "retry", attempt: attempt + 1, maxRetries, delayMs, reason: `network error: ${said}` };
      if (!await wait(settings, delayMs, signal)) return yield aborted();
      continue;
    } finally {
      clearTimeout(idle);
    }

    if (response.ok) {
      const type = response.headers.get("content-type") ?? "";
      if (type.includes("text/html")) {
        await response.body?.cancel();
        return yield failed(
          `Cannot get a reply from ${model}: ${url} answered with a web page, not a model reply; check the base URL (it usually ends in /v1)`,
        );
      }
      if (type.includes("application/json") && response.body) {
        yield* readCompletion(response, model, signal);
      } else if (response.body) {
        // A connection that breaks before the reply produced anything is as good as a failed
        // request: send it again. Once output began, report the break; never replay it.
        let produced = false;
        let retry: string | undefined;
        for await (const delta of readChatStream(response.body, { signal, model, idleMs: settings.idleMs })) {
          if (delta.type === "done") {
            if (delta.reason === "error" && delta.broken && !produced && attempt < maxRetries) {
              retry = delta.error ?? "the connection broke";
              break;
            }
          } else if (delta.type !== "usage") produced = true;
          yield delta;
        }
        if (retry === undefined) return;
        const delayMs = backoffDelay(attempt, settings.random);
        yield { type: "retry", attempt: attempt + 1, maxRetries, delayMs, reason: retry };
        if (!await wait(settings, delayMs, signal)) return yield aborted();
        continue;
      } else {
        yield failed(`Cannot read the reply of ${model}: the response had no body; try again`);
      }
      return;
    }

    let text = "";
    try {
      text = await response.text();
    } catch {
      if (signal.aborted) return yield aborted();
    }
    const failure = describeHttpError(response.status, text, {
      statusText: response.statusText,
      url: settings.baseUrl,
      model,
      retries: attempt,
      key: settings.key,
    });
    if (!failure.retryable || attempt >= maxRetries) {
      return yield failed(failure.message, failure.contextOverflow);
    }
    const asked = retryAfterMs(response.headers);
    if (asked !== undefined && asked > MAX_RETRY_WAIT_MS) {
      const at = new Date(Date.now() + asked).toLocaleTimeString();
      return yield failed(
        `Cannot get a reply from ${model}: the server asks to wait ${
          formatWait(asked)
        } (HTTP ${response.status}: ${serverMessage(text) ?? response.statusText}); try again after ${at}`,
      );
    }
    const delayMs = asked ?? backoffDelay(attempt, settings.random);
    const reason = `HTTP ${response.status}: ${serverMessage(text) ?? response.statusText}`;
    yield { type: "retry", attempt: attempt + 1, maxRetries, delayMs, reason };
    if (!await wait(settings, delayMs, signal)) return yield aborted();
  }
}

/** Reads a non-streamed `chat.completion` (servers that ignore `stream: true`). */
async function* readCompletion(
  response: Response,
  model: string,
  signal: AbortSignal,
): AsyncGenerator<ProviderDelta, void, undefined> {
  const asm = new ResponseAssembler();
  const out: ProviderDelta[] = [];
  let json: unknown;
  try {
    json = JSON.parse(await response.text());
  } catch (error) {
    if (signal.aborted) asm.fail({ reason: "aborted" }, out);
    else {
      const said = error instanceof SyntaxError ? "the JSON reply is malformed" : "the connection broke";
      asm.fail({ reason: "error", error: `Cannot read the reply of ${model}: ${said}; try again` }, out);
    }
    return yield* out;
  }
  const obj = (json ?? {}) as Record<string, unknown>;
  if (obj.error !== undefined) {
    const said = serverMessage(JSON.stringify(obj)) ?? "unknown error";
    asm.fail({
      reason: "error",
      error: `Cannot get a reply from ${model}: the endpoint reported an error (${said})`,
    }, out);
  } else {
    asm.applyMessage(obj, out);
    asm.finish(out);
  }
  yield* out;
}

async function listModels(settings: Settings, signal: AbortSignal): Promise<string[]> {
  const url = settings.modelsUrl;
  const headers = { ...settings.headers };
  delete headers["content-type"];
  let response: Response;
  try {
    response = await settings.fetch(url, { headers, signal });
  } catch (error) {
    if (signal.aborted) throw error;
    const said = oneLine(error instanceof Error ? error.message : String(error), 200);
    throw new ProviderError(`Cannot list models at ${url}: ${said}; check the base URL and your network`, {
      retryable: !isPermissionError(error),
      cause: error,
    });
  }
  const text = await response.text();
  if (!response.ok) {
    const said = serverMessage(text) ?? response.statusText;
    const hint = response.status === 401
      ? `check ${settings.key}`
      : response.status === 404
      ? "check the base URL"
      : "try again later";
    throw new ProviderError(`Cannot list models at ${url}: HTTP ${response.status}: ${said}; ${hint}`, {
      status: response.status,
      retryable: isRetryableStatus(response.status),
    });
  }
  const ids = modelIds(text);
  if (!ids) {
    throw new ProviderError(
      `Cannot list models at ${url}: the reply is not a model list; check that the base URL ends in /v1`,
      { status: response.status },
    );
  }
  return ids;
}

/** Ids from `{data: [{id}]}`, `{models: [...]}` or a bare array; undefined for anything else. */
function modelIds(text: string): string[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const obj = json as Record<string, unknown> | null;
  const list = Array.isArray(json) ? json : Array.isArray(obj?.data) ? obj.data : obj?.models;
  if (!Array.isArray(list)) return undefined;
  const ids: string[] = [];
  for (const item of list) {
    if (typeof item === "string") ids.push(item);
    else if (item && typeof item === "object") {
      const id = (item as Record<string, unknown>).id ?? (item as Record<string, unknown>).name;
      if (typeof id === "string") ids.push(id);
    }
  }
  return ids;
}

async function wait(settings: Settings, ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await settings.sleep(ms, signal);
  } catch {
    return false;
  }
  return !signal.aborted;
}

function retried(attempt: number): string {
  return attempt > 0 ? ` (after ${attempt} ${attempt === 1 ? "retry" : "retries"})` : "";
}

function isPermissionError(error: unknown): boolean {
  return error instanceof Error && (error.name === "NotCapable" || error.name === "PermissionDenied");
}

function emptyMessage(): AssistantMessage {
  return { role: "assistant", content: "" };
}

function aborted(): ProviderDelta {
  return { type: "done", reason: "aborted", message: emptyMessage(), toolCalls: [] };
}

function failed(error: string, contextOverflow = false): ProviderDelta {
  const done: ProviderDelta = {
    type: "done",
    reason: "error",
    message: emptyMessage(),
    toolCalls: [],
    error,
  };
  if (contextOverflow) done.contextOverflow = true;
  return done;
}
