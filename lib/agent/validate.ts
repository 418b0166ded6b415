/**
 * Checking a model's tool-call arguments against the tool's JSON Schema before the tool runs, so a
 * malformed call goes back to the model as an error that says what to fix.
 * @module
 */

import type { JsonSchema } from "../core/mod.ts";

/** Parses raw argument text from the model. Empty text counts as `{}`. Throws a model-directed error. */
export function parseArguments(toolName: string, raw: string): Record<string, unknown> {
  const text = raw.trim();
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new TypeError(
      `Cannot run ${toolName}: the arguments are not valid JSON (${why}). Send one JSON object that matches the tool's parameters.`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(
      `Cannot run ${toolName}: the arguments must be a JSON object, not ${describe(value)}.`,
    );
  }
  return value as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** A wrong value as the model should see it: numbers and booleans as they are, other things by kind. */
function describeValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return `${describe(value)} (${value})`;
  return describe(value);
}

function typeMatches(expected: string, value: unknown): boolean {
  switch (expected) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "null":
      return value === null;
    default:
      return true;
  }
}

/**
 * Converts top-level values sent as strings where the schema wants a number, an integer or a boolean
 * (`"10"`, `"true"`): models do this often, and the intent is plain. Returns a new object.
 */
export function coerceArguments(schema: JsonSchema, args: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const out: Record<string, unknown> = { ...args };
  for (const [name, value] of Object.entries(args)) {
    if (typeof value !== "string" || !properties[name]) continue;
    const type = properties[name].type;
    const types = Array.isArray(type) ? type as string[] : typeof type === "string" ? [type] : [];
    if (types.includes("string")) continue;
    const text = value.trim();
    if ((types.includes("number") || types.includes("integer")) && /^-?\d+(\.\d+)?$/.test(text)) {
      out[name] = Number(text);
    } else if (types.includes("boolean") && (text === "true" || text === "false")) {
      out[name] = text === "true";
    }
  }
  return out;
}

/**
 * Checks required properties and the types of top-level properties. Returns a list of problems, empty
 * when the arguments fit. Deeper checks are the tool's own business.
 */
export function checkArguments(schema: JsonSchema, args: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const required = Array.isArray(schema.required) ? schema.required as string[] : [];
  const missing = required.filter((name) => args[name] === undefined);
  if (missing.length > 0) {
    problems.push(
      `missing required parameter${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")}`,
    );
  }
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, value] of Object.entries(args)) {
    const property = properties[name];
    if (!property || value === undefined || value === null) continue;
    const type = property.type;
    const types = Array.isArray(type) ? type as string[] : typeof type === "string" ? [type] : [];
    if (types.length > 0 && !types.some((t) => typeMatches(t, value))) {
      problems.push(`"${name}" must be ${types.join(" or ")}, got ${describeValue(value)}`);
    }
  }
  return problems;
}
