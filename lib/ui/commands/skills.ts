/**
 * `/skills` lists the loaded skills (those the model is not told about marked hidden);
 * `/skill:<name> [args]` sends one's instructions to the model, hidden or not.
 * @module
 */

import { errorMessage, fail, firstSentence, note } from "./_output.ts";
import type { CommandHost, CommandSpec } from "./mod.ts";
import { nearest } from "./suggest.ts";

/**
 * Runs `/skill:<name> [args]`: sends the skill's expanded text as the user (without echoing it, the
 * typed line is in the transcript already); an unknown name gets the nearest suggestion.
 */
export async function runSkill(host: CommandHost, name: string, args: string): Promise<void> {
  const skills = host.runtime.skills;
  if (!skills.some((s) => s.name === name)) {
    const guess = nearest(name, skills.map((s) => s.name));
    fail(
      host,
      skills.length === 0
        ? `Unknown skill "${name}": no skills are loaded; /skills says where to add them.`
        : `Unknown skill "${name}"${guess ? `: did you mean /skill:${guess}?` : "."} /skills lists them.`,
    );
    return;
  }
  let text: string;
  try {
    text = await host.runtime.expandSkill(name, args);
  } catch (error) {
    return fail(host, errorMessage(error));
  }
  host.send(text, { echo: false });
}

/** `/skills`, and the `/skill:<name>` line `/help` shows (lines naming a skill go to {@link runSkill}). */
export const SKILL_COMMANDS: readonly CommandSpec[] = [
  {
    name: "skills",
    usage: "/skills",
    summary: "list the skills",
    run(host) {
      const skills = host.runtime.skills;
      if (skills.length === 0) {
        return note(
          host,
          "No skills found: add a folder with a SKILL.md under .nanocode/skills (or ~/.nanocode/skills), then /reload.",
        );
      }
      host.print([
        host.palette.dim(`Skills (${skills.length}), run one with /skill:<name> [args]:`),
        ...skills.map((s) =>
          `  ${host.palette.bold(s.name)}${s.hidden ? host.palette.dim(" (hidden)") : ""} ${
            host.palette.dim(`— ${firstSentence(s.description)}`)
          }`
        ),
      ]);
    },
  },
  {
    name: "skill:<name>",
    usage: "/skill:<name> [args]",
    summary: "send a skill's instructions (and your args) to the model",
    run: () => {},
  },
];
