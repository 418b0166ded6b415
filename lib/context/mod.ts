/**
 * What nanocode tells the model before the user speaks: context files (`AGENTS.md`, `CLAUDE.md`), the
 * system prompt (built in, `SYSTEM.md`, `APPEND_SYSTEM.md`, flags) and skills (`SKILL.md`). Discovery
 * takes the cwd and home folder as arguments and returns warnings as values instead of printing.
 * @module
 */

export {
  CONTEXT_FILE_NAMES,
  type ContextFile,
  type ContextFilesResult,
  discoverContextFiles,
} from "./context_files.ts";
export type { DiscoveryOptions } from "../config/mod.ts";
export {
  APPEND_FILE_NAMES,
  buildSystemPrompt,
  type BuiltInPromptOptions,
  builtInSystemPrompt,
  readTextOrFile,
  SYSTEM_FILE_NAMES,
  type SystemPrompt,
  type SystemPromptOptions,
  type ToolSummary,
} from "./system_prompt.ts";
export {
  discoverSkills,
  expandSkillCommand,
  MAX_SKILL_DESCRIPTION,
  MAX_SKILL_NAME,
  type Skill,
  SKILL_NAME_PATTERN,
  type SkillsResult,
} from "./skills.ts";
export { type FrontMatter, parseFrontMatter, splitFrontMatter } from "./front_matter.ts";
