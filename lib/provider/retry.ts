/**
 * When to send a failed request again and how long to wait first: exponential backoff with jitter
 * (`min(0.5·2ⁿ, 8)` seconds, the policy of the official OpenAI SDKs) unless the server says how long
 * in `retry-after-ms` or `retry-after` (seconds or an HTTP date).
 * @module
 */

/** Longest wait nanocode accepts from a server before giving up instead. */
export const MAX_RETRY_WAIT_MS = 60_000;

/** True for statuses worth sending again: 408, 409, 429 and every 5xx (529 "overloaded" included). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * The backoff before retry number `attempt` (0 for the first retry), in milliseconds: half a second
 * doubling up to eight, plus up to a quarter more at random so that clients spread out.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(500 * 2 ** attempt, 8000);
  return Math.round(base * (1 + 0.25 * random()));
}

/**
 * The wait a response asks for, in milliseconds, from `retry-after-ms`, `retry-after`, or else the
 * `x-ratelimit-reset-*` headers; undefined when none is present or readable.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const after = headers.get("retry-after");
  if (after === null || after.trim() === "") return rateLimitResetMs(headers);
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const date = Date.parse(after);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The longest of the `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens` waits (`6s`, `1m30s`,
 * `250ms` or bare seconds), which OpenAI-style endpoints send instead of `retry-after`.
 */
function rateLimitResetMs(headers: Headers): number | undefined {
  let longest: number | undefined;
  for (const name of ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"]) {
    const value = headers.get(name)?.trim();
    if (!value) continue;
    const ms = durationMs(value);
    if (ms !== undefined) longest = Math.max(longest ?? 0, ms);
  }
  return longest;
}

function durationMs(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let rest = text;
  while (rest !== "") {
    const match = rest.match(/^(\d+(?:\.\d+)?)(ms|h|m|s)/);
    if (!match) return undefined;
    total += Number(match[1]) * units[match[2]];
    rest = rest.slice(match[0].length);
  }
  return Math.round(total);
}

/** Formats a wait for a person: `45s`, `3m 20s`, `2h 5m`. */
export function formatWait(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes}m ${seconds % 60}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
}

/**
 * Waits `ms` milliseconds; rejects with the signal's reason as soon as it aborts, clearing the timer.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** An idle limit as a message says it: `120 s`, or `200 ms` below a second. */
export function formatIdle(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
