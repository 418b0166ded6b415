/**
 * The system prompt: a base prompt (built in, or replaced by a `SYSTEM.md` file or a flag), appended
 * instructions, the context files and the list of skills, assembled in that order.
 * @module
 */

import { resolve } from "node:path";
import { UsageError } from "../core/errors.ts";
import { type ContextFile, contextFilesFromScan } from "./context_files.ts";
import {
  type ConfigWarning,
  type DiscoveryOptions,
  type NanocodeDir,
  pickVariant,
  readText,
  scanNanocodeDirs,
  unreadableWarning,
} from "../config/mod.ts";
import { type Skill, skillsFromScan } from "./skills.ts";

/** A tool as the system prompt names it. */
export interface ToolSummary {
  name: string;
  /** The first line is used. */
  description: string;
}

/** What the built-in prompt states; passed in so the text is deterministic in tests. */
export interface BuiltInPromptOptions {
  /** The working directory the model is told about. */
  cwd: string;
  /** The tools the model may call, in the order to list them. */
  tools: readonly ToolSummary[];
  /** Today; written as a local `YYYY-MM-DD` date. */
  date: Date;
  /** The platform, e.g. `Deno.build.os` (`linux`, `darwin`, `windows`). */
  platform: string;
  /**
   * Whether `bash` loads mise's environment before each command (`miseHotReload` of the bash tool);
   * the prompt then says so in one line. Default false.
   */
  miseHotReload?: boolean;
}

/** Everything {@link buildSystemPrompt} needs. */
export interface SystemPromptOptions extends DiscoveryOptions, BuiltInPromptOptions {
  /** Replaces the base prompt (`--system-prompt`, already read with {@link readTextOrFile}). */
  systemPromptOverride?: string;
  /** Appended after the file-based appends (`--append-system-prompt`, already read). */
  appendOverride?: string;
  /**
   * Turns off every file look-up (`--no-context-files`): context files, skills, and also `SYSTEM.md`
   * and `APPEND_SYSTEM.md`, so the prompt is the built-in one plus what the flags give. Default false.
   */
  noContextFiles?: boolean;
  /** The MCP servers and how to use them (built by the MCP tools), appended last. Default: none. */
  mcpSection?: string;
}

/** The assembled prompt and what went into it. */
export interface SystemPrompt {
  /** The text to send as the system message. */
  prompt: string;
  /** The context files included, in order. */
  contextFiles: ContextFile[];
  /** The skills found (listed in the prompt only when a `read` tool is available). */
  skills: Skill[];
  /** One for each file skipped or questionable, for the caller to show. */
  warnings: ConfigWarning[];
  /** The `SYSTEM.md` used as the base prompt, or null for the built-in prompt or an override. */
  systemPromptPath: string | null;
  /** The `APPEND_SYSTEM.md` files appended, in order. */
  appendPaths: string[];
}

/** Names of a file that replaces the base prompt, in order of preference within one folder. */
export const SYSTEM_FILE_NAMES: readonly string[] = ["SYSTEM.md", "system.md"];
/** Names of a file appended to the base prompt, in order of preference within one folder. */
export const APPEND_FILE_NAMES: readonly string[] = [
  "APPEND_SYSTEM.md",
  "append_system.md",
  "append-system.md",
];

/** The built-in base prompt: who the model is, the tools (one line each), how to work, the environment. */
export function builtInSystemPrompt(options: BuiltInPromptOptions): string {
  const tools = options.tools.length === 0
    ? ["- none in this session: answer from the conversation alone."]
    : options.tools.map((tool) => `- ${tool.name}: ${tool.description.trim().split("\n")[0].trim()}`);
  return [
    "You are nanocode, a coding agent working in the user's terminal. You help with software work: " +
    "reading and changing code, running commands, tracking down bugs and explaining what you find.",
    ["Tools:", ...tools].join("\n"),
    [
      "How to work:",
      "- Understand before you change: read the relevant code and look for related uses first.",
      "- Make focused changes that follow the project's existing style, libraries and layout; edit " +
      "files rather than rewriting them.",
      "- Check your work: run the tests, the type checker or the program where you can, and say what " +
      "you ran and what happened.",
      "- Look facts up with the tools instead of guessing; ask the user when a request is unclear.",
      "- Never discard work you did not create (uncommitted changes, other people's files) unless asked.",
      "- Keep answers short and concrete, and name files by their paths.",
    ].join("\n"),
    [
      "Environment:",
      `- Working directory: ${options.cwd}`,
      `- Platform: ${options.platform}`,
      `- Date: ${localDate(options.date)}`,
      ...(options.miseHotReload
        ? [
          "- bash loads the project's mise environment (`mise env`) before every command, so a change to " +
          ".mise.toml or .tool-versions takes effect in the next command.",
        ]
        : []),
    ].join("\n"),
  ].join("\n\n");
}

/**
 * Assembles the system prompt. The base is `systemPromptOverride`, else the nearest
 * `.nanocode/SYSTEM.md` (or `system.md`) from the cwd upwards, else `~/.nanocode/SYSTEM.md`, else the
 * built-in prompt. Then come `~/.nanocode/APPEND_SYSTEM.md`, the nearest project `.nanocode/` file
 * named `APPEND_SYSTEM.md`, `append_system.md` or `append-system.md` (first name wins within a folder;
 * only the nearest folder holding one counts), and `appendOverride`. Then each context file under a
 * heading with its path, then the skills (name, description, file; not those whose front matter says
 * `disable-model-invocation: true`) when a `read` tool is offered. The global folder is
 * `options.nanocodeDir` (`$NANOCODE_DIR`) when given, else `~/.nanocode`. A
 * `SYSTEM.md` or append file that cannot be read is reported and the next candidate is used. See
 * {@link SystemPromptOptions.noContextFiles} for what `noContextFiles` turns off. Never throws for
 * file problems: they become warnings.
 * @example
 * ```ts
 * const { prompt, warnings } = await buildSystemPrompt({
 *   cwd: Deno.cwd(),
 *   home: "/home/me",
 *   tools: [{ name: "read", description: "Read a file." }],
 *   date: new Date(),
 *   platform: Deno.build.os,
 * });
 * ```
 */
