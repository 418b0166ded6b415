import { assert, assertEquals, assertMatch, assertStringIncludes } from "./support/assert.ts";
import { VERSION } from "../lib/core/version.ts";
import { createWebfetchTool, MAX_DOWNLOAD_BYTES, webfetchTool } from "../lib/tools/webfetch.ts";
import {
  noAnswer,
  rejection,
  resultText,
  stalledResponse,
  startServer,
  toolContext,
} from "./support/web_fixtures.ts";

const ARTICLE = `<!DOCTYPE html>
<html><head><title>Guide</title>
<style>body { color: red; }</style>
<script>document.write("tracking pixel");</script>
</head><body>
<nav><a href="/">Home-nav-link</a> <a href="/about">About-nav-link</a></nav>
<noscript>Please enable JavaScript</noscript>
<main>
<h1>Install &amp; run</h1>
<p>Read the <a href="/docs/intro">introduction</a> first.</p>
<pre><code class="language-ts">const x = 1;
if (x &lt; 2) {
  run();
}
</code></pre>
<table>
<thead><tr><th>Name</th><th>Value</th></tr></thead>
<tbody><tr><td>alpha</td><td>1</td></tr><tr><td>beta</td><td>2</td></tr></tbody>
</table>
<ul><li>first item</li><li>second item</li></ul>
</main>
<script>console.log("late script")</script>
</body></html>`;

function htmlResponse(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8" } });
}

Deno.test("webfetch converts an HTML page to markdown without scripts, styles or navigation", async () => {
  await using server = startServer(() => htmlResponse(ARTICLE));
  const result = await webfetchTool.execute({ url: `${server.origin}/guide` }, toolContext());
  const text = resultText(result);
  assertStringIncludes(text, "# Install & run");
  assertStringIncludes(text, `[introduction](${server.origin}/docs/intro)`);
  assertStringIncludes(text, "```ts\nconst x = 1;\nif (x < 2) {\n  run();\n}\n```");
  assertMatch(text, /\| Name +\| Value +\|\n\| -+ \| -+ \|\n\| alpha +\| 1 +\|/);
  assertStringIncludes(text, "first item");
  for (const noise of ["tracking pixel", "late script", "color: red", "nav-link", "enable JavaScript"]) {
    assert(!text.includes(noise), `markdown should not contain "${noise}":\n${text}`);
  }
  assertEquals(server.requests[0].headers.get("user-agent"), `nanocode/${VERSION}`);
});

Deno.test("webfetch converts an HTML page to readable plain text", async () => {
  await using server = startServer(() => htmlResponse(ARTICLE));
  const text = resultText(await webfetchTool.execute({ url: server.origin, format: "text" }, toolContext()));
  assert(text.startsWith("Install & run\n\nRead the introduction first."), text);
  assertStringIncludes(text, "const x = 1;\nif (x < 2) {\n  run();\n}");
  assertStringIncludes(text, "Name | Value\nalpha | 1\nbeta | 2");
  assertStringIncludes(text, "- first item\n- second item");
  for (const noise of ["<p", "</", "```", "tracking pixel", "nav-link", "](", "color: red"]) {
    assert(!text.includes(noise), `text should not contain "${noise}":\n${text}`);
  }
});

Deno.test("webfetch returns the page's HTML unchanged when asked for format html", async () => {
  await using server = startServer(() => htmlResponse(ARTICLE));
  const text = resultText(await webfetchTool.execute({ url: server.origin, format: "html" }, toolContext()));
  assertEquals(text, ARTICLE);
});

Deno.test("webfetch returns JSON and plain text as they are", async () => {
  const json = JSON.stringify({ name: "nanocode", tags: ["<b>not html</b>"] }, null, 2);
  await using server = startServer((_request, url) =>
    url.pathname === "/data.json"
      ? new Response(json, { headers: { "content-type": "application/json" } })
      : new Response("plain <b>text</b>\n  indented line\n", { headers: { "content-type": "text/plain" } })
  );
  const ctx = toolContext();
  assertEquals(resultText(await webfetchTool.execute({ url: `${server.origin}/data.json` }, ctx)), json);
  assertEquals(
    resultText(await webfetchTool.execute({ url: `${server.origin}/notes.txt`, format: "text" }, ctx)),
    "plain <b>text</b>\n  indented line\n",
  );
});

