/** NANOCODE_USER_AGENT reaches every request the web tools send, through the tool context's env. */
import { assertEquals } from "./support/assert.ts";
import { VERSION } from "../lib/core/version.ts";
import { webfetchTool } from "../lib/tools/webfetch.ts";
import { websearchTool } from "../lib/tools/websearch.ts";
import { ddgResultsPage, startServer, toolContext } from "./support/web_fixtures.ts";

function withEnv(env: Record<string, string>) {
  return { ...toolContext(), env: (name: string) => env[name] };
}

Deno.test("webfetch sends NANOCODE_USER_AGENT from the run's environment, else nanocode/<version>", async () => {
  await using server = startServer(() =>
    new Response("plain", { headers: { "content-type": "text/plain" } })
  );
  await webfetchTool.execute({ url: `${server.origin}/a` }, withEnv({ NANOCODE_USER_AGENT: "my-agent/2" }));
  await webfetchTool.execute({ url: `${server.origin}/b` }, withEnv({ NANOCODE_USER_AGENT: "  " }));
  await webfetchTool.execute({ url: `${server.origin}/c` }, toolContext());
  assertEquals(server.requests.map((r) => r.headers.get("user-agent")), [
    "my-agent/2",
    `nanocode/${VERSION}`,
    `nanocode/${VERSION}`,
  ]);
});

Deno.test("websearch sends NANOCODE_USER_AGENT to DuckDuckGo and to Exa", async () => {
  await using server = startServer((_, url) =>
    url.pathname.startsWith("/exa")
      ? Response.json({ results: [{ title: "T", url: "https://x.example/", text: "s" }] })
      : new Response(ddgResultsPage([{ title: "T", url: "https://x.example/", snippet: "s" }]), {
        headers: { "content-type": "text/html" },
      })
  );
  const agent = { NANOCODE_USER_AGENT: "my-agent/2" };
  await websearchTool.execute(
    { query: "q" },
    withEnv({ ...agent, NANOCODE_DDG_URL: `${server.origin}/html/` }),
  );
  await websearchTool.execute(
    { query: "q" },
    withEnv({ ...agent, EXA_API_KEY: "k", NANOCODE_EXA_URL: `${server.origin}/exa` }),
  );
  assertEquals(server.requests.map((r) => [r.url.pathname, r.headers.get("user-agent")]), [
    ["/html/", "my-agent/2"],
    ["/exa/search", "my-agent/2"],
  ]);
});
