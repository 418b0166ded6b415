/**
 * The `websearch` tool: a numbered list of title, URL and snippet for a query. Uses Exa's search API
 * when `EXA_API_KEY` is set, and DuckDuckGo's HTML page otherwise. Both base URLs can be moved
 * (`NANOCODE_EXA_URL`, `NANOCODE_DDG_URL`) for proxies and tests. A search that finds nothing, a
 * blocked or changed page, or a failed request is an error, never an empty success.
 * @module
 */

import { type Tool, type ToolContext, ToolError, type ToolResult } from "../core/tool.ts";
import { truncateHead } from "../core/truncate.ts";
import {
  describeNetError,
  inlineText,
  MAX_REDIRECTS,
  oneLine,
  parseHtml,
  readCapped,
  REDIRECT_STATUSES,
  type RequestSignal,
  requestSignal,
  userAgent,
} from "./web/mod.ts";

/** Results returned when the model does not say how many. */
export const DEFAULT_RESULTS = 5;
/** Most results one search returns. */
export const MAX_RESULTS = 20;
/** Seconds a search request may take. */
export const SEARCH_TIMEOUT_SECONDS = 30;
/** Exa's API base, unless `NANOCODE_EXA_URL` says otherwise. */
export const DEFAULT_EXA_URL = "https://api.exa.ai";
/** DuckDuckGo's HTML search endpoint, unless `NANOCODE_DDG_URL` says otherwise. */
export const DEFAULT_DDG_URL = "https://html.duckduckgo.com/html/";

/** Characters of page text asked of Exa per result. */
const EXA_TEXT_CHARS = 1000;
/** Most bytes read from a search response. */
const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

/** One search hit as the model sees it. */
export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
  /** Publication date when the back-end knows it (Exa). */
  published?: string;
}

/** Options for {@link createWebsearchTool}; the defaults read the real environment and network. */
export interface WebsearchOptions {
  /** Reads an environment variable (default: the run's, from the tool context). */
  env?: (name: string) => string | undefined;
  /** The fetch implementation (default: the global `fetch`). */
  fetch?: typeof fetch;
}

function parseQuery(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError("Cannot search the web: `query` is missing; give the words to search for");
  }
  return value.trim();
}

function parseCount(value: unknown): number {
  if (value === undefined || value === null || value === "") return DEFAULT_RESULTS;
  const count = typeof value === "string" ? Number(value) : value;
  if (typeof count !== "number" || !Number.isFinite(count)) {
    throw new TypeError(
      `Cannot search the web: numResults must be a number from 1 to ${MAX_RESULTS}, not ${
        JSON.stringify(value)
      }`,
    );
  }
  return Math.min(MAX_RESULTS, Math.max(1, Math.round(count)));
}

function baseUrl(value: string, variable: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new ToolError(`Cannot search the web: ${variable}=${value} is not a valid URL; fix or unset it`);
  }
}

/** Formats results as the numbered list the model reads. */
function formatResults(query: string, engine: string, results: SearchResult[]): string {
  const lines = [`Results for "${query}" (${engine}):`];
  results.forEach((result, i) => {
    const date = result.published ? ` (${result.published.slice(0, 10)})` : "";
    lines.push("", `${i + 1}. ${result.title || "(untitled)"}${date}`, `   ${result.url}`);
    if (result.snippet) lines.push(`   ${result.snippet}`);
  });
  const cut = truncateHead(lines.join("\n"));
  return cut.truncated
    ? `${cut.text}\n\n[Results cut at ${cut.lastLine} lines; ask for fewer results.]`
    : cut.text;
}

