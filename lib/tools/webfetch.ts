/**
 * The `webfetch` tool: reads a URL over HTTP(S) and gives the model its content, with HTML turned into
 * markdown or plain text. Bounded everywhere: at most {@link MAX_REDIRECTS} redirects, at most
 * {@link MAX_DOWNLOAD_BYTES} read from the socket (the rest is dropped with a note), at most 512 KB of
 * prepared HTML converted (likewise), a timeout that covers the conversion too, and the shared output
 * caps of `lib/core/truncate.ts`.
 * @module
 */

import { type Tool, type ToolContext, ToolError, type ToolResult } from "../core/tool.ts";
import { formatSize, MAX_BYTES, truncateHead } from "../core/truncate.ts";
import {
  type CappedBody,
  type Conversion,
  convertPage,
  describeNetError,
  type HtmlFormat,
  htmlToText,
  MAX_CONVERTED_HTML,
  MAX_REDIRECTS,
  MAX_TIMEOUT_SECONDS,
  oneLine,
  readCapped,
  REDIRECT_STATUSES,
  type RequestSignal,
  requestSignal,
  userAgent,
} from "./web/mod.ts";

/** Most bytes read from one response (5 MB); a longer body is cut and the result says so. */
export const MAX_DOWNLOAD_BYTES = 5 * 1024 * 1024;
export { MAX_TIMEOUT_SECONDS };

/** Seconds a fetch may take when the model gives no `timeout`. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
const SAVE_ADVICE = "Save the page with bash (curl -sL URL -o FILE) to read the rest.";

/** The output formats `webfetch` offers for HTML pages. */
export type WebFormat = "markdown" | "text" | "html";

/** Options for {@link createWebfetchTool}; the defaults are the real network and the documented caps. */
export interface WebfetchOptions {
  /** The fetch implementation (default: the global `fetch`). */
  fetch?: typeof fetch;
  /** Most bytes read from one response (default {@link MAX_DOWNLOAD_BYTES}). */
  maxDownloadBytes?: number;
  /** Most redirects followed (default {@link MAX_REDIRECTS}). */
  maxRedirects?: number;
  /** Most characters of prepared HTML converted (default `MAX_CONVERTED_HTML` of `html.ts`, 512 KB). */
  maxConvertedHtml?: number;
}

type Kind = "html" | "text" | "binary" | "unknown";

const TEXT_TYPES = new Set([
  "application/json",
  "application/xml",
  "application/javascript",
  "application/ecmascript",
  "application/x-javascript",
  "application/yaml",
  "application/x-yaml",
  "application/toml",
  "application/x-sh",
  "application/graphql",
  "application/sql",
  "application/x-ndjson",
  "application/x-www-form-urlencoded",
]);

/** The media type without parameters, lower-cased. */
function mediaType(contentType: string): string {
  return contentType.split(";")[0].trim().toLowerCase();
}

function classify(contentType: string): Kind {
  const type = mediaType(contentType);
  if (type === "" || type === "application/octet-stream") return "unknown";
  if (type === "text/html" || type === "application/xhtml+xml") return "html";
  if (type.startsWith("text/") || TEXT_TYPES.has(type) || /\+(json|xml)$/.test(type)) return "text";
  return "binary";
}

/** Looks at the bytes when the server did not say what they are. */
function sniff(bytes: Uint8Array): Kind {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return "binary";
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(head.subarray(0, lastCharBoundary(head)));
  } catch {
    return "binary";
  }
  const start = new TextDecoder().decode(head.subarray(0, 512)).trimStart().toLowerCase();
  return start.startsWith("<!doctype html") || start.startsWith("<html") ? "html" : "text";
}

/** The length of `bytes` without a UTF-8 sequence cut off at the end. */
function lastCharBoundary(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let i = 1; i <= Math.min(4, end); i++) {
    const byte = bytes[end - i];
    if ((byte & 0x80) === 0) return end;
    if ((byte & 0xc0) === 0xc0) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return length > i ? end - i : end;
    }
  }
  return end;
}

