/**
 * A scripted OpenAI-compatible LLM server on 127.0.0.1 for tests, the demo and the benchmark. Each
 * chat-completions request consumes the next scripted turn, streamed the way real endpoints stream
 * (role chunk, reasoning, text in pieces, tool calls as id+name then argument fragments, finish
 * reason, usage-only chunk, `[DONE]`), or answered with a raw SSE body, an error status, a slow,
 * cut or hanging stream, or a non-streamed completion.
 *
 * Run as a program: `deno run -A tests/support/mock_llm.ts --script turns.json [--port N]` prints
 * `MOCK_URL=<url>` as its first line and serves until killed. The script is a JSON array of turns, or
 * an object `{turns, models?, apiKey?}`.
 * @module
 */

/** A tool call the mock streams. Object arguments are sent as their JSON text. */
export interface MockToolCall {
  id?: string;
  name: string;
  arguments: string | Record<string, unknown>;
}

/** One scripted answer. With none of `raw`, `status` or `json`, the turn is streamed as SSE. */
export interface MockTurn {
  /** Streamed in a few chunks. */
  text?: string;
  /** Streamed before the text. */
  reasoning?: string;
  /** The delta field the reasoning arrives in (default `reasoning_content`). */
  reasoningField?: "reasoning_content" | "reasoning" | "reasoning_details";
  /** Streamed as OpenAI tool-call deltas: id and name first, then the arguments in fragments. */
  toolCalls?: MockToolCall[];
  /** Usage of the last chunk (default: a rough estimate from the request and the answer). */
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens?: number };
  /** Default `tool_calls` when there are tool calls, else `stop`. */
  finishReason?: string;
  /** Send this exact SSE body instead (`text/event-stream`). */
  raw?: string;
  /** Respond with this status and `body` (JSON or text) instead of a stream. */
  status?: number;
  body?: string | Record<string, unknown>;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Delay between chunks (a slow stream). */
  chunkDelayMs?: number;
  /** Close the connection abruptly after this many chunks. */
  cutAfterChunks?: number;
  /** Stop sending after this many chunks and keep the connection open until the client aborts. */
  hangAfterChunks?: number;
  /** Answer with a non-streamed `chat.completion` object even if streaming was requested. */
  json?: boolean;
  /**
   * Reserves the turn for requests whose first user message contains this text (a child agent's
   * task, say): such a request takes the first pending turn it matches, any other request the first
   * turn without `match`. Lets several agents share one mock in any order.
   */
  match?: string;
}

/** A chat-completions request as the mock received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Header names are lowercase. */
  headers: Record<string, string>;
  /** The parsed JSON body (the raw text when it was not JSON). */
  // deno-lint-ignore no-explicit-any
  body: any;
  /** Arrival time in milliseconds since the epoch, with a fraction. */
  receivedAt: number;
}

/** The names of the tools a request offered. */
export function toolNamesOf(request: RecordedRequest): string[] {
  return (request.body.tools ?? []).map((t: { function: { name: string } }) => t.function.name);
}

/** A request's system prompt (its first message). */
export function systemPromptOf(request: RecordedRequest): string {
  return request.body.messages[0].content as string;
}

/** The contents of a request's tool results, in order. */
export function toolResultsOf(request: RecordedRequest): string[] {
  return request.body.messages
    .filter((m: { role: string }) => m.role === "tool")
    .map((m: { content: string }) => m.content);
}

