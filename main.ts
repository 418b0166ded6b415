/**
 * nanocode: a terminal coding agent for any OpenAI-compatible endpoint.
 *
 * Run `nanocode --help` for usage. The module exports nothing: it is a program, not a library.
 * @module
 */

import { main } from "./lib/cli/main.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