/** The server's own error message from a JSON body, else a short excerpt of the body. */
function errorExcerpt(body: string): string {
  let message = body;
  try {
    const json = JSON.parse(body);
    const found = typeof json?.error === "string"
      ? json.error
      : json?.error?.message ?? json?.message ?? json?.detail;
    if (typeof found === "string") message = found;
  } catch {
    // Not JSON: the raw text will do.
  }
  message = oneLine(message.replace(/<[^>]*>/g, " "));
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

interface Backend {
  request: RequestSignal;
  fetch: typeof fetch;
  /** The User-Agent header of every request. */
  userAgent: string;
}

/** A response and the URL that gave it, after any redirects. */
interface Sent {
  response: Response;
  url: URL;
}

/**
 * Sends a request and follows its redirects one at a time, so that a failure (a host a narrowed
 * `--allow-net` leaves out, above all) names the host that was being asked, not the first one.
 * As with `fetch`, a 303, or a 301 or 302 answering a POST, turns the request into a GET without a
 * body; unlike it, the Exa key is not sent on to another origin.
 */
async function send(url: URL, init: RequestInit, action: string, backend: Backend): Promise<Sent> {
  let current = url;
  let request = init;
  for (let redirects = 0;; redirects++) {
    let response: Response;
    try {
      response = await backend.fetch(current, {
        ...request,
        redirect: "manual",
        signal: backend.request.signal,
      });
    } catch (error) {
      throw describeNetError(error, {
        action,
        url: current,
        request: backend.request,
        seconds: SEARCH_TIMEOUT_SECONDS,
      });
    }
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
    if (location === null) return { response, url: current };
    await response.body?.cancel().catch(() => {});
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new ToolError(
        `Cannot ${action}: ${current.href} redirects to an invalid URL (${oneLine(location)})`,
      );
    }
    if (next.protocol !== "http:" && next.protocol !== "https:") {
      throw new ToolError(
        `Cannot ${action}: ${current.href} redirects to ${next.href}, which is not http(s)`,
      );
    }
    if (redirects >= MAX_REDIRECTS) {
      throw new ToolError(`Cannot ${action}: more than ${MAX_REDIRECTS} redirects (last: ${next.href})`);
    }
    const headers = new Headers(request.headers);
    // The API key is for the host it was configured for, never for one a redirect names.
    if (next.origin !== current.origin) headers.delete("x-api-key");
    request = { ...request, headers };
    const method = (request.method ?? "GET").toUpperCase();
    if (
      response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")
    ) {
      headers.delete("content-type");
      request = { ...request, method: "GET", body: undefined };
    }
    current = next;
  }
}

async function readText(response: Response, url: URL, action: string, backend: Backend): Promise<string> {
  try {
    const { bytes } = await readCapped(response, MAX_RESPONSE_BYTES);
    return new TextDecoder().decode(bytes);
  } catch (error) {
    throw describeNetError(error, { action, url, request: backend.request, seconds: SEARCH_TIMEOUT_SECONDS });
  }
}

async function searchExa(
  query: string,
  count: number,
  options: { key: string; base: URL; backend: Backend },
): Promise<SearchResult[]> {
  const { key, base, backend } = options;
  const url = new URL("search", base.href.endsWith("/") ? base : `${base.href}/`);
  const action = "search the web with Exa";
  const { response, url: answered } = await send(
    url,
    {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json", "user-agent": backend.userAgent },
      body: JSON.stringify({
        query,
        type: "auto",
        numResults: count,
        contents: { text: { maxCharacters: EXA_TEXT_CHARS } },
      }),
    },
    action,
    backend,
  );
  const body = await readText(response, answered, action, backend);
  if (!response.ok) {
    const hint = response.status === 401 || response.status === 403
      ? "check EXA_API_KEY, or unset it to search with DuckDuckGo"
      : response.status === 429
      ? "Exa is rate limiting; wait before retrying"
      : "retry later, or unset EXA_API_KEY to search with DuckDuckGo";
    const excerpt = errorExcerpt(body);
    throw new ToolError(
      `Cannot ${action}: HTTP ${response.status}${excerpt ? ` (${excerpt})` : ""}; ${hint}`,
      { status: response.status },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ToolError(
      `Cannot ${action}: the answer from ${answered.host} is not JSON; check NANOCODE_EXA_URL or retry later`,
    );
  }
  const list = (json as { results?: unknown })?.results;
  if (!Array.isArray(list)) {
    throw new ToolError(`Cannot ${action}: the answer has no "results" list; check NANOCODE_EXA_URL`);
  }
  const results: SearchResult[] = [];
  for (const item of list) {
    if (typeof item?.url !== "string") continue;
    results.push({
      title: typeof item.title === "string" ? oneLine(item.title) : "",
      url: item.url,
      snippet: typeof item.text === "string" ? oneLine(item.text) : "",
      published: typeof item.publishedDate === "string" ? item.publishedDate : undefined,
    });
  }
  return results.slice(0, count);
}

/** Where a DuckDuckGo result link really points, or null for an ad. */
function unwrapLink(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href, "https://duckduckgo.com/");
  } catch {
    return null;
  }
  if (url.hostname.endsWith("duckduckgo.com")) {
    if (url.pathname === "/y.js" || url.searchParams.has("ad_domain")) return null;
    if (url.pathname === "/l/") return url.searchParams.get("uddg");
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
}

type DdgPage = { kind: "results"; results: SearchResult[] } | { kind: "none" } | { kind: "unknown" };

