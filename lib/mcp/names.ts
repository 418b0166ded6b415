/**
 * Names of MCP tools offered directly to the model: `mcp__<server>__<tool>`, within what OpenAI allows
 * (`[A-Za-z0-9_-]{1,64}`), unique, and mapped back to the server and tool they stand for.
 * @module
 */

/** A server's tool as MCP names it. */
export interface McpToolRef {
  server: string;
  tool: string;
}

/** The longest tool name an OpenAI-compatible endpoint accepts. */
export const MAX_TOOL_NAME = 64;

/** One name part made safe: runs of other characters become `_`, a leading digit gets a `_` before it. */
export function sanitizeNamePart(part: string): string {
  const safe = part.replace(/[^A-Za-z0-9_-]+/g, "_");
  if (safe === "") return "_";
  return /^[0-9]/.test(safe) ? `_${safe}` : safe;
}

/** The name a tool gets before collisions are settled, cut to 64 characters. */
export function directToolName(ref: McpToolRef): string {
  return `mcp__${sanitizeNamePart(ref.server)}__${sanitizeNamePart(ref.tool)}`.slice(0, MAX_TOOL_NAME);
}

/**
 * Names every tool, in order: the first to claim a name keeps it, later ones get `_2`, `_3`, … (the
 * name cut shorter to make room), and no name repeats one in `reserved`.
 * @example
 * ```ts
 * const names = assignDirectNames([{ server: "gh", tool: "a.b" }, { server: "gh", tool: "a_b" }]);
 * // Map { "mcp__gh__a_b" => {server: "gh", tool: "a.b"}, "mcp__gh__a_b_2" => {server: "gh", tool: "a_b"} }
 * ```
 */
export function assignDirectNames(
  refs: readonly McpToolRef[],
  reserved: ReadonlySet<string> = new Set(),
): Map<string, McpToolRef> {
  const names = new Map<string, McpToolRef>();
  const taken = (name: string) => names.has(name) || reserved.has(name);
  for (const ref of refs) {
    const base = directToolName(ref);
    let name = base;
    for (let n = 2; taken(name); n++) {
      const suffix = `_${n}`;
      name = base.slice(0, MAX_TOOL_NAME - suffix.length) + suffix;
    }
    names.set(name, ref);
  }
  return names;
}
