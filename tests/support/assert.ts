/**
 * The assertions tests use, on top of `node:assert/strict` (JSR's @std/assert cannot be installed here).
 * @module
 */

import { deepStrictEqual, match, ok, rejects } from "node:assert/strict";

/** Fails unless `value` is truthy; narrows its type. */
export function assert(value: unknown, message?: string): asserts value {
  ok(value, message);
}

/** Fails unless the two values are deeply equal. */
export function assertEquals<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  deepStrictEqual(actual, expected, message);
}

/** Fails unless `text` matches `pattern`. */
export function assertMatch(text: string, pattern: RegExp, message?: string): void {
  match(text, pattern, message);
}

/** Fails unless `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, message?: string): void {
  ok(text.includes(part), message ?? `expected to find ${JSON.stringify(part)} in:\n${text}`);
}

/** Fails unless the promise rejects with an error whose message matches `pattern`. */
export async function assertRejects(promise: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  await rejects(promise, (error: unknown) => {
    match(error instanceof Error ? error.message : String(error), pattern);
    return true;
  });
}
