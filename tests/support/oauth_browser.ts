// deno-lint-ignore-file no-console
/**
 * A stand-in for the user's browser in OAuth tests, run as `$BROWSER`: it loads the authorization
 * page it is given and follows the redirects, as a browser does when the user approves at once, so
 * the authorization server's redirect lands on nanocode's callback on 127.0.0.1.
 * Exits 1 when a page on the way fails.
 * @module
 */

const url = Deno.args[0];
if (!url) {
  console.error("usage: oauth_browser.ts <url>");
  Deno.exit(2);
}
const response = await fetch(url, { redirect: "follow" });
await response.body?.cancel();
if (!response.ok) {
  console.error(`oauth_browser: ${response.url} answered HTTP ${response.status}`);
  Deno.exit(1);
}
