import { assert, assertEquals, assertMatch, assertStringIncludes } from "./support/assert.ts";
import { VERSION } from "../lib/core/version.ts";
import { createWebfetchTool, MAX_DOWNLOAD_BYTES, webfetchTool } from "../lib/tools/webfetch.ts";
import { convertHtml, MAX_NESTING, prepareHtml } from "../lib/tools/web/html.ts";
import { convertPage } from "../lib/tools/web/html_worker.ts";
import {
  blocksPage,
  deepPage,
  noAnswer,
  paragraphsPage,
  rejection,
  resultText,
  stalledResponse,
  startServer,
  tablePage,
  toolContext,
} from "./support/web_fixtures.ts";
import { runScript } from "./support/deno_script.ts";

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

/**
 * Stands in for the clock behind `AbortSignal.timeout` while `fn` runs: each delay asked for is
 * recorded, and `elapse()` fires the timeouts as if that much time had passed.
 */
async function withFakeTimeouts(fn: (clock: { delays: number[]; elapse(): void }) => Promise<void>) {
  const real = AbortSignal.timeout;
  const timers: AbortController[] = [];
  const clock = {
    delays: [] as number[],
    elapse: () => timers.forEach((t) => t.abort(new DOMException("Signal timed out.", "TimeoutError"))),
  };
  AbortSignal.timeout = (ms: number) => {
    clock.delays.push(ms);
    timers.push(new AbortController());
    return timers[timers.length - 1].signal;
  };
  try {
    await fn(clock);
  } finally {
    AbortSignal.timeout = real;
  }
}

Deno.test("webfetch lowers a timeout above 120 s to 120 s and keeps a shorter one", async () => {
  for (const [asked, honoured] of [[600, 120], [90, 90]]) {
    await withFakeTimeouts(async (clock) => {
      await using server = startServer((_request, _url, closing) => {
        clock.elapse();
        return noAnswer(closing);
      });
      const error = await rejection(() =>
        webfetchTool.execute({ url: `${server.origin}/slow`, timeout: asked }, toolContext())
      );
      assertEquals(clock.delays, [honoured * 1000]);
      assertStringIncludes(error.message, `no complete response within ${honoured} s;`);
    });
  }
});

Deno.test("webfetch still fetches a page when asked for a timeout longer than a timer can hold", async () => {
  // 10^7 s is past a timer's 2^31 ms; such a timer fires at once, so only the cap lets this through.
  await using server = startServer(async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return new Response("patient");
  });
  const result = await webfetchTool.execute({ url: server.origin, timeout: 1e7 }, toolContext());
  assertEquals(resultText(result), "patient");
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
  const output = await runScript(script, {
    flags: [`--allow-net=${allowed.host}`],
    args: [`${allowed.origin}/`, `${forbidden.origin}/secret`, `${allowed.origin}/away`],
  });
  const lines = output.stdout.trim().split("\n");
  const flag = `--allow-net=${forbidden.host}`;
  assertEquals(lines, [
    "OK allowed page",
    `ERR Cannot fetch ${forbidden.origin}/secret: nanocode was started without network access to ` +
    `${forbidden.host}; restart it with ${flag} (or add ${forbidden.host} to the existing --allow-net list)`,
    `ERR Cannot fetch ${forbidden.origin}/secret: nanocode was started without network access to ` +
    `${forbidden.host}; restart it with ${flag} (or add ${forbidden.host} to the existing --allow-net list)`,
  ], output.stderr);
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
    const output = await runScript(script, {
      flags: ["--cached-only"],
      cwd: new URL("..", import.meta.url).pathname,
      env: { DENO_DIR: denoDir },
    });
    assertEquals(output.stdout, "webfetch websearch\n", output.stderr);
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});

Deno.test("webfetch converts a 4,000-row table to a markdown table with every row once", async () => {
  await using server = startServer(() => htmlResponse(tablePage(4000)));
  const tool = createWebfetchTool();
  const markdown = resultText(await tool.execute({ url: server.origin }, toolContext()));
  assert(
    markdown.startsWith("| a | b | c |\n| --- | --- | --- |\n| r0 | v0 | x |\n| r1 | v1 | x |\n"),
    markdown,
  );
  assertStringIncludes(markdown, "\n| r1234 | v1234 | x |\n| r1235 | v1235 | x |\n");
  const text = resultText(await tool.execute({ url: server.origin, format: "text" }, toolContext()));
  assert(text.startsWith("a | b | c\nr0 | v0 | x\nr1 | v1 | x\n"), text);
  assertStringIncludes(text, "\nr1500 | v1500 | x\n");
  // Beyond what the tool shows, the whole table is there, each row once.
  const lines = (await convertHtml(tablePage(4000))).text.split("\n");
  assertEquals(lines.length, 4002);
  assertEquals(lines.at(-1), "| r3999 | v3999 | x |");
});

Deno.test("a converted table keeps its last row, escapes pipes and joins cell lines", async () => {
  const { text } = await convertHtml(
    "<table><caption>Totals</caption><tr><th>k</th><th>v</th></tr><tr><td>a|b</td><td>one<br>two</td></tr>" +
      "<tr><td>last</td><td>9</td></tr></table>",
  );
  assertEquals(text, "Totals\n\n| k | v |\n| --- | --- |\n| a\\|b | one<br>two |\n| last | 9 |");
});

