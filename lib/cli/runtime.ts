/**
 * The composition root: the provider, the tool surface, the system prompt and the agent, built from
 * the resolved configuration. Both front ends (REPL and headless) start from one runtime.
 * @module
 */

import { join } from "node:path";
import { Agent, type BeforeToolCall, InputQueue } from "../agent/mod.ts";
import { contentText, type Provider, type Tool, VERSION } from "../core/mod.ts";
import { acceptsImages, createOpenAIProvider } from "../provider/mod.ts";
import { buildToolSurface, describeOmitted, type OmittedTool, readOnlyTools } from "../tools/mod.ts";
import { type JobTable, processJobs } from "../jobs/mod.ts";
import { miseHotReload } from "../tools/bash.ts";
import type { McpToolSet } from "../tools/mcp.ts";
import { loadMcpConfig, type McpServerConfig } from "../mcp/config.ts";
import type { McpManager, McpServerStatus } from "../mcp/mod.ts";
import { answerWithDefaults, type Elicitor } from "../mcp/elicit.ts";
import { buildSystemPrompt, expandSkillCommand, readTextOrFile, type Skill } from "../context/mod.ts";
import { compactionSettings, foldWarnings, nanocodeHome, type ResolvedConfig } from "../config/mod.ts";
import type { LoadedSession } from "../session/mod.ts";
import { cwdSlug, endpointHost } from "../session/format.ts";
import { SessionWriter } from "../session/writer.ts";
import type { ReplSessions } from "../ui/mod.ts";
import type { CliOptions } from "./args.ts";
import type { CliIo } from "./main.ts";
import { lookupIn, NO_HOME, sessionsRoot } from "./session_home.ts";

/** Reading, listing and exporting sessions: loaded when a session command first needs them. */
const sessionTools = () =>
  Promise.all([import("../session/mod.ts"), import("./sessions.ts")]).then(([session, cli]) => ({
    ...session,
    ...cli,
  }));

/** Everything a front end needs to drive a conversation. */
export interface Runtime {
  agent: Agent;
  provider: Provider;
  config: ResolvedConfig;
  /** Messages typed while the agent works. */
  queue: InputQueue;
  tools: Tool[];
  /** The tools that only read (a side question gets these and no others). */
  readOnlyTools: Tool[];
  omitted: OmittedTool[];
  skills: Skill[];
  /** One-line notes for the user (tools left out, unreadable context files, skipped skills). */
  warnings: string[];
  /** The text `/skill:<name> [args]` sends. Throws a one-line error for an unknown or unreadable skill. */
  expandSkill(name: string, args: string): Promise<string>;
  /**
   * Re-reads context files and skills, and the MCP configuration as {@link Runtime.reloadMcp} does,
   * and rebuilds the system prompt, keeping the conversation. Returns the warnings.
   */
  reload(): Promise<string[]>;
  /**
   * Closes every MCP server (a stdio server's process group is stopped), reads `mcp.json` again (with
   * the editor's servers), starts the servers it names and gives the agent their tools and a system
   * prompt naming them (the context files are read again with it). Returns the configuration's
   * warnings. Throws under `--tools`, which leaves MCP out.
   */
  reloadMcp(): Promise<string[]>;
  /** The saved session: its file, and what the REPL's session commands do with it. */
  sessions: SessionControls;
  /** Where notes that arise later go (a session that cannot be saved); front ends may replace it. */
  notify: (message: string) => void;
  /**
   * Where the MCP servers' elicitation requests go; front ends may replace it (the REPL asks the
   * user). Default `answerWithDefaults`: the defaults when every required field has one, else decline.
   */
  elicit: Elicitor;
  /**
   * Logs in to a remote MCP server with OAuth (`say` gets the page's address; the browser opens),
   * then rebuilds the system prompt so it names the server's tools.
   */
  loginMcp(server: string, say: (line: string) => void): Promise<McpServerStatus>;
  /** Forgets a server's kept OAuth tokens, reconnects it and rebuilds the system prompt. */
  logoutMcp(server: string): Promise<boolean>;
  /** What was wrong with the MCP configuration at the last start or reload, as lines. */
  readonly mcpWarnings: string[];
  /**
   * Set by a front end where someone can finish a login now (the REPL): shows the page of a server
   * that asks for an authorization mid-call, as the browser opens on it. Unset: such calls fail
   * saying to log in.
   */
  showAuthorization?: (server: string, url: string) => void;
  /**
   * The MCP servers, when any is configured; their processes stop when nanocode exits. Replaced by
   * {@link Runtime.reloadMcp}: read it afresh, never keep it.
   */
  mcp?: McpManager;
  /** The file the REPL keeps its input history in: `<nanocode home>/history` (none without a home). */
  history?: string;
  /**
   * The child nanocode jobs of this process. Their results reach the agent at its next boundary; an
   * idle front end hears of one through `jobs.onResult` and starts a run with `jobs.takeInput()`.
   */
  jobs: JobTable;
}

