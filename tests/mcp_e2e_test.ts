/**
 * MCP end to end: main.ts runs against the mock endpoint with fixture servers configured, the model
 * finds a tool with mcp_search, reads it with mcp_inspect and calls it with mcp_call; no server
 * process is left once nanocode has exited. And with no server configured, nothing of the SDK loads.
 */
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { makeTree } from "./support/file_tree.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { runMain } from "./support/run_main.ts";
import { fixtureCommand } from "./support/mcp_fixture.ts";
import { loggedPids, processesMentioning, waitGone } from "./support/processes.ts";

interface WireMessage {
  role: string;
  content: string;
  tool_call_id?: string;
}

function toolNames(body: { tools?: { function: { name: string } }[] }): string[] {
  return (body.tools ?? []).map((t) => t.function.name);
}

function toolResults(messages: WireMessage[]): string[] {
  return messages.filter((m) => m.role === "tool").map((m) => m.content);
}

Deno.test("the model searches, inspects and calls an MCP tool, and exit leaves no server running", async () => {
  await using tree = await makeTree({ "home/.nanocode": null, "proj/README.md": "# proj\n" });
  const log = tree.path("fixture.log");
  await Deno.mkdir(tree.path("proj/.nanocode"));
  await Deno.writeTextFile(
    tree.path("proj/.nanocode/mcp.json"),
    JSON.stringify({
      servers: {
        fx: { ...fixtureCommand(`--log=${log}`, "--grandchild"), description: "Echoes and counts" },
        stubborn: { ...fixtureCommand("--mode=ignore-term", `--log=${log}`) },
      },
    }),
  );
  const mock = await startMockLlm();
  try {
    mock.push(
      { toolCalls: [{ id: "s1", name: "mcp_search", arguments: { query: "echo text" } }] },
      { toolCalls: [{ id: "i1", name: "mcp_inspect", arguments: { tool: "fx.echo" } }] },
      {
        toolCalls: [{
          id: "c1",
          name: "mcp_call",
          arguments: { server: "fx", tool: "echo", arguments: { text: "hi mcp" } },
        }],
      },
      { text: "The fixture said hi mcp." },
    );
    const result = await runMain(["-p", "say hi through the fixture"], {
      cwd: tree.path("proj"),
      env: { OPENAI_BASE_URL: mock.url, MODEL: "mock-model", HOME: tree.path("home") },
    });
    assertEquals([result.code, result.stdout], [0, "The fixture said hi mcp.\n"], result.stderr);

    const [first, afterSearch, afterInspect, afterCall] = mock.requests.map((r) => r.body);
    const names = toolNames(first);
    for (const name of ["mcp_search", "mcp_inspect", "mcp_call", "mcp_read_resource"]) {
      assert(names.includes(name), name);
    }
    assert(!names.some((n) => n.startsWith("mcp__")), names.join(", "));
    const system = first.messages[0].content as string;
    assertStringIncludes(system, "# MCP servers");
    assertStringIncludes(system, "- fx: Echoes and counts (");
    assertStringIncludes(system, "Never guess a tool's arguments");

    const search = toolResults(afterSearch.messages)[0];
    assert(search.startsWith("- fx.echo - Echo the given text back"), search);
    assertStringIncludes(search, "- stubborn.echo - Echo the given text back");
    const inspect = toolResults(afterInspect.messages)[1];
    assertStringIncludes(inspect, '"text": {\n      "type": "string"');
    assertEquals(toolResults(afterCall.messages)[2], "hi mcp");
  } finally {
    await mock.close();
  }

  // Every server process (and the fixture's grandchild) was stopped before nanocode exited: none of
  // the pids they logged runs, and no process mentions this test's folder in its command line.
  const pids = await loggedPids(log);
  assert(pids.length >= 3, await Deno.readTextFile(log));
  // Signals are delivered at once but a loaded machine may take a moment to end a process: wait, bounded.
  assertEquals(await waitGone(pids, 15_000), []);
  assertEquals(await processesMentioning(log), []);
});

Deno.test("a server that hangs at initialize holds up neither the first request nor a call to another", async () => {
  await using tree = await makeTree({ "home/.nanocode": null, "proj": null });
  const log = tree.path("fixture.log");
  await Deno.writeTextFile(
    tree.path("home/.nanocode/mcp.json"),
    JSON.stringify({
      mcpServers: {
        fx: fixtureCommand(`--log=${log}`),
        hang: { ...fixtureCommand("--mode=hang", `--log=${log}`), timeoutMs: 60_000 },
      },
    }),
  );
  const mock = await startMockLlm();
  try {
    mock.push(
      {
        toolCalls: [{
          id: "c1",
          name: "mcp_call",
          arguments: { server: "fx", tool: "add", arguments: { a: 1, b: 2 } },
        }],
      },
      { text: "3" },
    );
    const started = Date.now();
    const result = await runMain(["-p", "add"], {
      cwd: tree.path("proj"),
      env: { OPENAI_BASE_URL: mock.url, MODEL: "mock-model", HOME: tree.path("home") },
    });
    const elapsed = Date.now() - started;
    assertEquals([result.code, result.stdout], [0, "3\n"], result.stderr);
    assertEquals(toolResults(mock.requests[1].body.messages), ["3"]);
    assert(elapsed < 20_000, `the run took ${elapsed} ms, as if it waited for the hanging server`);
  } finally {
    await mock.close();
  }
  assertEquals(await processesMentioning(log), []);
});

