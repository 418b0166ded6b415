// deno-lint-ignore-file no-console
/**
 * Benchmark of the HTML conversion behind `webfetch` on the worst pages known: a 4,000-row table,
 * 40,000 paragraphs, 5 MB of small blocks and 20,000 levels of nesting. Each is converted to markdown and
 * to text on this thread, and to markdown on a worker (start-up included), beside a baseline measured in
 * the same run: finding every tag of the same HTML with a regular expression, the least any conversion
 * must do. Also measures how long an abort takes to stop a conversion running on a worker. Medians.
 * Run alone with `deno run -A bench/html.ts`.
 * @module
 */

import { convertHtml } from "../lib/tools/web/html.ts";
import { convertPage } from "../lib/tools/web/html_worker.ts";
import { blocksPage, deepPage, paragraphsPage, tablePage } from "../tests/support/web_fixtures.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function time(action: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await action();
    times.push(performance.now() - start);
  }
  return median(times);
}

function tagScan(html: string): number {
  let tags = 0;
  for (const _ of html.matchAll(/<[^>]*>/g)) tags++;
  return tags;
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`.padStart(8);
}

/** Milliseconds from `abort()` to the rejection of a worker conversion of `html` that is under way. */
async function abortLatency(html: string): Promise<number> {
  const controller = new AbortController();
  const pending = convertPage(html, { signal: controller.signal });
  const { promise: started, resolve } = Promise.withResolvers<void>();
  // Give the worker time to load and start converting, so that the abort lands mid-conversion.
  setTimeout(resolve, 150);
  await started;
  const start = performance.now();
  controller.abort();
  await pending.then(() => {
    throw new Error("the conversion finished before the abort");
  }, () => {});
  return performance.now() - start;
}

/** Prints the conversion figures; see the module documentation. */
export async function benchHtml(): Promise<void> {
  const cases: [string, string][] = [
    ["4,000-row table", tablePage(4000)],
    ["40,000 paragraphs", paragraphsPage(40_000)],
    ["5 MB of small blocks", blocksPage(5 * 1024 * 1024)],
    ["20,000 levels of nesting", deepPage(20_000, "<p>deep</p>")],
  ];
  // Load the converter and warm the worker path once, outside the measurements.
  await convertHtml("<p>warm</p>");
  await convertPage("<p>warm</p>");
  console.log(`HTML conversion — ${RUNS} runs each, median; baseline = finding every tag with a regex\n`);
  console.log(
    `${"page".padEnd(26)} ${"size".padStart(8)} ${"markdown".padStart(8)} ${"text".padStart(8)} ` +
      `${"worker".padStart(8)} ${"baseline".padStart(8)}  markdown/baseline`,
  );
  for (const [name, html] of cases) {
    const markdown = await time(() => convertHtml(html));
    const text = await time(() => convertHtml(html, { format: "text" }));
    const worker = await time(() => convertPage(html));
    const baseline = await time(() => tagScan(html));
    const size = `${(html.length / (1024 * 1024)).toFixed(2)} MB`;
    console.log(
      `${name.padEnd(26)} ${size.padStart(8)} ${ms(markdown)} ${ms(text)} ${ms(worker)} ${ms(baseline)}  ×${
        (markdown / baseline).toFixed(1)
      }`,
    );
  }
  const latencies: number[] = [];
  const big = blocksPage(5 * 1024 * 1024);
  for (let i = 0; i < RUNS; i++) latencies.push(await abortLatency(big));
  console.log(`\nabort during a worker conversion of 5 MB → rejection: ${median(latencies).toFixed(1)} ms`);
}

if (import.meta.main) await benchHtml();
