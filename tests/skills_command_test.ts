/** `/skills` marks the skills the model is not told about (`disable-model-invocation: true`). */
import { assertEquals } from "./support/assert.ts";
import { createPalette } from "../lib/ui/ansi.ts";
import { type CommandHost, parseCommand, runCommand } from "../lib/ui/commands/mod.ts";

Deno.test("/skills lists a hidden skill marked hidden, and the others as before", async () => {
  const printed: string[] = [];
  // The listing reads only the skills, the palette and print; the rest of the host is not needed.
  const host = {
    runtime: {
      skills: [
        { name: "manual", description: "Only by hand. More.", hidden: true },
        { name: "review", description: "Review code." },
      ],
    },
    palette: createPalette(false),
    print: (lines: string[]) => printed.push(...lines),
  } as unknown as CommandHost;
  await runCommand(host, parseCommand("/skills")!);
  assertEquals(printed.slice(1), ["  manual (hidden) — Only by hand.", "  review — Review code."]);
});
