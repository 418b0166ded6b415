/**
 * Fixtures for the web tool tests: a real HTTP server on 127.0.0.1 scripted per test, pages shaped like
 * DuckDuckGo's HTML results, and a tool context.
 * @module
 */

import type { ToolContext, ToolResult } from "../../lib/core/tool.ts";

/** A server a test started; dispose it (or call `close`) to stop it. */
export interface TestServer extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` without a trailing slash. */
  origin: string;
  /** `127.0.0.1:PORT`. */
  host: string;
  /** Every request the server received, in order. */
  requests: { method: string; url: URL; headers: Headers; body: string }[];
  close(): Promise<void>;
}

/**
 * Answers one request; `url` is the parsed request URL and `closing` settles when the test closes the
 * server, so a handler can hold a request open until then.
 */
export type Handler = (request: Request, url: URL, closing: Promise<void>) => Response | Promise<Response>;

/** Starts a server on 127.0.0.1 with a free port. */
export function startServer(handler: Handler): TestServer {
  const requests: TestServer["requests"] = [];
  const { promise: closing, resolve: release } = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    const body = request.body ? await request.text() : "";
    requests.push({ method: request.method, url, headers: request.headers, body });
    return handler(request, url, closing);
  });
  const host = `127.0.0.1:${server.addr.port}`;
  const close = () => {
    release();
    return server.shutdown();
  };
  return { origin: `http://${host}`, host, requests, close, [Symbol.asyncDispose]: close };
}

/** A context for calling a tool directly. */
export function toolContext(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { cwd: Deno.cwd(), signal, update() {} };
}

/** The text the model would read from a result. */
export function resultText(result: ToolResult): string {
  return result.content.map((part) => part.type === "text" ? part.text : "").join("\n");
}

/** Runs `action`, expecting it to throw, and returns what it threw. */
export async function rejection(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`Expected an Error to be thrown, got ${String(error)}`);
  }
  throw new Error("Expected the call to throw, but it returned");
}

/** A response that sends headers and `firstChunk`, then nothing more until the server closes. */
export function stalledResponse(closing: Promise<void>, options: { firstChunk?: string } = {}): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (options.firstChunk) controller.enqueue(new TextEncoder().encode(options.firstChunk));
      closing.then(() => {
        try {
          controller.close();
        } catch {
          // The server already cancelled the stream when the client left.
        }
      });
    },
  });
  return new Response(body, { headers: { "content-type": "text/html" } });
}

/** Holds a request without answering until the server closes (long after the client gave up). */
export async function noAnswer(closing: Promise<void>): Promise<Response> {
  await closing;
  return new Response("too late");
}

/** One organic result on a DuckDuckGo-shaped page. */
export interface DdgResult {
  title: string;
  url: string;
  snippet: string;
}

/** A page laid out like DuckDuckGo's HTML results, with its redirect links and, optionally, an ad first. */
export function ddgResultsPage(results: DdgResult[], options: { ad?: boolean } = {}): string {
  const ad = options.ad
    ? `<div class="result results_links results_links_deep result--ad ">
  <div class="links_main links_deep result__body">
    <h2 class="result__title"><a rel="nofollow" class="result__a"
      href="https://duckduckgo.com/y.js?ad_domain=ads.example&amp;ad_provider=bingv7aa&amp;u3=x">Buy things now</a></h2>
    <a class="result__snippet" href="https://duckduckgo.com/y.js?ad_domain=ads.example">Sponsored snippet</a>
  </div>
</div>`
    : "";
  const organic = results.map((r) => {
    const link = `//duckduckgo.com/l/?uddg=${encodeURIComponent(r.url)}&amp;rut=0123abcd`;
    return `<div class="result results_links results_links_deep web-result ">
  <div class="links_main links_deep result__body">
    <h2 class="result__title">
      <a rel="nofollow" class="result__a" href="${link}">${r.title}</a>
    </h2>
    <div class="result__extras"><div class="result__extras__url">
      <a class="result__url" href="${link}">${new URL(r.url).host}</a>
    </div></div>
    <a class="result__snippet" href="${link}">${r.snippet}</a>
    <div class="clear"></div>
  </div>
</div>`;
  }).join("\n");
  return ddgShell(`${ad}\n${organic}`);
}

/** DuckDuckGo's page for a query with no results. */
export function ddgNoResultsPage(): string {
  return ddgShell(`<div class="result results_links results_links_deep result--no-result">
  <div class="no-results">No  results.</div>
</div>`);
}

function ddgShell(inner: string): string {
  return `<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><title>query at DuckDuckGo</title>
<script>window.x = 1;</script></head>
<body class="body--html">
<div class="header"><form action="/html/" method="post"><input name="q" type="text"></form></div>
<div id="links" class="results">
${inner}
</div>
</body></html>`;
}

/** A page holding one table of `rows` rows under a header row: `| r{i} | v{i} | x |`. */
export function tablePage(rows: number): string {
  const body = Array.from({ length: rows }, (_, i) => `<tr><td>r${i}</td><td>v${i}</td><td>x</td></tr>`);
  return `<html><body><table><thead><tr><th>a</th><th>b</th><th>c</th></tr></thead><tbody>${
    body.join("\n")
  }</tbody></table></body></html>`;
}

/** A page of `count` paragraphs, `<p>Paragraph {i} text.</p>`. */
export function paragraphsPage(count: number): string {
  return Array.from({ length: count }, (_, i) => `<p>Paragraph ${i} text.</p>`).join("\n");
}

/** About `bytes` of small blocks in the markup of a modern page: classes, spans and links. */
export function blocksPage(bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const block = `<div class="card flex items-center"><span class="label">item ${i}</span> ` +
      `<a class="link" href="/x/${i}">link</a></div>\n`;
    parts.push(block);
    size += block.length;
  }
  return parts.join("");
}

/** `text` inside `depth` nested `div`s. */
export function deepPage(depth: number, text: string): string {
  return `${"<div>".repeat(depth)}${text}${"</div>".repeat(depth)}`;
}
