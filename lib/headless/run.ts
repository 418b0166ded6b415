/**
 * Headless runs: `--print` writes the final answer, `--mode json` writes every agent event as one
 * JSON line. Unless quiet, a short trace of tool calls, retries and errors goes to standard error so
 * a person watching a CI log sees progress.
 * @module
 */

import { type AgentEvent, formatToolCall, summarizeResult } from "../core/mod.ts";

/** Where and how a headless run writes. */
export interface HeadlessOptions {
  mode: "text" | "json";
  quiet: boolean;
  showThinking: boolean;
  /** Standard output: the answer or the JSON events. */
  stdout: WritableStream<Uint8Array>;
  /** Standard error: the progress trace and error lines. */
  stderr: WritableStream<Uint8Array>;
  /** Whether standard error takes ANSI colour (a terminal without NO_COLOR). */
  color: boolean;
  /** Called when standard output is closed by its reader (`| head`): the run should stop. */
  onClosed?: () => void;
}

const encoder = new TextEncoder();

/**
 * Consumes a run's events and writes them as the mode says. Returns the exit code: 0 done, 1 error,
 * 130 interrupted. A stream cut after some text still prints that text, then the error. When the
 * reader of standard output goes away (`| head -2`), the run is stopped and ends quietly with 0.
 */
export async function runHeadless(
  events: AsyncIterable<AgentEvent>,
  options: HeadlessOptions,
): Promise<number> {
  const out = options.stdout.getWriter();
  const err = options.stderr.getWriter();
  const paint = (code: string, text: string) => options.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  let thinking = false;
  const trace = async (line: string) => {
    if (thinking) {
      thinking = false;
      await err.write(encoder.encode("\n"));
    }
    await err.write(encoder.encode(line + "\n"));
    lastCall = undefined;
  };
  // Calls that run together report in call order; a call's line is printed when it starts only if
  // no other call is running, else with its result, so every result stands under its own call.
  const calls = new Map<string, { line: string; printed: boolean }>();
  let lastCall: string | undefined;
  /** The last error already printed as it happened, so the closing line does not repeat it. */
  let shownError: string | undefined;
  let code = 0;
  let closed = false;
  /** Writes to standard output; false once its reader has gone. */
  const print = async (text: string): Promise<boolean> => {
    try {
      await out.write(encoder.encode(text));
      return true;
    } catch (error) {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      closed = true;
      options.onClosed?.();
      return false;
    }
  };
  try {
    for await (const event of events) {
      if (closed) continue;
      if (options.mode === "json" && !await print(JSON.stringify(event) + "\n")) continue;
      if (event.type === "agent_end") {
        code = event.reason === "aborted" ? 130 : event.reason === "error" ? 1 : 0;
        // What the model said before a failure is the user's too: it goes out, then the error.
        if (options.mode === "text" && event.text !== "") {
          if (!await print(event.text.endsWith("\n") ? event.text : event.text + "\n")) continue;
        }
        if (event.reason === "error" && event.error !== shownError) {
          await trace(paint("31", `nanocode: ${event.error ?? "the run failed"}`));
        } else if (event.reason === "aborted" && !options.quiet) await trace("nanocode: interrupted");
        else if (event.reason === "stop" && event.text.trim() === "") {
          await trace(paint("33", "nanocode: the model's answer was empty (no text and no tool calls)"));
        }
        continue;
      }
      if (options.quiet) continue;
      switch (event.type) {
        case "thinking_delta":
          if (options.showThinking) {
            thinking = true;
            await err.write(encoder.encode(paint("2", event.text)));
          }
          break;
        case "tool_call": {
          const line = `${paint("36", "⏺")} ${formatToolCall(event.name, event.rawArgs ?? event.args)}`;
          const printed = calls.size === 0;
          calls.set(event.id, { line, printed });
          if (printed) {
            await trace(line);
            lastCall = event.id;
          }
          break;
        }
        case "tool_result": {
          const call = calls.get(event.id);
          calls.delete(event.id);
          if (call && !(call.printed && lastCall === event.id)) await trace(call.line);
          lastCall = undefined;
          await trace(
            `  ⎿  ${event.isError ? paint("31", summarizeResult(event.text)) : summarizeResult(event.text)}`,
          );
          break;
        }
        case "retry":
          await trace(
            paint(
              "33",
              `↻ retry ${event.attempt}/${event.maxRetries} in ${
                (event.delayMs / 1000).toFixed(1)
              }s: ${event.reason}`,
            ),
          );
          break;
        case "queue":
          await trace(`» ${event.kind}: ${event.text}`);
          break;
        case "job_result":
          await trace(paint(
            event.status === "done" ? "33" : "31",
            `◌ background job ${event.id} ${event.status} (exit code ${
              event.exitCode ?? "none"
            }, ${event.elapsedSeconds} s)`,
          ));
          break;
        case "compaction":
          await trace(paint(
            "2",
            `↯ context compacted: ${event.tokensBefore} → ${event.tokensAfter} tokens (${
              event.summary
                ? `${event.replaced} messages summarised`
                : `${event.pruned.length} old results pruned`
            })`,
          ));
          break;
        case "error":
          shownError = event.message;
          await trace(paint("31", `nanocode: ${event.message}`));
          break;
        case "turn_end":
          if (event.reason === "length") {
            await trace(paint("33", "nanocode: the answer was cut off: the model reached its output limit"));
          } else if (event.reason === "content_filter") {
            await trace(paint("33", "nanocode: the answer was stopped by the endpoint's content filter"));
          }
          break;
      }
    }
  } finally {
    out.releaseLock();
    err.releaseLock();
  }
  return closed ? 0 : code;
}
