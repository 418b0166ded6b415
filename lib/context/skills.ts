/**
 * Skills: folders holding a `SKILL.md` (or, in nanocode's own skills folders, plain `*.md` files) whose
 * front matter names the skill and says when to use it. The system prompt lists them so the model can
 * read one when a task calls for it; `/skill:<name>` sends a skill's body as a user message.
 * @module
 */

import { basename, dirname, join, resolve, sep } from "node:path";
import { parseFrontMatter, splitFrontMatter } from "./front_matter.ts";
import {
  ancestorsOf,
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
  /** The folder holding the skill's file; relative paths in the skill resolve against it. */
  baseDir: string;
  /**
   * True when the front matter says `disable-model-invocation: true`: the system prompt leaves the
   * skill out, `/skill:<name>` still runs it. Absent otherwise.
   */
  hidden?: true;
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
 * Finds skills, nearest first: in the `.nanocode/skills` folder of the cwd and each ancestor up to the
 * git root (the nearest ancestor holding `.git`; up to the filesystem root outside a repository), then
 * in the global `skills` folder (`$NANOCODE_DIR/skills`, else `~/.nanocode/skills`), then
 * `~/.agents/skills`. In each, every direct sub-folder holding a `SKILL.md` is a skill; in the
 * `.nanocode` and global folders a plain `*.md` file directly in the folder (not `README.md`) is one
 * too, named by its front matter or its file name. When two skills share a name the one found first
 * (the nearer) wins and the other is reported with both paths. A skill file without front matter,
 * with front matter that is not valid YAML, without a description or with an invalid name is skipped
 * with one warning line naming the file; a name that differs from its folder's (or file's) name is
 * kept with a warning. Names starting with `.` are ignored.
 * @example
 * ```ts
 * const { skills, warnings } = await discoverSkills({ cwd: Deno.cwd(), home: "/home/me" });
 * ```
 */
export async function discoverSkills(options: DiscoveryOptions): Promise<SkillsResult> {
  const scan = await scanNanocodeDirs(options);
  const result = await skillsFromScan(scan, options);
  return { skills: result.skills, warnings: [...scan.warnings, ...result.warnings] };
}

/** A folder skills are looked for in, and whether plain `*.md` files in it count. */
interface SkillRoot {
  dir: string;
  looseFiles: boolean;
}

/** Finds the skills of an existing scan (which the system prompt shares with other look-ups). */
export async function skillsFromScan(
  scan: NanocodeScan,
  options: { home: string; cwd: string },
): Promise<SkillsResult> {
  const withSkills = [...scan.projects].reverse().filter((folder) => folder.names.has("skills"));
  const gitRoot = withSkills.length > 0 ? await findGitRoot(options.cwd) : null;
  const projects = gitRoot === null
    ? withSkills
    : withSkills.filter((folder) => isWithin(dirname(folder.dir), gitRoot));
  const roots: SkillRoot[] = projects.map((folder) => ({
    dir: join(folder.dir, "skills"),
    looseFiles: true,
  }));
  if (scan.global?.names.has("skills")) {
    roots.push({ dir: join(scan.global.dir, "skills"), looseFiles: true });
  }
  roots.push({ dir: join(resolve(options.home), ".agents", "skills"), looseFiles: false });

  const listingWarnings = roots.map((): ConfigWarning[] => []);
  const listings = await Promise.all(roots.map((root, i) => listSkillFiles(root, listingWarnings[i])));
  const warnings = listingWarnings.flat();
  const paths = listings.flat();
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
    const { skill, warning } = parsed;
    if (warning) warnings.push({ text: `Skill ${path} ${warning}.`, path });
    const winner = byName.get(skill.name);
    if (winner) {
      warnings.push({
        text:
          `Skipped skill ${path}: the skill "${skill.name}" at ${winner.path} takes precedence; rename one of them.`,
        path,
      });
      return;
    }
    const own = defaultName(path);
    if (skill.name !== own) {
      const what = basename(path) === "SKILL.md"
        ? `its folder is "${own}"`
        : `its file is "${basename(path)}"`;
      warnings.push({
        text: `Skill ${path} is named "${skill.name}" but ${what}; rename one so they match.`,
        path,
      });
    }
    byName.set(skill.name, skill);
  });
  const skills = [...byName.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { skills, warnings };
}

/** The nearest of the cwd and its ancestors that holds `.git` (a folder, or a file in a worktree). */
async function findGitRoot(cwd: string): Promise<string | null> {
  const nearestFirst = ancestorsOf(cwd).reverse();
  const found = await Promise.all(nearestFirst.map((dir) =>
    Deno.lstat(join(dir, ".git")).then(
      () => true,
      () => false,
    )
  ));
  const index = found.indexOf(true);
  return index === -1 ? null : nearestFirst[index];
}

function isWithin(dir: string, root: string): boolean {
  return dir === root || dir.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** A skill's name when its front matter gives none: its folder's for `SKILL.md`, else its file's. */
function defaultName(path: string): string {
  return basename(path) === "SKILL.md" ? basename(dirname(path)) : basename(path).replace(/\.md$/, "");
}

/**
 * The candidate skill files of a skills folder, sorted by entry name: `<sub-folder>/SKILL.md` for each
 * sub-folder (symbolic links included), and with `looseFiles` each `*.md` file but `README.md`.
 */
async function listSkillFiles(root: SkillRoot, warnings: ConfigWarning[]): Promise<string[]> {
  const entries: { name: string; path: string }[] = [];
  try {
    for await (const entry of Deno.readDir(root.dir)) {
      if (entry.name.startsWith(".")) continue;
      const markdown = entry.name.endsWith(".md") && entry.name.toLowerCase() !== "readme.md";
      if (root.looseFiles && markdown && (entry.isFile || entry.isSymlink)) {
        entries.push({ name: entry.name, path: join(root.dir, entry.name) });
      } else if (entry.isDirectory || (entry.isSymlink && !entry.name.endsWith(".md"))) {
        entries.push({ name: entry.name, path: join(root.dir, entry.name, "SKILL.md") });
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory)) {
      warnings.push(unlistableWarning("skills folder", root.dir, error));
    }
    return [];
  }
  return entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0).map((entry) => entry.path);
}

/**
 * Builds a skill from its file's text, with a note to report about it, or returns why it was skipped
 * (the middle of a warning line).
 */
async function parseSkill(path: string, text: string): Promise<{ skill: Skill; warning?: string } | string> {
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

  const name = data.name ?? defaultName(path);
  if (typeof name !== "string") return "its name is not text; put it in quotes";
  if (name.length === 0 || name.length > MAX_SKILL_NAME || !SKILL_NAME_PATTERN.test(name)) {
    return `the name "${name}" is not 1-${MAX_SKILL_NAME} lower-case letters, digits and single hyphens; ` +
      `rename it (e.g. "fix-tests")`;
  }
  const skill: Skill = { name, description: trimmed, path, baseDir: dirname(path) };
  const hide = data["disable-model-invocation"];
  if (hide === true) skill.hidden = true;
  const warning = hide === undefined || hide === null || typeof hide === "boolean"
    ? undefined
    : "has disable-model-invocation set to something other than true or false, so the model may still " +
      "use it; write true or false";
  return warning ? { skill, warning } : { skill };
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
