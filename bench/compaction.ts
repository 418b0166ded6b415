/**
 * The boundary's compaction check — the estimate after one appended message, and the trigger — on a
 * 2,000-message conversation beside a 200-message one: the work must be the same, not grow with the
 * conversation's length. Run alone with `deno run -A bench/compaction.ts`.
 * @module
 */

import { ContextMeter, triggerAt } from "../lib/agent/mod.ts";
import { DEFAULT_COMPACTION, type Message } from "../lib/core/mod.ts";
import { median, row } from "./report.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 5);
const BOUNDARIES = 20_000;

function conversation(length: number): Message[] {
  const messages: Message[] = [{ role: "system", content: "s".repeat(4_000) }];
  for (let i = 1; i < length; i++) {
    messages.push(
      i % 2 ? { role: "user", content: `question ${i}` } : { role: "assistant", content: "a".repeat(300) },
    );
  }
  return messages;
}

/** Microseconds per boundary: one message appended, the estimate read, the trigger compared. */
function perBoundary(length: number): number {
  const messages = conversation(length);
  const meter = new ContextMeter(messages);
  meter.anchor(50_000, messages.length);
  const trigger = triggerAt(DEFAULT_COMPACTION);
  const reply: Message = { role: "assistant", content: "b".repeat(200) };
  let over = 0;
  const start = performance.now();
  for (let i = 0; i < BOUNDARIES; i++) {
    messages.push(reply);
    meter.follow({ type: "message", message: reply }, messages);
    if (meter.use(messages).total > trigger) over++;
  }
  // Read the count, so the comparison is work the engine cannot drop.
  return ((performance.now() - start) * 1000) / BOUNDARIES + over * 0;
}

/** Runs the benchmark and prints its row. */
export function benchCompaction(): void {
  perBoundary(200);
  const short: number[] = [];
  const long: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    short.push(perBoundary(200));
    long.push(perBoundary(2_000));
  }
  row(
    "compaction check per boundary, 2,000 messages",
    `${median(long).toFixed(2)} µs`,
    `${median(short).toFixed(2)} µs`,
    median(long) / median(short),
    "(baseline: 200 messages; must stay flat)",
  );
}

if (import.meta.main) benchCompaction();
