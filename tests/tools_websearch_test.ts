import { assert, assertEquals, assertMatch, assertStringIncludes } from "./support/assert.ts";
import { VERSION } from "../lib/core/version.ts";
import { createWebsearchTool, websearchTool } from "../lib/tools/websearch.ts";
import {
  ddgNoResultsPage,
  ddgResultsPage,
  rejection,
  resultText,
  startServer,
  type TestServer,
  toolContext,
} from "./support/web_fixtures.ts";
import { runScript } from "./support/deno_script.ts";

function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": "text/html; charset=UTF-8" } });
}

/** The tool pointed at a DuckDuckGo stand-in, with no Exa key in its environment. */
function ddgTool(server: TestServer) {
  const env: Record<string, string> = { NANOCODE_DDG_URL: `${server.origin}/html/` };
  return createWebsearchTool({ env: (name) => env[name] });
}

/** The tool pointed at an Exa stand-in under `/exa`, with a key. */
function exaTool(server: TestServer, key = "exa-test-key") {
  const env: Record<string, string> = { EXA_API_KEY: key, NANOCODE_EXA_URL: `${server.origin}/exa` };
  return createWebsearchTool({ env: (name) => env[name] });
}

const DDG_RESULTS = [
  {
    title: "Deno &amp; <b>permissions</b>",
    url: "https://docs.deno.com/runtime/fundamentals/security/?tab=net&x=1",
    snippet: "Deno is secure by default. Use <b>--allow-net</b> to grant network access.",
  },
  {
    title: "Example Domain",
    url: "https://example.com/",
    snippet: "This domain is for use in illustrative examples.",
  },
  {
    title: "No snippet here",
    url: "http://plain.example.org/page",
    snippet: "",
  },
];

Deno.test("websearch lists DuckDuckGo results with their real URLs and without ads", async () => {
  await using server = startServer(() => html(ddgResultsPage(DDG_RESULTS, { ad: true })));
  const result = await ddgTool(server).execute({ query: "deno permissions" }, toolContext());
  assertEquals(
    resultText(result),
    [
      'Results for "deno permissions" (DuckDuckGo):',
      "",
      "1. Deno & permissions",
      "   https://docs.deno.com/runtime/fundamentals/security/?tab=net&x=1",
      "   Deno is secure by default. Use --allow-net to grant network access.",
      "",
      "2. Example Domain",
      "   https://example.com/",
      "   This domain is for use in illustrative examples.",
      "",
      "3. No snippet here",
      "   http://plain.example.org/page",
    ].join("\n"),
  );
  assertEquals(result.details, { engine: "DuckDuckGo", query: "deno permissions", count: 3 });
  const [request] = server.requests;
  assertEquals(request.method, "POST");
  assertEquals(request.url.pathname, "/html/");
  assertEquals(new URLSearchParams(request.body).get("q"), "deno permissions");
  assertEquals(request.headers.get("user-agent"), `nanocode/${VERSION}`);
});

Deno.test("websearch returns no more DuckDuckGo results than numResults asks for", async () => {
  const many = Array.from({ length: 8 }, (_, i) => ({
    title: `Result ${i + 1}`,
    url: `https://site${i + 1}.example/`,
    snippet: `Snippet ${i + 1}`,
  }));
  await using server = startServer(() => html(ddgResultsPage(many)));
  const text = resultText(await ddgTool(server).execute({ query: "many", numResults: 3 }, toolContext()));
  assertStringIncludes(text, "3. Result 3");
  assert(!text.includes("4. Result 4"), text);
  const five = resultText(await ddgTool(server).execute({ query: "default" }, toolContext()));
  assertStringIncludes(five, "5. Result 5");
  assert(!five.includes("6. Result 6"), five);
});

Deno.test("websearch reports a DuckDuckGo search without results as an error", async () => {
  await using server = startServer(() => html(ddgNoResultsPage()));
  const error = await rejection(() => ddgTool(server).execute({ query: "zzqxv nothing" }, toolContext()));
  assertEquals(
    error.message,
    'Cannot search the web: DuckDuckGo found no results for "zzqxv nothing"; try fewer or different words',
  );
});

