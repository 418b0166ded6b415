/**
 * OAuth for remote MCP servers: the token store, the callback, the browser command, and end to end
 * against a real SDK-built MCP server behind OAuth (tests/support/mcp_oauth_server.ts): `nanocode mcp
 * login` through `$BROWSER`, a run that uses the kept tokens, a refresh when they expire, a run that
 * nobody logged in, `mcp logout`, and tokens that never reach another URL.
 */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { makeTree } from "./support/file_tree.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { runMain } from "./support/run_main.ts";
import { startOAuthMcpServer } from "./support/mcp_oauth_server.ts";
import { browserCommand, callbackResult, listenForAuthorization, McpAuthStore } from "../lib/mcp/oauth.ts";
import { loadMcpConfig } from "../lib/mcp/config.ts";
import { fixtureCommand } from "./support/mcp_fixture.ts";

const BROWSER = `${Deno.execPath()} run -A ${
  new URL("./support/oauth_browser.ts", import.meta.url).pathname
}`;

/** Every permission nanocode asks for, with the network limited to `hosts` (comma-separated). */
function netOnly(hosts: string): string[] {
  return [
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-run",
    "--allow-sys",
    `--allow-net=${hosts}`,
  ];
}

/** A nanocode home whose mcp.json names `servers`, beside an empty project folder (`proj`). */
async function homeWith(servers: Record<string, unknown>) {
  const tree = await makeTree({ "home/.nanocode": null, "proj": null });
  await Deno.writeTextFile(tree.path("home/.nanocode/mcp.json"), JSON.stringify({ mcpServers: servers }));
  return tree;
}

Deno.test("the token store keeps entries for their URL only, with mode 0600, and loses no other server's", async () => {
  await using tree = await makeTree({ "home": null });
  const path = tree.path("home/mcp-auth.json");
  const a = new McpAuthStore(path);
  const b = new McpAuthStore(path);
  a.update(
    "one",
    "https://one.example/mcp",
    (e) => ({ ...e, tokens: { access_token: "t1", token_type: "Bearer" } }),
  );
  b.update(
    "two",
    "https://two.example/mcp",
    (e) => ({ ...e, tokens: { access_token: "t2", token_type: "Bearer" } }),
  );
  assertEquals(a.get("one", "https://one.example/mcp")?.tokens?.access_token, "t1");
  assertEquals(a.get("two", "https://two.example/mcp")?.tokens?.access_token, "t2");
  // Another URL under the same name gets nothing, and saving for it replaces the old entry.
  assertEquals(a.get("one", "https://evil.example/mcp"), undefined);
  a.update("one", "https://evil.example/mcp", (e) => e);
  assertEquals(a.get("one", "https://one.example/mcp"), undefined);
  assertEquals(a.get("one", "https://evil.example/mcp")?.tokens, undefined);
  assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
  assert(a.remove("two"));
  assert(!a.remove("two"));
  assertEquals(new McpAuthStore(undefined).get("one", "x"), undefined);
  await Deno.writeTextFile(path, "{ not json");
  let message = "";
  try {
    a.get("one", "x");
  } catch (error) {
    message = (error as Error).message;
  }
  assertStringIncludes(message, "is not valid JSON; delete it and log in again");
});

Deno.test("a callback counts only with the expected state, and carries the code or the refusal", () => {
  const at = (query: string) => new URL(`http://127.0.0.1:1/callback?${query}`);
  assertEquals(callbackResult(at("code=c1&state=s"), "s"), { code: "c1" });
  assertEquals(callbackResult(at("code=c1&state=other"), "s"), undefined);
  assertEquals(callbackResult(at("code=c1"), "s"), undefined);
  assertEquals(callbackResult(at("error=access_denied&error_description=no&state=s"), "s"), {
    error: "access_denied (no)",
  });
  assertEquals(callbackResult(at("state=s"), "s"), { error: "no code came back" });
});

