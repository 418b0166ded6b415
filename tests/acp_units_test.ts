/**
 * The pure parts of the editor protocol: what each mode lets a call do, how calls are titled and
 * kinded, which saved results read as failures, which prompts are commands, and the stream's checks.
 */
import type { Tool } from "../lib/core/mod.ts";
import { parseCommand } from "../lib/acp/commands.ts";
import { offeredTools, verdictFor } from "../lib/acp/permissions.ts";
import { failedCalls, looksFailed, replayUpdates } from "../lib/acp/replay.ts";
import { coalescedOutput, issuesOf, unknownBlock } from "../lib/acp/stream.ts";
import { toolKind, toolLocations, toolTitle } from "../lib/acp/tool_calls.ts";
import { assertEquals } from "./support/assert.ts";

function tool(name: string, readOnly?: Tool["readOnly"]): Tool {
  return {
    name,
    description: name,
    parameters: { type: "object" },
    permissions: [],
    ...(readOnly !== undefined ? { readOnly } : {}),
    execute: () => Promise.resolve({ content: [] }),
  };
}

Deno.test("each mode lets reads run, and asks, allows or refuses the calls that change or run something", () => {
  const nanocode = tool("nanocode", (args) => args.action === "list" || args.action === "status");
  const calls: [Tool, Record<string, unknown>][] = [
    [tool("read", true), {}],
    [tool("write"), {}],
    [tool("edit"), {}],
    [tool("bash"), {}],
    [tool("mcp_call"), {}],
    [tool("mcp__fx__add"), {}],
    [nanocode, { action: "run", prompt: "x" }],
    [nanocode, { action: "list" }],
  ];
  const table = (mode: "ask" | "edit" | "auto" | "read-only") =>
    calls.map(([t, args]) => verdictFor(mode, t, args));
  assertEquals(table("ask"), ["allow", "ask", "ask", "ask", "ask", "ask", "ask", "allow"]);
  assertEquals(table("edit"), ["allow", "allow", "allow", "ask", "ask", "ask", "ask", "allow"]);
  assertEquals(table("auto"), ["allow", "allow", "allow", "allow", "allow", "allow", "allow", "allow"]);
  assertEquals(table("read-only"), ["allow", "deny", "deny", "deny", "deny", "deny", "deny", "allow"]);
  assertEquals(offeredTools("read-only", calls.map(([t]) => t)).map((t) => t.name), ["read"]);
});

Deno.test("a call's kind, title and location follow its tool and arguments", () => {
  const cwd = "/work/app";
  assertEquals(
    ["read", "edit", "write", "bash", "grep", "glob", "webfetch", "websearch", "nanocode", "mcp__x__y"].map(
      toolKind,
    ),
    ["read", "edit", "edit", "execute", "search", "search", "fetch", "fetch", "other", "other"],
  );
  assertEquals(
    toolTitle("read", { path: "src/a.ts", offset: 10, limit: 5 }, cwd),
    "Read src/a.ts (lines 10-14)",
  );
  assertEquals(toolTitle("edit", { path: "/elsewhere/b.ts" }, cwd), "Edit /elsewhere/b.ts");
  assertEquals(toolTitle("bash", { command: "deno test\n  --parallel" }, cwd), "Run `deno test --parallel`");
  assertEquals(toolTitle("grep", { pattern: "TODO", path: "lib" }, cwd), 'Search for "TODO" in lib');
  assertEquals(toolTitle("nanocode", { prompt: "fix the tests" }, cwd), "nanocode run: fix the tests");
  assertEquals(toolTitle("mcp__github__create_issue", {}, cwd), "MCP github: create_issue");
  assertEquals(toolLocations("read", { path: "@src/a.ts", offset: 3 }, cwd), [{
    path: "/work/app/src/a.ts",
    line: 3,
  }]);
  assertEquals(toolLocations("write", { path: "~/notes.md" }, cwd, "/home/me"), [{
    path: "/home/me/notes.md",
  }]);
  assertEquals(toolLocations("bash", { command: "ls" }, cwd), []);
});

