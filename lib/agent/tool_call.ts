/**
 * One tool call, in four steps: prepare (fold loose arguments, validate), the `beforeToolCall` hook
 * (which may block the call with a reason the model reads), execute, and finish (bound the text,
 * shape the error, apply the image policy). Every failure becomes a result the model can act on.
 * @module
 */

import {
  type AssembledToolCall,
  callIsReadOnly,
  contentText,
  formatSize,
  type ImagePart,
  MAX_BYTES,
  type Tool,
  type ToolContext,
  ToolError,
  type ToolResult,
  truncateHead,
} from "../core/mod.ts";
import { checkArguments, coerceArguments, parseArguments } from "./validate.ts";

/** A call after preparation: the tool and its checked arguments, or why it cannot run. */
export interface PreparedCall {
  id: string;
  name: string;
  /** The tool, when one of that name is offered. */
  tool?: Tool;
  /** The arguments as the tool gets them; the raw text when they did not parse. */
  args: Record<string, unknown> | string;
  /** Set when the call cannot run: the message the model gets. */
  error?: string;
}

/** A call as the `beforeToolCall` hook sees it. */
export interface ToolCallRequest {
  id: string;
  name: string;
  args: Record<string, unknown>;
  tool: Tool;
}

/**
 * Asked before each call runs (permission rules, editor approvals). Returning `{ block }` stops the
 * call: the reason goes to the model as the call's error result.
 */
export type BeforeToolCall = (
  call: ToolCallRequest,
  signal: AbortSignal,
) => Promise<{ block: string } | undefined | void>;

/** What one call produced. `text` is what the model reads. */
export interface ToolOutcome {
  text: string;
  isError: boolean;
  images: ImagePart[];
  details?: Record<string, unknown>;
}

/** What running a call needs besides the call. */
export interface CallContext {
  cwd: string;
  signal: AbortSignal;
  env?: (name: string) => string | undefined;
  beforeToolCall?: BeforeToolCall;
  /** Whether the model takes images; false puts a note in their place. Default: it does. */
  acceptsImages?: boolean;
  /** Receives the tool's partial output (for display). */
  update(text: string): void;
}

/**
 * Most bytes of one result the model gets. Tools bound their own output far below this (50 KB and a
 * note); this is the backstop for one that does not.
 */
export const MAX_RESULT_BYTES = 2 * MAX_BYTES;

/** Finds the tool and checks the arguments, without running anything. */
export function prepareCall(call: AssembledToolCall, tools: readonly Tool[]): PreparedCall {
  const { id, name } = call;
  const tool = tools.find((t) => t.name === name);
  if (!tool) {
    const names = tools.map((t) => t.name).join(", ") || "none";
    return { id, name, args: call.arguments, error: `Unknown tool "${name}". Available tools: ${names}.` };
  }
  let args: Record<string, unknown>;
  try {
    args = parseArguments(name, call.arguments);
    if (tool.prepareArguments) args = tool.prepareArguments(args);
    args = coerceArguments(tool.parameters, args);
  } catch (error) {
    return { id, name, tool, args: call.arguments, error: messageOf(error) };
  }
  const problems = checkArguments(tool.parameters, args);
  if (problems.length > 0) {
    const error = `Cannot run ${name}: ${
      problems.join("; ")
    }. Call it again with arguments that match its parameters.`;
    return { id, name, tool, args, error };
  }
  return { id, name, tool, args };
}

/**
 * Whether a prepared call may run beside other such calls of the same message: one that only reads
 * (for these arguments), or one its tool says may run concurrently.
 */
export function runsConcurrently(call: PreparedCall): boolean {
  const { tool, args } = call;
  if (!tool || call.error !== undefined || typeof args === "string") return false;
  if (callIsReadOnly(tool, args)) return true;
  try {
    return tool.concurrent?.(args) === true;
  } catch {
    return false;
  }
}

/** Runs a prepared call through the hook and the tool, and shapes what comes back. Never throws. */
export async function runCall(call: PreparedCall, ctx: CallContext): Promise<ToolOutcome> {
  if (call.error !== undefined || !call.tool || typeof call.args === "string") {
    return failed(call.error ?? `Cannot run ${call.name}.`);
  }
  const { tool, args } = call;
  try {
    const verdict = await ctx.beforeToolCall?.({ id: call.id, name: call.name, args, tool }, ctx.signal);
    if (verdict) return failed(`Cannot run ${call.name}: ${verdict.block}`);
  } catch (error) {
    return failed(`Cannot run ${call.name}: ${messageOf(error)}`);
  }
  const toolContext: ToolContext = {
    cwd: ctx.cwd,
    signal: ctx.signal,
    update: ctx.update,
    env: ctx.env,
    callId: call.id,
  };
  let result: ToolResult;
  try {
    result = await tool.execute(args, toolContext);
  } catch (error) {
    return failed(messageOf(error), error instanceof ToolError ? error.details : undefined);
  }
  return finishResult(result, { acceptsImages: ctx.acceptsImages ?? true });
}

/** A tool's result as the model gets it: bounded text, and images only for a model that takes them. */
export function finishResult(result: ToolResult, options: { acceptsImages: boolean }): ToolOutcome {
  let text = bound(contentText(result.content) || "(no output)");
  let images = result.content.filter((p): p is ImagePart => p.type === "image_url");
  if (images.length > 0 && !options.acceptsImages) {
    text += `\n[${images.length} image(s) omitted: the current model does not accept images.]`;
    images = [];
  }
  return { text, isError: false, images, ...(result.details ? { details: result.details } : {}) };
}

function bound(text: string): string {
  // A UTF-16 code unit is at most three UTF-8 bytes, so a short string needs no count.
  if (text.length <= MAX_RESULT_BYTES / 3) return text;
  const cut = truncateHead(text, { maxBytes: MAX_RESULT_BYTES, maxLines: Infinity });
  if (!cut.truncated) return text;
  return `${cut.text}\n[Output cut at ${formatSize(MAX_RESULT_BYTES)} of ${
    formatSize(cut.totalBytes)
  }: ask the tool for less, e.g. a narrower path or range.]`;
}

function failed(text: string, details?: Record<string, unknown>): ToolOutcome {
  return { text, isError: true, images: [], ...(details ? { details } : {}) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error ?? "the tool failed");
}