Deno.test("the callback listener answers the browser, ignores a wrong state, and stops when aborted", async () => {
  const port = (() => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const p = (l.addr as Deno.NetAddr).port;
    l.close();
    return p;
  })();
  const callback = listenForAuthorization(port, () => "s1", { server: "srv" });
  const wrong = await fetch(`http://127.0.0.1:${port}/callback?code=x&state=bad`);
  assertEquals(wrong.status, 400);
  await wrong.body?.cancel();
  const right = await fetch(`http://127.0.0.1:${port}/callback?code=good&state=s1`);
  assertStringIncludes(await right.text(), "nanocode is now authorized for srv");
  assertEquals(await callback.code, "good");
  await callback.close();

  const stop = new AbortController();
  const cancelled = listenForAuthorization(port, () => "s2", { server: "srv", signal: stop.signal });
  stop.abort();
  let why = "";
  await cancelled.code.catch((error) => why = (error as Error).message);
  assertEquals(why, "the login was cancelled");
  await cancelled.close();
});

Deno.test("the browser is $BROWSER (with %s or the URL last), else the platform's opener", () => {
  const env = (value?: string) => (name: string) => name === "BROWSER" ? value : undefined;
  assertEquals(browserCommand("https://a/b", env("firefox --new-tab")), [
    "firefox",
    "--new-tab",
    "https://a/b",
  ]);
  assertEquals(browserCommand("https://a/b", env("lynx %s:w3m")), ["lynx", "https://a/b"]);
  assertEquals(browserCommand("https://a/b", env(), "linux"), ["xdg-open", "https://a/b"]);
  assertEquals(browserCommand("https://a/b", env(), "darwin"), ["open", "https://a/b"]);
});

Deno.test("an oauth entry is read; OAuth is off for stdio, for oauth:false and with an Authorization header", async () => {
  await using tree = await homeWith({
    pre: {
      url: "https://pre.example/mcp",
      oauth: { clientId: "id1", clientSecret: "${SECRET}", scopes: "read write", callbackPort: 8765 },
    },
    plain: { url: "https://plain.example/mcp" },
    off: { url: "https://off.example/mcp", oauth: false },
    keyed: { url: "https://keyed.example/mcp", headers: { Authorization: "Bearer k" } },
    local: { command: "x" },
    bad: { url: "https://bad.example/mcp", oauth: { callbackPort: 70000 } },
  });
  const env = (name: string) => ({ HOME: tree.path("home"), SECRET: "s3" } as Record<string, string>)[name];
  const config = await loadMcpConfig({ cwd: tree.path("proj"), env });
  const by = Object.fromEntries(config.servers.map((s) => [s.name, s.oauth]));
  assertEquals(by.pre, {
    clientId: "id1",
    clientSecret: "s3",
    scopes: ["read", "write"],
    callbackPort: 8765,
  });
  assertEquals(by.plain, {});
  assertEquals([by.off, by.keyed, by.local], [false, false, false]);
  assertEquals(by.bad, undefined);
  assert(config.warnings.some((w) => w.text.includes('"oauth.callbackPort" must be a port number')));
});

interface WireMessage {
  role: string;
  content: string;
}

function toolResults(messages: WireMessage[]): string[] {
  return messages.filter((m) => m.role === "tool").map((m) => m.content);
}

