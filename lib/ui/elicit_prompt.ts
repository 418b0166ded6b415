/**
 * The modal prompt of an MCP server's elicitation: the server's name and message, then one field at a
 * time (title, description, type, default, choices), each answer checked before the next field, and a
 * last step that sends the values or declines. Esc or Ctrl-C cancels; `/decline` declines at any step.
 * Pure state and `layout(width)`, driven by keys, like the session picker.
 * @module
 */

import { createPalette, type Palette, sanitize, truncateToWidth, visibleWidth, wrapLine } from "./ansi.ts";
import {
  answerContent,
  type ElicitField,
  elicitFields,
  fieldFacts,
  formatValue,
  parseAnswer,
} from "./elicit_fields.ts";
import { type InputLayout, type Key, LineEditor } from "./input.ts";
import type { ReplElicitAnswer, ReplElicitRequest } from "./runtime.ts";

/** Options of {@link ElicitPrompt}. */
export interface ElicitPromptOptions {
  /** Default: no colour. */
  palette?: Palette;
  /**
   * Whether a refused answer stays on the line to be corrected (default true). Without raw mode the
   * terminal edits each line itself, so there a refused answer is typed again from scratch.
   */
  keepRefused?: boolean;
}

/** Most rows the server's message takes in the live area; the rest is cut with an ellipsis. */
const MESSAGE_ROWS = 6;
/** Most rows of a field's description, and of its list of choices. */
const DESCRIPTION_ROWS = 3;
const CHOICE_ROWS = 4;
/** Answered fields listed above the one being asked. */
const ANSWERED_ROWS = 3;
/** Most rows of the values the last step lists. */
const SUMMARY_ROWS = 8;

/** The words that end the prompt from any step. */
const DECLINE = "/decline";
const CANCEL = "/cancel";

/**
 * One server request being answered.
 * @example
 * ```ts
 * const prompt = new ElicitPrompt(request, { server: "fx" });
 * prompt.handle({ name: "text", text: "Ada" });
 * prompt.handle({ name: "enter" }); // undefined: the next field is asked
 * ```
 */
export class ElicitPrompt {
  /** The server that asks. */
  readonly server: string;
  /** The server's message, safe to print. */
  readonly message: string;
  /** The fields asked, in the schema's order. */
  readonly fields: readonly ElicitField[];
  readonly #palette: Palette;
  readonly #keepRefused: boolean;
  readonly #input = new LineEditor();
  readonly #values = new Map<string, unknown>();
  /** What was typed for each answered field, put back when the user goes back to it. */
  readonly #typed = new Map<string, string>();
  #step = 0;
  #error: string | undefined;

  constructor(request: ReplElicitRequest, context: { server: string }, options: ElicitPromptOptions = {}) {
    this.server = sanitize(context.server);
    this.message = sanitize(request.message).trim();
    this.fields = elicitFields(request.requestedSchema);
    this.#palette = options.palette ?? createPalette(false);
    this.#keepRefused = options.keepRefused ?? true;
  }

  /** The field being asked (0 for the first); equal to the number of fields at the last step. */
  get step(): number {
    return this.#step;
  }

  /** Why the last answer was not taken, until the next one is. */
  get error(): string | undefined {
    return this.#error;
  }