function decode(bytes: Uint8Array, contentType: string, kind: Kind): string {
  let charset = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType)?.[1];
  if (!charset && kind === "html") {
    const head = new TextDecoder().decode(bytes.subarray(0, 2048));
    charset = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
  }
  try {
    return new TextDecoder(charset ?? "utf-8").decode(bytes);
  } catch {
    return new TextDecoder().decode(bytes);
  }
}

/** Keeps the head of the output within the shared caps, cutting one enormous line by bytes if need be. */
function bound(text: string): { text: string; note: string } {
  const cut = truncateHead(text);
  if (!cut.truncated) return { text, note: "" };
  const limit = cut.by === "bytes" ? ` (${formatSize(MAX_BYTES)} limit)` : "";
  if (cut.lineTooLong) {
    const bytes = new TextEncoder().encode(text);
    const kept = new TextDecoder().decode(bytes.subarray(0, lastCharBoundary(bytes.subarray(0, MAX_BYTES))));
    return {
      text: kept,
      note: `[Showing the first ${formatSize(MAX_BYTES)} of ${formatSize(cut.totalBytes)} (one long line).` +
        ` ${SAVE_ADVICE}]`,
    };
  }
  return {
    text: cut.text,
    note: `[Showing lines ${cut.firstLine}-${cut.lastLine} of ${cut.totalLines}${limit}. ${SAVE_ADVICE}]`,
  };
}

function parseUrl(value: unknown): URL {
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError("Cannot fetch: `url` is missing; give an absolute http:// or https:// URL");
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new TypeError(`Cannot fetch ${value}: not a valid URL; give an absolute http:// or https:// URL`);
  }
  checkScheme(url, url.href);
  return url;
}

function checkScheme(url: URL, shown: string): void {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ToolError(
      `Cannot fetch ${shown}: only http:// and https:// URLs are supported, not ${url.protocol}//; ` +
        `use the read tool for local files`,
    );
  }
}

function parseFormat(value: unknown): WebFormat {
  if (value === undefined || value === null || value === "") return "markdown";
  if (value === "markdown" || value === "text" || value === "html") return value;
  throw new TypeError(
    `Cannot fetch: format must be "markdown", "text" or "html", not ${JSON.stringify(value)}`,
  );
}

function parseTimeout(value: unknown): number {
  if (value === undefined || value === null || value === "") return DEFAULT_TIMEOUT_SECONDS;
  const seconds = typeof value === "string" ? Number(value) : value;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new TypeError(
      `Cannot fetch: timeout must be a positive number of seconds (at most ${MAX_TIMEOUT_SECONDS}), ` +
        `not ${JSON.stringify(value)}`,
    );
  }
  return Math.min(seconds, MAX_TIMEOUT_SECONDS);
}

function advice(status: number): string {
  if (status === 404 || status === 410) return "check the URL";
  if (status === 401 || status === 403) return "the page needs a login or refuses automated clients";
  if (status === 429) return "the server is rate limiting; wait before retrying";
  if (status >= 500) return "the server failed; retry later or try another source";
  return "check the URL and the request";
}

async function httpError(response: Response, url: URL, max: number): Promise<ToolError> {
  let excerpt = "";
  try {
    const { bytes } = await readCapped(response, Math.min(max, 64 * 1024));
    const type = response.headers.get("content-type") ?? "";
    const kind = classify(type) === "unknown" ? sniff(bytes) : classify(type);
    if (kind === "html") excerpt = await htmlToText(decode(bytes, type, kind));
    else if (kind === "text") excerpt = decode(bytes, type, kind);
  } catch {
    // The status alone still says what went wrong.
  }
  excerpt = oneLine(excerpt);
  if (excerpt.length > 200) excerpt = `${excerpt.slice(0, 200)}…`;
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  return new ToolError(
    `Cannot fetch ${url.href}: ${status}${excerpt ? ` (${excerpt})` : ""}; ${advice(response.status)}`,
    { status: response.status, url: url.href },
  );
}