Deno.test("mcp login authorizes in the browser; runs use the kept tokens, refresh them, and logout forgets them", async () => {
  await using server = startOAuthMcpServer();
  await using tree = await homeWith({ remote: { url: server.url } });
  const env = { HOME: tree.path("home"), BROWSER, NO_COLOR: "1" };
  const authFile = tree.path("home/.nanocode/mcp-auth.json");

  // Nobody logged in: the call fails saying how to log in, and nothing was registered.
  const mock = await startMockLlm();
  try {
    const call = {
      toolCalls: [{ id: "c1", name: "mcp_call", arguments: { server: "remote", tool: "whoami" } }],
    };
    mock.push(call, { text: "done" });
    const before = await runMain(["-p", "who am I"], {
      cwd: tree.path("proj"),
      env: { ...env, OPENAI_BASE_URL: mock.url, MODEL: "mock-model" },
    });
    assertEquals(before.code, 0, before.stderr);
    const refused = toolResults(mock.requests[1].body.messages)[0];
    assertStringIncludes(
      refused,
      "needs an OAuth login: run /mcp login remote in the REPL, or nanocode mcp login remote",
    );
    assertEquals(server.registrations, []);

    // The login: the page goes to $BROWSER, which follows the redirect to the callback.
    const login = await runMain(["mcp", "login", "remote"], { cwd: tree.path("proj"), env });
    assertEquals([login.code, login.stdout], [0, "Logged in to remote: 2 tools.\n"], login.stderr);
    assertStringIncludes(login.stderr, "Authorize nanocode for remote in your browser: http://127.0.0.1:");
    assertEquals(server.grants, ["authorization_code"]);
    assertEquals((await Deno.stat(authFile)).mode! & 0o777, 0o600);
    const [token] = [...server.live];
    assertStringIncludes(await Deno.readTextFile(authFile), token);
    assert(!login.stdout.includes(token) && !login.stderr.includes(token), "the token was printed");
    // The redirect URI registered is the loopback callback.
    assert(
      /^http:\/\/127\.0\.0\.1:\d+\/callback$/.test(server.registrations[0][0]),
      server.registrations[0][0],
    );

    const doctor = await runMain(["doctor"], {
      cwd: tree.path("proj"),
      env: { ...env, OPENAI_BASE_URL: mock.url },
    });
    assertStringIncludes(doctor.stdout, `MCP remote: logged in with OAuth (tokens in ${authFile})`);

    // A run uses the kept token at once.
    mock.push(call, { text: "done" });
    const after = await runMain(["-p", "who am I"], {
      cwd: tree.path("proj"),
      env: { ...env, OPENAI_BASE_URL: mock.url, MODEL: "mock-model" },
    });
    assertEquals(after.code, 0, after.stderr);
    assertEquals(toolResults(mock.requests[3].body.messages), ["you are the authorized nanocode"]);
    assert(server.bearers.includes(token));
    assert(!after.stdout.includes(token) && !after.stderr.includes(token), "the token was printed");

    // Expired: the next run refreshes without a browser and keeps the new tokens.
    server.expireAccessTokens();
    mock.push(call, { text: "done" });
    const refreshed = await runMain(["-p", "who am I"], {
      cwd: tree.path("proj"),
      env: { ...env, OPENAI_BASE_URL: mock.url, MODEL: "mock-model", BROWSER: "false" },
    });
    assertEquals(refreshed.code, 0, refreshed.stderr);
    assertEquals(toolResults(mock.requests[5].body.messages), ["you are the authorized nanocode"]);
    assertEquals(server.grants, ["authorization_code", "refresh_token"]);
    const [renewed] = [...server.live];
    assertStringIncludes(await Deno.readTextFile(authFile), renewed);

    const logout = await runMain(["mcp", "logout", "remote"], { cwd: tree.path("proj"), env });
    assertEquals([logout.code, logout.stdout], [0, "Logged out of remote: its tokens are forgotten.\n"]);
    assert(!(await Deno.readTextFile(authFile)).includes(renewed));
  } finally {
    await mock.close();
  }
});

Deno.test("tokens kept for one URL are never sent to another URL configured under the same name", async () => {
  await using first = startOAuthMcpServer();
  await using second = startOAuthMcpServer();
  await using tree = await makeTree({ "home/.nanocode": null, "proj": null });
  const config = (url: string) =>
    Deno.writeTextFile(
      tree.path("home/.nanocode/mcp.json"),
      JSON.stringify({ mcpServers: { remote: { url } } }),
    );
  const env = { HOME: tree.path("home"), BROWSER, NO_COLOR: "1" };
  await config(first.url);
  const login = await runMain(["mcp", "login", "remote"], { cwd: tree.path("proj"), env });
  assertEquals(login.code, 0, login.stderr);

  await config(second.url);
  const mock = await startMockLlm();
  try {
    mock.push(
      { toolCalls: [{ id: "c1", name: "mcp_call", arguments: { server: "remote", tool: "whoami" } }] },
      { text: "done" },
    );
    const run = await runMain(["-p", "who am I"], {
      cwd: tree.path("proj"),
      env: { ...env, OPENAI_BASE_URL: mock.url, MODEL: "mock-model" },
    });
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(toolResults(mock.requests[1].body.messages)[0], "needs an OAuth login");
    assertEquals(second.bearers, []);
  } finally {
    await mock.close();
  }
});

