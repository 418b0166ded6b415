/**
 * The request body as UTF-8 bytes, assembled from each message's JSON encoded once. Every turn sends
 * the whole conversation again; serialising it anew each time costs work proportional to its length
 * and, worse, makes one string of that length per request (two bytes per character as soon as any
 * message holds a character beyond Latin-1). V8 puts such strings in large-object pages and keeps
 * freed ones pooled for seconds, so a session's memory grew by megabytes a turn. Here a message
 * costs one `JSON.stringify` for its lifetime; a request copies bytes.
 * @module
 */

import type { Message } from "../core/messages.ts";
import type { ChatRequest } from "../core/provider.ts";
import { buildChatBody, type ChatBodyOptions } from "./request.ts";

const encoder = new TextEncoder();
const COMMA = encoder.encode(",");

/**
 * Each message's JSON as UTF-8, for as long as the message object lives. A conversation never
 * changes a message after appending it (a change is a new message), so the object is the key.
 */
const encoded = new WeakMap<Message, Uint8Array<ArrayBuffer>>();

function encodeMessage(message: Message): Uint8Array<ArrayBuffer> {
  let bytes = encoded.get(message);
  if (bytes === undefined) {
    bytes = encoder.encode(JSON.stringify(message));
    encoded.set(message, bytes);
  }
  return bytes;
}

/**
 * The bytes of `JSON.stringify(buildChatBody(request, options))`, built without making that string: the
 * fields around the messages are serialised as usual, the messages come from their cached encodings.
 *
 * @example
 * ```ts
 * const body = encodeChatBody({ model, messages, tools });
 * await fetch(url, { method: "POST", headers, body });
 * ```
 */
export function encodeChatBody(request: ChatRequest, options: ChatBodyOptions = {}): Uint8Array<ArrayBuffer> {
  const body = buildChatBody(request, options);
  // The messages' place, found in the serialised rest: the model comes before it and is a JSON string,
  // in which a quote is always escaped, so the first match is the field itself.
  const outline = JSON.stringify({ ...body, messages: [] });
  const at = outline.indexOf('"messages":[]') + '"messages":['.length;
  const head = encoder.encode(outline.slice(0, at));
  const tail = encoder.encode(outline.slice(at));
  const parts: Uint8Array<ArrayBuffer>[] = [head];
  body.messages.forEach((message, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(encodeMessage(message));
  });
  parts.push(tail);
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
