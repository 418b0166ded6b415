/**
 * The activity line shown while nothing streams: a spinner frame, what is awaited and for how long
 * (`waiting for the model · 12s`, `running grep · 3s`), or while a failed request waits to be sent
 * again, the countdown to it (`retrying in 3s (2/4)`).
 * @module
 */

import type { Palette } from "./ansi.ts";
import { type Activity, formatElapsed, WAITING } from "./render.ts";

/** Braille spinner frames, one every {@link SPINNER_INTERVAL_MS}. */
export const SPINNER_FRAMES: readonly string[] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Milliseconds between two spinner frames. */
export const SPINNER_INTERVAL_MS = 80;

/** A wait as the activity line counts it: whole seconds under a minute (`12s`), then `2m 05s`. */
function waited(ms: number): string {
  return ms < 60_000 ? `${Math.floor(Math.max(0, ms) / 1000)}s` : formatElapsed(ms);
}

/** What the activity line says at time `now`, without the spinner frame. */
export function activityText(activity: Activity, now: number): string {
  const retry = activity.retry;
  if (retry && now < retry.until) {
    return `retrying in ${Math.ceil((retry.until - now) / 1000)}s (${retry.attempt}/${retry.maxRetries})`;
  }
  // Once the retry is sent, the wait for its answer is timed from then.
  if (retry) return `${WAITING} · ${waited(now - retry.until)}`;
  return `${activity.label} · ${waited(now - activity.since)}`;
}

/**
 * The spinner line for an activity at time `now`: `⠹ waiting for the model · 3s · Ctrl-C to interrupt`.
 */
export function activityLine(activity: Activity, options: { now: number; palette: Palette }): string {
  const { now, palette } = options;
  const frame = SPINNER_FRAMES[
    Math.floor(Math.max(0, now - activity.since) / SPINNER_INTERVAL_MS) %
    SPINNER_FRAMES.length
  ];
  const text = `${activityText(activity, now)} · Ctrl-C to interrupt`;
  return palette.color ? `${palette.cyan(frame)} ${palette.dim(text)}` : `${frame} ${text}`;
}
