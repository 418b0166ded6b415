// deno-lint-ignore-file no-console
/**
 * A stand-in for the user's browser in OAuth tests, run as `$BROWSER`: it loads the authorization
 * page it is given and follows the redirects, as a browser does when the user approves at once, so
 * the authorization server's redirect lands on nanocode's callback on 127.0.0.1. `--delay-ms=N`
 * first waits that long, as a user who takes a while to approve. Exits 1 when a page on the way fails.
 * @module
 */

const delay = Deno.args.find((a) => a.startsWith("--delay-ms="));
const url = Deno.args.find((a) => !a.startsWith("--"));
if (!url) {
  console.error("usage: oauth_browser.ts [--delay-ms=N] <url>");
  Deno.exit(2);
}
// A user who takes a while to approve.
if (delay) await new Promise((resolve) => setTimeout(resolve, Number(delay.slice("--delay-ms=".length))));
const response = await fetch(url, { redirect: "follow" });
await response.body?.cancel();
if (!response.ok) {
  console.error(`oauth_browser: ${response.url} answered HTTP ${response.status}`);
  Deno.exit(1);
}