Deno.test("saved results that read as failures are replayed failed, and a user's image is replayed as an image", () => {
  assertEquals(
    [
      "Cannot edit a.ts: edits[0].oldText was not found",
      "Tool call interrupted: nanocode stopped before it finished",
      "out\n\nCommand exited with code 2",
      "Command timed out after 5 seconds",
      "all fine",
      "Cannotation is a word",
    ].map(looksFailed),
    [true, true, true, true, false, false],
  );
  const updates = replayUpdates([
    {
      role: "user",
      content: [{ type: "text", text: "see" }, {
        type: "image_url",
        image_url: { url: "data:image/png;base64,AAAA" },
      }],
    },
    {
      role: "assistant",
      content: null,
      tool_calls: [{
        id: "c1",
        type: "function",
        function: { name: "bash", arguments: '{"command":"false"}' },
      }],
    },
    { role: "tool", tool_call_id: "c1", content: "Command exited with code 1" },
  ], { cwd: "/w" });
  assertEquals(updates.map((u) => u.sessionUpdate), [
    "user_message_chunk",
    "user_message_chunk",
    "tool_call",
  ]);
  assertEquals(updates[1], {
    sessionUpdate: "user_message_chunk",
    content: { type: "image", mimeType: "image/png", data: "AAAA" },
  });
  assertEquals(updates[2].sessionUpdate === "tool_call" && updates[2].status, "failed");
});

Deno.test("only the known slash commands are commands; a path is a prompt", () => {
  assertEquals(parseCommand("/compact"), { name: "compact", args: "" });
  assertEquals(parseCommand("/compact keep the API notes"), { name: "compact", args: "keep the API notes" });
  assertEquals(parseCommand("/skill:review check auth.ts"), {
    name: "skill",
    skill: "review",
    args: "check auth.ts",
  });
  assertEquals(parseCommand("  /context  "), { name: "context", args: "" });
  assertEquals(parseCommand("/contextual thinking"), undefined);
  assertEquals(parseCommand("/usr/lib is where?"), undefined);
  assertEquals(parseCommand("compact"), undefined);
});

Deno.test("the stream names an unknown content block, and turns a zod error tree into field lines", () => {
  assertEquals(unknownBlock({ prompt: [{ type: "text", text: "x" }, { type: "resource_link" }] }), undefined);
  assertEquals(
    unknownBlock({ prompt: [{ type: "text" }, { kind: "video" }] }),
    "Cannot read the prompt: block 1 has type null, which ACP does not define; send text, image, audio, resource_link or resource blocks.",
  );
  assertEquals(
    issuesOf({ _errors: [], cwd: { _errors: ["Invalid input: expected string, received number"] } }),
    [
      "cwd: Invalid input: expected string, received number",
    ],
  );
});

Deno.test("the README's Zed settings are valid JSON that start nanocode --acp", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const block = /```json\n(\{\n {2}"agent_servers"[\s\S]*?)```/.exec(readme)?.[1];
  const settings = JSON.parse(block ?? "null");
  assertEquals([settings.agent_servers.nanocode.command, settings.agent_servers.nanocode.args], ["nanocode", [
    "--acp",
  ]]);
  assertEquals(
    readme.includes('commands = { default = { "nanocode", "--acp" } }'),
    true,
    "the CodeCompanion snippet",
  );
});

Deno.test("output written in one turn of the event loop reaches the stream as one write, in order", async () => {
  const writes: string[] = [];
  const decoder = new TextDecoder();
  const output = coalescedOutput(
    new WritableStream({ write: (chunk) => void writes.push(decoder.decode(chunk)) }),
  );
  const writer = output.writable.getWriter();
  const encoder = new TextEncoder();
  await Promise.all(["a\n", "b\n", "c\n"].map((line) => writer.write(encoder.encode(line))));
  await output.drain();
  assertEquals(writes, ["a\nb\nc\n"]);
  await writer.write(encoder.encode("d\n"));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assertEquals(writes, ["a\nb\nc\n", "d\n"], "a later write goes out on its own turn");
});

Deno.test("a replay takes a call's status from the session file when it was recorded", () => {
  const call = (id: string) => ({
    id,
    type: "function" as const,
    function: { name: "bash", arguments: "{}" },
  });
  const messages = [
    { role: "assistant" as const, content: null, tool_calls: [call("ok"), call("bad")] },
    { role: "tool" as const, tool_call_id: "ok", content: "Cannot find it, said the program, and exited 0" },
    { role: "tool" as const, tool_call_id: "bad", content: "all fine, it seemed" },
  ];
  const status = (failed?: Set<string>) =>
    replayUpdates(messages, { cwd: "/", failed }).flatMap((
      u,
    ) => (u.sessionUpdate === "tool_call" ? [u.status] : []));
  assertEquals(status(new Set(["bad"])), ["completed", "failed"]);
  const entries = messages.map((message, i) => ({
    type: "message" as const,
    message,
    id: `e${i}`,
    time: "t",
    ...(i === 2 ? { isError: true as const } : {}),
  }));
  assertEquals([...failedCalls(entries)], ["bad"]);
});
