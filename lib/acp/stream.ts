/**
 * The message stream between the editor and the SDK, with two corrections on the way: a prompt
 * holding a content block ACP does not define is answered at once with an error that names the
 * block, and "Invalid params" errors say which field was wrong instead of only carrying a tree.
 * @module
 */

import type { AnyMessage, Stream } from "@agentclientprotocol/sdk";

/** The content block types of ACP 1. */
const BLOCK_TYPES = new Set(["text", "image", "audio", "resource_link", "resource"]);

/** The error a prompt gets for its first block of an unknown type, or undefined when all are known. */
export function unknownBlock(params: unknown): string | undefined {
  const prompt = (params as { prompt?: unknown } | null)?.prompt;
  if (!Array.isArray(prompt)) return undefined;
  for (const [i, block] of prompt.entries()) {
    const type = (block as { type?: unknown } | null)?.type;
    if (typeof type !== "string" || !BLOCK_TYPES.has(type)) {
      return `Cannot read the prompt: block ${i} has type ${
        JSON.stringify(type ?? null)
      }, which ACP does not define; send text, image, audio, resource_link or resource blocks.`;
    }
  }
  return undefined;
}

/** The fields a zod error tree (`error.format()`) complains about, as `path: message` lines. */
export function issuesOf(tree: unknown, path: string[] = []): string[] {
  if (tree === null || typeof tree !== "object") return [];
  const out: string[] = [];
  const errors = (tree as { _errors?: unknown })._errors;
  if (Array.isArray(errors)) {
    for (const error of errors) out.push(`${path.length ? path.join(".") : "params"}: ${String(error)}`);
  }
  for (const [key, value] of Object.entries(tree)) {
    if (key !== "_errors") out.push(...issuesOf(value, [...path, key]));
  }
  return out;
}

/** `stream` with the corrections above. */
export function correctedStream(stream: Stream): Stream {
  const writer = stream.writable.getWriter();
  const write = (message: AnyMessage) => writer.write(message);
  const writable = new WritableStream<AnyMessage>({
    write: (message) => write(clearer(message)),
    close: () => writer.close(),
    abort: (reason) => writer.abort(reason),
  });
  const readable = stream.readable.pipeThrough(
    new TransformStream<AnyMessage, AnyMessage>({
      async transform(message, controller) {
        const call = message as { id?: unknown; method?: unknown; params?: unknown };
        const problem = call.method === "session/prompt" && call.id !== undefined
          ? unknownBlock(call.params)
          : undefined;
        if (problem === undefined) {
          controller.enqueue(message);
          return;
        }
        await write({
          jsonrpc: "2.0",
          id: call.id as string | number | null,
          error: { code: -32602, message: problem },
        });
      },
    }),
  );
  return { readable, writable };
}

function clearer(message: AnyMessage): AnyMessage {
  const error = (message as { error?: { code?: number; message?: string; data?: unknown } }).error;
  if (!error || error.code !== -32602 || error.message !== "Invalid params") return message;
  const issues = issuesOf(error.data);
  if (issues.length === 0) return message;
  const shown = issues.slice(0, 3).join("; ") + (issues.length > 3 ? `; and ${issues.length - 3} more` : "");
  return { ...message, error: { ...error, message: `Invalid params: ${shown}` } } as AnyMessage;
}

/** A byte stream that gathers what is written in one turn of the event loop into one write. */
export interface CoalescedOutput {
  writable: WritableStream<Uint8Array>;
  /** Resolves once everything written so far has reached the underlying stream. */
  drain(): Promise<void>;
}

/**
 * Gathers writes into one per turn of the event loop (or per `maxBytes`), so that a burst of messages
 * (a session's replay, a fast stream of text) costs one write to standard output, not one each.
 */
export function coalescedOutput(output: WritableStream<Uint8Array>, maxBytes = 256 * 1024): CoalescedOutput {
  const writer = output.getWriter();
  let chunks: Uint8Array[] = [];
  let size = 0;
  let scheduled: ReturnType<typeof setTimeout> | undefined;
  let written: Promise<void> = Promise.resolve();
  let failure: unknown;
  const flush = () => {
    clearTimeout(scheduled);
    scheduled = undefined;
    if (chunks.length > 0) {
      const data = chunks.length === 1 ? chunks[0] : new Uint8Array(size);
      if (chunks.length > 1) {
        let at = 0;
        for (const chunk of chunks) {
          data.set(chunk, at);
          at += chunk.length;
        }
      }
      chunks = [];
      size = 0;
      written = written.then(() => writer.write(data)).catch((error) => void (failure ??= error));
    }
    return written;
  };
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      if (failure !== undefined) throw failure;
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) return flush();
      scheduled ??= setTimeout(flush, 0);
    },
    async close() {
      await flush();
      await writer.close();
    },
    async abort(reason) {
      clearTimeout(scheduled);
      await writer.abort(reason);
    },
  });
  return { writable, drain: flush };
}