/**
 * The saved session's controls: what the REPL's session commands use (each switch replaces
 * `runtime.agent`), and the id the editor protocol names sessions by.
 */
export interface SessionControls extends ReplSessions {
  /** The session id: the saved file's, and the request header's. */
  readonly id: string;
}

/** What {@link createRuntime} is built from. */
export interface RuntimeOptions {
  options: CliOptions;
  config: ResolvedConfig;
  io: CliIo;
  /** A saved session to go on with (`--continue`, `--resume`, `--session`). */
  resume?: LoadedSession;
  /** Asked before every tool call (an editor's permission prompt); default: nothing is asked. */
  beforeToolCall?: BeforeToolCall;
  /**
   * Makes the agent's tool list from the surface (an editor's buffers and terminal in place of the
   * file tools and bash); the array returned is the agent's. Default: the surface itself.
   */
  agentTools?: (surface: Tool[]) => Tool[];
  /** MCP servers beside the configured ones (an editor's); one named like a configured server replaces it. */
  mcpServers?: McpServerConfig[];
}

/** Builds a runtime: tool surface, system prompt, provider and agent. */
export async function createRuntime(
  { options, config, io, resume, beforeToolCall, agentTools, mcpServers }: RuntimeOptions,
): Promise<Runtime> {
  const { tools: surface, omitted } = await buildToolSurface({
    only: options.tools,
    cwd: io.cwd,
    env: io.env,
  });
  // MCP servers connect in the background; an explicit --tools list leaves them out.
  const mcpAllowed = options.tools === undefined;
  /** Where the servers' questions go: nobody is asked until a front end that can ask takes over. */
  let elicit: Elicitor = (request) => Promise.resolve(answerWithDefaults(request));
  let mcp: McpToolSet = { tools: [], warnings: [] };
  let tools = [...surface];
  let offered: Tool[] | undefined;
  /** Whether the runtime is built: before, a change of the MCP tools only reaches the first agent. */
  let assembled = false;
  /** Puts the current MCP tools beside the surface and gives them to the agent for its next request. */
  const offerTools = () => {
    tools = [...surface, ...mcp.tools];
    offered = agentTools?.(tools) ?? tools;
    if (!assembled) return;
    runtime.tools = tools;
    runtime.readOnlyTools = readOnlyTools(tools);
    runtime.agent.setTools(offered);
  };
  /** Counts MCP starts: a closed manager's late changes are not followed. */
  let mcpGeneration = 0;
  /** The configured and the editor's servers; the tools and client load only when one is enabled. */
  const startMcpServers = async (startDelayMs?: number): Promise<McpToolSet> => {
    const generation = ++mcpGeneration;
    const config = await loadMcpConfig({ cwd: io.cwd, env: io.env });
    if (mcpServers?.length) {
      const names = new Set(mcpServers.map((s) => s.name));
      config.servers = [...config.servers.filter((s) => !names.has(s.name)), ...mcpServers];
    }
    if (!config.servers.some((s) => s.enabled)) return { tools: [], warnings: config.warnings };
    const { startMcpTools } = await import("../tools/mcp.ts");
    return await startMcpTools({
      elicit: (request, context) => elicit(request, context),
      // Only while someone can finish a login now (the REPL runs) is a page opened in mid-call.
      showAuthorization: () => {
        const show = runtime.showAuthorization;
        if (!show) return undefined;
        return async (server, page) => {
          show(server, page.href);
          const { openBrowser } = await import("../mcp/oauth.ts");
          await openBrowser(page.href, io.env);
        };
      },
      cwd: io.cwd,
      env: io.env,
      config,
      ...(startDelayMs !== undefined ? { startDelayMs } : {}),
      onToolsChange: () => {
        if (generation === mcpGeneration) offerTools();
      },
    });
  };
  if (mcpAllowed) {
    mcp = await startMcpServers();
    tools = [...surface, ...mcp.tools];
  }
  const jobs = processJobs();
  const omittedNote = describeOmitted(omitted);
  // Each --system-prompt / --append-system-prompt value is text or a file; several join in order.
  const flagNotes: string[] = [];
  const readFlag = async (flag: string, values: string[] | undefined) => {
    if (values === undefined) return undefined;
    const texts = await Promise.all(values.map((value) => readTextOrFile(value, io.cwd)));
    flagNotes.push(...values.flatMap((value, i) => pathLikeText(flag, value, texts[i])));
    return texts.join("\n\n");
  };
  const systemPromptOverride = await readFlag("--system-prompt", options.systemPrompt);
  const appendOverride = await readFlag("--append-system-prompt", options.appendSystemPrompt);
  const miseLine = surface.some((t) => t.name === "bash") && await miseHotReload(io.env);

  const nanocodeDir = nanocodeHome(io.env);
  const build = () =>
    buildSystemPrompt({
      cwd: io.cwd,
      home: io.env("HOME") ?? io.env("USERPROFILE") ?? "",
      nanocodeDir,
      miseHotReload: miseLine,
      tools: tools.map((t) => ({ name: t.name, description: t.description })),
      date: new Date(),
      platform: `${Deno.build.os} (${Deno.build.arch})`,
      systemPromptOverride,
      appendOverride: [appendOverride, omittedNote].filter((s) => s !== undefined).join("\n\n") || undefined,
      noContextFiles: options.noContextFiles,
      mcpSection: mcp.promptSection,
    });
  const built = await build();
  const compaction = compactionSettings(io.env);
  const queue = new InputQueue();
  const home = sessionsRoot(io.env);
  // Without a home folder, or write access to it (a read-only CI run), nothing is saved, and once said.
  const saveSessions = !options.noSession && home !== undefined && mayWrite(home);
  const savingNote = options.noSession || saveSessions ? [] : [
    home === undefined
      ? `Sessions are not saved: ${NO_HOME} to keep them.`
      : `Sessions are not saved: nanocode may not write to ${home} (grant --allow-write for it, or pass --no-session).`,
  ];
  const root = home ?? "";
  let writer: SessionWriter | undefined;
  let sessionId = "";
  let systemPrompt = built.prompt;

  /**
   * A conversation: fresh, or a saved one going on (with `parent`, a fork written to a new file). Its
   * changes are saved as they happen; the request header carries the session id.
   */
  const start = (
    seed?: {
      messages: LoadedSession["messages"];
      model: string;
      path?: string;
      entries?: number;
      id?: string;
    },
    parent?: { id: string; path: string },
  ) => {
    const notes: string[] = [];
    const id = seed?.id ?? crypto.randomUUID();
    sessionId = id;
    const provider = createOpenAIProvider({
      baseUrl: config.baseUrl,
      chatUrl: config.chatUrl,
      modelsUrl: config.modelsUrl,
      maxTokens: config.maxTokens,
      apiKey: config.apiKey,
      ...(config.keySource === "none" ? {} : { keySource: config.keySource }),
      maxRetries: config.maxRetries,
      idleMs: config.streamIdleMs,
      sessionId: id,
      userAgent: config.userAgent,
    });
    offered ??= agentTools?.(tools) ?? tools;
    const agent = new Agent({
      provider,
      tools: offered,
      ...(beforeToolCall ? { beforeToolCall } : {}),
      model: seed?.model ?? config.model,
      cwd: io.cwd,
      ...(seed ? { messages: seed.messages } : {}),
      queue,
      acceptsImages: config.images === "auto" ? acceptsImages : () => config.images === "on",
      env: io.env,
      compaction: compaction.settings,
      maxTurns: options.maxTurns,
      inbox: jobs,
    });
    writer?.close();
    writer = !saveSessions ? undefined : new SessionWriter({
      dir: join(root, cwdSlug(io.cwd)),
      header: {
        id,
        cwd: io.cwd,
        model: agent.model,
        endpoint: endpointHost(config.baseUrl),
        nanocode: VERSION,
        ...(parent ? { parent } : {}),
      },
      ...(seed?.path ? { resume: { path: seed.path, entries: seed.entries ?? 0 } } : {}),
      onError: (message) => runtime.notify(message),
    });
    const saving = writer;
    if (saving) agent.subscribe((event) => saving.record(event));
    // Set after subscribing, so the session file holds the system prompt too.
    if (!seed) agent.setSystemPrompt(systemPrompt);
    if (seed && !seed.path && seed.messages.length > 0) {
      // A fork's file starts with the conversation it copies, as one entry per message.
      for (const message of seed.messages) saving?.record({ type: "message", message });
    }
    if (seed) {
      const interrupted = agent.answerInterruptedCalls();
      if (interrupted > 0) {
        notes.push(
          `${interrupted} tool call${
            interrupted === 1 ? " was" : "s were"
          } cut off when the session stopped; the model is told so.`,
        );
      }
      // The command line's --model wins over the saved one; the current system prompt replaces the saved.
      if (options.model !== undefined && options.model !== agent.model) agent.setModel(options.model);
      const saved = agent.messages[0]?.role === "system" ? contentText(agent.messages[0].content) : undefined;
      if (saved !== systemPrompt) agent.setSystemPrompt(systemPrompt);
    }
    return { agent, provider, notes };
  };

  const fromFile = (loaded: LoadedSession) =>
    start({
      messages: loaded.messages,
      model: loaded.model,
      path: loaded.path,
      entries: loaded.entries.length,
      id: loaded.header.id,
    });
  const first = resume ? fromFile(resume) : start();
  const runtime: Runtime = {
    get elicit() {
      return elicit;
    },
    set elicit(next) {
      elicit = next;
    },
    agent: first.agent,
    provider: first.provider,
    config,
    jobs,
    queue,
    tools,
    readOnlyTools: readOnlyTools(tools),
    omitted,
    skills: built.skills,
    warnings: [
      ...config.notices,
      ...(omittedNote ? [omittedNote] : []),
      ...flagNotes,
      ...foldWarnings([...built.warnings, ...mcp.warnings]),
      ...compaction.warnings,
      ...savingNote,
      ...first.notes,
    ],
    expandSkill(name, args) {
      const skill = runtime.skills.find((s) => s.name === name);
      if (!skill) {
        throw new Error(`Cannot run skill "${name}": no skill of that name is loaded; /skills lists them.`);
      }
      return expandSkillCommand(skill, args);
    },
    async reload() {
      const mcpWarnings = mcpAllowed ? await restartMcp() : [];
      const again = await rebuildPrompt();
      return [...foldWarnings(again.warnings), ...mcpWarnings];
    },
    async reloadMcp() {
      if (!mcpAllowed) {
        throw new Error("Cannot reload the MCP servers: --tools leaves MCP out; start nanocode without it.");
      }
      const warnings = await restartMcp();
      await rebuildPrompt();
      return warnings;
    },
    async loginMcp(name, say) {
      if (!runtime.mcp) {
        throw new Error(`Cannot log in to MCP server "${name}": no MCP server is configured.`);
      }
      const status = await runtime.mcp.login(name, say);
      // The prompt named the server as failed; from the next request it names its tools.
      await rebuildPrompt();
      return status;
    },
    async logoutMcp(name) {
      if (!runtime.mcp) {
        throw new Error(`Cannot log out of MCP server "${name}": no MCP server is configured.`);
      }
      const removed = await runtime.mcp.logout(name);
      await rebuildPrompt();
      return removed;
    },
    get mcpWarnings() {
      return foldWarnings(mcp.warnings);
    },
    history: nanocodeDir && join(nanocodeDir, "history"),
    ...(mcp.manager ? { mcp: mcp.manager } : {}),
    notify: (message) => {
      const writer = io.stderr.getWriter();
      writer.write(new TextEncoder().encode(`nanocode: ${message}\n`)).catch(() => {}).finally(() =>
        writer.releaseLock()
      );
    },
    sessions: {
      get id() {
        return sessionId;
      },
      get path() {
        return writer?.path;
      },
      get enabled() {
        return writer !== undefined;
      },
      name(name) {
        if (!writer) {
          throw new Error("Cannot name the session: nanocode runs with --no-session, so nothing is saved.");
        }
        writer.record({ type: "name", name });
      },
      list: ({ all }) =>
        home === undefined
          ? Promise.resolve([])
          : sessionTools().then(({ listSessions }) => listSessions(home, all ? {} : { cwd: io.cwd })),
      async resume(query) {
        const { findSessionFile, readSession } = await sessionTools();
        const found = await findSessionFile(query, lookupIn(home, io.cwd, "resume a session"));
        if (found.path === writer?.path) return ["That is the session you are in."];
        const loaded = await readSession(found.path);
        const next = fromFile(loaded);
        switchTo(next);
        return [...found.notes, ...loaded.warnings, ...next.notes];
      },
      fork(userMessage) {
        try {
          return Promise.resolve(forkAt(userMessage));
        } catch (error) {
          return Promise.reject(error);
        }
      },
      async export(out) {
        if (!writer?.path) throw new Error("Cannot export yet: nothing of this session has been saved.");
        const { exportSession, readSession } = await sessionTools();
        const loaded = await readSession(writer.path);
        const target = out ?? `nanocode-${sessionId.slice(0, 8)}.md`;
        return (await exportSession(loaded, target, io.cwd)).path!;
      },
    },
  };
  const forkAt = (userMessage: number | undefined): string | undefined => {
    const messages = runtime.agent.messages;
    let cut = messages.length;
    if (userMessage !== undefined) {
      const users = messages.flatMap((m, i) => (m.role === "user" ? [i] : []));
      if (userMessage < 1 || userMessage > users.length) {
        throw new RangeError(
          `Cannot fork at user message ${userMessage}: this conversation has ${users.length}; use 1 to ${users.length}.`,
        );
      }
      cut = users[userMessage - 1];
    }
    const parent = writer?.path ? { id: sessionId, path: writer.path } : undefined;
    switchTo(start({ messages: messages.slice(0, cut), model: runtime.agent.model }, parent));
    return writer?.path;
  };
  /** A new system prompt from the current files, tools and MCP servers' states, for the next request. */
  const rebuildPrompt = async () => {
    if (mcp.manager) {
      const { mcpPromptSection } = await import("../tools/mcp.ts");
      mcp.promptSection = mcpPromptSection(mcp.manager);
    }
    const again = await build();
    systemPrompt = again.prompt;
    runtime.agent.setSystemPrompt(again.prompt);
    runtime.skills = again.skills;
    return again;
  };
  /** Closes the MCP servers, then starts those the configuration names now; returns its warnings. */
  const restartMcp = async () => {
    await runtime.mcp?.close();
    delete runtime.mcp;
    mcp = { tools: [], warnings: [] };
    try {
      // Nothing waits for the start-up to stay quick any more: the servers connect at once.
      mcp = await startMcpServers(0);
    } finally {
      if (mcp.manager) runtime.mcp = mcp.manager;
      offerTools();
    }
    return foldWarnings(mcp.warnings);
  };
  const switchTo = (next: { agent: Agent; provider: Provider }) => {
    runtime.agent = next.agent;
    runtime.provider = next.provider;
  };
  assembled = true;
  // Children get this conversation's model and endpoint, and a key read from a file they may not read.
  jobs.configure({
    env: io.env,
    model: () => runtime.agent.model,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    endpointHost: new URL(config.chatUrl).host,
    ...(config.apiKey && config.keySource.startsWith("auth.json")
      ? { childEnv: { OPENCODE_API_KEY: config.apiKey } }
      : {}),
  });
  return runtime;
}

/**
 * A flag value that reads like a file path but named no file was most likely a typo: it is still used
 * as text (that is the documented fallback), but the user hears about it.
 */
function pathLikeText(flag: string, value: string | undefined, used: string | undefined): string[] {
  if (value === undefined || used !== value) return [];
  const looksLikePath = !/\s/.test(value) &&
    (/[\\/]/.test(value) || /\.(md|txt|markdown|prompt)$/i.test(value));
  return looksLikePath
    ? [`${flag} ${value}: no such file, so the value itself is used as the text; check the path.`]
    : [];
}

/** Whether this process may write under `path`, asked without prompting. */
function mayWrite(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "write", path }).state === "granted";
  } catch {
    return false;
  }
}
