// deno-lint-ignore-file no-console
/**
 * How `deno task bench` prints a figure: one row, the value beside its baseline measured in the same
 * run, and their ratio. Medians throughout.
 * @module
 */

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Prints `label  value   baseline <baseline>   ×ratio`, and a note after it when given. */
export function row(label: string, value: string, baseline: string, ratio: number, note = ""): void {
  console.log(
    `${label.padEnd(46)} ${value.padStart(10)}   baseline ${baseline.padStart(10)}   ×${ratio.toFixed(2)}${
      note ? ` ${note}` : ""
    }`,
  );
}

/** Prints one line of text (a heading, a note). */
export function line(text: string): void {
  console.log(text);
}

/** Formats milliseconds for a row. */
export function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

/** Formats kilobytes as megabytes for a row. */
export function mb(kb: number): string {
  return `${(kb / 1024).toFixed(1)} MB`;
}
