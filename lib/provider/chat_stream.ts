/**
 * A streamed chat-completions body turned into provider deltas, as bytes arrive. This is the hot path
 * of a response (and what the benchmark feeds a large synthetic stream into): one JSON parse per
 * event, no regular expressions, and text pieces of one network read merged into one delta.
 * @module
 */

import type { ProviderDelta } from "../core/provider.ts";
import { type Failure, ResponseAssembler } from "./assemble.ts";
import { isContextOverflowMessage, messageOf, oneLine } from "./http_errors.ts";
import { createSseDecoder, type SseEvent } from "./sse.ts";
import { formatIdle } from "./retry.ts";

/** Options of {@link readChatStream}. */
export interface ReadChatStreamOptions {
  /** Ends the stream with a `done` delta of reason `aborted`, cancelling the body. */
  signal?: AbortSignal;
  /** Names the model in error messages (default "the model"). */
  model?: string;
  /**
   * Milliseconds without a byte after which the stream counts as stalled: it ends as a broken
   * connection (retried when nothing came yet). Default: no limit.
   */
  idleMs?: number;
}

/**
 * Reads an OpenAI-compatible SSE body and yields `text`, `thinking`, `tool_call` and `usage` deltas,
 * then exactly one `done`. Never throws: a broken connection, an error event or an abort becomes the
 * `done` delta's reason. The body is cancelled when the stream ends early.
 *
 * @example
 * ```ts
 * const response = await fetch(url, { method: "POST", body, signal });
 * for await (const delta of readChatStream(response.body!, { signal })) render(delta);
 * ```
 */
export async function* readChatStream(
  body: ReadableStream<Uint8Array>,
  options: ReadChatStreamOptions = {},
): AsyncGenerator<ProviderDelta, void, undefined> {
  const { signal } = options;
  const model = options.model || "the model";
  const asm = new ResponseAssembler();
  const out: ProviderDelta[] = [];
  let ended = false;
  let failure: Failure | undefined;

  const onEvent = (event: SseEvent) => {
    if (ended) return;
    const data = event.data;
    if (data === "[DONE]") {
      ended = true;
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      if (event.event === "error") {
        ended = true;
        failure = streamError(model, data);
      }
      // Anything else that is not JSON (a proxy's banner, a stray line) carries nothing for us.
      return;
    }
    if (chunk === null || typeof chunk !== "object") return;
    const obj = chunk as Record<string, unknown>;
    if (event.event === "error" || obj.error !== undefined) {
      ended = true;
      failure = streamError(model, messageOf(obj.error ?? obj) ?? data);
      return;
    }
    asm.applyChunk(obj, out);
    if (asm.finishReason === "error") ended = true;
  };

  const decoder = await createSseDecoder(onEvent);
  const reader = body.getReader();
  // Cancelling the reader ends a pending read at once, whatever the body's source.
  const onAbort = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idleMs = options.idleMs;
  try {
    for (;;) {
      if (signal?.aborted) break;
      if (idleMs !== undefined) {
        clearTimeout(timer);
        timer = setTimeout(() => {
          stalled = true;
          void reader.cancel().catch(() => {});
        }, idleMs);
      }
      const { done, value } = await reader.read();
      if (stalled) throw new Error(`no data for ${formatIdle(idleMs!)}`);
      if (done) {
        decoder.end();
        break;
      }
      decoder.push(value);
      if (out.length > 0) {
        for (let i = 0; i < out.length; i++) yield out[i];
        out.length = 0;
      }
      if (ended) break;
    }
  } catch (error) {
    if (!signal?.aborted) {
      failure = {
        reason: "error",
        broken: true,
        error: stalled
          ? `Cannot read the reply of ${model}: the stream stalled (no data for ${
            formatIdle(idleMs!)
          }, NANOCODE_STREAM_IDLE_TIMEOUT); try again`
          : `Cannot read the reply of ${model}: the connection broke (${
            oneLine(errorText(error), 200)
          }); try again`,
      };
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    // Frees the connection when the reply ended early ([DONE], an error, an abort, or a consumer
    // that stopped listening); a no-op after the body was read to its end.
    await reader.cancel().catch(() => {});
  }

  if (signal?.aborted) {
    asm.fail({ reason: "aborted" }, out);
  } else if (failure) {
    asm.fail(failure, out);
  } else if (!ended && asm.finishReason === undefined) {
    // A clean close after a finish reason is a complete reply; a close before one is not.
    const error =
      `Cannot read the reply of ${model}: the stream ended before the reply was complete; try again`;
    asm.fail({ reason: "error", error, broken: true }, out);
  } else {
    asm.finish(
      out,
      `Cannot get a reply from ${model}: the endpoint ended the reply with an error; try again`,
    );
  }
  for (let i = 0; i < out.length; i++) yield out[i];
}

function streamError(model: string, message: string): Failure {
  const said = oneLine(message);
  if (isContextOverflowMessage(said)) {
    return {
      reason: "error",
      error:
        `Cannot send the conversation: it is too long for ${model} (${said}); compact it or start a new one`,
      contextOverflow: true,
    };
  }
  return {
    reason: "error",
    error: `Cannot get a reply from ${model}: the endpoint reported an error (${said})`,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
