/**
 * The fields of an MCP server's elicitation, as the REPL asks them: each property of the flat
 * `requestedSchema` (string, number, integer, boolean, a single or multiple choice from an enum) with
 * its title, description, default and bounds, and what a typed answer means for it: a value of the
 * right type, nothing (take the default or leave it out), or a one-line reason to ask again. Pure.
 * @module
 */

import type { JsonSchema } from "../core/mod.ts";

/** How a field is answered. */
export type FieldKind = "string" | "number" | "integer" | "boolean" | "choice" | "choices";

/** One value a choice field offers, and the title shown for it when the schema gives one. */
export interface FieldChoice {
  value: unknown;
  title?: string;
}

/** One value the server asks for. */
export interface ElicitField {
  /** The property's name: the key of the answer's content. */
  name: string;
  /** The schema's `title`, else the name. */
  title: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  /** What an empty answer takes, when the schema gives it. */
  default?: unknown;
  /** The values a `choice` or `choices` field offers, in the schema's order. */
  choices: FieldChoice[];
  /** The property's schema, for its bounds (minimum, maxLength, format, minItems…). */
  schema: JsonSchema;
}

/** What an answer means: a value (undefined: the field is left out), or why it cannot be taken. */
export type FieldAnswer = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * The fields of a requested schema, in its order.
 * @example
 * ```ts
 * elicitFields({ type: "object", properties: { age: { type: "integer" } }, required: ["age"] });
 * // [{ name: "age", title: "age", kind: "integer", required: true, choices: [], schema: … }]
 * ```
 */
export function elicitFields(schema: JsonSchema): ElicitField[] {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  return Object.entries(properties).map(([name, value]) => {
    const property = isObject(value) ? value : {};
    const { kind, choices } = kindOf(property);
    return {
      name,
      title: typeof property.title === "string" && property.title.trim() !== "" ? property.title : name,
      ...(typeof property.description === "string" && property.description.trim() !== ""
        ? { description: property.description }
        : {}),
      kind,
      required: required.includes(name),
      ...(property.default !== undefined ? { default: property.default } : {}),
      choices,
      schema: property,
    };
  });
}

function kindOf(property: JsonSchema): { kind: FieldKind; choices: FieldChoice[] } {
  const type = typeOf(property);
  if (type === "array") {
    const items = isObject(property.items) ? property.items : {};
    return { kind: "choices", choices: choicesOf(items) };
  }
  const choices = choicesOf(property);
  if (choices.length > 0) return { kind: "choice", choices };
  if (type === "boolean" || type === "number" || type === "integer") return { kind: type, choices: [] };
  return { kind: "string", choices: [] };
}

/** The schema's `type`; of a list of types (`["integer", "null"]`) the first that is not null. */
function typeOf(property: JsonSchema): string | undefined {
  const type = property.type;
  if (typeof type === "string") return type;
  if (Array.isArray(type)) return type.find((t) => t !== "null");
  return undefined;
}

/** `enum` (titled by `enumNames` where given), or `oneOf`/`anyOf` of `{ const, title }`. */
function choicesOf(schema: JsonSchema): FieldChoice[] {
  if (Array.isArray(schema.enum)) {
    const names = Array.isArray(schema.enumNames) ? schema.enumNames : [];
    return schema.enum.map((value, i) => ({
      value,
      ...(typeof names[i] === "string" ? { title: names[i] } : {}),
    }));
  }
  const options = Array.isArray(schema.oneOf)
    ? schema.oneOf
    : Array.isArray(schema.anyOf)
    ? schema.anyOf
    : [];
  return options.filter((o) => isObject(o) && "const" in o).map((o) => ({
    value: o.const,
    ...(typeof o.title === "string" ? { title: o.title } : {}),
  }));
}

/**
 * What `text` answers for `field`. An empty answer takes the default, leaves an optional field out,
 * and is refused for a required one; anything else must fit the field's type and bounds.
 * @example
 * ```ts
 * parseAnswer(field, "36"); // { ok: true, value: 36 } for an integer field
 * parseAnswer(field, "old"); // { ok: false, reason: "Type a whole number, e.g. 42." }
 * ```
 */
