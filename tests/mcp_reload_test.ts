/**
 * MCP tools that change while nanocode runs, against real fixture servers: `/mcp reload` and
 * `/reload` in the REPL (the command line's real runtime, driven in-process) read `mcp.json` again,
 * so the next request offers a new server's tools and names it in the system prompt, and a removed
 * server's process is gone; and a run follows a server's own tool-list changes from one model call
 * to the next.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./support/assert.ts";
import { makeTree } from "./support/file_tree.ts";
import { fixtureCommand } from "./support/mcp_fixture.ts";
import { startMockLlm, systemPromptOf, toolNamesOf, toolResultsOf } from "./support/mock_llm.ts";
import { loggedPids, processesMentioning, waitGone } from "./support/processes.ts";
import { runMain } from "./support/run_main.ts";
import { type CliRepl, withCliRepl } from "./support/cli_repl.ts";

/** Processes get this long to end after a signal on a loaded machine; only a leak reaches it. */
const GONE_MS = 15_000;

/** Writes the project's `.nanocode/mcp.json` with these servers. */
async function writeServers(cwd: string, servers: Record<string, unknown>): Promise<void> {
  await Deno.mkdir(join(cwd, ".nanocode"), { recursive: true });
  await Deno.writeTextFile(join(cwd, ".nanocode/mcp.json"), JSON.stringify({ mcpServers: servers }));
}

/**
 * The REPL on the command line's runtime as `nanocode --no-context-files` builds it (every tool, MCP
 * from the folders' `mcp.json`), against a mock endpoint answering `answers` in order.
 */
function withRepl(
  setup: { answers: string[]; servers?: Record<string, unknown> },
  body: (r: CliRepl) => Promise<void>,
): Promise<void> {
  return withCliRepl({
    turns: setup.answers.map((text) => ({ text })),
    allTools: true,
    before: async (folders) => {
      if (setup.servers) await writeServers(folders.cwd, setup.servers);
    },
  }, body);
}

Deno.test("/mcp reload re-reads mcp.json: the next request offers the new server's tools, and the removed server's process is gone", async () => {
  await using logs = await makeTree({ "logs": null });
  const oldLog = logs.path("logs/old.log");
  const freshLog = logs.path("logs/fresh.log");
  await withRepl({
    answers: ["first answer", "second answer"],
    servers: {
      old: { ...fixtureCommand(`--log=${oldLog}`), description: "The old one", selectedTools: ["echo"] },
    },
  }, async ({ llm, runtime, cwd, send, next }) => {
    send("hello");
    await next("first answer");
    const [first] = await llm.waitForRequests(1);
    assert(toolNamesOf(first).includes("mcp__old__echo"), toolNamesOf(first).join(", "));
    assertStringIncludes(systemPromptOf(first), "- old: The old one (");
    const oldPids = await loggedPids(oldLog);
    assert(oldPids.length > 0, "the old server never started");

    await writeServers(cwd, {
      fresh: { ...fixtureCommand(`--log=${freshLog}`), description: "Freshly added", selectedTools: ["add"] },
      broken: { args: ["no command"] },
    });
    send("/mcp reload");
    await next("MCP servers (1):");
    await next("fresh");
    await next('! Skipped MCP server "broken"');
    // The old server was closed before the reload answered; its process ends within the grace time.
    assertEquals(await waitGone(oldPids, GONE_MS), []);
    assertEquals(await processesMentioning(oldLog), []);

    send("and now?");
    await next("second answer");
    const [, second] = await llm.waitForRequests(2);
    const names = toolNamesOf(second);
    assert(names.includes("mcp__fresh__add"), names.join(", "));
    assert(names.includes("mcp_search"), names.join(", "));
    assert(!names.includes("mcp__old__echo"), names.join(", "));
    assertStringIncludes(systemPromptOf(second), "- fresh: Freshly added (");
    assert(!systemPromptOf(second).includes("- old:"), systemPromptOf(second));
    // The conversation went on: the first exchange is still there.
    assertEquals(second.body.messages.filter((m: { role: string }) => m.role === "user").length, 2);
    // What /btw --tools and /mcp search use follows too.
    const search = runtime.tools.find((t) => t.name === "mcp_search");
    assert(search && runtime.readOnlyTools.includes(search));
    assertEquals(runtime.mcp?.servers().map((s) => s.name), ["fresh"]);
  });
  // Leaving closed the new server as well.
  const freshPids = await loggedPids(freshLog);
  assert(freshPids.length > 0, "the new server never started");
  assertEquals(await waitGone(freshPids, GONE_MS), []);
});

