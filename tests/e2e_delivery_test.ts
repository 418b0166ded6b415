/** Delivery: what an install says about itself, and runs under the narrow permissions CI gives. */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./support/assert.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { runMain } from "./support/run_main.ts";

Deno.test("--version names the Deno it runs on", async () => {
  const result = await runMain(["--version"]);
  assertEquals(result.code, 0);
  assertMatch(
    result.stdout.trim(),
    new RegExp(`^nanocode \\d+\\.\\d+\\.\\d+ \\(deno ${Deno.version.deno.replaceAll(".", "\\.")}, `),
  );
});

Deno.test("doctor reports the endpoint, key source, permissions and tools, and never the key", async () => {
  const mock = await startMockLlm();
  try {
    const key = "sk-doctor-secret-123";
    const result = await runMain(["doctor"], { env: { OPENAI_BASE_URL: mock.url, OPENAI_API_KEY: key } });
    assertEquals(result.code, 0, result.stdout + result.stderr);
    for (
      const part of [
        "endpoint: ",
        "(key from OPENAI_API_KEY)",
        "model: kimi-k2.6",
        "permissions in ",
        "tools: read",
        "ripgrep: ",
        "mise: ",
        "MCP servers: ",
        "sessions: ",
      ]
    ) {
      assertStringIncludes(result.stdout, part);
    }
    assert(!result.stdout.includes(key) && !result.stderr.includes(key), "the key is never printed");
    assertEquals(mock.requests.length, 0, "doctor sends no request");
  } finally {
    await mock.close();
  }
});

Deno.test("doctor exits 1 and says what to do when the endpoint has no key", async () => {
  const result = await runMain(["--check"], { env: { OPENAI_BASE_URL: "https://api.example.com/v1" } });
  assertEquals(result.code, 1);
  assertMatch(
    result.stdout,
    /^✗ endpoint: Cannot call https:\/\/api\.example\.com\/v1: no API key found; set OPENAI_API_KEY$/m,
  );
});

Deno.test("an --allow-net that leaves out the endpoint stops before any request, naming the flag to add", async () => {
  const mock = await startMockLlm({ turns: [{ text: "unreachable" }] });
  try {
    const host = new URL(mock.url).host;
    const result = await runMain(["-p", "hi"], {
      env: { OPENAI_BASE_URL: mock.url },
      permissions: ["--allow-read", "--allow-env", "--allow-net=example.com"],
    });
    assertEquals(result.code, 1);
    assertEquals(result.stderr.trim().split("\n").filter((l) => l.includes("--allow-net=")), [
      `nanocode: Cannot reach the model endpoint ${host}: nanocode was started without network access to it; add --allow-net=${host} (or add ${host} to the existing --allow-net list).`,
    ]);
    assertEquals(mock.requests.length, 0);
  } finally {
    await mock.close();
  }
});

Deno.test("deno task install puts a nanocode command on PATH that works in the folder it is run from", async () => {
  const root = await Deno.makeTempDir({ prefix: "nanocode-install-" });
  const project = await Deno.realPath(await Deno.makeTempDir({ prefix: "nanocode-project-" }));
  const mock = await startMockLlm({ turns: [{ text: "hello from the project" }] });
  try {
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["task", "install"],
      cwd: new URL("..", import.meta.url).pathname,
      env: { DENO_INSTALL_ROOT: root },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(install.code, 0, new TextDecoder().decode(install.stderr));
    const run = await new Deno.Command(`${root}/bin/nanocode`, {
      args: ["--mode", "json", "--no-session", "where are you?"],
      cwd: project,
      env: {
        PATH: `${Deno.env.get("PATH")}`,
        HOME: root,
        // A fresh HOME must not mean a fresh module cache.
        DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
        OPENAI_BASE_URL: mock.url,
        NO_COLOR: "1",
      },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(run.code, 0, new TextDecoder().decode(run.stderr));
    const start = JSON.parse(new TextDecoder().decode(run.stdout).split("\n")[0]);
    assertEquals([start.type, start.cwd], ["agent_start", project]);
    assertStringIncludes(mock.requests[0].body.messages[0].content, `Working directory: ${project}`);
  } finally {
    await mock.close();
    await Deno.remove(root, { recursive: true });
    await Deno.remove(project, { recursive: true });
  }
});