  /** Applies a key; returns the answer once the user has sent, declined or cancelled. */
  handle(key: Key): ReplElicitAnswer | undefined {
    switch (key.name) {
      case "escape":
      case "ctrl-c":
        return { action: "cancel" };
      case "ctrl-d":
        if (this.#input.text === "") return { action: "cancel" };
        this.#input.handle({ name: "delete" });
        return undefined;
      case "enter":
        return this.#submit(this.#input.text);
      case "up":
        this.#back();
        return undefined;
      case "paste":
        this.#input.handle({ name: "paste", text: key.text.replace(/\s*\n\s*/g, " ") });
        return undefined;
      case "down":
      case "newline":
      case "tab":
        return undefined;
      default:
        this.#input.handle(key);
        return undefined;
    }
  }

  /** The prompt's rows for a width, and where the cursor sits (on the answer line). */
  layout(width: number): InputLayout {
    const p = this.#palette;
    const rows = [...this.#header(width), ...this.#answered(width), ...this.#question(width)];
    if (this.#error) rows.push(...wrapLine(`  ${p.red(`✗ ${this.#error}`)}`, width));
    const prompt = `${p.bold(p.cyan("❯"))} `;
    const input = this.#input.layout(width, visibleWidth("❯ "));
    const top = rows.length;
    input.rows.forEach((row, i) => rows.push((i === 0 ? prompt : "  ") + row));
    const where = this.#confirming ? "last step" : `field ${this.#step + 1} of ${this.fields.length}`;
    const back = this.#step > 0 ? " · ↑ back" : "";
    rows.push(truncateToWidth(
      p.dim(`  ${where} · Enter answers${back} · ${DECLINE} declines · Esc cancels`),
      width,
    ));
    return { rows, cursorRow: top + input.cursorRow, cursorCol: input.cursorCol };
  }

  /**
   * What a terminal without a live area prints: with `header`, who asks and why, then the step asked
   * now and why the last answer was refused. The user's typing is echoed by the terminal itself.
   */
  questionLines(width: number, options: { header: boolean }): string[] {
    const p = this.#palette;
    const lines = options.header
      ? [
        ...this.#header(width),
        p.dim(`  Enter takes the default · ${DECLINE} declines · ${CANCEL} or Ctrl-C cancels`),
      ]
      : [];
    if (this.#error) lines.push(`  ${p.red(`✗ ${this.#error}`)}`);
    lines.push(...this.#question(width));
    return lines;
  }

  /** The transcript's record of the question once answered: who asked what, and what was sent. */
  outcomeLines(answer: ReplElicitAnswer, width: number): string[] {
    const p = this.#palette;
    const asked = truncateToWidth(
      `${p.cyan("?")} ${
        p.dim(`${this.server} asked: ${this.message.replace(/\s+/g, " ") || "(no message)"}`)
      }`,
      width,
    );
    if (answer.action !== "accept") {
      const what = answer.action === "decline" ? "declined" : "cancelled";
      return [asked, p.dim(`  ↳ ${what}: nothing was sent`)];
    }
    const sent = this.fields.filter((f) => answer.content[f.name] !== undefined)
      .map((f) =>
        `${sanitize(f.title)}: ${sanitize(formatValue(f, answer.content[f.name])).replace(/\s+/g, " ")}`
      );
    return [
      asked,
      truncateToWidth(p.dim(`  ↳ sent ${sent.length > 0 ? sent.join(" · ") : "the consent"}`), width),
    ];
  }

  get #confirming(): boolean {
    return this.#step >= this.fields.length;
  }

  #submit(text: string): ReplElicitAnswer | undefined {
    const word = text.trim().toLowerCase();
    if (word === DECLINE) return { action: "decline" };
    if (word === CANCEL) return { action: "cancel" };
    if (this.#confirming) {
      if (word === "" || word === "y" || word === "yes") {
        return { action: "accept", content: answerContent(this.fields, this.#values) };
      }
      if (word === "n" || word === "no") return { action: "decline" };
      this.#refuse("Answer y to send the values, or n to decline.");
      return undefined;
    }
    const field = this.fields[this.#step];
    const answer = parseAnswer(field, text);
    if (!answer.ok) {
      this.#refuse(answer.reason);
      return undefined;
    }
    this.#error = undefined;
    if (answer.value === undefined) this.#values.delete(field.name);
    else this.#values.set(field.name, answer.value);
    this.#typed.set(field.name, text.trim());
    this.#step++;
    this.#input.setText(this.#confirming ? "" : this.#typed.get(this.fields[this.#step].name) ?? "");
    return undefined;
  }

  #refuse(reason: string): void {
    this.#error = reason;
    if (!this.#keepRefused) this.#input.setText("");
  }

  #back(): void {
    if (this.#step === 0) return;
    this.#error = undefined;
    this.#step--;
    this.#input.setText(this.#typed.get(this.fields[this.#step].name) ?? "");
  }

  #header(width: number): string[] {
    const p = this.#palette;
    const lead = `${p.bold(p.cyan("?"))} ${p.bold(this.server)} asks: `;
    const text = this.message === "" ? p.dim("(no message)") : this.message;
    const rows = text.split("\n").flatMap((line, i) => wrapLine(i === 0 ? lead + line : `  ${line}`, width));
    return this.#clip(rows, { most: MESSAGE_ROWS, width });
  }

  /** The answered fields just before the one asked, newest last. */
  #answered(width: number): string[] {
    if (this.#confirming) return [];
    const p = this.#palette;
    const done = this.fields.slice(0, this.#step);
    const shown = done.slice(-ANSWERED_ROWS);
    const rows = done.length > shown.length ? [p.dim(`  … ${done.length - shown.length} answered`)] : [];
    for (const field of shown) {
      rows.push(truncateToWidth(p.dim(`  ✓ ${sanitize(field.title)}: ${this.#shown(field)}`), width));
    }
    return rows;
  }

  #shown(field: ElicitField): string {
    const value = this.#values.get(field.name);
    return value === undefined ? "(left out)" : sanitize(formatValue(field, value)).replace(/\s+/g, " ");
  }

  /** The step asked now: a field with its facts, description, choices and default, or the last step. */
  #question(width: number): string[] {
    const p = this.#palette;
    if (this.#confirming) {
      const summary = this.fields.map((f) => `  ${sanitize(f.title)}: ${this.#shown(f)}`)
        .flatMap((line) => wrapLine(line, width));
      return [
        ...this.#clip(summary, { most: SUMMARY_ROWS, width }),
        ...wrapLine(
          `  ${
            p.bold(`Send ${this.fields.length === 0 ? "your consent" : "these values"} to ${this.server}?`)
          } ${p.dim("y or Enter sends, n declines")}`,
          width,
        ),
      ];
    }
    const field = this.fields[this.#step];
    const rows = wrapLine(`  ${p.bold(sanitize(field.title))} ${p.dim(`(${fieldFacts(field)})`)}`, width);
    if (field.description && field.description !== field.title) {
      const description = wrapLine(p.dim(`  ${sanitize(field.description).replace(/\s+/g, " ")}`), width);
      rows.push(...this.#clip(description, { most: DESCRIPTION_ROWS, width }));
    }
    if (field.choices.length > 0) {
      const items = field.choices.map((c, i) => {
        const value = sanitize(typeof c.value === "string" ? c.value : JSON.stringify(c.value));
        const title = c.title !== undefined && c.title !== value ? `${sanitize(c.title)} (${value})` : value;
        return `${p.cyan(`${i + 1})`)} ${title}`;
      });
      rows.push(...this.#clip(wrapLine(`  ${items.join("  ")}`, width), { most: CHOICE_ROWS, width }));
    }
    if (field.default !== undefined) {
      rows.push(truncateToWidth(
        p.dim(`  Enter takes the default: ${sanitize(formatValue(field, field.default))}`),
        width,
      ));
    } else if (!field.required) {
      rows.push(p.dim("  Enter leaves it out"));
    }
    return rows;
  }

  /** The first `most` rows; the last of them says more was cut. */
  #clip(rows: string[], { most, width }: { most: number; width: number }): string[] {
    if (rows.length <= most) return rows;
    const more = this.#palette.dim(`  … ${rows.length - most + 1} more rows`);
    return [...rows.slice(0, most - 1), truncateToWidth(more, width)];
  }
}
