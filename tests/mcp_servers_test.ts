/**
 * The MCP tools against published servers from npm: server-everything over stdio, over Streamable
 * HTTP on 127.0.0.1 and over SSE (reached through the fallback from Streamable HTTP), and
 * server-filesystem on a temp folder. One process of each serves every step.
 */
import { assert, assertEquals, assertMatch, assertRejects, assertStringIncludes } from "./support/assert.ts";
import { makeTree } from "./support/file_tree.ts";
import {
  EVERYTHING_SERVER,
  FILESYSTEM_SERVER,
  npmServerCommand,
  startHttpEverything,
} from "./support/mcp_servers.ts";
import { waitGone } from "./support/processes.ts";
import { contentText, type Tool, type ToolContext, type ToolResult } from "../lib/core/mod.ts";
import { loadMcpConfig, McpManager, openServerGroups } from "../lib/mcp/mod.ts";
import { createMcpTools } from "../lib/tools/mcp.ts";

function context(updates: string[] = []): ToolContext {
  return { cwd: Deno.cwd(), signal: new AbortController().signal, update: (text) => updates.push(text) };
}

function text(result: ToolResult): string {
  return contentText(result.content);
}

function byName(tools: Tool[], name: string): Tool {
  const tool = tools.find((t) => t.name === name);
  assert(tool, `no tool ${name} among ${tools.map((t) => t.name).join(", ")}`);
  return tool;
}

Deno.test("the MCP tools work against server-everything (stdio, HTTP, SSE) and server-filesystem", async (t) => {
  await using tree = await makeTree({
    "home/.nanocode": null,
    "files/notes.txt": "first line\nsecond line\n",
    "files/sub/deep.md": "# deep\n",
  });
  await using http = await startHttpEverything("streamableHttp");
  await using sse = await startHttpEverything("sse");
  await Deno.writeTextFile(
    tree.path("home/.nanocode/mcp.json"),
    JSON.stringify({
      mcpServers: {
        everything: { ...npmServerCommand(EVERYTHING_SERVER, "stdio"), description: "Reference server" },
        remote: { url: http.url, headers: { "X-Test": "1" } },
        legacy: { url: sse.url },
        fs: { ...npmServerCommand(FILESYSTEM_SERVER, tree.path("files")), selectedTools: ["read_text_file"] },
      },
    }),
  );
  const env = (name: string) => (name === "HOME" ? tree.path("home") : undefined);
  const config = await loadMcpConfig({ cwd: tree.root, env });
  const manager = await McpManager.create(config, {
    cwd: tree.root,
    env,
    cacheDir: tree.path("home/.nanocode/cache/mcp"),
  });
  manager.start();
  const pids: number[] = [];
  try {
    await manager.settled();
    const tools = createMcpTools(manager);
    const call = (args: Record<string, unknown>, ctx = context()) =>
      byName(tools, "mcp_call").execute(args, ctx);

    await t.step("every server runs; a url server without the newer transport falls back to SSE", () => {
      const servers = manager.servers();
      assertEquals(
        servers.map((s) => [s.name, s.state, s.transport, s.error ?? ""]),
        [
          ["everything", "running", "stdio", ""],
          ["remote", "running", "http", ""],
          ["legacy", "running", "sse", ""],
          ["fs", "running", "stdio", ""],
        ],
      );
      for (const s of servers) if (s.pid) pids.push(s.pid);
      assertEquals(pids.length, 2);
      assert(servers[0].tools.some((tool) => tool.name === "get-sum"));
      assert(servers[0].resources.length > 0);
      assertEquals(servers[0].serverInfo?.name, "mcp-servers/everything");
    });

    await t.step("calls reach the server over each transport", async () => {
      assertMatch(
        text(await call({ server: "everything", tool: "get-sum", arguments: { a: 2, b: 3 } })),
        /\b5\b/,
      );
      assertStringIncludes(
        text(await call({ server: "remote", tool: "echo", arguments: { message: "over http" } })),
        "over http",
      );
      assertStringIncludes(
        text(await call({ server: "legacy", tool: "echo", arguments: { message: "over sse" } })),
        "over sse",
      );
    });

    await t.step("schemas are checked first, images come as image parts, progress as updates", async () => {
      await assertRejects(
        () => call({ server: "everything", tool: "get-sum", arguments: { a: "two", b: 3 } }),
        /Cannot call everything\.get-sum: arguments\.a must be number, not a string/,
      );
      const image = await call({ server: "everything", tool: "get-tiny-image" });
      assert(
        image.content.some((part) => part.type === "image_url"),
        JSON.stringify(image.content).slice(0, 300),
      );
      assertMatch(text(image), /\[image image\/png, \d+(\.\d)?K?B\]/);
      for (const server of ["everything", "remote"]) {
        const updates: string[] = [];
        const done = await call(
          { server, tool: "trigger-long-running-operation", arguments: { duration: 0.6, steps: 3 } },
          context(updates),
        );
        assertStringIncludes(text(done), "completed");
        assert(
          updates.length >= 2 && updates[0].startsWith("progress 1/3"),
          `${server}: ${updates.join(" | ")}`,
        );
      }
      const structured = text(
        await call({
          server: "everything",
          tool: "get-structured-content",
          arguments: { location: "Chicago" },
        }),
      );
      assertStringIncludes(structured, "temperature");
    });

    await t.step("search finds tools and resources across servers, and resources read", async () => {
      const search = byName(tools, "mcp_search");
      const sum = text(await search.execute({ query: "sum two numbers" }, context())).split("\n");
      assertEquals(sum[0], "- everything.get-sum - Returns the sum of two numbers");
      const echo = text(await search.execute({ query: "echo" }, context())).split("\n");
      assertEquals(echo.slice(0, 3).map((l) => l.split(" - ")[0]), [
        "- everything.echo",
        "- remote.echo",
        "- legacy.echo",
      ]);
      const resource = manager.servers()[0].resources.find((r) => r.mimeType?.startsWith("text/"))!;
      assert(resource, "server-everything lists a text resource");
      const read = text(
        await byName(tools, "mcp_read_resource").execute(
          { server: "everything", uri: resource.uri },
          context(),
        ),
      );
      assert(read.length > 0 && !read.startsWith("[binary"), read.slice(0, 200));
    });

    await t.step("server-filesystem reads and lists inside its folder and refuses outside it", async () => {
      const direct = byName(tools, "mcp__fs__read_text_file");
      assertEquals(
        text(await direct.execute({ path: tree.path("files/notes.txt") }, context())),
        "first line\nsecond line\n",
      );
      const listing = text(
        await call({ server: "fs", tool: "list_directory", arguments: { path: tree.path("files") } }),
      );
      assertStringIncludes(listing, "[FILE] notes.txt");
      assertStringIncludes(listing, "[DIR] sub");
      await assertRejects(
        () => call({ server: "fs", tool: "read_text_file", arguments: { path: "/etc/hostname" } }),
        /^fs\.read_text_file failed: .*(denied|outside)/i,
      );
      const inspect = text(
        await byName(tools, "mcp_inspect").execute({ tool: "fs.read_text_file" }, context()),
      );
      assertStringIncludes(inspect, "Call it directly as mcp__fs__read_text_file");
    });
  } finally {
    await manager.close();
  }
  await t.step("closing leaves no stdio server process behind", async () => {
    assertEquals(openServerGroups(), 0);
    assertEquals(await waitGone(pids, 2000), []);
  });
});
