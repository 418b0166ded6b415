/**
 * The last tool list (and resource list) each server gave, kept under `<nanocode home>/cache/mcp/`
 * keyed by the server's configuration, so search and direct tools work at once on the next start,
 * before the server has answered.
 * @module
 */

import { join } from "node:path";
import { listingKey, type McpServerConfig } from "./config.ts";
import type { McpListing } from "./inventory.ts";
import { sanitizeNamePart } from "./names.ts";

/** A cached listing and when it was taken. */
export interface CachedListing extends McpListing {
  /** Milliseconds since the epoch. */
  savedAt: number;
}

const FORMAT = 1;

/** The cache file of one server: its name for people, a hash of its configuration for uniqueness. */
export async function cachePath(dir: string, server: McpServerConfig): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(listingKey(server)));
  const hex = [...new Uint8Array(digest)].slice(0, 8).map((b) => b.toString(16).padStart(2, "0")).join("");
  return join(dir, `${sanitizeNamePart(server.name).slice(0, 40)}-${hex}.json`);
}

/** The cached listing of `server`, or undefined when there is none (or it cannot be read). */
export async function readCachedListing(
  dir: string,
  server: McpServerConfig,
): Promise<CachedListing | undefined> {
  const path = await cachePath(dir, server);
  let data: unknown;
  try {
    data = JSON.parse(await Deno.readTextFile(path));
  } catch {
    return undefined;
  }
  if (!isListing(data) || data.key !== listingKey(server)) return undefined;
  return { tools: data.tools, resources: data.resources, savedAt: data.savedAt };
}

/**
 * Saves `listing` as the cached one of `server` (a temp file renamed over the old one, so a reader
 * never sees half a file). Returns whether it was written; never throws, since a cache that cannot be
 * written only costs the next start its head start.
 */
export async function writeCachedListing(
  dir: string,
  server: McpServerConfig,
  listing: McpListing,
): Promise<boolean> {
  try {
    const path = await cachePath(dir, server);
    await Deno.mkdir(dir, { recursive: true });
    const body = JSON.stringify({
      format: FORMAT,
      key: listingKey(server),
      savedAt: Date.now(),
      tools: listing.tools,
      resources: listing.resources,
    });
    const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    await Deno.writeTextFile(temp, body);
    await Deno.rename(temp, path);
    return true;
  } catch {
    return false;
  }
}

function isListing(data: unknown): data is CachedListing & { key: string; format: number } {
  if (data === null || typeof data !== "object") return false;
  const d = data as Record<string, unknown>;
  return d.format === FORMAT && typeof d.key === "string" && typeof d.savedAt === "number" &&
    Array.isArray(d.tools) && Array.isArray(d.resources) &&
    d.tools.every((t) =>
      t !== null && typeof t === "object" && typeof (t as { name?: unknown }).name === "string"
    );
}
