/**
 * Short one-line renderings of tool calls and results, shared by the terminal UI and the headless
 * trace so both describe a run the same way.
 * @module
 */

/** Shortens text to `max` characters on one line, marking the cut with `…`. */
export function oneLine(text: string, max = 80): string {
  const flat = text.replace(/\s*\n\s*/g, " ⏎ ").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * `name(key=value, …)` with each value shortened, as shown when the model calls a tool.
 * @example formatToolCall("bash", { command: "ls -la" }) // 'bash(command="ls -la")'
 */
export function formatToolCall(name: string, args: unknown, options: { maxValue?: number } = {}): string {
  const maxValue = options.maxValue ?? 60;
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    return `${name}(${oneLine(typeof args === "string" ? args : JSON.stringify(args) ?? "", maxValue)})`;
  }
  const parts = Object.entries(args as Record<string, unknown>).map(([key, value]) => {
    const text = typeof value === "string"
      ? JSON.stringify(oneLine(value, maxValue))
      : oneLine(JSON.stringify(value) ?? "", maxValue);
    return `${key}=${text}`;
  });
  return `${name}(${parts.join(", ")})`;
}

/**
 * The first line of a tool's result and how many more lines it has: `first line … +12 lines`. A
 * result cut to a window (its last line a `[Showing lines S-E of T…]` note) says which lines of how
 * many it shows: `98001 … lines 98001-100000 of 100000`.
 */
export function summarizeResult(text: string, options: { max?: number } = {}): string {
  const lines = text.replace(/\n+$/, "").split("\n");
  const first = oneLine(lines[0] ?? "", options.max ?? 100);
  const window = lines.length > 1 ? /^\[Showing lines (\d+-\d+ of \d+)\b/.exec(lines.at(-1)!) : null;
  if (window) return `${first} … lines ${window[1]}`;
  const more = lines.length - 1;
  return more > 0 ? `${first} … +${more} line${more > 1 ? "s" : ""}` : first;
}
