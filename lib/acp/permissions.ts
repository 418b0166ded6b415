/**
 * The session modes an editor offers (`ask`, `edit`, `auto`, `read-only`) and what each lets a tool
 * call do without asking. Pure; the session asks the editor (`session/request_permission`) when the
 * answer is `ask`.
 * @module
 */

import type { PermissionOption, SessionMode } from "@agentclientprotocol/sdk";
import { callIsReadOnly, type Tool } from "../core/mod.ts";

/** The id of a session mode. */
export type ModeId = "ask" | "edit" | "auto" | "read-only";

/** The mode a new session starts in. */
export const DEFAULT_MODE: ModeId = "ask";

/** The modes, in the order an editor lists them. */
export const MODES: readonly SessionMode[] = [
  {
    id: "ask",
    name: "Ask",
    description:
      "Reading is free; every call that changes files, runs a command or calls an MCP tool asks first.",
  },
  {
    id: "edit",
    name: "Edit",
    description: "File edits and writes run without asking; commands, MCP tools and child agents ask.",
  },
  { id: "auto", name: "Auto", description: "Nothing asks: every tool call runs." },
  {
    id: "read-only",
    name: "Read-only",
    description: "Only tools that read are offered; nothing is changed or run.",
  },
];

/** Whether `id` names a mode. */
export function isMode(id: string): id is ModeId {
  return MODES.some((mode) => mode.id === id);
}

/** What a mode says about one call: run it, ask the editor, or refuse it. */
export type Verdict = "allow" | "ask" | "deny";

/** What `mode` lets a call of `tool` with `args` do. */
export function verdictFor(mode: ModeId, tool: Tool, args: Record<string, unknown>): Verdict {
  if (callIsReadOnly(tool, args)) return "allow";
  switch (mode) {
    case "auto":
      return "allow";
    case "read-only":
      return "deny";
    case "edit":
      return tool.name === "write" || tool.name === "edit" ? "allow" : "ask";
    case "ask":
      return "ask";
  }
}

/** The tools a mode offers: only the read-only ones in `read-only`, else all. */
export function offeredTools(mode: ModeId, tools: readonly Tool[]): Tool[] {
  return mode === "read-only" ? tools.filter((tool) => tool.readOnly === true) : [...tools];
}

/** The choices a permission request offers. */
export const PERMISSION_OPTIONS: readonly PermissionOption[] = [
  { optionId: "allow_once", name: "Allow", kind: "allow_once" },
  { optionId: "allow_always", name: "Always allow in this session", kind: "allow_always" },
  { optionId: "reject_once", name: "Reject", kind: "reject_once" },
  { optionId: "reject_always", name: "Always reject in this session", kind: "reject_always" },
];

/** What the model is told when the user rejects a call. */
export const REJECTED =
  "the user rejected this call in the editor. Do not repeat it unchanged: ask the user what they want, or do something else.";

/** What the model is told when a mode refuses a call. */
export const READ_ONLY_REFUSAL =
  "the session is in read-only mode, so nothing may be changed or run; tell the user what you would do, or ask them to switch modes.";

/** What the model is told when the prompt was cancelled while the user was being asked. */
export const CANCELLED = "the user cancelled the prompt before answering the permission request.";

/**
 * The answers remembered for the rest of a session ("always allow", "always reject"), by tool name.
 */
export class RememberedAnswers {
  readonly #allow = new Set<string>();
  readonly #reject = new Set<string>();

  /** The remembered answer for `tool`, if any. */
  answer(tool: string): "allow" | "reject" | undefined {
    return this.#allow.has(tool) ? "allow" : this.#reject.has(tool) ? "reject" : undefined;
  }

  /** Remembers an option the user picked, when it is an "always" one. */
  remember(tool: string, optionId: string): void {
    if (optionId === "allow_always") this.#allow.add(tool);
    if (optionId === "reject_always") this.#reject.add(tool);
  }
}