/** A running mock server. */
export interface MockLlm {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:PORT/v1`. */
  url: string;
  /** Chat-completions requests, in arrival order. */
  requests: RecordedRequest[];
  /** Appends turns to the script. */
  push(...turns: MockTurn[]): void;
  /** Resolves with the first `n` requests once they have arrived (default timeout 5 s). */
  waitForRequests(n: number, options?: { timeoutMs?: number }): Promise<RecordedRequest[]>;
  /** Ends open streams and stops the server. */
  close(): Promise<void>;
}

/** Options of {@link startMockLlm}. */
export interface MockLlmOptions {
  /** The script, consumed one turn per chat request. */
  turns?: MockTurn[];
  /** Ids that `GET /v1/models` lists (default `["mock-model"]`). */
  models?: string[];
  /** When set, every request without `Authorization: Bearer <apiKey>` gets a 401. */
  apiKey?: string;
  /** Port to listen on (default: any free port). */
  port?: number;
}

const encoder = new TextEncoder();

/**
 * Starts a mock server on 127.0.0.1.
 *
 * @example
 * ```ts
 * const llm = await startMockLlm({ turns: [{ text: "hello" }] });
 * const provider = createOpenAIProvider({ baseUrl: llm.url, sessionId: "s" });
 * // ... use the provider, then:
 * await llm.close();
 * ```
 */
export function startMockLlm(options: MockLlmOptions = {}): Promise<MockLlm> {
  const turns: MockTurn[] = [...(options.turns ?? [])];
  const models = options.models ?? ["mock-model"];
  const requests: RecordedRequest[] = [];
  const waiters = new Set<{ n: number; resolve: () => void; reject: (e: Error) => void }>();
  const streams = new Set<() => void>();
  let served = 0;

  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const path = url.pathname;
    const isChat = req.method === "POST" && /\/chat\/completions\/?$/.test(path);
    let body: unknown;
    if (isChat) {
      const text = await req.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      requests.push({
        method: req.method,
        path,
        headers: Object.fromEntries(req.headers),
        body,
        receivedAt: performance.timeOrigin + performance.now(),
      });
      for (const waiter of waiters) if (requests.length >= waiter.n) waiter.resolve();
    }
    if (options.apiKey !== undefined && req.headers.get("authorization") !== `Bearer ${options.apiKey}`) {
      return json(401, { error: { message: "mock: invalid API key", type: "invalid_request_error" } });
    }
    if (req.method === "GET" && /\/models\/?$/.test(path)) {
      return json(200, {
        object: "list",
        data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "mock" })),
      });
    }
    if (!isChat) return json(404, { error: { message: `mock: no route for ${req.method} ${path}` } });
    const turn = takeTurn(turns, body);
    if (!turn) return json(500, { error: { message: "mock: no scripted turn left" } });
    return answer(turn, body, ++served, streams);
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: options.port ?? 0, onListen: () => {} }, handler);
  const url = `http://127.0.0.1:${server.addr.port}/v1`;
  let closed: Promise<void> | undefined;

