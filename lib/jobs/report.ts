/**
 * How jobs read as text: the compact result of a run, a job's status, one line per job for a list, and
 * the `<nanocode_job_result>` message that delivers a background job's result. Every text is bounded.
 * @module
 */

import { oneLine } from "../core/mod.ts";
import type { Job } from "./job.ts";

/** Most characters of the child's standard error shown with a failure. */
const STDERR_SHOWN = 2_000;
/** Most characters of the prompt repeated in a status or a result message. */
const PROMPT_SHOWN = 2_000;

/**
 * Cuts `text` to at most `max` characters by taking out its middle, with a note saying how much went
 * (the head and the tail are what a reader needs most: the start of the answer and its conclusion).
 */
export function cutMiddle(text: string, max: number, what = "output"): string {
  if (text.length <= max) return text;
  const noteFor = (n: number) => `\n\n[… ${n} characters of the ${what} cut from the middle …]\n\n`;
  const room = Math.max(0, max - noteFor(text.length).length);
  let head = Math.ceil(room / 2);
  let tail = room - head;
  // Never split a surrogate pair.
  if (isHighSurrogate(text.charCodeAt(head - 1))) head--;
  if (tail > 0 && isLowSurrogate(text.charCodeAt(text.length - tail))) tail--;
  const cut = text.length - head - tail;
  return text.slice(0, head) + noteFor(cut) + (tail > 0 ? text.slice(text.length - tail) : "");
}

/** Why a job did not end well, in a few words; undefined for one that finished. */
export function failureReason(job: Job): string | undefined {
  if (job.state === "done") return undefined;
  if (job.state === "cancelled") return "it was cancelled";
  if (job.state === "queued" || job.state === "running") return undefined;
  if (job.spawnError) return `it could not start: ${job.spawnError}`;
  if (job.timedOut) {
    const seconds = Math.round((job.spec.timeoutMs ?? 0) / 1000);
    return `it was stopped at its time limit of ${seconds} s (exit code ${job.exitCode})`;
  }
  const end = job.progress.end;
  if (end?.reason === "error") {
    return `the child's run failed (exit code ${job.exitCode}): ${end.error ?? "no reason given"}`;
  }
  if (!end) return `the child exited with code ${job.exitCode} before it finished (it crashed or was killed)`;
  return `the child exited with code ${job.exitCode}`;
}

/**
 * What a finished job comes back as: the answer, then a short trace (tools, turns, tokens), and on
 * failure what went wrong and the tail of the child's standard error; within `maxChars` characters,
 * the answer cut in the middle when it is what makes it too long.
 */
export function compactResult(job: Job, maxChars: number): string {
  const answer = job.progress.output().trim();
  const trace = `[${job.id} ${job.state} in ${job.elapsedSeconds()} s · ${job.progress.trace()}]`;
  const failure = failureReason(job);
  const head = failure ? `nanocode job ${job.id} failed: ${failure}.` : "";
  const stderr = failure && job.stderrTail.trim() !== ""
    ? `stderr (last lines):\n${tailChars(job.stderrTail.trim(), STDERR_SHOWN)}`
    : "";
  const body = answer !== "" ? answer : failure ? "" : "(the child gave no answer)";
  const assemble = (text: string) =>
    [head, text !== "" ? (failure ? `Output so far:\n${text}` : text) : "", trace, stderr].filter((p) =>
      p !== ""
    ).join("\n\n");
  const whole = assemble(body);
  if (whole.length <= maxChars) return whole;
  const room = Math.max(0, maxChars - (whole.length - body.length));
  const fitted = assemble(cutMiddle(body, room, "child's answer"));
  return fitted.length <= maxChars ? fitted : cutMiddle(fitted, maxChars, "result");
}

/**
 * One job's state: pid, exit code, elapsed seconds, events so far, current turn and last tool, cwd,
 * tools, prompt, the child's latest calls, and the stderr tail after a failure. With `output`, also
 * the output so far or the result. Within `maxChars` characters.
 */
export function statusText(job: Job, options: { output: boolean; maxChars: number }): string {
  const p = job.progress;
  const lines = [
    `job ${job.id}: ${job.state}`,
    `pid: ${job.pid ?? "not started"}`,
    `exitCode: ${job.ended ? job.exitCode ?? "none" : "running"}`,
    `elapsedSeconds: ${job.elapsedSeconds()}`,
    `events: ${p.events}`,
    `turn: ${p.end?.turns ?? p.turn}`,
    `lastTool: ${p.lastTool ?? "none yet"}`,
    `cwd: ${job.spec.cwd}`,
    `tools: ${toolsLabel(job.spec.tools)}`,
    `model: ${job.spec.model ?? "the child's default"}`,
    `mode: ${
      job.spec.background
        ? `background, ${job.spec.autoEmit ? "result delivered by itself" : "kept for read"}`
        : "run"
    }`,
    `prompt: ${cutMiddle(job.spec.prompt, PROMPT_SHOWN, "prompt")}`,
  ];
  const calls = p.callLines(5);
  if (calls.length > 0) lines.push("", "latest calls:", ...calls);
  const failure = failureReason(job);
  if (failure) lines.push("", `failed: ${failure}`);
  if (failure && job.stderrTail.trim() !== "") {
    lines.push("", "stderr (last lines):", tailChars(job.stderrTail.trim(), STDERR_SHOWN));
  }
  const head = lines.join("\n");
  if (!options.output) return cutMiddle(head, options.maxChars, "status");
  const heading = job.ended ? "result:" : "output so far:";
  const output = job.ended ? compactResult(job, options.maxChars) : p.output().trim() || "(nothing yet)";
  const room = Math.max(0, options.maxChars - head.length - heading.length - 3);
  return cutMiddle(`${head}\n\n${heading}\n${cutMiddle(output, room)}`, options.maxChars, "status");
}

/** One line for a list: id, state, elapsed seconds, the prompt's head. */
export function listLine(job: Job): string {
  return `${job.id}  ${job.state.padEnd(9)}  ${`${job.elapsedSeconds()}s`.padStart(5)}  ${
    oneLine(job.spec.prompt, 70)
  }`;
}

/** The user message that delivers a background job's result, its output cut at `maxChars`. */
export function resultMessage(job: Job, maxChars: number): string {
  const attr = (value: string | number | null) => JSON.stringify(String(value ?? "none"));
  return [
    `<nanocode_job_result id=${attr(job.id)} status=${attr(job.state)} exitCode=${attr(job.exitCode)} ` +
    `elapsedSeconds=${attr(job.elapsedSeconds())}>`,
    "<prompt>",
    cutMiddle(job.spec.prompt, PROMPT_SHOWN, "prompt"),
    "</prompt>",
    "<output>",
    compactResult(job, maxChars),
    "</output>",
    "</nanocode_job_result>",
  ].join("\n");
}

/** `--tools` of a job as a person reads it. */
export function toolsLabel(tools: readonly string[] | undefined): string {
  return tools === undefined ? "default" : tools.length === 0 ? "none" : tools.join(",");
}

function tailChars(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
