/**
 * The compaction settings from the environment. A value that is not a number in range gets a
 * one-line warning and the default, so a typo never stops a run.
 * @module
 */

import { type CompactionSettings, DEFAULT_COMPACTION } from "../core/mod.ts";
import type { EnvReader } from "./env.ts";

/** Reads `NANOCODE_CONTEXT_WINDOW_TOKENS`, `NANOCODE_COMPACTION_*` and `NANOCODE_COMPACTION`. */
export function compactionSettings(env: EnvReader): { settings: CompactionSettings; warnings: string[] } {
  const warnings: string[] = [];
  const number = (name: string, fallback: number, min: number, max: number, integer = true): number => {
    const text = env(name)?.trim();
    if (text === undefined || text === "") return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
      warnings.push(
        `${name}=${text} is not ${
          integer ? "a whole number" : "a number"
        } from ${min} to ${max}; using ${fallback}.`,
      );
      return fallback;
    }
    return value;
  };
  const window = number("NANOCODE_CONTEXT_WINDOW_TOKENS", DEFAULT_COMPACTION.window, 4_000, 2_000_000);
  const reserve = number("NANOCODE_COMPACTION_RESERVE_TOKENS", DEFAULT_COMPACTION.reserve, 0, window - 1_000);
  let remainingRatio = DEFAULT_COMPACTION.remainingRatio;
  if (env("NANOCODE_COMPACTION_REMAINING_RATIO")?.trim()) {
    remainingRatio = number("NANOCODE_COMPACTION_REMAINING_RATIO", remainingRatio, 0, 0.9, false);
  } else if (env("NANOCODE_COMPACTION_TRIGGER_RATIO")?.trim()) {
    remainingRatio = 1 - number("NANOCODE_COMPACTION_TRIGGER_RATIO", 1 - remainingRatio, 0.1, 1, false);
  }
  const keepRecent = number(
    "NANOCODE_COMPACTION_KEEP_RECENT_TOKENS",
    DEFAULT_COMPACTION.keepRecent,
    0,
    window,
  );
  const switchText = (env("NANOCODE_COMPACTION") ?? "").trim().toLowerCase();
  const auto = !["0", "false", "no", "off"].includes(switchText);
  return { settings: { auto, window, reserve, remainingRatio, keepRecent }, warnings };
}
