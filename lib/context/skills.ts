/**
 * Skills: folders holding a `SKILL.md` whose front matter names the skill and says when to use it. The
 * system prompt lists them so the model can read one when a task calls for it; `/skill:<name>` sends a
 * skill's body as a user message.
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { parseFrontMatter, splitFrontMatter } from "./front_matter.ts";
import {
  type ConfigWarning,
  type DiscoveryOptions,
  type NanocodeScan,
  readText,
  scanNanocodeDirs,
  unlistableWarning,
  unreadableWarning,
} from "../config/mod.ts";

/** A skill found on disk. */
export interface Skill {
  /** The name from the front matter (the folder name when the front matter has none). */
  name: string;
  /** When to use the skill, from the front matter, trimmed. */
  description: string;
  /** Absolute path of the `SKILL.md` file. */
  path: string;
  /** The folder holding `SKILL.md`; relative paths in the skill resolve against it. */
  baseDir: string;
}

/** Skills sorted by name, and one line for each skill skipped or questionable. */
export interface SkillsResult {
  skills: Skill[];
  warnings: ConfigWarning[];
}

/** What a skill name must look like: lower-case letters and digits in hyphen-separated runs. */
export const SKILL_NAME_PATTERN: RegExp = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** The longest skill name allowed. */
export const MAX_SKILL_NAME = 64;
/** The longest skill description allowed. */
export const MAX_SKILL_DESCRIPTION = 1024;

/**
 * Finds skills: each direct sub-folder holding a `SKILL.md` in the `.nanocode/skills` folder of the
 * cwd and each ancestor (nearest first), then `~/.nanocode/skills`, then `~/.agents/skills`. When two
 * skills share a name the one found first (the nearer) wins and the other is reported with both paths.
 * A `SKILL.md` without front matter, with front matter that is not valid YAML, without a description
 * or with an invalid name is skipped with one warning line naming the file; a name that differs from
 * its folder's name is kept with a warning. Folders whose names start with `.` are ignored.
 * @example
 * ```ts
 * const { skills, warnings } = await discoverSkills({ cwd: Deno.cwd(), home: "/home/me" });
 * ```
 */
export async function discoverSkills(options: DiscoveryOptions): Promise<SkillsResult> {
  const scan = await scanNanocodeDirs(options);
  const result = await skillsFromScan(scan, options.home);
  return { skills: result.skills, warnings: [...scan.warnings, ...result.warnings] };
}

/** Finds the skills of an existing scan (which the system prompt shares with other look-ups). */
export async function skillsFromScan(scan: NanocodeScan, home: string): Promise<SkillsResult> {
  const roots = [...scan.projects].reverse();
  if (scan.global) roots.push(scan.global);
  const skillRoots = roots.filter((folder) => folder.names.has("skills")).map((folder) =>
    join(folder.dir, "skills")
  );
  skillRoots.push(join(resolve(home), ".agents", "skills"));

  const listingWarnings = skillRoots.map((): ConfigWarning[] => []);
  const listings = await Promise.all(skillRoots.map((root, i) => listSkillFolders(root, listingWarnings[i])));
  const warnings = listingWarnings.flat();
  const paths = listings.flat().map((folder) => join(folder, "SKILL.md"));
  const reads = await Promise.all(paths.map((path) => readText(path)));

  const parsedSkills = await Promise.all(
    reads.map((read, i) => read.kind === "text" ? parseSkill(paths[i], read.text) : null),
  );

  const byName = new Map<string, Skill>();
  reads.forEach((read, i) => {
    const path = paths[i];
    if (read.kind === "missing") return;
    if (read.kind === "unreadable") {
      warnings.push(unreadableWarning("skill ", path, read));
      return;
    }
    const parsed = parsedSkills[i]!;
    if (typeof parsed === "string") {
      warnings.push({ text: `Skipped skill ${path}: ${parsed}.`, path });
      return;
    }
    const winner = byName.get(parsed.name);
    if (winner) {
      warnings.push({
        text:
          `Skipped skill ${path}: the skill "${parsed.name}" at ${winner.path} takes precedence; rename one of them.`,
        path,
      });
      return;
    }
    const folderName = basename(parsed.baseDir);
    if (parsed.name !== folderName) {
      warnings.push({
        text:
          `Skill ${path} is named "${parsed.name}" but its folder is "${folderName}"; rename one so they match.`,
        path,
      });
    }
    byName.set(parsed.name, parsed);
  });
  const skills = [...byName.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { skills, warnings };
}

/** Lists the sub-folders of a skills folder (symbolic links included), sorted by name. */
async function listSkillFolders(root: string, warnings: ConfigWarning[]): Promise<string[]> {
  const folders: string[] = [];
  try {
    for await (const entry of Deno.readDir(root)) {
      if (entry.name.startsWith(".")) continue;
      if (entry.isDirectory || entry.isSymlink) folders.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory)) {
      warnings.push(unlistableWarning("skills folder", root, error));
    }
    return [];
  }
  return folders.sort().map((name) => join(root, name));
}