Deno.test("/reload starts MCP servers added to mcp.json after start, and stops those removed", async () => {
  await using logs = await makeTree({ "logs": null });
  const log = logs.path("logs/fx.log");
  await withRepl(
    { answers: ["with the server", "without it"] },
    async ({ llm, runtime, cwd, send, next }) => {
      send("/mcp");
      await next("No MCP servers are configured");
      assertEquals(runtime.mcp, undefined);

      await writeServers(cwd, {
        fx: { ...fixtureCommand(`--log=${log}`), description: "Added later", selectedTools: ["add"] },
      });
      send("/reload");
      await next("Restarted 1 MCP server from mcp.json");
      send("add please");
      await next("with the server");
      const [first] = await llm.waitForRequests(1);
      assert(toolNamesOf(first).includes("mcp__fx__add"), toolNamesOf(first).join(", "));
      assertStringIncludes(systemPromptOf(first), "- fx: Added later (");
      const pids = await loggedPids(log);
      assert(pids.length > 0, "the server never started");

      await writeServers(cwd, {});
      send("/reload");
      await next("Reloaded context files and skills");
      assertEquals(runtime.mcp, undefined);
      assertEquals(await waitGone(pids, GONE_MS), []);
      assertEquals(await processesMentioning(log), []);
      send("and now?");
      await next("without it");
      const [, second] = await llm.waitForRequests(2);
      assert(!toolNamesOf(second).some((n) => n.startsWith("mcp")), toolNamesOf(second).join(", "));
      assert(!systemPromptOf(second).includes("# MCP servers"), systemPromptOf(second));
    },
  );
});

Deno.test("a direct tool appears in the next request once the server lists it, and goes when a reconnect drops it", async () => {
  await using tree = await makeTree({ "home/.nanocode": null, "proj": null });
  const log = tree.path("fixture.log");
  const cache = tree.path("home/.nanocode/cache/mcp");
  await Deno.writeTextFile(
    tree.path("home/.nanocode/mcp.json"),
    JSON.stringify({
      mcpServers: { fx: { ...fixtureCommand(`--log=${log}`), selectedTools: ["add", "late_tool"] } },
    }),
  );
  // The list_changed notification is followed in the background; the cache file gets the new list
  // right after the agent's tools do, so a command waiting for it waits for a real condition.
  const listed = `i=0; until grep -qs '"name":"late_tool"' ${cache}/fx-*.json; do ` +
    `[ $i -ge 1200 ] && exit 1; sleep 0.05; i=$((i+1)); done; echo listed`;
  const mock = await startMockLlm();
  try {
    mock.push(
      { toolCalls: [{ id: "a1", name: "mcp_call", arguments: { server: "fx", tool: "add_tool" } }] },
      { toolCalls: [{ id: "b1", name: "bash", arguments: { command: listed } }] },
      { toolCalls: [{ id: "c1", name: "mcp__fx__late_tool", arguments: {} }] },
      { toolCalls: [{ id: "d1", name: "mcp_call", arguments: { server: "fx", tool: "exit_now" } }] },
      { toolCalls: [{ id: "e1", name: "mcp_search", arguments: { query: "late", refresh: true } }] },
      { text: "done" },
    );
    const result = await runMain(["-p", "grow the tool list"], {
      cwd: tree.path("proj"),
      env: { OPENAI_BASE_URL: mock.url, MODEL: "mock-model", HOME: tree.path("home") },
    });
    assertEquals([result.code, result.stdout], [0, "done\n"], result.stderr);
    const requests = mock.requests;
    assertEquals(requests.length, 6);
    assert(!toolNamesOf(requests[0]).includes("mcp__fx__late_tool"), toolNamesOf(requests[0]).join(", "));
    assert(toolNamesOf(requests[0]).includes("mcp__fx__add"));
    assertEquals(toolResultsOf(requests[2]).slice(0, 2), ["added late_tool", "listed"]);
    // The same run's next request offers the new tool, and a call to it works.
    assert(toolNamesOf(requests[2]).includes("mcp__fx__late_tool"), toolNamesOf(requests[2]).join(", "));
    assertEquals(toolResultsOf(requests[3])[2], "late and present");
    // The server died; the refresh started it again with its first list, which has no late_tool.
    assertStringIncludes(toolResultsOf(requests[4])[3], "exit code 7");
    const last = toolNamesOf(requests[5]);
    assert(!last.includes("mcp__fx__late_tool"), last.join(", "));
    assert(last.includes("mcp__fx__add"), last.join(", "));
  } finally {
    await mock.close();
  }
  const pids = await loggedPids(log);
  assertEquals(pids.length, 2, await Deno.readTextFile(log));
  assertEquals(await waitGone(pids, GONE_MS), []);
});

Deno.test("/mcp shows a bad entry of mcp.json beside the servers that still started", async () => {
  await withRepl(
    { answers: [], servers: { fx: fixtureCommand(), bad: { args: ["x"] } } },
    async ({ send, next }) => {
      send("/mcp");
      await next("fx  running  stdio  11 tools");
      await next('! Skipped MCP server "bad" in ');
    },
  );
});
