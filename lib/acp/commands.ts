/**
 * The slash commands an editor offers (`available_commands_update`) and how a prompt names one:
 * `/compact`, `/context`, `/skills`, `/skill:<name>` and `/mcp`. Any other text starting with `/`
 * (a path, say) is an ordinary prompt. Pure.
 * @module
 */

import type { AvailableCommand } from "@agentclientprotocol/sdk";
import type { ContextReport } from "../agent/mod.ts";
import type { SkillInfo } from "./host.ts";

/** The commands for a session with these skills. */
export function availableCommands(skills: readonly SkillInfo[]): AvailableCommand[] {
  return [
    {
      name: "compact",
      description: "Summarise the older part of the conversation to free context",
      input: { hint: "what the summary should keep (optional)" },
    },
    { name: "context", description: "Show how full the context is" },
    { name: "skills", description: "List the skills nanocode found" },
    ...skills.map((skill): AvailableCommand => ({
      name: `skill:${skill.name}`,
      description: skill.description || `Run the ${skill.name} skill`,
      input: { hint: "what to do with it (optional)" },
    })),
    { name: "mcp", description: "Show the MCP servers and their state" },
  ];
}

/** A prompt that names a command: the command and the text after it. */
export interface CommandCall {
  name: "compact" | "context" | "skills" | "skill" | "mcp";
  /** The skill's name, for `skill`. */
  skill?: string;
  args: string;
}

/** The command a prompt's text names, or undefined for an ordinary prompt. */
export function parseCommand(text: string): CommandCall | undefined {
  const match = /^\/(compact|context|skills|mcp|skill:(\S+))(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return undefined;
  const args = (match[3] ?? "").trim();
  if (match[2] !== undefined) return { name: "skill", skill: match[2], args };
  return { name: match[1] as CommandCall["name"], args };
}

/** `/context`'s answer: the estimate by part, the window and when compaction starts. */
export function contextText(report: ContextReport): string {
  const percent = report.window > 0 ? Math.round((report.total / report.window) * 100) : 0;
  const lines = [
    `Context: about ${report.total} of ${report.window} tokens (${percent}%)${
      report.anchored ? "" : ", estimated"
    }.`,
    `- system prompt: ${report.system}`,
    `- tool definitions: ${report.tools}`,
    `- messages: ${report.messages}`,
    report.auto
      ? `Compaction starts at ${report.trigger} tokens${
        report.wouldKeep !== undefined ? `; it would keep the recent ${report.wouldKeep}` : ""
      }. /compact does it now.`
      : "Automatic compaction is off; /compact does it now.",
  ];
  return lines.join("\n");
}

/** `/skills`' answer. */
export function skillsText(skills: readonly SkillInfo[]): string {
  if (skills.length === 0) {
    return "No skills found. Skills are SKILL.md files under .nanocode/skills/<name>/ (or ~/.nanocode/skills/).";
  }
  return ["Skills (run one with /skill:<name>):", ...skills.map((s) => `- ${s.name}: ${s.description}`)].join(
    "\n",
  );
}