  // Deno.serve binds synchronously; the promise leaves room for a server that starts asynchronously.
  return Promise.resolve({
    url,
    requests,
    push: (...more) => void turns.push(...more),
    waitForRequests(n, { timeoutMs = 5000 } = {}) {
      if (requests.length >= n) return Promise.resolve(requests.slice(0, n));
      return new Promise((resolve, reject) => {
        const waiter = {
          n,
          resolve: () => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(requests.slice(0, n));
          },
          reject: (error: Error) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            reject(error);
          },
        };
        const timer = setTimeout(
          () =>
            waiter.reject(
              new Error(
                `Cannot wait for ${n} requests: only ${requests.length} arrived within ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
        waiters.add(waiter);
      });
    },
    close() {
      closed ??= (async () => {
        for (const waiter of waiters) {
          waiter.reject(new Error("Cannot wait for requests: the mock was closed"));
        }
        for (const end of streams) end();
        await server.shutdown();
      })();
      return closed;
    },
  });
}

/** Removes and returns the turn a request gets: the first it matches, else the first without `match`. */
function takeTurn(turns: MockTurn[], request: unknown): MockTurn | undefined {
  const messages = (request as { messages?: { role?: string; content?: unknown }[] })?.messages ?? [];
  const content = messages.find((m) => m.role === "user")?.content;
  const first = typeof content === "string"
    ? content
    : Array.isArray(content)
    ? content.map((p) => (p as { text?: string }).text ?? "").join("")
    : "";
  let at = turns.findIndex((t) => t.match !== undefined && first.includes(t.match));
  if (at < 0) at = turns.findIndex((t) => t.match === undefined);
  return at < 0 ? undefined : turns.splice(at, 1)[0];
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function answer(turn: MockTurn, request: unknown, n: number, streams: Set<() => void>): Response {
  const headers = turn.headers ?? {};
  if (turn.status !== undefined) {
    const isText = typeof turn.body === "string";
    const text = turn.body === undefined ? "" : isText ? turn.body as string : JSON.stringify(turn.body);
    return new Response(text, {
      status: turn.status,
      headers: { "content-type": isText ? "text/plain" : "application/json", ...headers },
    });
  }
  const model = typeof (request as { model?: unknown })?.model === "string"
    ? (request as { model: string }).model
    : "mock-model";
  if (turn.json) return json(200, completion(turn, model, n, request), headers);
  const texts = turn.raw !== undefined ? splitRaw(turn.raw) : sseChunks(turn, model, n, request);
  const stream = chunkStream(texts, turn, streams);
  return new Response(stream.body, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      ...stream.headers,
      ...headers,
    },
  });
}

/** Splits a raw SSE body after each blank line, so that delays and cuts apply per event. */
function splitRaw(raw: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (;;) {
    const end = raw.indexOf("\n\n", start);
    if (end < 0) break;
    pieces.push(raw.slice(start, end + 2));
    start = end + 2;
  }
  if (start < raw.length) pieces.push(raw.slice(start));
  return pieces;
}

/** Splits text into up to `count` pieces without breaking a character. */
function pieces(text: string, count = 3): string[] {
  const chars = Array.from(text);
  const size = Math.max(1, Math.ceil(chars.length / count));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}

function argsText(args: string | Record<string, unknown>): string {
  return typeof args === "string" ? args : JSON.stringify(args);
}

function usageOf(turn: MockTurn, request: unknown) {
  if (turn.usage) {
    return {
      ...turn.usage,
      total_tokens: turn.usage.total_tokens ?? turn.usage.prompt_tokens + turn.usage.completion_tokens,
    };
  }
  const prompt = Math.ceil(JSON.stringify((request as { messages?: unknown })?.messages ?? "").length / 4);
  const answerChars = (turn.text ?? "").length + (turn.reasoning ?? "").length +
    (turn.toolCalls ?? []).reduce((sum, c) => sum + c.name.length + argsText(c.arguments).length, 0);
  const completion = Math.ceil(answerChars / 4);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function finishOf(turn: MockTurn): string {
  return turn.finishReason ?? (turn.toolCalls?.length ? "tool_calls" : "stop");
}

function reasoningDelta(turn: MockTurn, text: string): Record<string, unknown> {
  const field = turn.reasoningField ?? "reasoning_content";
  if (field === "reasoning_details") {
    return { reasoning_details: [{ type: "reasoning.text", text, index: 0 }] };
  }
  return { [field]: text };
}

function sseChunks(turn: MockTurn, model: string, n: number, request: unknown): string[] {
  const base = { id: `chatcmpl-mock-${n}`, object: "chat.completion.chunk", created: 0, model };
  const event = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ ...base, choices, ...extra })}\n\n`;
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    event([{ index: 0, delta: d, finish_reason: finish }]);
  const out = [delta({ role: "assistant", content: "" })];
  if (turn.reasoning) {
    for (const piece of pieces(turn.reasoning)) out.push(delta(reasoningDelta(turn, piece)));
  }
  if (turn.text) { for (const piece of pieces(turn.text)) out.push(delta({ content: piece })); }
  (turn.toolCalls ?? []).forEach((call, index) => {
    const id = call.id ?? `call_${n}_${index}`;
    out.push(delta({
      tool_calls: [{ index, id, type: "function", function: { name: call.name, arguments: "" } }],
    }));
    for (const piece of pieces(argsText(call.arguments))) {
      out.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  out.push(delta({}, finishOf(turn)));
  out.push(event([], { usage: usageOf(turn, request) }));
  out.push("data: [DONE]\n\n");
  return out;
}

function completion(turn: MockTurn, model: string, n: number, request: unknown) {
  const message: Record<string, unknown> = { role: "assistant", content: turn.text ?? null };
  if (turn.reasoning) {
    const field = turn.reasoningField ?? "reasoning_content";
    message[field] = field === "reasoning_details"
      ? [{ type: "reasoning.text", text: turn.reasoning, index: 0 }]
      : turn.reasoning;
  }
  if (turn.toolCalls?.length) {
    message.tool_calls = turn.toolCalls.map((call, index) => ({
      id: call.id ?? `call_${n}_${index}`,
      type: "function",
      function: { name: call.name, arguments: argsText(call.arguments) },
    }));
  }
  return {
    id: `chatcmpl-mock-${n}`,
    object: "chat.completion",
    created: 0,
    model,
    choices: [{ index: 0, message, finish_reason: finishOf(turn) }],
    usage: usageOf(turn, request),
  };
}

/**
 * A body that sends `chunks` one by one, honouring the turn's delay, cut and hang settings. Cut and
 * hanging replies declare the full length up front, so that ending them early is an abrupt close the
 * client notices (a body shorter than its `content-length`), not a clean end of the stream. Every open
 * stream registers an `end` function so that closing the mock never waits on a hanging reply.
 */
function chunkStream(
  texts: string[],
  turn: MockTurn,
  streams: Set<() => void>,
): { body: ReadableStream<Uint8Array>; headers: Record<string, string> } {
  const chunks = texts.map((t) => encoder.encode(t));
  const headers: Record<string, string> = {};
  if (turn.cutAfterChunks !== undefined || turn.hangAfterChunks !== undefined) {
    headers["content-length"] = String(chunks.reduce((sum, c) => sum + c.length, 0));
  }
  let sent = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let end: () => void = () => {};
  const finish = () => {
    clearTimeout(timer);
    streams.delete(end);
    wake?.();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      end = () => {
        finish();
        try {
          controller.close();
        } catch {
          // Already closed.
        }
      };
      streams.add(end);
    },
    async pull(controller) {
      const stopAt = Math.min(turn.cutAfterChunks ?? Infinity, chunks.length);
      if (turn.hangAfterChunks !== undefined && sent >= turn.hangAfterChunks && sent < stopAt) {
        // Never resolves on its own: only a client abort (cancel) or closing the mock ends it.
        await new Promise<void>((resolve) => (wake = resolve));
        return;
      }
      if (sent >= stopAt) {
        end();
        return;
      }
      if (sent > 0 && turn.chunkDelayMs) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, turn.chunkDelayMs);
        });
        wake = undefined;
        if (!streams.has(end)) return;
      }
      controller.enqueue(chunks[sent++]);
    },
    cancel() {
      finish();
    },
  });
  return { body, headers };
}

async function main(args: string[]): Promise<number> {
  let script: string | undefined;
  let port = 0;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--script") script = args[++i];
    else if (args[i] === "--port") port = Number(args[++i]);
  }
  if (!script) {
    await Deno.stderr.write(encoder.encode("usage: mock_llm.ts --script turns.json [--port N]\n"));
    return 2;
  }
  const parsed = JSON.parse(await Deno.readTextFile(script));
  const options: MockLlmOptions = Array.isArray(parsed) ? { turns: parsed } : parsed;
  const llm = await startMockLlm({ ...options, port });
  await Deno.stdout.write(encoder.encode(`MOCK_URL=${llm.url}\n`));
  return 0;
}

if (import.meta.main) {
  const code = await main(Deno.args);
  if (code !== 0) Deno.exit(code);
}
