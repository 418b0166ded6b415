/**
 * `/btw` side questions: a throw-away agent forked from the conversation (with the read-only tools
 * when asked for, so a side question cannot change files or run commands), the framing that keeps
 * the model from derailing the task, and the answer to a question asked while the agent works, which
 * streams in the live area and lands in the transcript whole.
 * @module
 */

import type { AgentEvent } from "../core/mod.ts";
import type { Palette } from "./ansi.ts";
import { truncateToWidth } from "./ansi.ts";
import type { EventRenderer } from "./render.ts";
import type { ReplAgent, ReplRuntime } from "./runtime.ts";

/** The instruction that frames a `/btw` question, so the model answers without derailing the task. */
export const BTW_PREFIX = "[Side question. Answer it briefly from what you know of this conversation. " +
  "This exchange is not kept in the conversation, so do not start or continue any task.]";

/**
 * The framing of `/btw --tools`. The read-only tool set is what keeps the side question from
 * changing anything; the wording tells the model why its tools are limited.
 */
export const BTW_TOOLS_PREFIX =
  "[Side question. You may use tools to look things up, but do not modify anything: " +
  "no writing or editing files, no commands that change state. This exchange is not kept in the " +
  "conversation, so do not start or continue any task.]";

/** What a side question asks: the agent to ask it on and the prompt to send. */
export interface SideQuestion {
  agent: ReplAgent;
  prompt: string;
}

/**
 * Prepares a side question on a fork of the conversation: no tools, or with `tools` the read-only
 * set only. The fork appends to its own copy, never to the runtime's conversation.
 */
export function prepareSideQuestion(
  runtime: ReplRuntime,
  question: string,
  options: { tools: boolean },
): SideQuestion {
  const agent = runtime.agent.fork({ tools: options.tools ? runtime.readOnlyTools : [] });
  return { agent, prompt: `${options.tools ? BTW_TOOLS_PREFIX : BTW_PREFIX}\n\n${question}` };
}

/** The note printed before a side question's answer when the agent is idle. */
export function sideNote(palette: Palette): string {
  return palette.dim("(side question: the answer stays out of the conversation)");
}

/**
 * A side question asked while a run is in progress: its events go through a renderer of its own and
 * its lines are collected, shown in the live area while it streams and printed whole at its end.
 */
export class SideAnswer {
  readonly question: string;
  readonly #controller = new AbortController();
  readonly #renderer: EventRenderer;
  readonly #palette: Palette;
  #lines: string[] = [];

  constructor(question: string, options: { renderer: EventRenderer; palette: Palette }) {
    this.question = question;
    this.#renderer = options.renderer;
    this.#palette = options.palette;
  }

  /** The signal the side run is given; {@link abort} fires it. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the side question was cancelled. */
  get aborted(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Cancels the side question (the first Ctrl-C while one runs). */
  abort(): void {
    this.#controller.abort();
  }

  /**
   * Renders the side run's events until it ends (an error becomes a red line), calling `onUpdate`
   * after each; returns the lines to print: a header naming the question, then the answer.
   */
  async collect(events: AsyncIterable<AgentEvent>, onUpdate: () => void): Promise<string[]> {
    const p = this.#palette;
    try {
      for await (const event of events) {
        this.#lines.push(...this.#renderer.push(event));
        onUpdate();
      }
    } catch (error) {
      this.#lines.push(p.red(`✗ ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`));
    }
    this.#lines.push(...this.#renderer.flush());
    return [
      "",
      p.dim(`↳ btw: ${this.question} (side answer, not kept in the conversation)`),
      ...this.#lines,
    ];
  }

  /** The live-area rows: the question (and whether the model is still thinking), then the answer's last lines. */
  live(width: number): string[] {
    const p = this.#palette;
    const activity = this.#renderer.activity;
    const waiting = activity ? ` (${activity.label}…)` : "";
    const rows = [truncateToWidth(p.dim(`  ↳ btw: ${this.question}${waiting}`), width)];
    const streamed = [...this.#lines, ...this.#renderer.live(width)].filter((l) => l !== "");
    for (const line of streamed.slice(-3)) rows.push(truncateToWidth(`    ${line}`, width));
    return rows;
  }
}