Deno.test("a server with direct tools and no cached list is waited for, then its tools are declared", async () => {
  await using tree = await makeTree({ "home/.nanocode": null, "proj": null });
  await Deno.writeTextFile(
    tree.path("home/.nanocode/mcp.json"),
    JSON.stringify({ mcpServers: { fx: { ...fixtureCommand(), selectedTools: ["add"] } } }),
  );
  const mock = await startMockLlm();
  try {
    mock.push(
      { toolCalls: [{ id: "d1", name: "mcp__fx__add", arguments: { a: 20, b: 22 } }] },
      { text: "42" },
      { text: "again" },
    );
    const env = { OPENAI_BASE_URL: mock.url, MODEL: "mock-model", HOME: tree.path("home") };
    const result = await runMain(["-p", "add"], { cwd: tree.path("proj"), env });
    assertEquals([result.code, result.stdout], [0, "42\n"], result.stderr);
    const add = mock.requests[0].body.tools.find((t: { function: { name: string } }) =>
      t.function.name === "mcp__fx__add"
    );
    assert(add, toolNames(mock.requests[0].body).join(", "));
    assertEquals(add.function.parameters.required, ["a", "b"]);
    assertEquals(toolResults(mock.requests[1].body.messages), ["42"]);
    // The list is cached now: the next run declares the tool from the cache, before the server answers.
    const cached = [...Deno.readDirSync(tree.path("home/.nanocode/cache/mcp"))].map((e) => e.name);
    assertEquals(cached.length, 1);
    const again = await runMain(["-p", "add again"], { cwd: tree.path("proj"), env });
    assertEquals(again.code, 0, again.stderr);
    assert(toolNames(mock.requests[2].body).includes("mcp__fx__add"));
  } finally {
    await mock.close();
  }
});

Deno.test("bad MCP configuration is reported in one line each and the run goes on", async () => {
  await using tree = await makeTree({
    "home/.nanocode/mcp.json": "{ not json",
    "proj/.nanocode/mcp.json": JSON.stringify({ servers: { broken: { args: ["x"] } } }),
  });
  const mock = await startMockLlm();
  try {
    mock.push({ text: "fine" });
    const result = await runMain(["-p", "hi"], {
      cwd: tree.path("proj"),
      env: { OPENAI_BASE_URL: mock.url, MODEL: "mock-model", HOME: tree.path("home") },
    });
    assertEquals([result.code, result.stdout], [0, "fine\n"]);
    assertStringIncludes(
      result.stderr,
      `nanocode: Skipped MCP config ${tree.path("home/.nanocode/mcp.json")}: it is not valid JSON`,
    );
    assertStringIncludes(
      result.stderr,
      `nanocode: Skipped MCP server "broken" in ${tree.path("proj/.nanocode/mcp.json")}`,
    );
    // No server left: no MCP tool is offered.
    assert(!toolNames(mock.requests[0].body).some((n) => n.startsWith("mcp")));
  } finally {
    await mock.close();
  }
});

Deno.test("with no MCP server configured, start-up loads nothing of the SDK", async () => {
  // With npm resolution off, any import of the SDK fails: the runtime's module graph and a start with
  // no servers must not need it.
  await using tree = await makeTree({ "home/.nanocode": null, "proj": null });
  const runtime = new URL("../lib/cli/runtime.ts", import.meta.url).href;
  const mcp = new URL("../lib/tools/mcp.ts", import.meta.url).href;
  const code = `await import(${JSON.stringify(runtime)});
const { startMcpTools } = await import(${JSON.stringify(mcp)});
const set = await startMcpTools({ cwd: ${JSON.stringify(tree.path("proj"))}, env: (n) => n === "HOME" ? ${
    JSON.stringify(tree.path("home"))
  } : undefined });
const sdk = await import("@modelcontextprotocol/sdk/client/index.js").then(() => "loaded", (e) => e.message);
console.log(JSON.stringify([set.tools.length, set.manager === undefined, sdk]));`;
  const config = new URL("../deno.json", import.meta.url).pathname;
  const { code: status, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-npm", "--config", config, code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(status, 0, new TextDecoder().decode(stderr));
  const [count, noManager, sdk] = JSON.parse(new TextDecoder().decode(stdout));
  assertEquals([count, noManager], [0, true]);
  // The SDK itself cannot load in this process, so nothing above could have used it.
  assertStringIncludes(String(sdk), "npm");
});