export async function buildSystemPrompt(options: SystemPromptOptions): Promise<SystemPrompt> {
  if (options.noContextFiles) {
    const base = options.systemPromptOverride ?? builtInSystemPrompt(options);
    return {
      prompt: joinParts([base, options.appendOverride, options.mcpSection]),
      contextFiles: [],
      skills: [],
      warnings: [],
      systemPromptPath: null,
      appendPaths: [],
    };
  }

  const scan = await scanNanocodeDirs(options);
  const nearestFirst = [...scan.projects].reverse();
  // Separate lists keep the warning order fixed whatever order the reads finish in.
  const warnings = {
    scan: scan.warnings,
    system: [] as ConfigWarning[],
    global: [] as ConfigWarning[],
    project: [] as ConfigWarning[],
  };
  const [system, globalAppend, projectAppend, context, skills] = await Promise.all([
    options.systemPromptOverride === undefined
      ? readFirst([...nearestFirst, scan.global], SYSTEM_FILE_NAMES, warnings.system)
      : null,
    readFirst([scan.global], APPEND_FILE_NAMES, warnings.global),
    readFirst(nearestFirst, APPEND_FILE_NAMES, warnings.project),
    contextFilesFromScan(scan),
    skillsFromScan(scan, options),
  ]);

  const base = options.systemPromptOverride ?? system?.text ?? builtInSystemPrompt(options);
  const appends = [globalAppend, projectAppend].filter((file): file is FileText => file !== null);
  const listSkills = options.tools.some((tool) => tool.name === "read");
  const prompt = joinParts([
    base,
    ...appends.map((file) => file.text),
    options.appendOverride,
    contextSection(context.files),
    listSkills ? skillsSection(skills.skills) : undefined,
    options.mcpSection,
  ]);
  return {
    prompt,
    contextFiles: context.files,
    skills: skills.skills,
    warnings: [
      ...Object.values(warnings).flat(),
      ...context.warnings,
      ...skills.warnings,
    ],
    systemPromptPath: system?.path ?? null,
    appendPaths: appends.map((file) => file.path),
  };
}

/**
 * Reads a flag value that is either text or a file path (`--system-prompt`, `--append-system-prompt`):
 * a value naming an existing file (relative to `cwd`) is read, anything else is the text itself.
 * @throws {UsageError} when the value names a file that cannot be read (e.g. not UTF-8).
 * @example
 * ```ts
 * const text = await readTextOrFile("prompts/review.md", Deno.cwd());
 * ```
 */
export async function readTextOrFile(value: string, cwd: string): Promise<string> {
  // Text with a line break, or longer than any path, is never looked up.
  if (value.trim() === "" || value.includes("\n") || value.length > 4096) return value;
  const path = resolve(cwd, value);
  try {
    if (!(await Deno.stat(path)).isFile) return value;
  } catch {
    return value;
  }
  const read = await readText(path);
  if (read.kind === "text") return read.text;
  if (read.kind === "missing") return value;
  throw new UsageError(`Cannot read ${path}: it ${read.reason}; ${read.fix}, or pass the text itself.`);
}

interface FileText {
  path: string;
  text: string;
}

/**
 * Reads the first file that exists under one of `names` in the first folder holding one, going on to
 * the next folder when a file cannot be read.
 */
async function readFirst(
  folders: readonly (NanocodeDir | null)[],
  names: readonly string[],
  warnings: ConfigWarning[],
): Promise<FileText | null> {
  for (const folder of folders) {
    if (!folder) continue;
    const path = pickVariant(folder, names, warnings);
    if (!path) continue;
    const read = await readText(path);
    if (read.kind === "text") return { path, text: read.text };
    if (read.kind === "unreadable") warnings.push(unreadableWarning("", path, read));
  }
  return null;
}

function contextSection(files: readonly ContextFile[]): string | undefined {
  const parts = files.filter((file) => tidy(file.content) !== "").map((file) =>
    `## ${file.path}\n\n${tidy(file.content)}`
  );
  if (parts.length === 0) return undefined;
  return [
    "# Context files\n\nThe user's standing instructions, outermost folder first; where two files differ, " +
    "the later (nearer) one wins.",
    ...parts,
  ].join("\n\n");
}

function skillsSection(all: readonly Skill[]): string | undefined {
  // A skill whose front matter says disable-model-invocation is for the user's /skill: command only.
  const skills = all.filter((skill) => !skill.hidden);
  if (skills.length === 0) return undefined;
  const list = skills.map((skill) =>
    `- ${skill.name}: ${skill.description.replace(/\s+/g, " ")}\n  File: ${skill.path}`
  );
  return [
    "# Skills\n\nA skill holds instructions for one kind of task. When a task matches a skill's " +
    "description, read the skill's file with the read tool before starting and follow it; resolve " +
    "relative paths in it against the skill's folder.",
    list.join("\n"),
  ].join("\n\n");
}

/** Drops leading blank lines and trailing white space, keeping the first line's indentation. */
function tidy(text: string): string {
  return text.replace(/^(?:[ \t]*\r?\n)+/, "").trimEnd();
}

function joinParts(parts: readonly (string | undefined)[]): string {
  return parts.map((part) => tidy(part ?? "")).filter((part) => part !== "").join("\n\n");
}

function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
