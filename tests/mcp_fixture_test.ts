/**
 * The MCP tools against real servers of our own (tests/support/mcp_fixture.ts): one well-behaved
 * fixture shared by every step, and fixtures that crash at start, hang at initialize, ignore SIGTERM
 * or name a command that does not exist. No server process may outlive the manager.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertRejects, assertStringIncludes } from "./support/assert.ts";
import { makeTree } from "./support/file_tree.ts";
import { fixtureCommand } from "./support/mcp_fixture.ts";
import { loggedPids, waitGone } from "./support/processes.ts";
import { contentText, type Tool, type ToolContext, type ToolResult } from "../lib/core/mod.ts";
import { loadMcpConfig, McpManager, openServerGroups } from "../lib/mcp/mod.ts";
import { createMcpTools } from "../lib/tools/mcp.ts";

function context(updates: string[] = [], signal = new AbortController().signal): ToolContext {
  return { cwd: Deno.cwd(), signal, update: (text) => updates.push(text) };
}

function text(result: ToolResult): string {
  return contentText(result.content);
}

function byName(tools: Tool[], name: string): Tool {
  const tool = tools.find((t) => t.name === name);
  assert(tool, `no tool ${name} among ${tools.map((t) => t.name).join(", ")}`);
  return tool;
}

Deno.test("the MCP tools work against real fixture servers, and no server process outlives them", async (t) => {
  await using tree = await makeTree({ "home/.nanocode": null, "proj": null });
  const log = tree.path("fixture.log");
  const fx = fixtureCommand("--page-size=4", "--grandchild", `--log=${log}`);
  const stubborn = fixtureCommand("--mode=ignore-term", `--log=${log}`);
  await Deno.writeTextFile(
    tree.path("home/.nanocode/mcp.json"),
    JSON.stringify({
      mcpServers: {
        fx: { ...fx, description: "The fixture", selectedTools: ["echo", "ns.lookup"] },
        crash: { ...fixtureCommand("--mode=crash"), timeoutMs: 5000 },
        hang: { ...fixtureCommand("--mode=hang"), timeoutMs: 1000 },
        stubborn: { ...stubborn, enabledTools: ["echo"] },
        missing: { command: "nanocode-no-such-mcp-server" },
        off: { ...fx, enabled: false },
      },
    }),
  );
  const env = (name: string) => (name === "HOME" ? tree.path("home") : undefined);
  const config = await loadMcpConfig({ cwd: tree.path("proj"), env });
  assertEquals(config.warnings, []);
  const cacheDir = tree.path("home/.nanocode/cache/mcp");
  const manager = await McpManager.create(config, {
    cwd: tree.path("proj"),
    env,
    cacheDir,
    termGraceMs: 500,
  });
  let tools = createMcpTools(manager);
  assertEquals(tools.map((t) => t.name), ["mcp_search", "mcp_inspect", "mcp_call", "mcp_read_resource"]);
  const started = Date.now();
  manager.start();

  try {
    await t.step("servers start in parallel and each failure is kept with its reason", async () => {
      await manager.settled();
      const elapsed = Date.now() - started;
      assert(elapsed < 4000, `settling took ${elapsed} ms`);
      const states = Object.fromEntries(manager.servers().map((s) => [s.name, s.state]));
      assertEquals(states, {
        fx: "running",
        crash: "failed",
        hang: "failed",
        stubborn: "running",
        missing: "failed",
        off: "disabled",
      });
      const [fxs, crash, hang, stub, missing] = manager.servers();
      // Four tools a page: three pages of the fixture's eleven tools.
      assertEquals(fxs.tools.length, 11);
      assertEquals(fxs.serverInfo, { name: "nanocode-fixture", version: "1.0.0" });
      assertEquals(fxs.transport, "stdio");
      assertMatch(
        crash.error!,
        /exited before it answered \(exit code 3\); stderr: fixture: cannot open the widget/,
      );
      assertStringIncludes(crash.stderrTail, "simulated crash");
      assertMatch(hang.error!, /did not answer within 1s/);
      assertEquals(stub.tools.map((tool) => tool.name), ["echo"]);
      assertMatch(missing.error!, /command not found: nanocode-no-such-mcp-server/);
    });

    await t.step("direct tools are named mcp__<server>__<tool> and call through", async () => {
      tools = createMcpTools(manager);
      const names = tools.map((t) => t.name).slice(4);
      assertEquals(names, ["mcp__fx__echo", "mcp__fx__ns_lookup"]);
      const lookup = byName(tools, "mcp__fx__ns_lookup");
      assertStringIncludes(lookup.description, "weather almanac");
      assertEquals(lookup.parameters.required as string[], ["key", "kind"]);
      assertEquals(text(await lookup.execute({ key: "Oslo", kind: "city" }, context())), "found city Oslo");
    });

    await t.step(
      "mcp_search ranks exact names first, lists resources, and reports failed servers",
      async () => {
        const search = byName(tools, "mcp_search");
        const echo = text(await search.execute({ query: "echo" }, context())).split("\n");
        assertEquals(
          echo[0],
          "- fx.echo (direct tool mcp__fx__echo) - Echo the given text back, optionally repeated.",
        );
        assertEquals(echo[1], "- stubborn.echo - Echo the given text back, optionally repeated.");
        assert(echo.includes("! crash failed: " + manager.servers()[1].error), echo.join("\n"));
        assert(echo.some((l) => l.startsWith("! hang failed: it did not answer within 1s")));
        assert(echo.some((l) => l.startsWith("! missing failed: command not found")));
        const weather = text(await search.execute({ query: "weather almanac" }, context())).split("\n");
        assertEquals(
          weather[0],
          "- fx.ns.lookup (direct tool mcp__fx__ns_lookup) - Look up a key of a kind in the weather almanac.",
        );
        const readme = text(await search.execute({ query: "readme" }, context())).split("\n");
        assertEquals(
          readme[0],
          "- fx resource fixture://readme - readme (text/markdown): How the fixture works",
        );
        const all = text(await search.execute({ limit: 5 }, context())).split("\n");
        assertEquals(all.length, 5 + 1 + 3);
        assertEquals(all[5], "... 11 more omitted (raise limit up to 100 or narrow the query)");
        const none = text(await search.execute({ query: "zzzz qqqq" }, context()));
        assertStringIncludes(none, 'No MCP tool or resource matches "zzzz qqqq"');
      },
    );

    await t.step("mcp_inspect shows the schema, and an unknown name answers the nearest ones", async () => {
      const inspect = byName(tools, "mcp_inspect");
      const add = text(await inspect.execute({ tool: "fx.add" }, context()));
      assert(add.startsWith("fx.add\n\nAdd two numbers and return their sum."), add);
      assertStringIncludes(add, '"required": [\n    "a",\n    "b"\n  ]');
      assertStringIncludes(add, "Output schema:");
      assertStringIncludes(add, 'Call it with mcp_call {"server": "fx", "tool": "add", "arguments": {...}}.');
      await assertRejects(
        () => inspect.execute({ server: "fx", tool: "ech" }, context()),
        /Nearest: fx\.echo/,
      );
      await assertRejects(
        () => inspect.execute({ tool: "echo" }, context()),
        /several MCP servers \(fx, stubborn\)/,
      );
      await assertRejects(
        () => inspect.execute({ server: "fz", tool: "echo" }, context()),
        /did you mean fx/,
      );
    });

    const call = (args: Record<string, unknown>, ctx = context()) =>
      byName(tools, "mcp_call").execute(args, ctx);
    await t.step("mcp_call checks arguments against the schema before anything is sent", async () => {
      assertEquals(
        text(await call({ server: "fx", tool: "echo", arguments: { text: "hi", repeat: 2 } })),
        "hi hi",
      );
      const before = await Deno.readTextFile(log);
      await assertRejects(
        () => call({ server: "fx", tool: "echo", arguments: { repeat: "two" } }),
        /Cannot call fx\.echo: arguments\.text is required; arguments\.repeat must be integer, not a string\. Nothing was sent/,
      );
      assertEquals(await Deno.readTextFile(log), before);
      // Arguments sent as JSON text are taken as the object they spell.
      const prepared = byName(tools, "mcp_call").prepareArguments!({
        server: "fx",
        tool: "add",
        arguments: '{"a":2,"b":3}',
      });
      assertEquals(text(await call(prepared)), "5");
    });

    await t.step("results: errors, images, structured content, embedded resources and links", async () => {
      await assertRejects(
        () => call({ server: "fx", tool: "fail" }),
        /^fx\.fail failed: the widget broke: gear 3/,
      );
      const image = await call({ server: "fx", tool: "image" });
      assertEquals(text(image), "a red dot\n[image image/png, 70B]");
      assertEquals(image.content[1].type, "image_url");
      assertEquals(text(await call({ server: "fx", tool: "stats" })), '{\n  "count": 3,\n  "ok": true\n}');
      assertEquals(
        text(await call({ server: "fx", tool: "embedded" })),
        "[resource fixture://note (text/plain)]\nembedded note\n" +
          "[resource link] readme fixture://readme (text/markdown) (read it with mcp_read_resource)",
      );
    });

    await t.step("a result over 50 KB gives its head, its size and a file holding all of it", async () => {
      const result = text(await call({ server: "fx", tool: "big", arguments: { kb: 80 } }));
      const note = result.split("\n").at(-1)!;
      assertMatch(
        note,
        /^\[Showing lines 1-\d+ of \d+ \(80\.\dKB in all\)\. Full result: (\S+); read it with offset=\d+\.\]$/,
      );
      const path = note.match(/Full result: (\S+);/)![1];
      try {
        const whole = await Deno.readTextFile(path);
        assert(whole.length >= 80 * 1024);
        assert(result.length < 52 * 1024);
        assert(whole.startsWith(result.split("\n\n[Showing")[0]));
      } finally {
        await Deno.remove(path);
      }
    });

    await t.step("progress streams as updates, and an abort tells the server to cancel", async () => {
      const updates: string[] = [];
      assertEquals(
        text(
          await call({ server: "fx", tool: "slow", arguments: { steps: 3, delayMs: 80 } }, context(updates)),
        ),
        "counted to 3",
      );
      // The last notification may lose the race with the result it precedes; the SDK drops it then.
      assertEquals(updates.slice(0, 2), ["progress 1/3: step 1", "progress 2/3: step 2"]);
      const controller = new AbortController();
      const running = call(
        { server: "fx", tool: "slow", arguments: { steps: 100, delayMs: 20 } },
        context([], controller.signal),
      );
      setTimeout(() => controller.abort(), 150);
      await assertRejects(() => running, /Cannot call fx\.slow: it was aborted/);
      const deadline = Date.now() + 3000;
      while (!(await Deno.readTextFile(log)).includes("cancelled slow") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assertStringIncludes(await Deno.readTextFile(log), "cancelled slow");
    });

    await t.step("a tool-list change is followed and replaces the cache", async () => {
      assertEquals(text(await call({ server: "fx", tool: "add_tool" })), "added late_tool");
      const deadline = Date.now() + 3000;
      while (!manager.servers()[0].tools.some((t) => t.name === "late_tool") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const found = text(await byName(tools, "mcp_search").execute({ query: "late" }, context()));
      assert(found.startsWith("- fx.late_tool - A tool that appears after add_tool runs."), found);
      assertEquals(text(await call({ server: "fx", tool: "late_tool" })), "late and present");
      await new Promise((resolve) => setTimeout(resolve, 100));
      const files = [...Deno.readDirSync(cacheDir)].map((e) => e.name).filter((n) => n.startsWith("fx-"));
      assertEquals(files.length, 1);
      const cached = JSON.parse(await Deno.readTextFile(join(cacheDir, files[0])));
      assert(cached.tools.some((t: { name: string }) => t.name === "late_tool"));
    });

    await t.step("mcp_read_resource gives text as text and describes binary contents", async () => {
      const read = byName(tools, "mcp_read_resource");
      assertEquals(
        text(await read.execute({ server: "fx", uri: "fixture://readme" }, context())),
        "# Fixture\n\nIt answers tests.",
      );
      assertEquals(
        text(await read.execute({ server: "fx", uri: "fixture://blob" }, context())),
        "[binary resource fixture://blob: application/octet-stream, 16B; not shown as text]",
      );
      await assertRejects(
        () => read.execute({ server: "fx", uri: "fixture://nope" }, context()),
        /no resource fixture:\/\/nope/,
      );
    });

    await t.step("a server that dies mid-call fails the call, and a refresh starts it again", async () => {
      await assertRejects(
        () => call({ server: "fx", tool: "exit_now" }),
        /the server exited \(exit code 7\)/,
      );
      assertEquals(manager.servers()[0].state, "failed");
      await assertRejects(
        () => call({ server: "fx", tool: "echo", arguments: { text: "x" } }),
        /it failed: exited while running/,
      );
      const search = text(
        await byName(tools, "mcp_search").execute({ query: "echo", refresh: true }, context()),
      );
      assert(!search.includes("! fx failed"), search);
      assertEquals(manager.servers()[0].state, "running");
      assertEquals(text(await call({ server: "fx", tool: "echo", arguments: { text: "back" } })), "back");
    });
  } finally {
    const closing = Date.now();
    await manager.close();
    const closeMs = Date.now() - closing;
    await t.step("closing stops every server process, grandchildren and SIGTERM-ignorers too", async () => {
      assert(closeMs < 3000, `closing took ${closeMs} ms`);
      assertEquals(openServerGroups(), 0);
      const pids = await loggedPids(log);
      // fx twice (it was restarted) with a grandchild each, and stubborn.
      assertEquals(pids.length, 5, await Deno.readTextFile(log));
      assertEquals(await waitGone(pids, 2000), []);
      assertStringIncludes(await Deno.readTextFile(log), "ignored SIGTERM");
    });
  }

  await t.step("the next start knows the tools from the cache before any server answers", async () => {
    const again = await McpManager.create(config, {
      cwd: tree.path("proj"),
      env,
      cacheDir,
      termGraceMs: 500,
    });
    try {
      const fxs = again.servers()[0];
      assertEquals([fxs.state, fxs.fromCache], ["starting", true]);
      // The restarted server listed the tools it starts with, and that list replaced the cache.
      assertEquals(fxs.tools.length, 11);
      const direct = createMcpTools(again).map((t) => t.name).slice(4);
      assertEquals(direct, ["mcp__fx__echo", "mcp__fx__ns_lookup"]);
      const found = text(await createMcpTools(again)[0].execute({ query: "echo" }, context()));
      assert(found.startsWith("- fx.echo"), found);
    } finally {
      await again.close();
    }
  });
});
