/**
 * The official MCP conformance suite's client scenarios, run against nanocode's MCP client
 * (scripts/mcp_conformance_client.ts). The suite's bundle needs Node 22 for its import of
 * `fs.globSync`; under Deno's Node layer it loads as it is.
 *
 * The OAuth scenarios run the whole browser flow: the authorization page goes to `$BROWSER`, here
 * tests/support/oauth_browser.ts, which follows the authorization server's redirect to nanocode's
 * callback on 127.0.0.1 as a browser would once the user approves; the tokens land in a temporary
 * `NANOCODE_DIR`.
 */
import { assert, assertStringIncludes } from "./support/assert.ts";
import { CONFORMANCE_SUITE } from "./support/mcp_servers.ts";

const CLIENT = new URL("../scripts/mcp_conformance_client.ts", import.meta.url).pathname;
const BROWSER = new URL("./support/oauth_browser.ts", import.meta.url).pathname;

async function scenario(
  name: string,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; output: string; home: string }> {
  const home = await Deno.makeTempDir({ prefix: "nanocode-conformance-" });
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
    env: { NO_COLOR: "1", NANOCODE_DIR: home, BROWSER: `${Deno.execPath()} run -A ${BROWSER}`, ...extraEnv },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const decoder = new TextDecoder();
  return { code: run.code, output: decoder.decode(run.stdout) + decoder.decode(run.stderr), home };
}

for (const name of ["initialize", "tools_call", "sse-retry", "elicitation-sep1034-client-defaults"]) {
  Deno.test(`the conformance suite's ${name} scenario passes against nanocode's MCP client`, async () => {
    const { code, output, home } = await scenario(name);
    await Deno.remove(home, { recursive: true });
    assertStringIncludes(output, "OVERALL: PASSED", output);
    assert(code === 0, output);
  });
}

/**
 * The OAuth scenarios of the 2025-11-25 protocol and earlier (and the draft ones on offline access
 * and resource mismatch). `auth/basic-cimd` runs as a user who publishes a client metadata document
 * would configure it (`oauth.clientMetadataUrl`, the address the scenario expects). Left out: the
 * `client-credentials-*` and `cross-app-access` extension scenarios (machine-to-machine grants
 * nanocode does not offer).
 */
const AUTH_SCENARIOS = [
  "metadata-default",
  "metadata-var1",
  "metadata-var2",
  "metadata-var3",
  "basic-cimd",
  "scope-from-www-authenticate",
  "scope-from-scopes-supported",
  "scope-omitted-when-undefined",
  "scope-step-up",
  "scope-retry-limit",
  "token-endpoint-auth-basic",
  "token-endpoint-auth-post",
  "token-endpoint-auth-none",
  "pre-registration",
  "2025-03-26-oauth-metadata-backcompat",
  "2025-03-26-oauth-endpoint-fallback",
  "resource-mismatch",
  "offline-access-scope",
  "offline-access-not-supported",
];

for (const name of AUTH_SCENARIOS) {
  Deno.test(`the conformance suite's auth/${name} scenario passes: OAuth through the browser flow`, async () => {
    const { code, output, home } = await scenario(
      `auth/${name}`,
      name === "basic-cimd"
        ? { NANOCODE_CLIENT_METADATA_URL: "https://conformance-test.local/client-metadata.json" }
        : {},
    );
    try {
      assertStringIncludes(output, "OVERALL: PASSED", output);
      assert(code === 0, output);
      if (name === "scope-retry-limit" || name === "resource-mismatch") return;
      // The tokens are kept for the next run, readable by the user alone.
      const file = `${home}/mcp-auth.json`;
      assert(((await Deno.stat(file)).mode! & 0o077) === 0, "mcp-auth.json is readable by others");
      const kept = JSON.parse(await Deno.readTextFile(file));
      assert(typeof kept.servers.conformance.tokens.access_token === "string", JSON.stringify(kept));
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  });
}
