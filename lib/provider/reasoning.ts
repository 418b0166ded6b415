/**
 * Reasoning as endpoints stream it: in one of four delta fields (`reasoning_content`, `reasoning`,
 * `reasoning_text`, `reasoning_details`) or inline in `content` between `<think>` tags. The collector
 * keeps each field as it arrived, so the assistant message can send it back the way the endpoint
 * wants; the splitter separates inline reasoning from the answer text.
 * @module
 */

import type { AssistantMessage } from "../core/messages.ts";

/** The delta fields reasoning arrives in, in the order their text is preferred. */
export const REASONING_FIELDS = ["reasoning_content", "reasoning", "reasoning_text"] as const;

/** A string reasoning field of an assistant message. */
export type ReasoningTextField = (typeof REASONING_FIELDS)[number];

type Detail = Record<string, unknown>;

/** The readable text of one `reasoning_details` entry (`text`, or `summary` as a string or parts). */
export function detailText(detail: unknown): string {
  if (detail === null || typeof detail !== "object") return "";
  const d = detail as Detail;
  if (typeof d.text === "string") return d.text;
  if (typeof d.summary === "string") return d.summary;
  if (Array.isArray(d.summary)) {
    let out = "";
    for (const part of d.summary) {
      if (part && typeof part === "object" && typeof (part as Detail).text === "string") {
        out += (part as Detail).text;
      }
    }
    return out;
  }
  return "";
}

/**
 * Accumulates the reasoning fields of streamed deltas. Several fields may carry the same text in one
 * delta (OpenRouter sends `reasoning` beside `reasoning_details`; some vLLM versions send both
 * `reasoning` and `reasoning_content`): every field is kept for sending back, but the text is shown
 * once, from the first field present.
 */
export class ReasoningCollector {
  #text: Partial<Record<ReasoningTextField, string>> = {};
  #details: Detail[] | undefined;
  #seen = false;

  /** True once a reasoning field arrived (inline `<think>` text does not count). */
  get seen(): boolean {
    return this.#seen;
  }

  /** Reads the reasoning fields of one delta (or message) and returns the text to show ("" if none). */
  take(delta: Record<string, unknown>): string {
    let shown: string | undefined;
    for (const field of REASONING_FIELDS) {
      const value = delta[field];
      if (typeof value === "string" && value !== "") {
        this.#text[field] = (this.#text[field] ?? "") + value;
        shown ??= value;
        this.#seen = true;
      }
    }
    const details = delta.reasoning_details;
    if (Array.isArray(details) && details.length > 0) {
      this.#seen = true;
      let text = "";
      for (const detail of details) {
        this.#addDetail(detail);
        text += detailText(detail);
      }
      shown ??= text;
    }
    return shown ?? "";
  }

  /**
   * Streamed `reasoning_details` arrive as fragments of the same entry (same `index` and `type`);
   * they are joined back into whole entries, the form the endpoint returns without streaming and
   * expects back. Entries without an index are kept as they came.
   */
  #addDetail(detail: unknown): void {
    if (detail === null || typeof detail !== "object" || Array.isArray(detail)) return;
    const d = detail as Detail;
    this.#details ??= [];
    const last = this.#details[this.#details.length - 1];
    if (last && typeof d.index === "number" && last.index === d.index && last.type === d.type) {
      for (const key in d) {
        const value = d[key];
        if (value === undefined || value === null || key === "index" || key === "type") continue;
        if (typeof value === "string" && typeof last[key] === "string" && JOINED_KEYS.has(key)) {
          last[key] = (last[key] as string) + value;
        } else last[key] = value;
      }
      return;
    }
    this.#details.push({ ...d });
  }

  /** Adds text split out of inline `<think>` tags; it is sent back as `reasoning_content`. */
  addInline(text: string): void {
    if (text === "") return;
    this.#text.reasoning_content = (this.#text.reasoning_content ?? "") + text;
  }

  /** Copies the collected fields onto an assistant message. */
  applyTo(message: AssistantMessage): void {
    for (const field of REASONING_FIELDS) {
      const value = this.#text[field];
      if (value !== undefined) message[field] = value;
    }
    if (this.#details) message.reasoning_details = this.#details;
  }
}

/** `reasoning_details` keys whose streamed fragments concatenate. */
const JOINED_KEYS = new Set(["text", "summary", "data", "signature"]);

const OPEN = "<think>";
const CLOSE = "</think>";

