/**
 * What the web tools share about HTTP: the User-Agent, redirect and timeout limits, a request signal
 * that tells a timeout from an abort, one-line network errors that name a host `--allow-net` leaves
 * out, and a body reader that stops at a byte cap.
 * @module
 */

import { VERSION } from "../../core/version.ts";

/** Largest `timeout` honoured, in seconds; larger values are lowered to it. */
export const MAX_TIMEOUT_SECONDS = 120;
/** Most redirects followed for one fetch. */
export const MAX_REDIRECTS = 10;
/** The User-Agent the web tools send unless `NANOCODE_USER_AGENT` replaces it. */
export const USER_AGENT = `nanocode/${VERSION}`;

/**
 * The User-Agent for a run's environment: `NANOCODE_USER_AGENT` when set and not blank (the same
 * value the model requests carry), else {@link USER_AGENT}.
 * @example
 * ```ts
 * const headers = { "user-agent": userAgent(ctx.env) };
 * ```
 */
export function userAgent(env?: (name: string) => string | undefined): string {
  return env?.("NANOCODE_USER_AGENT")?.trim() || USER_AGENT;
}

/** The HTTP statuses that redirect to their `Location`. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** A signal for one request: the run's signal combined with a timeout, and a way to tell them apart. */
export interface RequestSignal {
  signal: AbortSignal;
  /** True once the timeout (not the caller) has fired. */
  timedOut(): boolean;
}

/** Combines the caller's signal with a timeout of `seconds`. */
export function requestSignal(signal: AbortSignal, seconds: number): RequestSignal {
  const timeout = AbortSignal.timeout(Math.round(seconds * 1000));
  return { signal: AbortSignal.any([signal, timeout]), timedOut: () => timeout.aborted };
}

/**
 * Turns a failed request into one line for the model. A host that a narrowed `--allow-net` leaves out
 * is named together with the flag that would allow it; a host that cannot be found, a refused
 * connection and an unreachable network are each named as such, with advice that fits who chose the
 * address (the model, for webfetch; the tool, for websearch's service).
 * @example
 * ```ts
 * describeNetError(new Deno.errors.NotCapable("…"), { action: "fetch https://a.dev/", url: new URL("https://a.dev/") });
 * // Error: Cannot fetch https://a.dev/: nanocode was started without network access to a.dev; …
 * ```
 */
export function describeNetError(
  error: unknown,
  options: { action: string; url: URL; request?: RequestSignal; seconds?: number },
): Error {
  const { action, url, request } = options;
  if (error instanceof Deno.errors.NotCapable) {
    return new Error(
      `Cannot ${action}: nanocode was started without network access to ${url.host}; ` +
        `restart it with --allow-net=${url.host} (or add ${url.host} to the existing --allow-net list)`,
    );
  }
  if (request?.timedOut()) {
    return new Error(
      `Cannot ${action}: no complete response within ${options.seconds ?? "the"} s; ` +
        `retry with a larger timeout (at most ${MAX_TIMEOUT_SECONDS}) or try another URL`,
    );
  }
  if (request?.signal.aborted) return new Error(`Cannot ${action}: the request was aborted`);
  const message = causeChain(error);
  // Whether the model named this address (webfetch) or the tool chose it (websearch's service).
  const given = action.includes(url.href);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  if (
    /dns error|failed to lookup address|name or service not known|nodename nor servname|no address associated/i
      .test(message)
  ) {
    return new Error(
      `Cannot ${action}: the host ${url.hostname} could not be found (its DNS lookup failed); ` +
        (given
          ? "check the host name in the URL, and that this machine is online"
          : "this machine looks offline or cannot resolve names; check its network connection and retry"),
    );
  }
  if (/connection refused|os error 111\b/i.test(message)) {
    return new Error(
      `Cannot ${action}: ${url.host} refused the connection (nothing is listening on port ${port}); ` +
        (given ? "check the URL's host and port, or whether the server is running" : "retry later"),
    );
  }
  if (/network is unreachable|no route to host|os error 10[13]\b|os error 113\b/i.test(message)) {
    return new Error(
      `Cannot ${action}: the network is unreachable from this machine (no route to ${url.hostname}); check its network connection and retry`,
    );
  }
  if (/certificate/i.test(message)) {
    return new Error(
      `Cannot ${action}: the TLS certificate of ${url.hostname} was not accepted (${oneLine(message)}); ` +
        "the connection is not safe to use, so nothing was read",
    );
  }
  return new Error(
    `Cannot ${action}: ${oneLine(message)}; ` +
      (given ? "check the URL and that the host is reachable" : "check the network connection and retry"),
  );
}

/**
 * The messages of an error and its causes, joined: Deno's fetch throws "fetch failed" and keeps the
 * reason (a DNS failure, a refused connection) in `cause`.
 */
function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && e !== null && parts.length < 5; e = (e as Error).cause) {
    const text = e instanceof Error ? e.message : String(e);
    if (text !== "" && !parts.includes(text)) parts.push(text);
    if (!(e instanceof Error)) break;
  }
  // "fetch failed" says nothing its cause does not; keep the cause alone when there is one.
  if (parts.length > 1 && /^fetch failed$/i.test(parts[0])) parts.shift();
  return parts.join(": ") || "the request failed";
}

/** Collapses whitespace so a message stays on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** What was read from a body: at most the cap, and whether more was left unread. */
export interface CappedBody {
  bytes: Uint8Array;
  truncated: boolean;
}

/** Reads a response body up to `max` bytes, then cancels the rest of the download. */
export async function readCapped(response: Response, max: number): Promise<CappedBody> {
  if (!response.body) return { bytes: new Uint8Array(), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (total > max) {
        truncated = true;
        await reader.cancel().catch(() => {});
        break;
      }
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(Math.min(total, max));
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= bytes.length) break;
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
  }
  return { bytes, truncated };
}