export function parseAnswer(field: ElicitField, text: string): FieldAnswer {
  const answer = text.trim();
  if (answer === "") {
    if (field.default !== undefined) return { ok: true, value: field.default };
    if (field.required) return refuse("An answer is required");
    return { ok: true, value: undefined };
  }
  switch (field.kind) {
    case "boolean":
      if (/^(y|yes|true|1)$/i.test(answer)) return { ok: true, value: true };
      if (/^(n|no|false|0)$/i.test(answer)) return { ok: true, value: false };
      return refuse("Answer y or n");
    case "integer":
    case "number":
      return parseNumber(field, answer);
    case "choice": {
      const choice = pickChoice(field.choices, answer);
      return choice === undefined
        ? refuse(chooseReason(field.choices, "one"))
        : { ok: true, value: choice.value };
    }
    case "choices":
      return parseChoices(field, answer);
    default:
      return checkString(field.schema, answer);
  }
}

function refuse(reason: string): FieldAnswer {
  return { ok: false, reason: `${reason}.` };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseNumber(field: ElicitField, answer: string): FieldAnswer {
  const integer = field.kind === "integer";
  if (integer ? !/^[+-]?\d+$/.test(answer) : !NUMBER.test(answer)) {
    return refuse(integer ? "Type a whole number, e.g. 42" : "Type a number, e.g. 3.5");
  }
  const value = Number(answer);
  if (!Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    return refuse("That number is too large");
  }
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = field.schema;
  if (typeof minimum === "number" && value < minimum) return refuse(`Type ${minimum} or more`);
  if (typeof maximum === "number" && value > maximum) return refuse(`Type ${maximum} or less`);
  if (typeof exclusiveMinimum === "number" && value <= exclusiveMinimum) {
    return refuse(`Type more than ${exclusiveMinimum}`);
  }
  if (typeof exclusiveMaximum === "number" && value >= exclusiveMaximum) {
    return refuse(`Type less than ${exclusiveMaximum}`);
  }
  return { ok: true, value };
}

/** A choice by its number (from 1), its value, or its title, ignoring case when that is unambiguous. */
function pickChoice(choices: readonly FieldChoice[], answer: string): FieldChoice | undefined {
  if (/^\d+$/.test(answer)) {
    const n = Number(answer);
    const exact = choices.find((c) => String(c.value) === answer);
    if (exact) return exact;
    return n >= 1 && n <= choices.length ? choices[n - 1] : undefined;
  }
  const exact = choices.find((c) => String(c.value) === answer || c.title === answer);
  if (exact) return exact;
  const lower = answer.toLowerCase();
  const loose = choices.filter((c) =>
    String(c.value).toLowerCase() === lower || c.title?.toLowerCase() === lower
  );
  return loose.length === 1 ? loose[0] : undefined;
}

function chooseReason(choices: readonly FieldChoice[], how: "one" | "some"): string {
  if (choices.length === 0) return "This field offers no choices";
  const range = choices.length === 1 ? "1" : `1-${choices.length}`;
  return how === "one"
    ? `Choose one of the values listed, or its number (${range})`
    : `Choose values listed, or their numbers (${range}), separated by commas`;
}

function parseChoices(field: ElicitField, answer: string): FieldAnswer {
  const picked: unknown[] = [];
  for (const part of answer.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    // A list without choices takes the parts as they are.
    if (field.choices.length === 0) {
      if (!picked.includes(part)) picked.push(part);
      continue;
    }
    const choice = pickChoice(field.choices, part);
    if (choice === undefined) {
      return refuse(`"${part}" is not listed. ${chooseReason(field.choices, "some")}`);
    }
    if (!picked.includes(choice.value)) picked.push(choice.value);
  }
  const { minItems, maxItems } = field.schema;
  if (typeof minItems === "number" && picked.length < minItems) {
    return refuse(`Choose at least ${minItems}`);
  }
  if (typeof maxItems === "number" && picked.length > maxItems) return refuse(`Choose at most ${maxItems}`);
  return { ok: true, value: picked };
}

function checkString(schema: JsonSchema, answer: string): FieldAnswer {
  const length = [...answer].length;
  if (typeof schema.minLength === "number" && length < schema.minLength) {
    return refuse(`Type at least ${schema.minLength} characters`);
  }
  if (typeof schema.maxLength === "number" && length > schema.maxLength) {
    return refuse(`Type at most ${schema.maxLength} characters`);
  }
  if (typeof schema.pattern === "string" && !matches(schema.pattern, answer)) {
    return refuse(`The answer must match ${schema.pattern}`);
  }
  const format = typeof schema.format === "string" ? schema.format : undefined;
  if (format && FORMATS[format] && !FORMATS[format].test(answer)) return refuse(FORMATS[format].reason);
  return { ok: true, value: answer };
}

function matches(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, "u").test(text);
  } catch {
    // A pattern this engine cannot read is the server's to check.
    return true;
  }
}

