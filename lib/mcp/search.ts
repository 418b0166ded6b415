/**
 * Ranking the inventory (every server's tools and resources) against a query, for `mcp_search`: an
 * exact name beats a name that holds the query, which beats words found in the server name, which
 * beat words found only in a description.
 * @module
 */

import type { McpResourceInfo, McpServerStatus, McpToolInfo } from "./inventory.ts";

/** One thing found: a tool or a resource of a server. */
export type McpSearchHit =
  | { kind: "tool"; server: string; tool: McpToolInfo; score: number }
  | { kind: "resource"; server: string; resource: McpResourceInfo; score: number };

/** The hits, best first, and how many matched in all. */
export interface McpSearchResult {
  hits: McpSearchHit[];
  total: number;
}

/** Lower-case words of a name or text: split at non-alphanumerics and at camelCase humps. */
function words(text: string): string[] {
  return text.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/).filter((w) =>
    w !== ""
  );
}

interface Entry {
  hit: { kind: "tool"; server: string; tool: McpToolInfo } | {
    kind: "resource";
    server: string;
    resource: McpResourceInfo;
  };
  /** Lower-cased names it answers to exactly: `tool`, `server.tool`, `server__tool`, a URI. */
  names: string[];
  nameWords: string[];
  serverWords: string[];
  /** Lower-cased description (and title), for substring checks. */
  text: string;
  textWords: Set<string>;
}

/**
 * An index over the servers' lists, built once per search call (or kept while the lists are the same;
 * building is linear in the number of tools).
 */
export class McpSearchIndex {
  readonly #entries: Entry[] = [];

  constructor(servers: readonly McpServerStatus[]) {
    for (const server of servers) {
      if (server.state === "disabled") continue;
      const serverWords = words(server.name);
      for (const tool of server.tools) {
        const text = `${tool.title ?? ""} ${tool.description}`.toLowerCase();
        this.#entries.push({
          hit: { kind: "tool", server: server.name, tool },
          names: [tool.name, `${server.name}.${tool.name}`, `${server.name}__${tool.name}`].map((n) =>
            n.toLowerCase()
          ),
          nameWords: words(tool.name),
          serverWords,
          text,
          textWords: new Set(words(text)),
        });
      }
      for (const resource of server.resources) {
        const text = `${resource.title ?? ""} ${resource.description ?? ""} ${resource.mimeType ?? ""}`
          .toLowerCase();
        this.#entries.push({
          hit: { kind: "resource", server: server.name, resource },
          names: [resource.uri.toLowerCase(), resource.name.toLowerCase()],
          nameWords: [...words(resource.name), ...words(resource.uri)],
          serverWords,
          text,
          textWords: new Set(words(text)),
        });
      }
    }
  }

  /** How many tools and resources the index holds. */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * The best `limit` hits for `query`, best first (ties keep configuration and list order). An empty
   * query matches everything in order.
   */
  search(query: string, limit: number): McpSearchResult {
    const q = query.trim().toLowerCase();
    if (q === "") {
      return {
        hits: this.#entries.slice(0, limit).map((e) => ({ ...e.hit, score: 0 }) as McpSearchHit),
        total: this.#entries.length,
      };
    }
    const terms = [...new Set(words(q))];
    const scored: { entry: Entry; score: number; order: number }[] = [];
    this.#entries.forEach((entry, order) => {
      const score = scoreEntry(entry, q, terms);
      if (score > 0) scored.push({ entry, score, order });
    });
    scored.sort((a, b) => b.score - a.score || a.order - b.order);
    return {
      hits: scored.slice(0, limit).map(({ entry, score }) => ({ ...entry.hit, score }) as McpSearchHit),
      total: scored.length,
    };
  }
}

function scoreEntry(entry: Entry, q: string, terms: readonly string[]): number {
  let score = 0;
  if (entry.names.includes(q)) score += 1000;
  else if (entry.names.some((n) => n.includes(q))) score += 300;
  let matched = 0;
  for (const term of terms) {
    let best = 0;
    for (const w of entry.nameWords) {
      if (w === term) best = Math.max(best, 40);
      else if (w.startsWith(term)) best = Math.max(best, 25);
      else if (term.length >= 3 && w.includes(term)) best = Math.max(best, 12);
    }
    for (const w of entry.serverWords) {
      if (w === term) best = Math.max(best, 20);
      else if (w.startsWith(term)) best = Math.max(best, 12);
    }
    if (best === 0) {
      if (entry.textWords.has(term)) best = 10;
      else if (term.length >= 3 && entry.text.includes(term)) best = 5;
    }
    if (best > 0) matched++;
    score += best;
  }
  if (score === 0) return 0;
  // Entries that match every word of the query come before those that match some.
  return score * (matched / Math.max(1, terms.length)) +
    (terms.length > 0 && matched === terms.length ? 50 : 0);
}
