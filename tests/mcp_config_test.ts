/**
 * MCP configuration: which files are read and in what order, deep merge with `null`, both top-level
 * keys, comments, variable expansion, and one warning per bad file or entry. Also the names of direct
 * tools and the argument checks, which need no server.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./support/assert.ts";
import { makeTree } from "./support/file_tree.ts";
import {
  assignDirectNames,
  checkToolArguments,
  directToolName,
  expandVariables,
  listingKey,
  loadMcpConfig,
  mcpConfigPaths,
  type McpServerConfig,
  mergeDeep,
  parseJsonc,
  toolAllowed,
} from "../lib/mcp/mod.ts";

function envOf(vars: Record<string, string>): (name: string) => string | undefined {
  return (name) => vars[name];
}

Deno.test("config files are the global one, then every ancestor's .nanocode/mcp.json from the root down", () => {
  const paths = mcpConfigPaths("/work/app/sub", envOf({ HOME: "/home/me" }));
  assertEquals(paths, [
    "/home/me/.nanocode/mcp.json",
    "/.nanocode/mcp.json",
    "/work/.nanocode/mcp.json",
    "/work/app/.nanocode/mcp.json",
    "/work/app/sub/.nanocode/mcp.json",
  ]);
  // NANOCODE_DIR replaces the global folder; the home folder's .nanocode is never a project folder.
  const inHome = mcpConfigPaths("/home/me/code", envOf({ HOME: "/home/me", NANOCODE_DIR: "/etc/nc" }));
  assertEquals(inHome, [
    "/etc/nc/mcp.json",
    "/.nanocode/mcp.json",
    "/home/.nanocode/mcp.json",
    "/home/me/code/.nanocode/mcp.json",
  ]);
});

Deno.test("nearer files deep-merge over farther ones, and null deletes a server or one of its keys", async () => {
  await using tree = await makeTree({
    "home/.nanocode/mcp.json": JSON.stringify({
      servers: {
        docs: { url: "https://docs.example/mcp", headers: { "X-Team": "a", "X-Drop": "b" }, timeoutMs: 5000 },
        gone: { command: "gone-server" },
        local: { command: "node", args: ["server.js"] },
      },
    }),
    "proj/.nanocode/mcp.json": `{
      // A project switches one global server off and drops a header of another.
      "mcpServers": {
        "docs": { "headers": { "X-Drop": null, "X-Proj": "p" }, },
        "gone": null,
        "local": { "args": ["other.js"], "enabled": false },
        "mine": { "command": "my-server", /* inline */ "description": "Mine" },
      },
    }`,
    "proj/sub/.nanocode/mcp.json": JSON.stringify({ servers: { docs: { timeoutMs: 999999 } } }),
  });
  const config = await loadMcpConfig({ cwd: tree.path("proj/sub"), env: envOf({ HOME: tree.path("home") }) });
  assertEquals(config.warnings, []);
  assertEquals(config.files, [
    tree.path("home/.nanocode/mcp.json"),
    tree.path("proj/.nanocode/mcp.json"),
    tree.path("proj/sub/.nanocode/mcp.json"),
  ]);
  const byName = Object.fromEntries(config.servers.map((s) => [s.name, s]));
  assertEquals(Object.keys(byName), ["docs", "local", "mine"]);
  assertEquals(byName.docs.headers, { "X-Team": "a", "X-Proj": "p" });
  assertEquals(byName.docs.type, "http");
  assertEquals(byName.docs.sseFallback, true);
  // Clamped to the highest timeout; the nearest file is named as the entry's source.
  assertEquals(byName.docs.timeoutMs, 300_000);
  assertEquals(byName.docs.source, tree.path("proj/sub/.nanocode/mcp.json"));
  assertEquals([byName.local.args, byName.local.enabled], [["other.js"], false]);
  assertEquals([byName.mine.type, byName.mine.command, byName.mine.description], [
    "stdio",
    "my-server",
    "Mine",
  ]);
  assertEquals(byName.mine.timeoutMs, 30_000);
});

Deno.test("a file with both servers and mcpServers is skipped with a warning naming it", async () => {
  await using tree = await makeTree({
    "home/.nanocode/mcp.json": JSON.stringify({ servers: { a: { command: "a" } } }),
    "proj/.nanocode/mcp.json": JSON.stringify({
      servers: { b: { command: "b" } },
      mcpServers: { c: { command: "c" } },
    }),
  });
  const config = await loadMcpConfig({ cwd: tree.path("proj"), env: envOf({ HOME: tree.path("home") }) });
  assertEquals(config.servers.map((s) => s.name), ["a"]);
  assertEquals(config.warnings.length, 1);
  assertStringIncludes(config.warnings[0].text, tree.path("proj/.nanocode/mcp.json"));
  assertStringIncludes(config.warnings[0].text, `both "servers" and "mcpServers"`);
});

Deno.test("bad JSON and a bad entry cost one warning each; every other server is kept", async () => {
  await using tree = await makeTree({
    "home/.nanocode/mcp.json": "{ servers: nope }",
    "proj/.nanocode/mcp.json": JSON.stringify({
      mcpServers: {
        ok: { command: "ok-server" },
        neither: { description: "no command, no url" },
        wrongType: { type: "websocket", url: "ws://x" },
        badArgs: { command: "x", args: "not-a-list" },
        notObject: 42,
        badUrl: { url: "not a url" },
      },
    }),
  });
  const config = await loadMcpConfig({ cwd: tree.path("proj"), env: envOf({ HOME: tree.path("home") }) });
  assertEquals(config.servers.map((s) => s.name), ["ok"]);
  const texts = config.warnings.map((w) => w.text);
  assertEquals(texts.length, 6, texts.join("\n"));
  assertMatch(texts[0], /^Skipped MCP config .*home\/\.nanocode\/mcp\.json: it is not valid JSON \(/);
  for (const [i, name] of ["neither", "wrongType", "badArgs", "notObject", "badUrl"].entries()) {
    assertStringIncludes(
      texts[i + 1],
      `Skipped MCP server "${name}" in ${tree.path("proj/.nanocode/mcp.json")}`,
    );
  }
  assertStringIncludes(texts[2], `"type" must be "stdio", "http" or "sse"`);
  assertStringIncludes(texts[3], `"args" must be an array of strings`);
});

Deno.test("variables expand in env, headers, args and url; an unset one drops its entry with a warning", async () => {
  await using tree = await makeTree({
    "proj/.nanocode/mcp.json": JSON.stringify({
      servers: {
        gh: {
          command: "gh-mcp",
          args: ["--token", "$env:GH_TOKEN", "--org=${ORG:-acme}", "${MISSING_ARG}"],
          env: { TOKEN: "${GH_TOKEN}", GONE: "$env:NOT_SET", EMPTY_DEFAULT: "${EMPTY:-fallback}" },
        },
        remote: {
          url: "https://${HOST}/mcp",
          headers: { "X-Key": "${API_KEY}", "X-Missing": "${NOPE}" },
          envHeaders: { "X-From-Env": "API_KEY", "X-Unset": "ALSO_NOPE" },
          apiKeyEnv: "API_KEY",
        },
        keyed: {
          type: "http",
          url: "https://k.example/mcp",
          headers: { authorization: "Token t" },
          apiKeyEnv: "API_KEY",
        },
        noHost: { url: "https://${UNSET_HOST}/mcp" },
      },
    }),
  });
  const env = envOf({
    HOME: tree.path("home"),
    GH_TOKEN: "ghp_1",
    EMPTY: "",
    HOST: "mcp.example",
    API_KEY: "k1",
  });
  const config = await loadMcpConfig({ cwd: tree.path("proj"), env });
  const byName = Object.fromEntries(config.servers.map((s) => [s.name, s]));
  assertEquals(byName.gh.args, ["--token", "ghp_1", "--org=acme"]);
  assertEquals(byName.gh.env, { TOKEN: "ghp_1", EMPTY_DEFAULT: "fallback" });
  assertEquals(byName.remote.url, "https://mcp.example/mcp");
  assertEquals(byName.remote.headers, { "X-Key": "k1", "X-From-Env": "k1", Authorization: "Bearer k1" });
  // A header that already sets Authorization wins over apiKeyEnv; an explicit type has no SSE fallback.
  assertEquals(byName.keyed.headers, { authorization: "Token t" });
  assertEquals(byName.keyed.sseFallback, false);
  assertEquals(byName.noHost, undefined);
  const texts = config.warnings.map((w) => w.text);
  assertEquals(texts, [
    `MCP server "gh": dropped args[3] because $MISSING_ARG is not set (${
      tree.path("proj/.nanocode/mcp.json")
    }).`,
    `MCP server "gh": dropped env.GONE because $NOT_SET is not set (${
      tree.path("proj/.nanocode/mcp.json")
    }).`,
    `MCP server "remote": dropped header X-Missing because $NOPE is not set (${
      tree.path("proj/.nanocode/mcp.json")
    }).`,
    `MCP server "remote": dropped header X-Unset because $ALSO_NOPE is not set (${
      tree.path("proj/.nanocode/mcp.json")
    }).`,
    `Skipped MCP server "noHost" in ${
      tree.path("proj/.nanocode/mcp.json")
    }: its url needs $UNSET_HOST, which is not set.`,
  ]);
});

Deno.test("every server field is read: aliases, filters, direct tools, protocol version, cwd", async () => {
  await using tree = await makeTree({
    "proj/.nanocode/mcp.json": JSON.stringify({
      servers: {
        full: {
          type: "stdio",
          command: "srv",
          cwd: "tools",
          disabled: true,
          allowedTools: ["read_*", "list"],
          disabledTools: ["read_secret"],
          selectedTools: ["list"],
          direct: true,
          protocolVersion: "2025-03-26",
          timeoutMs: 10,
        },
        legacy: { type: "sse", baseUrl: "http://127.0.0.1:9/sse" },
      },
    }),
  });
  const config = await loadMcpConfig({ cwd: tree.path("proj"), env: envOf({ HOME: tree.path("home") }) });
  const [full, legacy] = config.servers;
  assertEquals(full.enabled, false);
  assertEquals(full.cwd, tree.path("proj/tools"));
  assertEquals(full.timeoutMs, 1000);
  assertEquals([full.selectedTools, full.direct, full.protocolVersion], [["list"], true, "2025-03-26"]);
  assertEquals(["read_a", "read_secret", "list", "write"].map((t) => toolAllowed(full, t)), [
    true,
    false,
    true,
    false,
  ]);
  assertEquals([legacy.type, legacy.url, legacy.sseFallback], ["sse", "http://127.0.0.1:9/sse", false]);
});

Deno.test("JSON with comments and trailing commas parses, and strings keep their slashes and commas", () => {
  assertEquals(parseJsonc('{"a": "http://x//y", /* c */ "b": [1, 2,], // end\n "c": ",}",}'), {
    a: "http://x//y",
    b: [1, 2],
    c: ",}",
  });
  let message = "";
  try {
    parseJsonc('{\n  "a": 1,\n  oops\n}');
  } catch (error) {
    message = (error as Error).message;
  }
  assertMatch(message, /line 3|position 15/);
});

Deno.test("expansion knows the three forms and reports the first unset variable", () => {
  const env = envOf({ A: "1", E: "" });
  assertEquals(expandVariables("$env:A-${A}-${E:-d}-${Z:-z}", env), { value: "1-1-d-z" });
  assertEquals(expandVariables("${E}", env), { value: "" });
  assertEquals(expandVariables("x $env:NOPE ${ALSO}", env), { missing: "NOPE" });
  assertEquals(mergeDeep({ a: { b: 1, c: [1] } }, { a: { c: [2], d: null } }), { a: { b: 1, c: [2] } });
});

Deno.test("direct tool names are sanitised, fit 64 characters, and collisions get a numeric suffix", () => {
  assertEquals(directToolName({ server: "git hub", tool: "issues.create" }), "mcp__git_hub__issues_create");
  assertEquals(directToolName({ server: "9lives", tool: "2fa" }), "mcp___9lives___2fa");
  const long = "t".repeat(80);
  const names = assignDirectNames([
    { server: "s", tool: "a.b" },
    { server: "s", tool: "a_b" },
    { server: "s", tool: "a b" },
    { server: "srv", tool: long },
    { server: "srv", tool: long + "x" },
  ]);
  const list = [...names.keys()];
  assertEquals(list.slice(0, 3), ["mcp__s__a_b", "mcp__s__a_b_2", "mcp__s__a_b_3"]);
  assertEquals(list[3].length, 64);
  assertEquals(list[4], list[3].slice(0, 62) + "_2");
  assert(list.every((n) => /^[A-Za-z0-9_-]{1,64}$/.test(n)));
  assertEquals(names.get("mcp__s__a_b_2"), { server: "s", tool: "a_b" });
});

Deno.test("a server's listing key changes with what decides its tools, not with its description", () => {
  const base: McpServerConfig = {
    name: "s",
    type: "stdio",
    sseFallback: false,
    command: "x",
    args: [],
    env: { B: "2", A: "1" },
    headers: {},
    enabled: true,
    disabledTools: [],
    selectedTools: [],
    direct: false,
    timeoutMs: 30000,
    oauth: false,
    source: "/a",
  };
  assertEquals(
    listingKey(base),
    listingKey({ ...base, description: "d", env: { A: "1", B: "2" }, source: "/b" }),
  );
  assert(listingKey(base) !== listingKey({ ...base, args: ["--flag"] }));
});

Deno.test("arguments are checked against the schema, naming the field and what was wrong", async () => {
  const schema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    properties: {
      path: { type: "string" },
      mode: { enum: ["r", "w"] },
      opts: { type: "object", properties: { depth: { type: "integer" } } },
    },
    required: ["path"],
    additionalProperties: false,
  };
  assertEquals(await checkToolArguments(schema, { path: "a", mode: "r", opts: { depth: 2 } }), []);
  assertEquals(await checkToolArguments(schema, {}), ["arguments.path is required"]);
  assertEquals(await checkToolArguments(schema, { path: 3, mode: "x", opts: { depth: "deep" } }), [
    "arguments.path must be string, not number 3",
    'arguments.mode must be one of "r", "w"',
    "arguments.opts.depth must be integer, not a string",
  ]);
  assertEquals(await checkToolArguments(schema, { path: "a", colour: 1 }), [
    'arguments has an unknown field "colour" (known: path, mode, opts)',
  ]);
  // A schema the validator cannot compile leaves the judgement to the server.
  assertEquals(
    await checkToolArguments({ type: "object", properties: { a: { $ref: "#/nowhere" } } }, { a: 1 }),
    [],
  );
});

Deno.test("a config file outside --allow-read is skipped without a warning of its own", async () => {
  const config = await loadMcpConfig({
    cwd: "/work/app",
    env: envOf({ HOME: "/home/me" }),
    read: (path) =>
      Promise.resolve(
        path === "/work/app/.nanocode/mcp.json"
          ? { kind: "text", text: JSON.stringify({ servers: { a: { command: "a" } } }) }
          : path === "/home/me/.nanocode/mcp.json"
          ? {
            kind: "unreadable",
            reason: "is outside what nanocode may read",
            fix: "grant it",
            outsideRead: true,
          }
          : { kind: "missing" },
      ),
  });
  assertEquals([config.servers.map((s) => s.name), config.warnings], [["a"], []]);
});
