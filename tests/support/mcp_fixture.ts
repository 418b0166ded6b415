/**
 * nanocode's own MCP test server, built with the SDK and spoken to over stdio: tools with schemas, an
 * erroring tool, an image, a slow tool that reports progress and notices cancellation, a tool that
 * changes the tool list, big and structured results, and resources. Flags make it misbehave:
 *
 * - `--mode=crash`: writes to stderr and exits with code 3 before answering anything;
 * - `--mode=hang`: reads stdin and never answers (not even initialize);
 * - `--mode=ignore-term`: works, but ignores SIGTERM and the end of stdin;
 * - `--page-size=N`: lists tools N per page; `--extra-tools=N`: adds N generated tools;
 * - `--log=PATH`: appends one line per notable event (start with pid, cancellation, grandchild pid);
 * - `--grandchild`: starts a `sleep` that only the process group ties to the server;
 * - `--elicit`: adds `ask`, a tool that asks the user for values through the client (elicitation)
 *   and returns the client's answer as JSON.
 *
 * Run: `deno run -A tests/support/mcp_fixture.ts [flags]`.
 * @module
 */

import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  type CallToolRequest,
  CallToolRequestSchema,
  type CallToolResult,
  ElicitResultSchema,
  ListResourcesRequestSchema,
  type ListToolsRequest,
  ListToolsRequestSchema,
  type ReadResourceRequest,
  ReadResourceRequestSchema,
  type ServerNotification,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";

/** What a request handler gets besides the request (the part the fixture uses). */
interface HandlerExtra {
  signal: AbortSignal;
  sendNotification(notification: ServerNotification): Promise<void>;
}

/** The fixture's file, for configurations that start it. */
export const MCP_FIXTURE = new URL(import.meta.url).pathname;

/** The command and arguments that start the fixture with `flags`. */
export function fixtureCommand(...flags: string[]): { command: string; args: string[] } {
  const config = new URL("../../deno.json", import.meta.url).pathname;
  return {
    command: Deno.execPath(),
    args: ["run", "-A", "--quiet", "--config", config, MCP_FIXTURE, ...flags],
  };
}

/** A 1×1 red PNG. */
export const RED_DOT_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  const found = Deno.args.find((a) => a === `--${name}` || a.startsWith(prefix));
  if (found === undefined) return undefined;
  return found.startsWith(prefix) ? found.slice(prefix.length) : "";
}

/** Writes a line to stderr, as a server's diagnostics go. */
function say(line: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`${line}\n`));
}

const logPath = flag("log");
function log(line: string): void {
  if (logPath) Deno.writeTextFileSync(logPath, `${line}\n`, { append: true });
}

const BASE_TOOLS: Tool[] = [
  {
    name: "echo",
    description: "Echo the given text back, optionally repeated.",
    inputSchema: {
      type: "object",
      properties: {
        text: { type: "string", description: "What to echo." },
        repeat: { type: "integer", minimum: 1, maximum: 5, description: "How many times (default 1)." },
      },
      required: ["text"],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: "add",
    description: "Add two numbers and return their sum.",
    inputSchema: {
      type: "object",
      properties: { a: { type: "number" }, b: { type: "number" } },
      required: ["a", "b"],
    },
    outputSchema: { type: "object", properties: { sum: { type: "number" } }, required: ["sum"] },
  },
  {
    name: "stats",
    description: "Report counters as structured content only.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "fail",
    description: "Always fails with a tool error.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "image",
    description: "Return a tiny PNG image of a red dot.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "slow",
    description: "Count to steps, one step every delayMs, reporting progress.",
    inputSchema: {
      type: "object",
      properties: { steps: { type: "integer", minimum: 1 }, delayMs: { type: "integer", minimum: 0 } },
      required: ["steps"],
    },
  },
  {
    name: "add_tool",
    description: "Add a tool named late_tool and tell the client that the tool list changed.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "big",
    description: "Return kb kilobytes of numbered lines.",
    inputSchema: { type: "object", properties: { kb: { type: "integer", minimum: 1 } }, required: ["kb"] },
  },
  {
    name: "embedded",
    description: "Return an embedded text resource and a resource link.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "ns.lookup",
    description: "Look up a key of a kind in the weather almanac.",
    inputSchema: {
      type: "object",
      properties: { key: { type: "string" }, kind: { type: "string", enum: ["city", "station"] } },
      required: ["key", "kind"],
    },
  },
  {
    name: "exit_now",
    description: "Make the server exit at once, mid-call.",
    inputSchema: { type: "object", properties: {} },
  },
];

const LATE_TOOL: Tool = {
  name: "late_tool",
  description: "A tool that appears after add_tool runs.",
  inputSchema: { type: "object", properties: {} },
};

/** The schema `ask` sends when its call names none. */
export const ASK_SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string", title: "Your name", minLength: 2 },
    age: { type: "integer", title: "Age", minimum: 0, maximum: 150 },
    color: { type: "string", title: "Favourite colour", enum: ["red", "green", "blue"], default: "green" },
    subscribe: { type: "boolean", title: "Subscribe", description: "Send me the newsletter" },
  },
  required: ["name", "age"],
};

