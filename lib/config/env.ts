/**
 * Reading the environment. A variable that `--allow-env` does not grant counts as unset, so a run with
 * narrowed permissions behaves as if it were not there instead of failing.
 * @module
 */

/** Reads an environment variable: a function of this shape is what every layer takes as `env`. */
export type EnvReader = (name: string) => string | undefined;

/** Reads a variable from the process environment; unset when it is missing or not granted. */
export const readEnv: EnvReader = (name) => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
};
