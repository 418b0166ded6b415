/**
 * Runs one file tool in a process whose read permission is narrowed by the test that starts it, and
 * prints `OK <text>` or `ERR <message>` as JSON, so the test can see how a refusal is worded.
 * Usage: `deno run --allow-read=… narrow_read.ts <tool> <path>`.
 * @module
 */

import type { Tool } from "../../lib/core/mod.ts";
import { findTool } from "../../lib/tools/find.ts";
import { globTool } from "../../lib/tools/glob.ts";
import { grepTool } from "../../lib/tools/grep.ts";
import { lsTool } from "../../lib/tools/ls.ts";

const TOOLS: Record<string, { tool: Tool; args: Record<string, unknown> }> = {
  ls: { tool: lsTool, args: {} },
  find: { tool: findTool, args: { pattern: "*" } },
  glob: { tool: globTool, args: { pattern: "**/*" } },
  grep: { tool: grepTool, args: { pattern: "x" } },
};

if (import.meta.main) {
  const [name, path] = Deno.args;
  const { tool, args } = TOOLS[name];
  let report: { ok: boolean; text: string };
  try {
    const result = await tool.execute({ ...args, path }, {
      cwd: Deno.cwd(),
      signal: new AbortController().signal,
      update: () => {},
    });
    report = { ok: true, text: result.content.map((p) => (p.type === "text" ? p.text : "")).join("") };
  } catch (error) {
    report = { ok: false, text: error instanceof Error ? error.message : String(error) };
  }
  Deno.stdout.writeSync(new TextEncoder().encode(`${JSON.stringify(report)}\n`));
}
