/**
 * nanocode: a terminal coding agent for any OpenAI-compatible endpoint.
 *
 * Run `nanocode --help` for usage.
 * @module
 */

import { main } from "./lib/cli/main.ts";

export { main };

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