async function parseDuckDuckGo(html: string): Promise<DdgPage> {
  const root = await parseHtml(html);
  const results: SearchResult[] = [];
  let ads = 0;
  const blocks = root.querySelectorAll("div.result");
  for (const block of blocks) {
    const link = block.querySelector("a.result__a");
    if (!link) continue;
    const target = unwrapLink(link.getAttribute("href") ?? "");
    if (block.classList.contains("result--ad") || target === null) {
      ads++;
      continue;
    }
    if (results.some((r) => r.url === target)) continue;
    const snippet = block.querySelector(".result__snippet");
    results.push({ title: inlineText(link), url: target, snippet: snippet ? inlineText(snippet) : "" });
  }
  if (results.length) return { kind: "results", results };
  const noResults = root.querySelector(".no-results") !== null || /No\s+results\./.test(html);
  return noResults || ads > 0 ? { kind: "none" } : { kind: "unknown" };
}

async function searchDuckDuckGo(
  query: string,
  count: number,
  options: { base: URL; backend: Backend },
): Promise<SearchResult[]> {
  const { base, backend } = options;
  const action = "search the web with DuckDuckGo";
  const { response, url: answered } = await send(
    base,
    {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "user-agent": backend.userAgent,
        accept: "text/html",
      },
      body: new URLSearchParams({ q: query }).toString(),
    },
    action,
    backend,
  );
  const body = await readText(response, answered, action, backend);
  const other = "or set EXA_API_KEY to search with Exa";
  if (response.status === 202 || /anomaly-modal|bots use DuckDuckGo/i.test(body)) {
    throw new ToolError(
      `Cannot ${action}: DuckDuckGo answered with a challenge page (HTTP ${response.status}), ` +
        `which means it is rate limiting this client; wait a minute and retry, ${other}`,
      { status: response.status },
    );
  }
  if (!response.ok) {
    const excerpt = errorExcerpt(body);
    throw new ToolError(
      `Cannot ${action}: HTTP ${response.status}${excerpt ? ` (${excerpt})` : ""}; retry later, ${other}`,
      { status: response.status },
    );
  }
  const page = await parseDuckDuckGo(body);
  if (page.kind === "none") return [];
  if (page.kind === "unknown") {
    throw new ToolError(
      `Cannot ${action}: the page held no results in the expected layout ` +
        `(DuckDuckGo may have changed it or blocked the request); retry later, ${other}`,
    );
  }
  return page.results.slice(0, count);
}

/** Creates the `websearch` tool. Tests pass their own environment and so their own back-end URLs. */
export function createWebsearchTool(options: WebsearchOptions = {}): Tool {
  const fetchImpl = options.fetch ?? fetch;

  async function execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult> {
    const env = options.env ?? ctx.env ?? (() => undefined);
    const query = parseQuery(args.query);
    const count = parseCount(args.numResults);
    const backend: Backend = {
      request: requestSignal(ctx.signal, SEARCH_TIMEOUT_SECONDS),
      fetch: fetchImpl,
      userAgent: userAgent(env),
    };
    const key = env("EXA_API_KEY")?.trim();
    const engine = key ? "Exa" : "DuckDuckGo";
    const results = key
      ? await searchExa(query, count, {
        key,
        base: baseUrl(env("NANOCODE_EXA_URL") || DEFAULT_EXA_URL, "NANOCODE_EXA_URL"),
        backend,
      })
      : await searchDuckDuckGo(query, count, {
        base: baseUrl(env("NANOCODE_DDG_URL") || DEFAULT_DDG_URL, "NANOCODE_DDG_URL"),
        backend,
      });
    if (results.length === 0) {
      throw new ToolError(
        `Cannot search the web: ${engine} found no results for "${query}"; try fewer or different words`,
        { engine },
      );
    }
    return {
      content: [{ type: "text", text: formatResults(query, engine, results) }],
      details: { engine, query, count: results.length },
    };
  }

  return {
    name: "websearch",
    description: "Search the web and get a numbered list of results (title, URL, snippet). Uses Exa when " +
      "EXA_API_KEY is set, DuckDuckGo otherwise. Read a result with webfetch.",
    parameters: {
      type: "object",
      properties: {
        query: { type: "string", description: "What to search for." },
        numResults: {
          type: "number",
          description: `How many results to return (default ${DEFAULT_RESULTS}, max ${MAX_RESULTS}).`,
        },
      },
      required: ["query"],
      additionalProperties: false,
    },
    permissions: ["net"],
    readOnly: true,
    execute,
  };
}

/** The `websearch` tool reading the real environment. */
export const websearchTool: Tool = createWebsearchTool();
