/**
 * Environment variables in MCP configuration values: `$env:NAME` (the original nanocode's form),
 * `${NAME}` and `${NAME:-default}` (the form Claude Code, Cursor and Gemini CLI read).
 * @module
 */

import type { EnvReader } from "../config/mod.ts";

/** A value with its variables filled in, or the first variable that is unset and has no default. */
export type Expansion = { value: string } | { missing: string };

const PATTERN = /\$env:([A-Za-z_][A-Za-z0-9_]*)|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Fills in the variables of `text`. `${NAME:-default}` takes the default when NAME is unset or empty,
 * as a shell does; `$env:NAME` and `${NAME}` take an empty value as it is.
 * @example
 * ```ts
 * expandVariables("Bearer ${TOKEN}", (name) => name === "TOKEN" ? "t0" : undefined); // { value: "Bearer t0" }
 * expandVariables("$env:NOPE", () => undefined); // { missing: "NOPE" }
 * ```
 */
export function expandVariables(text: string, env: EnvReader): Expansion {
  let missing: string | undefined;
  const value = text.replace(PATTERN, (match, envForm: string, name: string, fallback: string) => {
    const key = envForm ?? name;
    const found = env(key);
    if (fallback !== undefined && (found === undefined || found === "")) return fallback;
    if (found === undefined) {
      missing ??= key;
      return match;
    }
    return found;
  });
  return missing === undefined ? { value } : { missing };
}