/**
 * Converts a fetched page, telling the UI first. The conversion runs on a worker that the request's
 * signal stops, so Ctrl-C and the timeout take effect during it as they do during the download.
 */
async function convertBody(
  source: string,
  format: HtmlFormat,
  options: {
    url: URL;
    request: RequestSignal;
    seconds: number;
    ctx: ToolContext;
    maxLength: number;
    bytes: number;
  },
): Promise<Conversion> {
  const { url, request, seconds, ctx } = options;
  const pending = convertPage(source, {
    format,
    baseUrl: url.href,
    maxLength: options.maxLength,
    signal: request.signal,
  });
  ctx.update(`Converting ${formatSize(options.bytes)} of HTML to ${format}…`);
  try {
    return await pending;
  } catch (error) {
    if (request.timedOut()) {
      throw new Error(
        `Cannot fetch ${url.href}: the page was not converted within the ${seconds} s timeout; ` +
          `retry with a larger timeout (at most ${MAX_TIMEOUT_SECONDS}) or with format "html"`,
      );
    }
    if (request.signal.aborted) throw new Error(`Cannot fetch ${url.href}: the request was aborted`);
    const message = oneLine(error instanceof Error ? error.message : String(error)).replace(
      /^Cannot [^:]*: /,
      "",
    );
    throw new ToolError(
      `Cannot convert ${url.href} to ${format}: ${message}; fetch it with format "html" instead`,
    );
  }
}

/**
 * Creates the `webfetch` tool. Tests pass a smaller download cap or redirect bound; the real tool is
 * {@link webfetchTool}.
 */