Deno.test("websearch counts a DuckDuckGo page holding only ads as no results", async () => {
  await using server = startServer(() => html(ddgResultsPage([], { ad: true })));
  const error = await rejection(() => ddgTool(server).execute({ query: "buy" }, toolContext()));
  assertStringIncludes(error.message, "DuckDuckGo found no results");
});

Deno.test("websearch reports DuckDuckGo's 202 challenge as rate limiting", async () => {
  await using server = startServer(() =>
    html("<html><body><div class='anomaly-modal'></div></body></html>", 202)
  );
  const error = await rejection(() => ddgTool(server).execute({ query: "deno" }, toolContext()));
  assertMatch(
    error.message,
    /^Cannot search the web with DuckDuckGo: DuckDuckGo answered with a challenge page \(HTTP 202\)/,
  );
  assertStringIncludes(error.message, "set EXA_API_KEY to search with Exa");
});

Deno.test("websearch reports a DuckDuckGo page in an unknown layout instead of an empty success", async () => {
  await using server = startServer(() => html("<html><body><main><p>Something new</p></main></body></html>"));
  const error = await rejection(() => ddgTool(server).execute({ query: "deno" }, toolContext()));
  assertMatch(
    error.message,
    /^Cannot search the web with DuckDuckGo: the page held no results in the expected layout/,
  );
});

Deno.test("websearch reports a failed DuckDuckGo request with its status", async () => {
  await using server = startServer(() => html("<h1>Service Unavailable</h1>", 503));
  const error = await rejection(() => ddgTool(server).execute({ query: "deno" }, toolContext()));
  assertMatch(
    error.message,
    /^Cannot search the web with DuckDuckGo: HTTP 503 \(Service Unavailable\); retry later/,
  );
});

Deno.test("websearch reports a search server that cannot be reached", async () => {
  const server = startServer(() => html(""));
  await server.close();
  const error = await rejection(() => ddgTool(server).execute({ query: "deno" }, toolContext()));
  assertMatch(
    error.message,
    /^Cannot search the web with DuckDuckGo: 127\.0\.0\.1:\d+ refused the connection \(nothing is listening on port \d+\); retry later$/,
  );
});

Deno.test("websearch uses Exa's search API when EXA_API_KEY is set", async () => {
  await using server = startServer(() =>
    Response.json({
      requestId: "r1",
      results: [
        {
          title: "Deno Security",
          url: "https://docs.deno.com/security",
          publishedDate: "2024-05-01T00:00:00.000Z",
          author: null,
          text: "Deno is secure\nby default.\n\nPermissions are granted with flags.",
        },
        { title: null, url: "https://example.com/untitled", text: "" },
      ],
    })
  );
  const result = await exaTool(server).execute({ query: "deno security", numResults: 2 }, toolContext());
  assertEquals(
    resultText(result),
    [
      'Results for "deno security" (Exa):',
      "",
      "1. Deno Security (2024-05-01)",
      "   https://docs.deno.com/security",
      "   Deno is secure by default. Permissions are granted with flags.",
      "",
      "2. (untitled)",
      "   https://example.com/untitled",
    ].join("\n"),
  );
  const [request] = server.requests;
  assertEquals(request.method, "POST");
  assertEquals(request.url.pathname, "/exa/search");
  assertEquals(request.headers.get("x-api-key"), "exa-test-key");
  assertEquals(JSON.parse(request.body), {
    query: "deno security",
    type: "auto",
    numResults: 2,
    contents: { text: { maxCharacters: 1000 } },
  });
});

Deno.test("websearch reports an Exa search without results as an error", async () => {
  await using server = startServer(() => Response.json({ requestId: "r2", results: [] }));
  const error = await rejection(() => exaTool(server).execute({ query: "zzqxv" }, toolContext()));
  assertEquals(
    error.message,
    'Cannot search the web: Exa found no results for "zzqxv"; try fewer or different words',
  );
});

Deno.test("websearch reports Exa's 401 with its message and which key to check, without the key", async () => {
  await using server = startServer(() => Response.json({ error: "Invalid API key" }, { status: 401 }));
  const error = await rejection(() =>
    exaTool(server, "sk-secret-123").execute({ query: "deno" }, toolContext())
  );
  assertEquals(
    error.message,
    "Cannot search the web with Exa: HTTP 401 (Invalid API key); check EXA_API_KEY, or unset it to search with DuckDuckGo",
  );
  assert(!error.message.includes("sk-secret-123"));
});