Deno.test("webfetch decodes a page in the charset its server declares", async () => {
  const latin1 = new Uint8Array([
    ...new TextEncoder().encode("<p>caf"),
    0xe9,
    ...new TextEncoder().encode("</p>"),
  ]);
  await using server = startServer(() =>
    new Response(latin1, { headers: { "content-type": "text/html; charset=iso-8859-1" } })
  );
  assertEquals(resultText(await webfetchTool.execute({ url: server.origin }, toolContext())), "café");
});

Deno.test("webfetch follows a chain of redirects to the final page and says where it landed", async () => {
  await using server = startServer((_request, url) => {
    if (url.pathname === "/start") {
      return new Response(null, { status: 301, headers: { location: "/middle" } });
    }
    if (url.pathname === "/middle") {
      return new Response(null, { status: 307, headers: { location: `${url.origin}/end?from=middle` } });
    }
    return htmlResponse("<h1>Arrived</h1>");
  });
  const result = await webfetchTool.execute({ url: `${server.origin}/start` }, toolContext());
  assertEquals(resultText(result), `[Redirected to ${server.origin}/end?from=middle]\n\n# Arrived`);
  assertEquals(server.requests.map((r) => r.url.pathname), ["/start", "/middle", "/end"]);
  assertEquals(result.details?.redirects, 2);
});

Deno.test("webfetch stops at a redirect loop with an error naming the loop", async () => {
  await using server = startServer((_request, url) =>
    new Response(null, { status: 302, headers: { location: url.pathname === "/ping" ? "/pong" : "/ping" } })
  );
  const error = await rejection(() => webfetchTool.execute({ url: `${server.origin}/ping` }, toolContext()));
  assertMatch(error.message, /^Cannot fetch .*\/ping: redirect loop \(.*\/ping -> .*\/pong -> .*\/ping\)/);
  assertEquals(server.requests.length, 2);
});

Deno.test("webfetch gives up after too many redirects", async () => {
  await using server = startServer((_request, url) => {
    const n = Number(url.pathname.slice(1));
    return new Response(null, { status: 302, headers: { location: `/${n + 1}` } });
  });
  const error = await rejection(() => webfetchTool.execute({ url: `${server.origin}/0` }, toolContext()));
  assertStringIncludes(error.message, "more than 10 redirects");
  assertEquals(server.requests.length, 11);
});

Deno.test("webfetch refuses a redirect to a URL that is not http or https", async () => {
  await using server = startServer(() =>
    new Response(null, { status: 302, headers: { location: "file:///etc/passwd" } })
  );
  const error = await rejection(() => webfetchTool.execute({ url: server.origin }, toolContext()));
  assertMatch(error.message, /only http:\/\/ and https:\/\/ URLs are supported, not file:/);
});

Deno.test("webfetch rejects URLs that are not http or https", async () => {
  for (const url of ["file:///etc/passwd", "ftp://example.com/file", "data:text/plain,hi"]) {
    const error = await rejection(() => webfetchTool.execute({ url }, toolContext()));
    assertMatch(error.message, /^Cannot fetch .*: only http:\/\/ and https:\/\/ URLs are supported/);
  }
  const error = await rejection(() => webfetchTool.execute({ url: "not a url" }, toolContext()));
  assertStringIncludes(error.message, "not a valid URL");
});

