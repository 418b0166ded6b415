/**
 * Elicitation: a server asking the user for a few values in the middle of a call. How nanocode answers
 * when nobody can be asked (a headless run): accept with the schema's defaults when every required
 * field has one, and decline otherwise, so a call never waits on a prompt no one sees. Pure.
 * @module
 */

import type { JsonSchema } from "../core/mod.ts";

/** What a server asks for. */
export interface ElicitRequest {
  /** Why the server asks, for the user. */
  message: string;
  /** A flat object schema of the values asked for. */
  requestedSchema: JsonSchema;
}

/** The answer the server gets. */
export type ElicitAnswer =
  | { action: "accept"; content: Record<string, unknown> }
  | { action: "decline" }
  | { action: "cancel" };

/** Answers a server's request (a front end may ask the user; {@link answerWithDefaults} asks no one). */
export type Elicitor = (
  request: ElicitRequest,
  context: { server: string; signal?: AbortSignal },
) => Promise<ElicitAnswer>;

/** Accepts with every field's default when each required field has one; declines otherwise. */
export function answerWithDefaults(request: ElicitRequest): ElicitAnswer {
  const properties = (request.requestedSchema.properties ?? {}) as Record<string, JsonSchema>;
  const required = Array.isArray(request.requestedSchema.required)
    ? request.requestedSchema.required as string[]
    : [];
  if (required.some((name) => properties[name]?.default === undefined)) return { action: "decline" };
  const content: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (property.default !== undefined) content[name] = property.default;
  }
  return { action: "accept", content };
}