/** The formats the spec allows for strings, checked the cheap way (the server checks them again). */
const FORMATS: Record<string, { test(text: string): boolean; reason: string }> = {
  email: {
    test: (t) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t),
    reason: "Type an email address, e.g. ada@example.com",
  },
  uri: {
    test: (t) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(t) && URL.canParse(t),
    reason: "Type a URI, e.g. https://example.com",
  },
  date: { test: isDate, reason: "Type a date as YYYY-MM-DD, e.g. 2024-05-31" },
  "date-time": {
    test: (t) =>
      /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/.test(t) &&
      isDate(t.slice(0, 10)) && !Number.isNaN(Date.parse(t)),
    reason: "Type a date and time, e.g. 2024-05-31T14:30:00Z",
  },
};

function isDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * A field's facts in a few words: its type or choices' count, bounds, and whether it is required,
 * e.g. `integer, 1-100, required`.
 */
export function fieldFacts(field: ElicitField): string {
  const s = field.schema;
  const facts: string[] = [];
  if (field.kind === "choice") facts.push("choose one");
  else if (field.kind === "choices") {
    facts.push(field.choices.length > 0 ? "choose any, separated by commas" : "a list, separated by commas");
  } else if (field.kind === "boolean") facts.push("y/n");
  else if (field.kind === "string" && typeof s.format === "string") facts.push(s.format);
  else facts.push(field.kind);
  const range = ([low, high]: unknown[], unit: string) => {
    if (typeof low === "number" && typeof high === "number") facts.push(`${low}-${high}${unit}`);
    else if (typeof low === "number") facts.push(`at least ${low}${unit}`);
    else if (typeof high === "number") facts.push(`at most ${high}${unit}`);
  };
  if (field.kind === "number" || field.kind === "integer") range([s.minimum, s.maximum], "");
  if (field.kind === "string") range([s.minLength, s.maxLength], " characters");
  if (field.kind === "choices") range([s.minItems, s.maxItems], " of them");
  if (field.required) facts.push("required");
  return facts.join(", ");
}

/** A value as the prompt shows it: a choice by its title, a boolean as yes/no, a list joined. */
export function formatValue(field: ElicitField, value: unknown): string {
  const one = (v: unknown) => {
    const choice = field.choices.find((c) => c.value === v);
    if (choice?.title !== undefined) return choice.title;
    if (typeof v === "boolean") return v ? "yes" : "no";
    return typeof v === "string" ? v : JSON.stringify(v);
  };
  return Array.isArray(value) ? value.map(one).join(", ") : one(value);
}

/**
 * What the server gets back on accept: each answered field under its name, in the schema's order;
 * a field answered with nothing is left out.
 */
export function answerContent(
  fields: readonly ElicitField[],
  values: ReadonlyMap<string, unknown>,
): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values.get(field.name);
    if (value !== undefined) content[field.name] = value;
  }
  return content;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
