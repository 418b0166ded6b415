/**
 * How the web tools word a request that never reached a server: a host that cannot be found, a
 * refused connection. websearch chose its address itself, so it must not tell the model to check a URL.
 */
import { assertEquals, assertMatch } from "./support/assert.ts";
import type { ToolContext } from "../lib/core/tool.ts";
import { createWebsearchTool } from "../lib/tools/websearch.ts";
import { webfetchTool } from "../lib/tools/webfetch.ts";
import { describeNetError } from "../lib/tools/web/http.ts";

function toolContext(): ToolContext {
  return { cwd: Deno.cwd(), signal: new AbortController().signal, update() {} };
}

async function rejection(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

/** A port on 127.0.0.1 that nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test("websearch offline says the search host could not be found, not to check a URL", async () => {
  const env: Record<string, string> = { NANOCODE_DDG_URL: "https://search.nanocode.invalid/html/" };
  const tool = createWebsearchTool({ env: (name) => env[name] });
  const error = await rejection(() => tool.execute({ query: "deno" }, toolContext()));
  assertEquals(
    error.message,
    "Cannot search the web with DuckDuckGo: the host search.nanocode.invalid could not be found (its DNS lookup failed); this machine looks offline or cannot resolve names; check its network connection and retry",
  );
});

Deno.test("webfetch names a host that cannot be found and a connection that was refused", async () => {
  const lost = await rejection(() =>
    webfetchTool.execute({ url: "https://nowhere.nanocode.invalid/" }, toolContext())
  );
  assertEquals(
    lost.message,
    "Cannot fetch https://nowhere.nanocode.invalid/: the host nowhere.nanocode.invalid could not be found (its DNS lookup failed); check the host name in the URL, and that this machine is online",
  );
  const port = closedPort();
  const refused = await rejection(() =>
    webfetchTool.execute({ url: `http://127.0.0.1:${port}/` }, toolContext())
  );
  assertEquals(
    refused.message,
    `Cannot fetch http://127.0.0.1:${port}/: 127.0.0.1:${port} refused the connection (nothing is listening on port ${port}); check the URL's host and port, or whether the server is running`,
  );
});

Deno.test("a network error of another kind keeps its cause, not just fetch's 'fetch failed'", () => {
  const error = new TypeError("fetch failed", { cause: new Error("connection reset by peer") });
  const url = new URL("https://api.example.com/search");
  assertMatch(
    describeNetError(error, { action: "search the web", url }).message,
    /^Cannot search the web: connection reset by peer; check the network connection and retry$/,
  );
});
