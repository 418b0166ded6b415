/**
 * Suggestions for what the user meant: the nearest name to a typo, and the names Tab completes.
 * @module
 */

import { editDistance } from "../../core/mod.ts";

export { editDistance };

/**
 * The candidate nearest to `word`: the shortest one it is a prefix of, else the one with the fewest
 * edits, if those are few enough to be a typo (at most max(2, ⌊length/3⌋), and fewer than either
 * word's length, so a short word is never "corrected" into an unrelated one). Undefined otherwise.
 * @example nearest("modle", ["model", "tools"]) // "model"; nearest("foo", ["model", "tools"]) // undefined
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  if (lower === "") return undefined;
  const prefixed = candidates.filter((c) => c.startsWith(lower));
  if (prefixed.length > 0) return prefixed.sort((a, b) => a.length - b.length)[0];
  const allowed = Math.max(2, Math.floor(lower.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate);
    const typo = distance <= allowed && distance < Math.min(lower.length, candidate.length);
    if (typo && distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/**
 * Names to complete after `/`: the commands (but the `skill:<name>` placeholder) and one
 * `skill:<name>` per skill, those that start with `prefix`.
 * @example completions("mo", { commands: COMMANDS, skills: [] }) // ["model"]
 */
export function completions(
  prefix: string,
  options: { commands: readonly { name: string }[]; skills: readonly { name: string }[] },
): string[] {
  const names = [
    ...options.commands.filter((c) => c.name !== "skill:<name>").map((c) => c.name),
    ...options.skills.map((s) => `skill:${s.name}`),
  ];
  return names.filter((n) => n.startsWith(prefix));
}
