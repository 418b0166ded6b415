/**
 * The official MCP conformance suite's client scenarios, run against nanocode's MCP client
 * (scripts/mcp_conformance_client.ts). The suite's bundle needs Node 22 for its import of
 * `fs.globSync`; under Deno's Node layer it loads as it is.
 */
import { assert, assertStringIncludes } from "./support/assert.ts";
import { CONFORMANCE_SUITE } from "./support/mcp_servers.ts";

const CLIENT = new URL("../scripts/mcp_conformance_client.ts", import.meta.url).pathname;

async function scenario(name: string): Promise<{ code: number; output: string }> {
  const run = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-config",
      CONFORMANCE_SUITE,
      "client",
      "--command",
      `${Deno.execPath()} run -A ${CLIENT}`,
      "--scenario",
      name,
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const decoder = new TextDecoder();
  return { code: run.code, output: decoder.decode(run.stdout) + decoder.decode(run.stderr) };
}

for (const name of ["initialize", "tools_call", "sse-retry", "elicitation-sep1034-client-defaults"]) {
  Deno.test(`the conformance suite's ${name} scenario passes against nanocode's MCP client`, async () => {
    const { code, output } = await scenario(name);
    assertStringIncludes(output, "OVERALL: PASSED", output);
    assert(code === 0, output);
  });
}
