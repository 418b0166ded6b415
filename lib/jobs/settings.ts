/**
 * The settings of child jobs, read from the environment: how many children run at once, how deep
 * children may nest and how deep this process is, and how much of a result is delivered by itself.
 * @module
 */

/** Children running at once unless `NANOCODE_MAX_JOBS` says otherwise. */
export const DEFAULT_MAX_JOBS = 4;
/** Deepest nesting unless `NANOCODE_MAX_DEPTH` says otherwise: a child at this depth starts none. */
export const DEFAULT_MAX_DEPTH = 2;
/** Characters of a delivered result's output unless `NANOCODE_JOB_AUTO_EMIT_MAX_CHARS` says otherwise. */
export const DEFAULT_AUTO_EMIT_MAX_CHARS = 18_000;

/** The job settings of this process. */
export interface JobSettings {
  /** Most children running at once (`NANOCODE_MAX_JOBS`, default 4, at least 1). */
  maxJobs: number;
  /** Deepest a child may be (`NANOCODE_MAX_DEPTH`, default 2); at it, no `nanocode` tool is offered. */
  maxDepth: number;
  /** How deep this process is: `NANOCODE_CHILD` (0 for a nanocode nobody started as a child). */
  depth: number;
  /** Characters of output a delivered result carries (`NANOCODE_JOB_AUTO_EMIT_MAX_CHARS`, default 18 000). */
  autoEmitMaxChars: number;
}

/** Reads the job settings; a value that is not a whole number in range falls back to the default. */
export function jobSettings(env: (name: string) => string | undefined): JobSettings {
  const whole = (name: string, fallback: number, min: number) => {
    const text = env(name)?.trim();
    if (text === undefined || !/^\d+$/.test(text)) return fallback;
    const value = Number(text);
    return value >= min ? value : fallback;
  };
  const child = env("NANOCODE_CHILD")?.trim();
  // Any other non-empty value (the original nanocode set `1`) still marks a child.
  const depth = child === undefined || child === "" ? 0 : /^\d+$/.test(child) ? Number(child) : 1;
  return {
    maxJobs: whole("NANOCODE_MAX_JOBS", DEFAULT_MAX_JOBS, 1),
    maxDepth: whole("NANOCODE_MAX_DEPTH", DEFAULT_MAX_DEPTH, 0),
    depth,
    autoEmitMaxChars: whole("NANOCODE_JOB_AUTO_EMIT_MAX_CHARS", DEFAULT_AUTO_EMIT_MAX_CHARS, 200),
  };
}

/** Whether a process with these settings may start children (it is above the depth limit). */
export function mayStartChildren(settings: JobSettings): boolean {
  return settings.depth < settings.maxDepth;
}