const enum State {
  /** Nothing but whitespace yet: an opening tag may still come. */
  Start,
  /** Inside `<think>`: text is reasoning until `</think>`. */
  Think,
  /** After `</think>`: drop the whitespace that separates reasoning from the answer. */
  AfterClose,
  /** Answer text, watching for a bare `</think>` (the template opened the tag in the prompt). */
  Watch,
  /** Plain answer text. */
  Plain,
}

/** What one piece of content held. */
export interface ThinkSplit {
  /** Answer text to show now. */
  text: string;
  /** Reasoning to show now. */
  thinking: string;
  /**
   * True when a `</think>` arrived without an opening tag: every earlier piece of content, already
   * shown as text, was in fact reasoning.
   */
  bareClose: boolean;
}

/**
 * Splits inline `<think>…</think>` reasoning out of streamed content. Tags may be split across
 * chunks; a possible partial tag at the end of a chunk is held back until the next one. Only a tag at
 * the start of the content opens reasoning, so an answer that merely mentions the tags stays intact.
 */
export class ThinkSplitter {
  #state = State.Start;
  #held = "";
  #out: ThinkSplit = { text: "", thinking: "", bareClose: false };

  /** Splits one piece of content. The returned object is reused by the next call. */
  push(chunk: string): ThinkSplit {
    const out = this.#out;
    out.text = "";
    out.thinking = "";
    out.bareClose = false;
    const state = this.#state;
    if (state === State.Plain) {
      out.text = chunk;
      return out;
    }
    // The common piece holds no tag at all: one scan, no slicing.
    if (this.#held === "" && chunk.indexOf("<") < 0) {
      if (state === State.Watch) {
        out.text = chunk;
        return out;
      }
      if (state === State.Think) {
        out.thinking = chunk;
        return out;
      }
    }
    this.#step(this.#held + chunk, out);
    return out;
  }

  /** Releases whatever was held back at the end of the content. */
  end(): ThinkSplit {
    const out = this.#out;
    out.text = "";
    out.thinking = "";
    out.bareClose = false;
    const held = this.#held;
    this.#held = "";
    if (this.#state === State.Think) out.thinking = held;
    else if (this.#state !== State.AfterClose) out.text = held;
    this.#state = State.Plain;
    return out;
  }

  #step(s: string, out: ThinkSplit): void {
    this.#held = "";
    for (;;) {
      switch (this.#state) {
        case State.Start: {
          let i = 0;
          while (i < s.length && isSpace(s.charCodeAt(i))) i++;
          if (i === s.length) {
            this.#held = s;
            return;
          }
          const rest = s.slice(i);
          if (rest.startsWith(OPEN)) {
            this.#state = State.Think;
            s = rest.slice(OPEN.length);
            continue;
          }
          if (OPEN.startsWith(rest)) {
            this.#held = s;
            return;
          }
          this.#state = State.Watch;
          continue;
        }
        case State.Think: {
          const close = s.indexOf(CLOSE);
          if (close >= 0) {
            out.thinking += s.slice(0, close);
            this.#state = State.AfterClose;
            s = s.slice(close + CLOSE.length);
            continue;
          }
          const keep = partialTag(s);
          out.thinking += s.slice(0, s.length - keep);
          this.#held = s.slice(s.length - keep);
          return;
        }
        case State.AfterClose: {
          let i = 0;
          while (i < s.length && isSpace(s.charCodeAt(i))) i++;
          if (i === s.length) return;
          this.#state = State.Plain;
          out.text += s.slice(i);
          return;
        }
        case State.Watch: {
          const close = s.indexOf(CLOSE);
          const open = s.indexOf(OPEN);
          if (open >= 0 && (close < 0 || open < close)) {
            // The answer talks about the tags; stop looking.
            this.#state = State.Plain;
            out.text += s;
            return;
          }
          if (close >= 0) {
            out.thinking += s.slice(0, close);
            out.bareClose = true;
            this.#state = State.AfterClose;
            s = s.slice(close + CLOSE.length);
            continue;
          }
          const keep = partialTag(s);
          out.text += s.slice(0, s.length - keep);
          this.#held = s.slice(s.length - keep);
          return;
        }
        case State.Plain:
          out.text += s;
          return;
      }
    }
  }
}

/** Length of the end of `s` that could begin a `<think>` or `</think>` tag. */
function partialTag(s: string): number {
  const lt = s.lastIndexOf("<");
  if (lt < 0 || s.length - lt >= CLOSE.length) return 0;
  const tail = s.slice(lt);
  return CLOSE.startsWith(tail) || OPEN.startsWith(tail) ? tail.length : 0;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
