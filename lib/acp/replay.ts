/**
 * A saved conversation as the `session/update`s that show it again in an editor (`session/load`):
 * user messages, the model's thoughts and text, and each tool call with its final status and the
 * result the model read. Pure.
 * @module
 */

import type { ContentBlock, SessionUpdate, ToolCallContent } from "@agentclientprotocol/sdk";
import type { ContentPart, Message, ToolCallWire } from "../core/mod.ts";
import type { SessionEntry } from "../session/mod.ts";
import { textContent, toolKind, toolLocations, toolTitle } from "./tool_calls.ts";

/** What replaying needs to know about the session's folder. */
export interface ReplayOptions {
  cwd: string;
  home?: string;
}

/**
 * The messages a session file holds, in order: every message entry since the last clear, the system
 * prompt left out. Compactions do not remove anything here: the editor shows what was said.
 */
export function savedMessages(entries: readonly SessionEntry[]): Message[] {
  const start = entries.findLastIndex((e) => e.type === "clear") + 1;
  return entries.slice(start).flatMap((
    e,
  ) => (e.type === "message" && e.message.role !== "system" ? [e.message] : []));
}

/** The ids of the tool calls whose results the session file marks as failed. */
export function failedCalls(entries: readonly SessionEntry[]): Set<string> {
  return new Set(
    entries.flatMap((e) =>
      e.type === "message" && e.isError && e.message.role === "tool" ? [e.message.tool_call_id] : []
    ),
  );
}

/**
 * The updates that show `messages` in an editor. `failed` names the calls known to have failed; a
 * session saved before nanocode recorded that names none, and then the result's text decides.
 */
export function replayUpdates(
  messages: readonly Message[],
  options: ReplayOptions & { failed?: ReadonlySet<string> },
): SessionUpdate[] {
  const results = new Map<string, string>();
  for (const m of messages) if (m.role === "tool") results.set(m.tool_call_id, m.content);
  const updates: SessionUpdate[] = [];
  for (const message of messages) {
    if (message.role === "user") {
      for (const content of blocksOf(message.content)) {
        updates.push({ sessionUpdate: "user_message_chunk", content });
      }
    } else if (message.role === "assistant") {
      const thought = message.reasoning_content ?? message.reasoning ?? message.reasoning_text;
      if (thought) {
        updates.push({ sessionUpdate: "agent_thought_chunk", content: { type: "text", text: thought } });
      }
      if (message.content) {
        updates.push({
          sessionUpdate: "agent_message_chunk",
          content: { type: "text", text: message.content },
        });
      }
      for (const call of message.tool_calls ?? []) {
        updates.push(replayedCall(call, results.get(call.id), options));
      }
    }
  }
  return updates;
}

function replayedCall(
  call: ToolCallWire,
  result: string | undefined,
  options: ReplayOptions & { failed?: ReadonlySet<string> },
): SessionUpdate {
  const name = call.function.name;
  const args = parseArgs(call.function.arguments);
  const known = options.failed !== undefined && options.failed.size > 0;
  const failed = result === undefined || (known ? options.failed!.has(call.id) : looksFailed(result));
  const content: ToolCallContent[] = failed ? [] : argumentDiffs(name, args, options);
  if (result !== undefined) content.push(textContent(result));
  return {
    sessionUpdate: "tool_call",
    toolCallId: call.id,
    title: toolTitle(name, args, options.cwd, options.home),
    kind: toolKind(name),
    status: failed ? "failed" : "completed",
    locations: toolLocations(name, args, options.cwd, options.home),
    rawInput: args,
    content,
  };
}

/**
 * Whether a saved result reads as a failure. Session files keep what the model read, not whether the
 * call failed, so this goes by the forms nanocode's failures take.
 */
export function looksFailed(text: string): boolean {
  return /^(Cannot |Unknown tool |Tool call interrupted|Tool call skipped)/.test(text) ||
    /(^|\n\n)Command (exited with code -?\d+|timed out after [^\n]*|aborted)$/.test(text);
}

/**
 * The changes a call's arguments describe, as diffs: a write's whole new text, each edit's old and new
 * block. Used where the files themselves are not at hand (a replay, a permission request).
 */
export function argumentDiffs(
  name: string,
  args: Record<string, unknown>,
  options: ReplayOptions,
): ToolCallContent[] {
  const [location] = toolLocations(name, args, options.cwd, options.home);
  if (!location) return [];
  if (name === "write" && typeof args.content === "string") {
    return [{ type: "diff", path: location.path, oldText: null, newText: args.content }];
  }
  if (name !== "edit") return [];
  const edits: unknown[] = Array.isArray(args.edits) ? [...args.edits] : [];
  if (typeof args.oldText === "string") edits.push({ oldText: args.oldText, newText: args.newText });
  return edits.flatMap((edit): ToolCallContent[] => {
    const { oldText, newText } = (edit ?? {}) as { oldText?: unknown; newText?: unknown };
    return typeof oldText === "string" && typeof newText === "string"
      ? [{ type: "diff", path: location.path, oldText, newText }]
      : [];
  });
}

function parseArgs(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/** A message's content as ACP content blocks: text, and images from data URLs. */
export function blocksOf(content: string | ContentPart[] | null): ContentBlock[] {
  if (content === null || content === "") return [];
  if (typeof content === "string") return [{ type: "text", text: content }];
  return content.flatMap((part): ContentBlock[] => {
    if (part.type === "text") return part.text ? [{ type: "text", text: part.text }] : [];
    const match = /^data:([^;,]+);base64,(.*)$/s.exec(part.image_url.url);
    return match ? [{ type: "image", mimeType: match[1], data: match[2] }] : [];
  });
}