Deno.test("webfetch caps a huge body at the download limit and bounds what the model reads", async () => {
  const line = "x".repeat(99) + "\n";
  const lines = Math.ceil((MAX_DOWNLOAD_BYTES + 1024 * 1024) / line.length);
  let sent = 0;
  await using server = startServer(() => {
    const chunk = new TextEncoder().encode(line.repeat(1000));
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= lines) return controller.close();
        controller.enqueue(chunk);
        sent += 1000;
      },
    });
    return new Response(body, { headers: { "content-type": "text/plain" } });
  });
  const result = await webfetchTool.execute({ url: server.origin }, toolContext());
  const text = resultText(result);
  assertEquals(result.details?.bytes, MAX_DOWNLOAD_BYTES);
  assertEquals(result.details?.downloadTruncated, true);
  assertStringIncludes(text, "[Download stopped at 5.0MB; the rest of the response was not read.]");
  assertMatch(text, /\[Showing lines 1-\d+ of \d+ \(50\.0KB limit\)\. Save the page with bash/);
  assert(new TextEncoder().encode(text).length < 51 * 1024, "output stays near the 50KB cap");
});

Deno.test("webfetch cuts one enormous line by bytes instead of returning nothing", async () => {
  const big = JSON.stringify({ data: "y".repeat(200_000) });
  await using server = startServer(() =>
    new Response(big, { headers: { "content-type": "application/json" } })
  );
  const text = resultText(await webfetchTool.execute({ url: server.origin }, toolContext()));
  assert(text.startsWith('{"data":"yyy'), text.slice(0, 50));
  assertStringIncludes(text, "[Showing the first 50.0KB of 195.3KB (one long line).");
});

Deno.test("webfetch takes a smaller download cap from its options", async () => {
  await using server = startServer(() => htmlResponse(`<p>${"word ".repeat(1000)}</p>`));
  const tool = createWebfetchTool({ maxDownloadBytes: 100 });
  const result = await tool.execute({ url: server.origin, format: "html" }, toolContext());
  assertEquals(result.details?.bytes, 100);
  assertStringIncludes(resultText(result), "[Download stopped at 100B;");
});

Deno.test("webfetch times out on a server that does not answer", async () => {
  await using server = startServer((_request, _url, closing) => noAnswer(closing));
  const error = await rejection(() =>
    webfetchTool.execute({ url: `${server.origin}/slow`, timeout: 0.3 }, toolContext())
  );
  assertMatch(
    error.message,
    /^Cannot fetch .*\/slow: no complete response within 0\.3 s; retry with a larger timeout/,
  );
});

Deno.test("webfetch times out when a body stops arriving halfway", async () => {
  await using server = startServer((_request, _url, closing) =>
    stalledResponse(closing, { firstChunk: "<p>partial" })
  );
  const error = await rejection(() =>
    webfetchTool.execute({ url: server.origin, timeout: 0.3 }, toolContext())
  );
  assertStringIncludes(error.message, "no complete response within 0.3 s");
});

Deno.test("webfetch stops when the run is aborted", async () => {
  const controller = new AbortController();
  await using server = startServer((_request, _url, closing) => {
    controller.abort();
    return noAnswer(closing);
  });
  const error = await rejection(() =>
    webfetchTool.execute({ url: server.origin }, toolContext(controller.signal))
  );
  assertMatch(error.message, /^Cannot fetch .*: the request was aborted$/);
});

Deno.test("webfetch reports a 404 with its status and an excerpt of the page", async () => {
  await using server = startServer(() =>
    htmlResponse("<html><body><h1>Not Found</h1><p>No page lives at /missing.</p></body></html>", 404)
  );
  const error = await rejection(() =>
    webfetchTool.execute({ url: `${server.origin}/missing` }, toolContext())
  );
  assertEquals(
    error.message,
    `Cannot fetch ${server.origin}/missing: HTTP 404 Not Found (Not Found No page lives at /missing.); check the URL`,
  );
});