/** Builds a skill from its file's text, or returns why it was skipped (the middle of a warning line). */
async function parseSkill(path: string, text: string): Promise<Skill | string> {
  let data: Record<string, unknown>;
  try {
    const frontMatter = await parseFrontMatter(text);
    if (!frontMatter.present) {
      return "it has no front matter; start it with a --- block holding name and description";
    }
    data = frontMatter.data;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return `its front matter is not valid YAML (${why}); fix the block between the --- lines`;
  }

  const description = data.description;
  if (description === undefined || description === null || description === "") {
    return "its front matter has no description; add one saying when to use the skill";
  }
  if (typeof description !== "string") return "its description is not text; put it in quotes";
  const trimmed = description.trim();
  if (trimmed === "") return "its description is empty; say when to use the skill";
  if (trimmed.length > MAX_SKILL_DESCRIPTION) {
    return `its description has ${trimmed.length} characters; shorten it to ${MAX_SKILL_DESCRIPTION}`;
  }

  const baseDir = dirname(path);
  const name = data.name ?? basename(baseDir);
  if (typeof name !== "string") return "its name is not text; put it in quotes";
  if (name.length === 0 || name.length > MAX_SKILL_NAME || !SKILL_NAME_PATTERN.test(name)) {
    return `the name "${name}" is not 1-${MAX_SKILL_NAME} lower-case letters, digits and single hyphens; ` +
      `rename it (e.g. "fix-tests")`;
  }
  return { name, description: trimmed, path, baseDir };
}

/**
 * The user message for `/skill:<name> [args]`: the skill's body (front matter removed) with its file
 * and folder named so relative paths in it resolve, followed by the arguments when there are any.
 * @throws {Error} when the file can no longer be read; the message says to run `/reload`.
 * @example
 * ```ts
 * const text = await expandSkillCommand(skill, "for the parser module");
 * ```
 */
export async function expandSkillCommand(skill: Skill, args: string): Promise<string> {
  const read = await readText(skill.path);
  if (read.kind === "missing") {
    throw new Error(
      `Cannot load skill "${skill.name}": ${skill.path} is gone; run /reload to refresh the skills.`,
    );
  }
  if (read.kind === "unreadable") {
    throw new Error(`Cannot load skill "${skill.name}": ${skill.path} ${read.reason}; ${read.fix}.`);
  }
  let body: string;
  try {
    body = splitFrontMatter(read.text).body.trim();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot load skill "${skill.name}": ${skill.path}: ${why}; fix its front matter.`);
  }
  const message = [
    `Use the skill "${skill.name}" below (file ${skill.path}; resolve relative paths in it against ${skill.baseDir}).`,
    `<skill name="${skill.name}">\n${body}\n</skill>`,
  ];
  const request = args.trim();
  if (request !== "") message.push(request);
  return message.join("\n\n");
}
