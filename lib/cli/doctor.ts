/**
 * `nanocode doctor` (also `--check`): what this installation found, in a few lines — the endpoint and
 * where its key came from (never the key), the model, the permissions granted and the tools left out,
 * ripgrep and mise, MCP servers configured, the sessions folder — and exit 1 when something needed
 * is missing, saying what to do.
 * @module
 */

import { ConfigError, UsageError, VERSION } from "../core/mod.ts";
import { nanocodeHome, resolveConfig, type ResolvedConfig } from "../config/mod.ts";
import { buildToolSurface, describeOmitted } from "../tools/mod.ts";
import { ripgrepUsable } from "../tools/search/mod.ts";
import { miseHotReload } from "../tools/bash.ts";
import { loadMcpConfig } from "../mcp/config.ts";
import { McpAuthStore } from "../mcp/oauth.ts";
import type { CliOptions } from "./args.ts";
import type { CliIo } from "./main.ts";
import { endpointNetProblem } from "./permissions.ts";
import { sessionsRoot } from "./sessions.ts";

/** One finding: a line for the user, and whether it stops nanocode from working. */
export interface Finding {
  line: string;
  problem?: boolean;
}

function permission(
  name: "read" | "write" | "run" | "env" | "sys",
  cwd: string,
): string {
  const descriptor: Deno.PermissionDescriptor = name === "read" || name === "write"
    ? { name, path: cwd }
    : name === "run"
    ? { name, command: "bash" }
    : { name };
  try {
    return Deno.permissions.querySync(descriptor).state;
  } catch {
    return "denied";
  }
}

/** Everything `doctor` looks at, as findings in the order printed. */
export async function diagnose(
  options: CliOptions,
  io: CliIo,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  findings.push({
    line: `nanocode ${VERSION} on deno ${Deno.version.deno} (${Deno.build.os} ${Deno.build.arch})`,
  });
  let config: ResolvedConfig | undefined;
  try {
    config = await resolveConfig({
      flags: {
        model: options.model,
        baseUrl: options.baseUrl,
        maxRetries: options.maxRetries,
      },
      env: io.env,
      readFile: (path) => Deno.readTextFile(path).catch(() => undefined),
    });
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof UsageError)) {
      throw error;
    }
    findings.push({ line: `endpoint: ${error.message}`, problem: true });
  }
  if (config) {
    findings.push({
      line: `endpoint: ${config.chatUrl} (key from ${config.keySource})`,
    });
    findings.push({ line: `model: ${config.model}` });
    const net = endpointNetProblem(config.chatUrl);
    if (net) findings.push({ line: net, problem: true });
  }
  const perms = (["read", "write", "run", "env", "sys"] as const).map((p) => `${p} ${permission(p, io.cwd)}`);
  findings.push({ line: `permissions in ${io.cwd}: ${perms.join(", ")}` });
  if (permission("read", io.cwd) !== "granted") {
    findings.push({
      line: `Cannot read ${io.cwd}: start nanocode with --allow-read (for this folder at least).`,
      problem: true,
    });
  }
  const surface = await buildToolSurface({ only: options.tools, cwd: io.cwd });
  findings.push({
    line: `tools: ${surface.tools.map((t) => t.name).join(", ") || "none"}`,
  });
  const omitted = describeOmitted(surface.omitted);
  if (omitted) findings.push({ line: omitted });
  const rg = permission("run", io.cwd) === "granted" && await ripgrepUsable();
  findings.push({
    line: rg ? "ripgrep: found (fast search)" : "ripgrep: not used (the built-in search serves instead)",
  });
  const mise = await miseHotReload(io.env);
  findings.push({
    line: mise ? "mise: found; bash loads its environment before each command" : "mise: not found",
  });
  const mcp = await loadMcpConfig({ cwd: io.cwd, env: io.env });
  const enabled = mcp.servers.filter((s) => s.enabled);
  findings.push({
    line: enabled.length === 0
      ? "MCP servers: none configured"
      : `MCP servers: ${enabled.map((s) => s.name).join(", ")} (from ${mcp.files.join(", ")})`,
  });
  for (const warning of mcp.warnings) {
    findings.push({ line: `MCP: ${warning.text}` });
  }
  const store = McpAuthStore.inHome(nanocodeHome(io.env));
  for (const server of enabled) {
    if (server.oauth === false || server.url === undefined || store.path === undefined) continue;
    let kept: boolean;
    try {
      kept = store.get(server.name, server.url)?.tokens !== undefined;
    } catch (error) {
      findings.push({ line: `MCP ${server.name}: ${(error as Error).message}`, problem: true });
      continue;
    }
    if (kept) findings.push({ line: `MCP ${server.name}: logged in with OAuth (tokens in ${store.path})` });
  }
  const sessions = sessionsRoot(io.env);
  findings.push({
    line: options.noSession
      ? "sessions: not saved (--no-session)"
      : sessions === undefined
      ? "sessions: not saved (no home folder visible; set NANOCODE_DIR)"
      : `sessions: ${sessions}`,
  });
  return findings;
}

/** Prints the findings and returns the exit code: 1 when any is a problem. */
export async function runDoctor(
  options: CliOptions,
  io: CliIo,
): Promise<number> {
  const findings = await diagnose(options, io);
  const writer = io.stdout.getWriter();
  try {
    const text = findings.map((f) => (f.problem ? `✗ ${f.line}` : `  ${f.line}`)).join(
      "\n",
    ) + "\n";
    await writer.write(new TextEncoder().encode(text));
  } finally {
    writer.releaseLock();
  }
  return findings.some((f) => f.problem) ? 1 : 0;
}
