/**
 * When and how much a conversation is compacted: the settings (the original nanocode's names and
 * defaults) and the trigger they give. Pure.
 * @module
 */

/** When and how much to compact (the original nanocode's settings and defaults). */
export interface CompactionSettings {
  /** Whether it happens by itself at the boundary (`NANOCODE_COMPACTION=0` turns it off). */
  auto: boolean;
  /** The model's context window, in tokens (default 128,000). */
  window: number;
  /** Tokens kept free for the answer (default 16,384). */
  reserve: number;
  /** Share of the window kept free, if larger than the reserve (default 0.15). */
  remainingRatio: number;
  /** Tokens of the most recent messages kept as they are (default 20,000). */
  keepRecent: number;
}

/** The defaults. */
export const DEFAULT_COMPACTION: Readonly<CompactionSettings> = Object.freeze({
  auto: true,
  window: 128_000,
  reserve: 16_384,
  remainingRatio: 0.15,
  keepRecent: 20_000,
});

/** The estimate above which the conversation is compacted: window − max(reserve, ratio × window). */
export function triggerAt(settings: CompactionSettings): number {
  return settings.window - Math.max(settings.reserve, Math.round(settings.remainingRatio * settings.window));
}
