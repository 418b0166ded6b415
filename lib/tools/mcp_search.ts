/**
 * The `mcp_search` tool: ranks every enabled MCP server's tools and resources against a query, so the
 * model finds the tool it needs without every schema sitting in its context.
 * @module
 */

import { oneLine, textResult, type Tool } from "../core/mod.ts";
import { type McpManager, McpSearchIndex, type McpServerStatus } from "../mcp/mod.ts";

/** Hits shown when the model gives no `limit`, and the most it may ask for. */
export const MCP_SEARCH_LIMIT = { default: 30, max: 100 } as const;

/** Most milliseconds a search waits for servers that have listed nothing yet. */
const SEARCH_WAIT_MS = 5000;

/** Characters of a description shown per hit. */
const DESCRIPTION_CHARS = 160;

/** Builds `mcp_search` over the manager's servers. */
export function createMcpSearchTool(manager: McpManager): Tool {
  let cached: { key: McpServerStatus[]; index: McpSearchIndex } | undefined;
  const indexFor = (servers: McpServerStatus[]) => {
    // Rebuilt only when a server's lists or state changed (statuses are fresh objects, lists are not).
    const same = cached && cached.key.length === servers.length &&
      cached.key.every((s, i) =>
        s.tools === servers[i].tools && s.resources === servers[i].resources && s.state === servers[i].state
      );
    if (!same) cached = { key: servers, index: new McpSearchIndex(servers) };
    return cached!.index;
  };
  return {
    name: "mcp_search",
    description: "Search the tools and resources of the configured MCP servers by words of their names and " +
      "descriptions. Answers `- server.tool - description` lines, best first. No query lists everything " +
      "(capped by limit). Then read a tool's schema with mcp_inspect and call it with mcp_call.",
    parameters: {
      type: "object",
      properties: {
        query: { type: "string", description: "Words to look for, e.g. `create issue` or a tool name." },
        limit: {
          type: "integer",
          minimum: 1,
          maximum: MCP_SEARCH_LIMIT.max,
          description: `Most results (default ${MCP_SEARCH_LIMIT.default}, max ${MCP_SEARCH_LIMIT.max}).`,
        },
        refresh: {
          type: "boolean",
          description: "Ask every server for its lists again first (and restart failed servers).",
        },
      },
    },
    permissions: [],
    readOnly: true,
    async execute(args, ctx) {
      manager.start();
      const query = typeof args.query === "string" ? args.query : "";
      const limit = Math.min(
        MCP_SEARCH_LIMIT.max,
        Math.max(1, Number(args.limit ?? MCP_SEARCH_LIMIT.default)),
      );
      if (args.refresh === true) {
        await Promise.all(
          manager.servers().filter((s) => s.state !== "disabled" && s.state !== "closed").map((s) =>
            manager.connection(s.name)!.refresh(ctx.signal).catch(() => {})
          ),
        );
      } else if (
        manager.servers().some((s) => s.state === "starting" && !s.fromCache && s.tools.length === 0)
      ) {
        // A server whose tools are not known yet (no cache) gets a moment to answer, so a search early in
        // a run does not miss it; one that takes longer is named as still starting.
        await abortable(within(manager.settled(), SEARCH_WAIT_MS), ctx.signal);
      }
      const servers = manager.servers();
      const { hits, total } = indexFor(servers).search(query, limit);
      const direct = new Map(manager.directTools().map((d) => [`${d.server}\u0000${d.tool.name}`, d.name]));
      const lines = hits.map((hit) => {
        if (hit.kind === "tool") {
          const alias = direct.get(`${hit.server}\u0000${hit.tool.name}`);
          const description = oneLine(hit.tool.description || hit.tool.title || "", DESCRIPTION_CHARS);
          return `- ${hit.server}.${hit.tool.name}${alias ? ` (direct tool ${alias})` : ""}${
            description ? ` - ${description}` : ""
          }`;
        }
        const r = hit.resource;
        const about = oneLine(r.description ?? r.title ?? "", DESCRIPTION_CHARS);
        return `- ${hit.server} resource ${r.uri} - ${r.name}${r.mimeType ? ` (${r.mimeType})` : ""}${
          about ? `: ${about}` : ""
        }`;
      });
      if (total > hits.length) {
        lines.push(
          `... ${total - hits.length} more omitted (${
            limit < MCP_SEARCH_LIMIT.max ? `raise limit up to ${MCP_SEARCH_LIMIT.max} or ` : ""
          }narrow the query)`,
        );
      }
      if (hits.length === 0) {
        lines.push(
          query.trim() === ""
            ? "No MCP server has listed any tool or resource yet."
            : `No MCP tool or resource matches "${query}"; try other words, or no query to list everything.`,
        );
      }
      lines.push(...stateLines(servers));
      return textResult(lines.join("\n"), { total, shown: hits.length });
    },
  };
}

/** One line per server that is not usable or not listed yet, so the model knows what it is missing. */
export function stateLines(servers: readonly McpServerStatus[]): string[] {
  const lines: string[] = [];
  for (const s of servers) {
    if (s.state === "failed") lines.push(`! ${s.name} failed: ${s.error ?? "unknown error"}`);
    else if (s.state === "starting" && s.tools.length === 0 && !s.fromCache) {
      lines.push(`~ ${s.name} is still starting; its tools are not listed yet (search again shortly)`);
    } else if (s.state === "closed") lines.push(`! ${s.name} was closed`);
  }
  return lines;
}

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  try {
    await Promise.race([promise.then(() => {}, () => {}), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
