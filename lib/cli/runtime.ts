/**
 * The composition root: the provider, the tool surface, the system prompt and the agent, built from
 * the resolved configuration. Both front ends (REPL and headless) start from one runtime.
 * @module
 */

import { Agent, InputQueue } from "../agent/mod.ts";
import type { Provider, Tool } from "../core/mod.ts";
import { VERSION } from "../core/mod.ts";
import { acceptsImages, createOpenAIProvider } from "../provider/mod.ts";
import { buildToolSurface, describeOmitted, type OmittedTool, readOnlyTools } from "../tools/mod.ts";
import { buildSystemPrompt, expandSkillCommand, readTextOrFile, type Skill } from "../context/mod.ts";
import { foldWarnings, type ResolvedConfig } from "../config/mod.ts";
import type { CliOptions } from "./args.ts";
import type { CliIo } from "./main.ts";

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
  /** Re-reads context files and skills and rebuilds the system prompt, keeping the conversation. */
  reload(): Promise<string[]>;
}

/** What {@link createRuntime} is built from. */
export interface RuntimeOptions {
  options: CliOptions;
  config: ResolvedConfig;
  io: CliIo;
}

/** Builds a runtime: tool surface, system prompt, provider and agent. */
export async function createRuntime({ options, config, io }: RuntimeOptions): Promise<Runtime> {
  const { tools, omitted } = await buildToolSurface({ only: options.tools, cwd: io.cwd });
  const provider = createOpenAIProvider({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    maxRetries: config.maxRetries,
    sessionId: crypto.randomUUID(),
    userAgent: `nanocode/${VERSION}`,
  });
  const omittedNote = describeOmitted(omitted);
  const systemPromptOverride = options.systemPrompt !== undefined
    ? await readTextOrFile(options.systemPrompt, io.cwd)
    : undefined;
  const appendOverride = options.appendSystemPrompt !== undefined
    ? await readTextOrFile(options.appendSystemPrompt, io.cwd)
    : undefined;

  const build = () =>
    buildSystemPrompt({
      cwd: io.cwd,
      home: io.env("HOME") ?? io.env("USERPROFILE") ?? "",
      tools: tools.map((t) => ({ name: t.name, description: t.description })),
      date: new Date(),
      platform: `${Deno.build.os} (${Deno.build.arch})`,
      systemPromptOverride,
      appendOverride: [appendOverride, omittedNote].filter((s) => s !== undefined).join("\n\n") || undefined,
      noContextFiles: options.noContextFiles,
    });
  const built = await build();
  const queue = new InputQueue();
  const agent = new Agent({
    provider,
    tools,
    model: config.model,
    cwd: io.cwd,
    systemPrompt: built.prompt,
    queue,
    acceptsImages: config.images === "auto" ? acceptsImages : () => config.images === "on",
    env: io.env,
  });
  const runtime: Runtime = {
    agent,
    provider,
    config,
    queue,
    tools,
    readOnlyTools: readOnlyTools(tools),
    omitted,
    skills: built.skills,
    warnings: [
      ...(omittedNote ? [omittedNote] : []),
      ...pathLikeText("--system-prompt", options.systemPrompt, systemPromptOverride),
      ...pathLikeText("--append-system-prompt", options.appendSystemPrompt, appendOverride),
      ...foldWarnings(built.warnings),
    ],
    expandSkill(name, args) {
      const skill = runtime.skills.find((s) => s.name === name);
      if (!skill) {
        throw new Error(`Cannot run skill "${name}": no skill of that name is loaded; /skills lists them.`);
      }
      return expandSkillCommand(skill, args);
    },
    async reload() {
      const again = await build();
      agent.setSystemPrompt(again.prompt);
      runtime.skills = again.skills;
      return foldWarnings(again.warnings);
    },
  };
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