Deno.test("websearch reports an Exa answer that is not JSON", async () => {
  await using server = startServer(() => html("<html>proxy login</html>"));
  const error = await rejection(() => exaTool(server).execute({ query: "deno" }, toolContext()));
  assertMatch(error.message, /^Cannot search the web with Exa: the answer from 127\.0\.0\.1:\d+ is not JSON/);
});

Deno.test("websearch rejects a missing query and says what to give", async () => {
  const error = await rejection(() => websearchTool.execute({ query: "  " }, toolContext()));
  assertEquals(error.message, "Cannot search the web: `query` is missing; give the words to search for");
});

Deno.test("websearch asks Exa for at most 20 results", async () => {
  await using server = startServer(() =>
    Response.json({ results: [{ title: "One", url: "https://one.example/" }] })
  );
  await exaTool(server).execute({ query: "deno", numResults: 500 }, toolContext());
  assertEquals(JSON.parse(server.requests[0].body).numResults, 20);
});

Deno.test("websearch declares that it needs network access", () => {
  assertEquals(websearchTool.name, "websearch");
  assertEquals(websearchTool.permissions, ["net"]);
});

Deno.test("websearch follows DuckDuckGo's redirects, as a POST through a 307 and as a GET after a 302", async () => {
  await using server = startServer((_request, url) => {
    if (url.pathname === "/html/") return new Response(null, { status: 307, headers: { location: "/kept" } });
    if (url.pathname === "/kept") return new Response(null, { status: 302, headers: { location: "/final" } });
    return html(ddgResultsPage(DDG_RESULTS.slice(1, 2)));
  });
  const text = resultText(await ddgTool(server).execute({ query: "example" }, toolContext()));
  assertStringIncludes(text, "1. Example Domain\n   https://example.com/");
  assertEquals(
    server.requests.map((r) => [r.method, r.url.pathname, new URLSearchParams(r.body).get("q")]),
    [["POST", "/html/", "example"], ["POST", "/kept", "example"], ["GET", "/final", null]],
  );
});

Deno.test("websearch does not send the Exa key on to another host a redirect names", async () => {
  await using other = startServer(() =>
    Response.json({ results: [{ title: "Moved", url: "https://m.example/" }] })
  );
  await using server = startServer(() =>
    new Response(null, { status: 308, headers: { location: `${other.origin}/search` } })
  );
  const text = resultText(await exaTool(server).execute({ query: "deno" }, toolContext()));
  assertStringIncludes(text, "1. Moved");
  assertEquals(server.requests[0].headers.get("x-api-key"), "exa-test-key");
  assertEquals(other.requests[0].headers.get("x-api-key"), null);
  assertEquals(JSON.parse(other.requests[0].body).query, "deno");
});

Deno.test("websearch under a narrowed --allow-net names the host a redirect leads to", async () => {
  await using server = startServer((_request, url) =>
    url.hostname === "127.0.0.1"
      ? new Response(null, { status: 302, headers: { location: `http://localhost:${url.port}/html/` } })
      : html(ddgResultsPage(DDG_RESULTS))
  );
  const localhost = server.host.replace("127.0.0.1", "localhost");
  const script = `
    import { createWebsearchTool } from ${JSON.stringify(import.meta.resolve("../lib/tools/websearch.ts"))};
    const env = { NANOCODE_DDG_URL: Deno.args[0] };
    const tool = createWebsearchTool({ env: (name) => env[name] });
    const ctx = { cwd: "/", signal: new AbortController().signal, update() {} };
    await tool.execute({ query: "deno" }, ctx).then(() => console.log("OK"), (error) => console.log(error.message));`;
  const output = await runScript(script, {
    flags: [`--allow-net=${server.host}`],
    args: [`${server.origin}/html/`],
  });
  assertEquals(
    output.stdout.trim(),
    `Cannot search the web with DuckDuckGo: nanocode was started without network access to ${localhost}; ` +
      `restart it with --allow-net=${localhost} (or add ${localhost} to the existing --allow-net list)`,
    output.stderr,
  );
  assertEquals(server.requests.length, 1);
});
