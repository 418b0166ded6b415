/**
 * Server-sent events framing: bytes in, `{event, data}` records out. The framing itself (CR, LF and
 * CRLF line ends, comments, `event:` lines, multi-line `data:`, a missing space after the colon) is
 * done by `eventsource-parser`, which implements the WHATWG grammar and is tuned for throughput; this
 * file adds streaming UTF-8 decoding (a character may be split between network chunks) and the end of
 * a stream that closes without a final blank line.
 * @module
 */

/** One dispatched server-sent event. `event` is undefined for the default event type. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Feeds bytes in network order; events reach the callback given to {@link createSseDecoder}. */
export interface SseDecoder {
  /** Decodes and parses one chunk of the body. */
  push(bytes: Uint8Array): void;
  /** Flushes the decoder at the end of the body, dispatching a last event left without a blank line. */
  end(): void;
}

type CreateParser = typeof import("eventsource-parser").createParser;
let createParser: CreateParser | undefined;

/**
 * Creates a decoder that calls `onEvent` for every complete event. The parser module is loaded on
 * first use so that importing the provider costs nothing at start-up.
 *
 * @example
 * ```ts
 * const decoder = await createSseDecoder((event) => events.push(event));
 * decoder.push(new TextEncoder().encode("data: hi\n\n"));
 * decoder.end();
 * ```
 */
export async function createSseDecoder(onEvent: (event: SseEvent) => void): Promise<SseDecoder> {
  createParser ??= (await import("eventsource-parser")).createParser;
  const parser = createParser({ onEvent });
  const text = new TextDecoder();
  return {
    push(bytes) {
      const chunk = text.decode(bytes, { stream: true });
      if (chunk !== "") parser.feed(chunk);
    },
    end() {
      const rest = text.decode();
      // Two line ends: the first closes a last unterminated line (or is swallowed as the second half
      // of a CRLF split at the very end), the second dispatches the event it belongs to.
      parser.feed(`${rest}\n\n`);
    },
  };
}