export function createWebfetchTool(options: WebfetchOptions = {}): Tool {
  const fetchImpl = options.fetch ?? fetch;
  const maxDownload = options.maxDownloadBytes ?? MAX_DOWNLOAD_BYTES;
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  const maxConverted = options.maxConvertedHtml ?? MAX_CONVERTED_HTML;

  async function execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult> {
    const start = parseUrl(args.url);
    const format = parseFormat(args.format);
    const seconds = parseTimeout(args.timeout);
    const request = requestSignal(ctx.signal, seconds);
    const accept = format === "html"
      ? "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
      : "text/html,application/xhtml+xml;q=0.9,text/markdown;q=0.9,text/plain;q=0.8,*/*;q=0.5";

    let url = start;
    const seen = [url.href];
    let response: Response;
    while (true) {
      try {
        response = await fetchImpl(url, {
          redirect: "manual",
          signal: request.signal,
          headers: { "user-agent": userAgent(ctx.env), accept },
        });
      } catch (error) {
        throw describeNetError(error, { action: `fetch ${url.href}`, url, request, seconds });
      }
      if (!REDIRECT_STATUSES.has(response.status)) break;
      const location = response.headers.get("location");
      await response.body?.cancel().catch(() => {});
      if (!location) {
        throw new ToolError(
          `Cannot fetch ${url.href}: HTTP ${response.status} redirect without a Location header; try another URL`,
          { status: response.status },
        );
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new ToolError(
          `Cannot fetch ${url.href}: it redirects to an invalid URL (${oneLine(location)}); try another URL`,
        );
      }
      checkScheme(next, `${start.href} (redirected to ${next.href})`);
      if (seen.includes(next.href)) {
        const loop = [...seen.slice(seen.indexOf(next.href)), next.href].join(" -> ");
        throw new ToolError(`Cannot fetch ${start.href}: redirect loop (${loop}); try another URL`, {
          redirects: seen,
        });
      }
      if (seen.length > maxRedirects) {
        throw new ToolError(
          `Cannot fetch ${start.href}: more than ${maxRedirects} redirects (last: ${next.href}); ` +
            `fetch the final URL directly`,
          { redirects: seen },
        );
      }
      seen.push(next.href);
      url = next;
    }

    if (!response.ok) {
      throw await httpError(response, url, maxDownload);
    }

    const contentType = response.headers.get("content-type") ?? "";
    const declared = Number(response.headers.get("content-length") ?? "NaN");
    let kind = classify(contentType);
    const details: Record<string, unknown> = {
      url: url.href,
      status: response.status,
      contentType: mediaType(contentType) || null,
      format,
      redirects: seen.length - 1,
    };

    if (kind === "binary") {
      await response.body?.cancel().catch(() => {});
      return describeBinary(
        url,
        contentType,
        Number.isFinite(declared) ? formatSize(declared) : "size unknown",
        details,
      );
    }

    let body: CappedBody;
    try {
      body = await readCapped(response, maxDownload);
    } catch (error) {
      throw describeNetError(error, { action: `fetch ${url.href}`, url, request, seconds });
    }
    if (kind === "unknown") kind = sniff(body.bytes);
    if (kind === "binary") {
      const size = Number.isFinite(declared)
        ? formatSize(declared)
        : `${body.truncated ? "over " : ""}${formatSize(body.bytes.length)}`;
      return describeBinary(url, contentType || "unknown type", size, details);
    }

    const source = decode(body.bytes, contentType, kind);
    let text = source;
    let cut: Conversion["cut"];
    if (kind === "html" && format !== "html") {
      const bytes = body.bytes.length;
      ({ text, cut } = await convertBody(source, format, {
        url,
        request,
        seconds,
        ctx,
        maxLength: maxConverted,
        bytes,
      }));
    }
    if (text.trim() === "") text = "(the page has no text content)";

    const bounded = bound(text);
    let output = bounded.text;
    const notes: string[] = [];
    if (body.truncated) {
      notes.push(`[Download stopped at ${formatSize(maxDownload)}; the rest of the response was not read.]`);
    }
    if (cut) {
      notes.push(
        `[Only the first ${formatSize(cut.convertedBytes)} of the page's ${
          formatSize(cut.totalBytes)
        } of HTML ` +
          `was converted; the rest was cut.${bounded.note ? "" : ` ${SAVE_ADVICE}`}]`,
      );
    }
    if (bounded.note) notes.push(bounded.note);
    if (notes.length) output += `\n\n${notes.join("\n")}`;
    if (seen.length > 1) output = `[Redirected to ${url.href}]\n\n${output}`;
    details.bytes = body.bytes.length;
    details.downloadTruncated = body.truncated;
    details.outputTruncated = bounded.note !== "";
    details.htmlCut = cut !== undefined;
    return { content: [{ type: "text", text: output }], details };
  }

  return {
    name: "webfetch",
    description:
      "Fetch a URL over http(s) and return its content. HTML pages come back as markdown (default), plain " +
      'text (format "text") or the raw HTML (format "html"); other text types (JSON, plain text, …) as they ' +
      "are; binary files only as a short description. Follows up to 10 redirects, reads at most 5 MB, " +
      "converts at most the first 512KB of a page's markup and times out after `timeout` seconds " +
      "(default 30, max 120). Output is cut at 2000 lines or 50KB.",
    parameters: {
      type: "object",
      properties: {
        url: { type: "string", description: "The http:// or https:// URL to fetch." },
        format: {
          type: "string",
          enum: ["markdown", "text", "html"],
          description: 'How to return an HTML page: "markdown" (default), "text" or "html".',
        },
        timeout: {
          type: "number",
          description:
            `Seconds to wait for the whole response (default ${DEFAULT_TIMEOUT_SECONDS}, max ${MAX_TIMEOUT_SECONDS}).`,
        },
      },
      required: ["url"],
      additionalProperties: false,
    },
    permissions: ["net"],
    readOnly: true,
    execute,
  };
}

function describeBinary(
  url: URL,
  contentType: string,
  size: string,
  details: Record<string, unknown>,
): ToolResult {
  const text =
    `Binary content at ${url.href}: ${mediaType(contentType) || contentType}, ${size} (not shown). ` +
    `This tool returns text only; download the file with bash (curl -sL URL -o FILE) to work with it.`;
  return { content: [{ type: "text", text }], details: { ...details, binary: true } };
}

/** The `webfetch` tool with the real network and the documented limits. */
export const webfetchTool: Tool = createWebfetchTool();