const ASK_TOOL: Tool = {
  name: "ask",
  description: "Ask the user for values through elicitation and return the answer as JSON.",
  inputSchema: {
    type: "object",
    properties: {
      message: { type: "string", description: "Why the values are asked." },
      schema: {
        type: "object",
        description: "The requested schema (default: name, age, colour, subscribe).",
      },
      times: { type: "integer", minimum: 1, description: "How many requests to send at once (default 1)." },
      giveUpMs: { type: "integer", minimum: 1, description: "Stop waiting for the answer after this long." },
    },
  },
};

function generatedTools(n: number): Tool[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `gen_${String(i).padStart(4, "0")}`,
    description: `Generated tool number ${i} for paging tests.`,
    inputSchema: { type: "object", properties: { x: { type: "string" } } },
  }));
}

async function serve(): Promise<void> {
  const mode = flag("mode") ?? "normal";
  log(`start ${Deno.pid} ${mode}`);
  if (flag("grandchild") !== undefined) {
    const child = new Deno.Command("sleep", { args: ["300"], stdin: "null", stdout: "null", stderr: "null" })
      .spawn();
    log(`grandchild ${child.pid}`);
  }
  if (mode === "crash") {
    say("fixture: cannot open the widget database (simulated crash)");
    Deno.exit(3);
  }
  if (mode === "hang") {
    say("fixture: hanging before initialize");
    // Keep stdin open and answer nothing, ever.
    for await (const _ of Deno.stdin.readable) { /* swallow */ }
    await new Promise(() => setInterval(() => {}, 1 << 30));
  }
  if (mode === "ignore-term") {
    Deno.addSignalListener("SIGTERM", () => log("ignored SIGTERM"));
    setInterval(() => {}, 1 << 30);
  }

  const tools: Tool[] = [
    ...BASE_TOOLS,
    ...(flag("elicit") !== undefined ? [ASK_TOOL] : []),
    ...generatedTools(Number(flag("extra-tools") ?? 0)),
  ];
  const pageSize = Number(flag("page-size") ?? 0);
  const server = new Server(
    { name: "nanocode-fixture", version: "1.0.0" },
    {
      capabilities: { tools: { listChanged: true }, resources: {} },
      instructions: "The nanocode test fixture.",
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, (request: ListToolsRequest) => {
    if (pageSize <= 0) return { tools };
    const start = Number(request.params?.cursor ?? 0);
    const next = start + pageSize;
    return { tools: tools.slice(start, next), ...(next < tools.length ? { nextCursor: String(next) } : {}) };
  });

  server.setRequestHandler(ListResourcesRequestSchema, () => ({
    resources: [
      {
        uri: "fixture://readme",
        name: "readme",
        description: "How the fixture works",
        mimeType: "text/markdown",
      },
      {
        uri: "fixture://blob",
        name: "blob",
        description: "Sixteen raw bytes",
        mimeType: "application/octet-stream",
      },
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, (request: ReadResourceRequest) => {
    const { uri } = request.params;
    if (uri === "fixture://readme") {
      return { contents: [{ uri, mimeType: "text/markdown", text: "# Fixture\n\nIt answers tests." }] };
    }
    if (uri === "fixture://blob") {
      const bytes = new Uint8Array(16).map((_, i) => i);
      return {
        contents: [{ uri, mimeType: "application/octet-stream", blob: btoa(String.fromCharCode(...bytes)) }],
      };
    }
    throw new Error(`no resource ${uri}`);
  });

  server.setRequestHandler(
    CallToolRequestSchema,
    async (request: CallToolRequest, extra: HandlerExtra): Promise<CallToolResult> => {
      const args = (request.params.arguments ?? {}) as Record<string, unknown>;
      switch (request.params.name) {
        case "echo":
          return {
            content: [{ type: "text", text: Array(Number(args.repeat ?? 1)).fill(args.text).join(" ") }],
          };
        case "add": {
          const sum = Number(args.a) + Number(args.b);
          return { content: [{ type: "text", text: String(sum) }], structuredContent: { sum } };
        }
        case "stats":
          return { content: [], structuredContent: { count: 3, ok: true } };
        case "fail":
          return { content: [{ type: "text", text: "the widget broke: gear 3 is missing" }], isError: true };
        case "image":
          return {
            content: [{ type: "text", text: "a red dot" }, {
              type: "image",
              data: RED_DOT_PNG,
              mimeType: "image/png",
            }],
          };
        case "slow": {
          const steps = Number(args.steps);
          const delay = Number(args.delayMs ?? 50);
          const token = request.params._meta?.progressToken;
          for (let i = 1; i <= steps; i++) {
            await new Promise((resolve) => setTimeout(resolve, delay));
            if (extra.signal.aborted) {
              log(`cancelled slow at ${i}`);
              return { content: [{ type: "text", text: "cancelled" }] };
            }
            if (token !== undefined) {
              await extra.sendNotification({
                method: "notifications/progress",
                params: { progressToken: token, progress: i, total: steps, message: `step ${i}` },
              });
            }
          }
          return { content: [{ type: "text", text: `counted to ${steps}` }] };
        }
        case "add_tool":
          if (!tools.some((t) => t.name === LATE_TOOL.name)) tools.push(LATE_TOOL);
          await server.sendToolListChanged();
          return { content: [{ type: "text", text: "added late_tool" }] };
        case "late_tool":
          return { content: [{ type: "text", text: "late and present" }] };
        case "big": {
          const lines: string[] = [];
          let size = 0;
          for (let i = 1; size < Number(args.kb) * 1024; i++) {
            const line = `line ${i} ${"x".repeat(60)}`;
            lines.push(line);
            size += line.length + 1;
          }
          return { content: [{ type: "text", text: lines.join("\n") }] };
        }
        case "embedded":
          return {
            content: [
              {
                type: "resource",
                resource: { uri: "fixture://note", mimeType: "text/plain", text: "embedded note" },
              },
              { type: "resource_link", uri: "fixture://readme", name: "readme", mimeType: "text/markdown" },
            ],
          };
        case "ns.lookup":
          return { content: [{ type: "text", text: `found ${args.kind} ${args.key}` }] };
        case "ask": {
          const times = Number(args.times ?? 1);
          const message = typeof args.message === "string" ? args.message : "Tell the fixture about you";
          // Sent as plain requests, all at once: the SDK's elicitInput wants a capability spelled
          // `form`, which the specification's empty `elicitation: {}` also means.
          const answers = await Promise.all(Array.from({ length: times }, (_, i) =>
            server.request(
              {
                method: "elicitation/create",
                params: {
                  message: times > 1 ? `${message} (${i + 1} of ${times})` : message,
                  requestedSchema: (args.schema ?? ASK_SCHEMA) as Record<string, unknown>,
                },
              },
              ElicitResultSchema,
              // `giveUpMs`: the server stops waiting (and tells the client) after that long.
              { timeout: args.giveUpMs !== undefined ? Number(args.giveUpMs) : 10 * 60_000 },
            )));
          log(`elicited ${JSON.stringify(answers)}`);
          return { content: [{ type: "text", text: JSON.stringify(times > 1 ? answers : answers[0]) }] };
        }
        case "exit_now":
          setTimeout(() => Deno.exit(7), 10);
          return await new Promise(() => {});
        default:
          if (request.params.name.startsWith("gen_")) {
            return { content: [{ type: "text", text: `${request.params.name} ran` }] };
          }
          return { content: [{ type: "text", text: `unknown tool ${request.params.name}` }], isError: true };
      }
    },
  );

  await server.connect(new StdioServerTransport());
}

if (import.meta.main) await serve();
