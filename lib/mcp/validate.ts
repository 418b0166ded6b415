/**
 * Checking a call's arguments against an MCP tool's input schema before it is sent, so a wrong call
 * comes back to the model at once, naming the field to fix, instead of as the server's own error.
 * The validator (Ajv) loads on the first check.
 * @module
 */

import type { JsonSchema } from "../core/mod.ts";

/** One problem with the arguments, e.g. `arguments.path must be string, not number`. */
export type ArgumentProblem = string;

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  data?: unknown;
}
type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
interface AjvLike {
  compile(schema: unknown): ValidateFn;
}

let ajv: Promise<AjvLike> | undefined;
const compiled = new WeakMap<JsonSchema, ValidateFn | null>();

async function loadAjv(): Promise<AjvLike> {
  const mod = await import("ajv");
  // The package is CommonJS: the class is the module itself, or its `default`.
  const exported = (mod as unknown as { default: unknown }).default as
    | (new (options: Record<string, unknown>) => AjvLike)
    | { default: new (options: Record<string, unknown>) => AjvLike };
  const Ajv = typeof exported === "function" ? exported : exported.default;
  return new Ajv({
    strict: false,
    allErrors: true,
    verbose: true,
    validateFormats: false,
    validateSchema: false,
  });
}

/**
 * The problems of `args` against `schema`, at most `max` (default 3); none when they fit, or when the
 * schema is one the validator cannot read (the server then judges the call itself).
 * @example
 * ```ts
 * await checkToolArguments({ type: "object", required: ["q"], properties: { q: { type: "string" } } }, {});
 * // ["arguments.q is required"]
 * ```
 */
export async function checkToolArguments(
  schema: JsonSchema,
  args: Record<string, unknown>,
  options: { max?: number } = {},
): Promise<ArgumentProblem[]> {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    ajv ??= loadAjv().catch((error) => {
      ajv = undefined;
      throw error;
    });
    const instance = await ajv;
    try {
      const { $schema: _ignored, ...rest } = schema;
      validate = instance.compile(rest);
    } catch {
      validate = null;
    }
    compiled.set(schema, validate);
  }
  if (validate === null || validate(args)) return [];
  return describeErrors(validate.errors ?? [], schema).slice(0, options.max ?? 3);
}

function describeErrors(errors: AjvError[], schema: JsonSchema): ArgumentProblem[] {
  // A failed anyOf/oneOf also reports every branch; the branch errors say more than the summary.
  const specific = errors.filter((e) => !["anyOf", "oneOf", "if", "not"].includes(e.keyword));
  const chosen = specific.length > 0 ? specific : errors;
  const lines: string[] = [];
  for (const error of chosen) {
    const line = describeError(error, schema);
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}

function describeError(error: AjvError, schema: JsonSchema): string {
  const at = fieldPath(error.instancePath);
  switch (error.keyword) {
    case "required":
      return `${at === "arguments" ? "arguments" : at}.${String(error.params.missingProperty)} is required`;
    case "type":
      return `${at} must be ${String(error.params.type)}, not ${kindOf(error.data)}`;
    case "enum":
      return `${at} must be one of ${
        ((error.params.allowedValues as unknown[]) ?? []).map((v) => JSON.stringify(v)).join(", ")
      }`;
    case "const":
      return `${at} must be ${JSON.stringify(error.params.allowedValue)}`;
    case "additionalProperties": {
      const extra = String(error.params.additionalProperty);
      const known = at === "arguments"
        ? Object.keys((schema.properties as Record<string, unknown>) ?? {})
        : [];
      return `${at} has an unknown field "${extra}"${known.length ? ` (known: ${known.join(", ")})` : ""}`;
    }
    default:
      return `${at} ${error.message ?? `fails "${error.keyword}"`}`;
  }
}

/** `/a/0/b` as `arguments.a[0].b`. */
function fieldPath(pointer: string): string {
  if (pointer === "") return "arguments";
  return "arguments" + pointer.split("/").slice(1).map((part) => {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    return /^\d+$/.test(key)
      ? `[${key}]`
      : /^[A-Za-z_$][\w$]*$/.test(key)
      ? `.${key}`
      : `[${JSON.stringify(key)}]`;
  }).join("");
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${value}`;
  if (typeof value === "string") return `a string`;
  return `an ${typeof value}`;
}