Deno.test("webfetch stops converting a large page as soon as the run is aborted", async () => {
  await using server = startServer(() => htmlResponse(blocksPage(5 * 1024 * 1024)));
  const controller = new AbortController();
  const updates: string[] = [];
  const ctx = {
    ...toolContext(controller.signal),
    update(text: string) {
      updates.push(text);
      // The conversion has been handed over when the tool says it is converting.
      if (text.startsWith("Converting")) controller.abort();
    },
  };
  const error = await rejection(() => webfetchTool.execute({ url: server.origin }, ctx));
  assertEquals(error.message, `Cannot fetch ${server.origin}/: the request was aborted`);
  assertEquals(updates, ["Converting 5.0MB of HTML to markdown…"]);
});

Deno.test("a page conversion rejects with the abort reason once its signal aborts", async () => {
  const controller = new AbortController();
  const pending = convertPage(paragraphsPage(40_000), { signal: controller.signal });
  controller.abort(new DOMException("stop", "AbortError"));
  const error = await rejection(() => pending);
  assertEquals([error.name, error.message], ["AbortError", "stop"]);
});

Deno.test("webfetch converts HTML nested 20,000 levels deep, flattening what lies too deep", async () => {
  await using server = startServer(() =>
    htmlResponse(`<h1>Top</h1>${deepPage(20_000, "<p>deep text</p>")}<p>after the depths</p>`)
  );
  const markdown = resultText(await webfetchTool.execute({ url: server.origin }, toolContext()));
  assertEquals(markdown, "# Top\n\ndeep text\n\nafter the depths");
  const text = resultText(await webfetchTool.execute({ url: server.origin, format: "text" }, toolContext()));
  assertEquals(text, "Top\n\ndeep text\n\nafter the depths");
});

Deno.test("preparing HTML keeps nesting within the limit while closing what a parser closes", () => {
  const { html } = prepareHtml(deepPage(MAX_NESTING + 10, "x"));
  assertEquals(html, `${"<div>".repeat(MAX_NESTING)}x${"</div>".repeat(MAX_NESTING)}`);
  // Unclosed paragraphs and list items are closed by what follows them, so they never count as depth.
  const items = Array.from({ length: MAX_NESTING * 2 }, (_, i) => `<li><p>item ${i}`).join("");
  const list = prepareHtml(`<ul>${items}</ul><p>end`).html;
  assertStringIncludes(list, `<li><p>item ${MAX_NESTING * 2 - 1}</ul><p>end`);
});

Deno.test("preparing HTML drops what no reader sees and keeps the attributes the conversion reads", () => {
  const { html, cutAt } = prepareHtml(
    `<!DOCTYPE html><html><head><title>T</title><style>p{}</style></head><body class="x">` +
      `<div class="flex" data-id="1" style="color:red"><script>if (a<b) document.write("</div>")</script>` +
      `<a href="/a?x=1&amp;y=2" rel="nofollow" title='say "hi"'>a</a><!-- note --><svg><svg></svg></svg>` +
      `<nav><nav>menu</nav>more menu</nav><img src="data:image/png;base64,AAAA" alt="A < B">` +
      `<pre class="language-ts"><code>x</code></pre></div></body></html>`,
  );
  assertEquals(
    html,
    `<div><a href="/a?x=1&amp;y=2" title="say &quot;hi&quot;">a</a> A &lt; B ` +
      `<pre class="language-ts"><code>x</code></pre></div>`,
  );
  assertEquals(cutAt, undefined);
});

Deno.test("preparing HTML cuts a long page at a tag boundary", () => {
  const page = "<p>aaaa</p><p>bbbb</p><p>cccc</p>";
  assertEquals(prepareHtml(page, { maxLength: 24 }), { html: "<p>aaaa</p><p>bbbb</p>", cutAt: 22 });
  // One huge block of text is cut at a space instead, so that its start still shows.
  assertEquals(prepareHtml("word ".repeat(100), { maxLength: 52 }), {
    html: "word ".repeat(9) + "word",
    cutAt: 49,
  });
});

Deno.test("webfetch converts only the first part of a huge page and says where it was cut", async () => {
  const page = paragraphsPage(400);
  await using server = startServer(() => htmlResponse(page));
  const tool = createWebfetchTool({ maxConvertedHtml: 4096 });
  const result = await tool.execute({ url: server.origin }, toolContext());
  const text = resultText(result);
  assert(text.startsWith("Paragraph 0 text.\n\nParagraph 1 text."), text.slice(0, 80));
  assert(!text.includes("Paragraph 399"), "the end of the page was cut");
  const total = `${(new TextEncoder().encode(page).length / 1024).toFixed(1)}KB`;
  assertMatch(
    text,
    new RegExp(
      `\\n\\n\\[Only the first 4\\.0KB of the page's ${total.replace(".", "\\.")} of HTML was converted; ` +
        "the rest was cut\\. Save the page with bash \\(curl -sL URL -o FILE\\) to read the rest\\.\\]$",
    ),
  );
  assertEquals(result.details?.htmlCut, true);
});

Deno.test("without read access webfetch converts on the calling thread and still honours an abort", async () => {
  await using server = startServer(() => htmlResponse(paragraphsPage(20_000)));
  const script = `
    import { webfetchTool } from ${JSON.stringify(import.meta.resolve("../lib/tools/webfetch.ts"))};
    const page = await webfetchTool.execute({ url: Deno.args[0] }, { cwd: "/", signal: new AbortController().signal, update() {} });
    console.log(page.content[0].text.split("\\n")[0]);
    const controller = new AbortController();
    const ctx = { cwd: "/", signal: controller.signal, update: () => controller.abort() };
    await webfetchTool.execute({ url: Deno.args[0] }, ctx).catch((error) => console.log(error.message));`;
  const output = await runScript(script, { flags: [`--allow-net=${server.host}`], args: [server.origin] });
  assertEquals(
    output.stdout.trim().split("\n"),
    ["Paragraph 0 text.", `Cannot fetch ${server.origin}/: the request was aborted`],
    output.stderr,
  );
});
