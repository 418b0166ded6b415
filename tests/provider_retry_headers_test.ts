import { assertEquals } from "./support/assert.ts";
import { retryAfterMs } from "../lib/provider/mod.ts";

Deno.test("x-ratelimit-reset headers give the wait when retry-after is absent", () => {
  assertEquals(retryAfterMs(new Headers({ "x-ratelimit-reset-requests": "6s" })), 6000);
  assertEquals(
    retryAfterMs(new Headers({ "x-ratelimit-reset-requests": "250ms", "x-ratelimit-reset-tokens": "1m30s" })),
    90_000,
  );
  assertEquals(retryAfterMs(new Headers({ "x-ratelimit-reset-tokens": "2.5" })), 2500);
  assertEquals(retryAfterMs(new Headers({ "x-ratelimit-reset-tokens": "soon" })), undefined);
});

Deno.test("retry-after wins over x-ratelimit-reset headers", () => {
  assertEquals(retryAfterMs(new Headers({ "retry-after": "2", "x-ratelimit-reset-requests": "60s" })), 2000);
  assertEquals(
    retryAfterMs(new Headers({ "retry-after-ms": "10", "x-ratelimit-reset-requests": "60s" })),
    10,
  );
});
