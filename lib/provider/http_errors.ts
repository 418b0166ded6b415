/**
 * One-line messages for failed model requests. The server's own `error.message` is kept (it is
 * usually the most precise thing anyone can say), framed by what failed and what to do about it.
 * @module
 */

/** Phrases endpoints use when a request exceeds the model's context window (matched lowercased). */
const OVERFLOW_PHRASES = [
  "maximum context length",
  "context_length_exceeded",
  "exceeds the context window",
  "context window exceeded",
  "prompt is too long",
  "reduce the length of the messages",
  "too many input tokens",
];

/** Phrases of a 429 that means the quota is used up, not a passing rate limit. */
const QUOTA_PHRASES = [
  "insufficient_quota",
  "gousagelimiterror",
  "freeusagelimiterror",
  "usagelimiterror",
  "exceeded your current quota",
  "quota exceeded",
  "out of credits",
];

/** True when an error message says the conversation no longer fits the model's context. */
export function isContextOverflowMessage(message: string): boolean {
  const lower = message.toLowerCase();
  for (const phrase of OVERFLOW_PHRASES) if (lower.includes(phrase)) return true;
  return lower.includes("input token count") && lower.includes("exceeds the maximum");
}

/** True when a 429 body says the account's quota (not the request rate) is exhausted. */
export function isQuotaExhausted(body: string): boolean {
  const lower = body.toLowerCase();
  for (const phrase of QUOTA_PHRASES) if (lower.includes(phrase)) return true;
  return false;
}

/**
 * The message a server put in an error body: `error.message`, `error` as a string, `message` or
 * `detail`; else the body itself when it is short plain text; else undefined. Always one line.
 */
export function serverMessage(body: string): string | undefined {
  const trimmed = body.trim();
  if (trimmed === "") return undefined;
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      const found = messageOf(JSON.parse(trimmed));
      if (found !== undefined) return oneLine(found);
    } catch {
      // Not JSON after all: fall through to the text.
    }
  }
  if (trimmed.startsWith("<")) return undefined; // an HTML error page says nothing useful in one line
  return oneLine(trimmed);
}

/** Finds a message string in a parsed error body or mid-stream error object. */
export function messageOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return messageOf(value[0]);
  if (value === null || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  if (v.error !== undefined) {
    const inner = messageOf(v.error);
    if (inner !== undefined) return inner;
  }
  for (const key of ["message", "detail", "msg", "code", "type"] as const) {
    const field = v[key];
    if (typeof field === "string" && field !== "") return field;
  }
  return undefined;
}

/** Collapses whitespace and caps the length, so a message stays on one line. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** What the provider needs to know about a failed response. */
export interface HttpFailure {
  message: string;
  /** Worth sending again (a rate limit, an overloaded or failing server). */
  retryable: boolean;
  contextOverflow: boolean;
}

/** Describes a non-2xx response to a chat request in one line, and classifies it. */
export function describeHttpError(
  status: number,
  body: string,
  options: {
    statusText?: string;
    url: string;
    model: string;
    /** Retries already made; mentioned in the message when there were any. */
    retries?: number;
    /** Where the key came from, named when it is refused (default "your API key"). */
    key?: string;
  },
): HttpFailure {
  const said = serverMessage(body) ?? (options.statusText || `HTTP ${status}`);
  const retries = options.retries ?? 0;
  const detail = `HTTP ${status}: ${said}${
    retries > 0 ? `, after ${retries} ${retries === 1 ? "retry" : "retries"}` : ""
  }`;
  const model = options.model || "the model";
  const failure = (message: string, retryable = false, contextOverflow = false) => ({
    message,
    retryable,
    contextOverflow,
  });
  // Cerebras answers an over-long request with a bare 400 or 413.
  if (status === 413 || (status === 400 && (body.trim() === "" || isContextOverflowMessage(said)))) {
    return failure(overflowMessage(model, detail), false, true);
  }
  switch (status) {
    case 401:
      return failure(
        `Cannot use the model endpoint: the API key was refused (${detail}); check ${
          options.key ?? "your API key"
        }`,
      );
    case 402:
      return failure(
        `Cannot get a reply from ${model}: the account is out of credits (${detail}); add credits or choose another provider`,
      );
    case 403:
      return failure(
        `Cannot use ${model}: access was denied (${detail}); check that your key may use this model`,
      );
    case 404:
      return failure(
        `Cannot find ${model}: unknown model or wrong base URL (${options.url}; ${detail}); check the model id and the base URL`,
      );
  }
  if (status === 429 && isQuotaExhausted(body)) {
    return failure(
      `Cannot get a reply from ${model}: the usage quota is exhausted (${detail}); wait for it to reset or add credits`,
    );
  }
  if (status === 429) {
    return failure(
      `Cannot get a reply from ${model}: rate limited (${detail}); wait a moment and try again`,
      true,
    );
  }
  if (status === 408 || status === 409 || status >= 500) {
    return failure(`Cannot get a reply from ${model}: the server failed (${detail}); try again later`, true);
  }
  return failure(`Cannot get a reply from ${model}: the request was rejected (${detail})`);
}

/** The message for a conversation that no longer fits the model's context window. */
export function overflowMessage(model: string, detail: string): string {
  return `Cannot send the conversation: it is too long for ${model} (${detail}); compact it or start a new one`;
}