Deno.test("webfetch reports a 500 with the server's message on one line", async () => {
  await using server = startServer(() =>
    new Response(`database exploded\n${"trace line\n".repeat(100)}`, { status: 500 })
  );
  const error = await rejection(() => webfetchTool.execute({ url: server.origin }, toolContext()));
  assertMatch(
    error.message,
    /^Cannot fetch .*: HTTP 500 Internal Server Error \(database exploded trace line/,
  );
  assertStringIncludes(error.message, "…); the server failed; retry later");
  assert(!error.message.includes("\n"));
});

Deno.test("webfetch describes binary content instead of returning its bytes", async () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  await using server = startServer((_request, url) =>
    url.pathname === "/logo.png"
      ? new Response(png, { headers: { "content-type": "image/png" } })
      : new Response(new Uint8Array([1, 2, 0, 3, 0xff]), {
        headers: { "content-type": "application/octet-stream" },
      })
  );
  const image = resultText(await webfetchTool.execute({ url: `${server.origin}/logo.png` }, toolContext()));
  assertEquals(
    image,
    `Binary content at ${server.origin}/logo.png: image/png, 12B (not shown). This tool returns text only; ` +
      "download the file with bash (curl -sL URL -o FILE) to work with it.",
  );
  const blob = resultText(await webfetchTool.execute({ url: `${server.origin}/blob` }, toolContext()));
  assertMatch(blob, /^Binary content at .*\/blob: application\/octet-stream, 5B \(not shown\)/);
});

Deno.test("webfetch under a narrowed --allow-net names the flag that would allow a host", async () => {
  await using allowed = startServer((_request, url) =>
    url.pathname === "/away"
      ? new Response(null, { status: 302, headers: { location: `${forbidden.origin}/secret` } })
      : htmlResponse("<p>allowed page</p>")
  );
  await using forbidden = startServer(() => htmlResponse("<p>should never be read</p>"));
  const script = `
    import { webfetchTool } from ${JSON.stringify(import.meta.resolve("../lib/tools/webfetch.ts"))};
    const ctx = { cwd: "/", signal: new AbortController().signal, update() {} };
    for (const url of Deno.args) {
      try {
        const result = await webfetchTool.execute({ url }, ctx);
        console.log("OK " + result.content[0].text);
      } catch (error) {
        console.log("ERR " + error.message);
      }
    }`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--allow-net=${allowed.host}`,
      "-",
      `${allowed.origin}/`,
      `${forbidden.origin}/secret`,
      `${allowed.origin}/away`,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const output = await child.output();
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  const flag = `--allow-net=${forbidden.host}`;
  assertEquals(lines, [
    "OK allowed page",
    `ERR Cannot fetch ${forbidden.origin}/secret: nanocode was started without network access to ` +
    `${forbidden.host}; restart it with ${flag} (or add ${forbidden.host} to the existing --allow-net list)`,
    `ERR Cannot fetch ${forbidden.origin}/secret: nanocode was started without network access to ` +
    `${forbidden.host}; restart it with ${flag} (or add ${forbidden.host} to the existing --allow-net list)`,
  ], new TextDecoder().decode(output.stderr));
  assertEquals(forbidden.requests.length, 0);
});

Deno.test("webfetch declares that it needs network access", () => {
  assertEquals(webfetchTool.name, "webfetch");
  assertEquals(webfetchTool.permissions, ["net"]);
});

Deno.test("loading the web tools loads no npm package until a page is converted", async () => {
  const denoDir = await Deno.makeTempDir({ prefix: "nanocode_web_" });
  try {
    const script = `
      import { webfetchTool } from ${JSON.stringify(import.meta.resolve("../lib/tools/webfetch.ts"))};
      import { websearchTool } from ${JSON.stringify(import.meta.resolve("../lib/tools/websearch.ts"))};
      console.log(webfetchTool.name, websearchTool.name);`;
    // An empty cache with --cached-only fails on any npm import that start-up would need.
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--cached-only", "-"],
      cwd: new URL("..", import.meta.url).pathname,
      env: { DENO_DIR: denoDir, NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(script));
    await writer.close();
    const output = await child.output();
    const stderr = new TextDecoder().decode(output.stderr);
    assertEquals(new TextDecoder().decode(output.stdout), "webfetch websearch\n", stderr);
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});
