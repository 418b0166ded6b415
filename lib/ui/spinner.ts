/**
 * The activity line shown while the model has not answered yet or a tool runs: a spinner frame, what
 * is awaited, and the time spent waiting.
 * @module
 */

import type { Palette } from "./ansi.ts";
import { type Activity, formatElapsed } from "./render.ts";

/** Braille spinner frames, one every {@link SPINNER_INTERVAL_MS}. */
export const SPINNER_FRAMES: readonly string[] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Milliseconds between two spinner frames. */
export const SPINNER_INTERVAL_MS = 80;

/**
 * The spinner line for an activity at time `now`: `⠹ Thinking… 3.2s · Ctrl-C to interrupt`.
 */
export function activityLine(activity: Activity, options: { now: number; palette: Palette }): string {
  const { now, palette } = options;
  const elapsed = formatElapsed(now - activity.since);
  const frame = SPINNER_FRAMES[
    Math.floor(Math.max(0, now - activity.since) / SPINNER_INTERVAL_MS) %
    SPINNER_FRAMES.length
  ];
  const text = `${activity.label}… ${elapsed} · Ctrl-C to interrupt`;
  return palette.color ? `${palette.cyan(frame)} ${palette.dim(text)}` : `${frame} ${text}`;
}