Deno.test("mcp login names a missing server and refuses a local one, in one line each", async () => {
  await using tree = await homeWith({ local: { command: "true" } });
  const env = { HOME: tree.path("home") };
  const missing = await runMain(["mcp", "login", "nope"], { cwd: tree.path("proj"), env });
  assertEquals(missing.code, 1);
  assertEquals(
    missing.stderr,
    'nanocode: No MCP server "nope" is configured (configured: local); add it to .nanocode/mcp.json or ~/.nanocode/mcp.json.\n',
  );
  const local = await runMain(["mcp", "login", "local"], { cwd: tree.path("proj"), env });
  assertEquals(local.code, 1);
  assertEquals(
    local.stderr,
    'nanocode: Cannot log in to MCP server "local": it is a local (stdio) server.\n',
  );
  const usage = await runMain(["mcp", "login"], { cwd: tree.path("proj"), env });
  assertEquals(usage.code, 2);
  assertStringIncludes(usage.stderr, "name one MCP server");
});

Deno.test("mcp login with --allow-net that leaves out the callback says which flag to add", async () => {
  await using server = startOAuthMcpServer();
  await using tree = await homeWith({ remote: { url: server.url } });
  const host = new URL(server.url).host;
  const login = await runMain(["mcp", "login", "remote"], {
    cwd: tree.path("proj"),
    env: { HOME: tree.path("home"), BROWSER },
    permissions: netOnly(host),
  });
  assertEquals(login.code, 1);
  assertStringIncludes(
    login.stderr,
    "Cannot listen for the authorization callback on 127.0.0.1: nanocode may not listen there (add --allow-net=127.0.0.1)",
  );
  assertEquals(login.stderr.trim().split("\n").length, 1, login.stderr);
  // It stopped before registering a client the callback could never serve.
  assertEquals(server.registrations, []);
});

Deno.test("a headless run limited to the server's host refreshes an expired token: no callback is needed", async () => {
  await using server = startOAuthMcpServer();
  await using tree = await homeWith({ remote: { url: server.url } });
  const env = { HOME: tree.path("home"), BROWSER };
  const login = await runMain(["mcp", "login", "remote"], { cwd: tree.path("proj"), env });
  assertEquals(login.code, 0, login.stderr);
  server.expireAccessTokens();
  const mock = await startMockLlm();
  try {
    mock.push(
      { toolCalls: [{ id: "c1", name: "mcp_call", arguments: { server: "remote", tool: "whoami" } }] },
      { text: "done" },
    );
    const hosts = [new URL(server.url).host, new URL(mock.url).host].join(",");
    const run = await runMain(["-p", "who am I"], {
      cwd: tree.path("proj"),
      env: { ...env, OPENAI_BASE_URL: mock.url, MODEL: "mock-model" },
      permissions: netOnly(hosts),
    });
    assertEquals(run.code, 0, run.stderr);
    assertEquals(toolResults(mock.requests[1].body.messages), ["you are the authorized nanocode"]);
    assertEquals(server.grants, ["authorization_code", "refresh_token"]);
  } finally {
    await mock.close();
  }
});

Deno.test("mcp list connects every server and reports each, exiting 1 when one failed", async () => {
  await using server = startOAuthMcpServer();
  await using tree = await homeWith({
    fx: fixtureCommand(),
    remote: { url: server.url },
    broken: { ...fixtureCommand("--mode=crash"), timeoutMs: 5000 },
    off: { ...fixtureCommand(), enabled: false },
  });
  const list = await runMain(["mcp", "list"], { cwd: tree.path("proj"), env: { HOME: tree.path("home") } });
  assertEquals(list.code, 1, list.stderr);
  const lines = list.stdout.split("\n");
  assertEquals(lines[0], "fx: running (stdio, 11 tools)");
  assertEquals(lines[1], `remote: failed (http ${server.url})`);
  assertStringIncludes(
    lines[2],
    "it needs an OAuth login: run /mcp login remote in the REPL, or nanocode mcp login remote",
  );
  assertEquals(lines[3], "broken: failed (stdio)");
  assertStringIncludes(lines[4], "exited before it answered (exit code 3)");
  assertEquals(lines[5], "off: disabled (stdio)");
  assertEquals(list.stderr, "");
});
