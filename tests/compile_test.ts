/**
 * The compile path: `deno compile` needs a runtime binary (denort) that it downloads, or takes from
 * `DENORT_BIN`. Where none is available the test is skipped and says why.
 */
import { assertEquals } from "./support/assert.ts";
import { startMockLlm } from "./support/mock_llm.ts";
import { VERSION } from "../lib/core/mod.ts";
import { PERMISSIONS } from "../scripts/compile.ts";

const denort = Deno.env.get("DENORT_BIN");
const root = new URL("..", import.meta.url).pathname;

Deno.test({
  name: denort
    ? "the compiled binary answers --version and runs a tool-using prompt"
    : "the compiled binary answers --version and runs a tool-using prompt (skipped: set DENORT_BIN to a denort binary; this machine cannot download one)",
  ignore: !denort,
  async fn() {
    const dir = await Deno.makeTempDir();
    const output = `${dir}/nanocode`;
    const build = await new Deno.Command(Deno.execPath(), {
      args: ["compile", ...PERMISSIONS, "--output", output, "main.ts"],
      cwd: root,
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(build.code, 0, new TextDecoder().decode(build.stderr));
    const version = await new Deno.Command(output, { args: ["--version"], stdout: "piped" }).output();
    assertEquals(new TextDecoder().decode(version.stdout), `nanocode ${VERSION}\n`);

    const mock = await startMockLlm({
      turns: [{ toolCalls: [{ name: "bash", arguments: { command: "echo compiled" } }] }, { text: "ok" }],
    });
    try {
      const run = await new Deno.Command(output, {
        args: ["-p", "go"],
        cwd: dir,
        env: { OPENAI_BASE_URL: mock.url },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(new TextDecoder().decode(run.stdout), "ok\n");
      const tool = mock.requests[1].body.messages.find((m: { role: string }) => m.role === "tool");
      assertEquals(tool.content, "compiled");
    } finally {
      await mock.close();
    }
  },
});

Deno.test("a failed compile is reported by its cause, without the backtrace", async () => {
  const { compileFailure } = await import("../scripts/compile.ts");
  const stderr = [
    "Compile main.ts to dist/nanocode",
    "error: Writing deno compile executable to temporary file 'dist/x.tmp'",
    "",
    "Caused by:",
    "    0: Setting up base binary.",
    "    1: error sending request for url (https://downloads.example/denort-x86_64-unknown-linux-gnu.zip): client error (Connect)",
    "    2: dns error: failed to lookup address information",
    "Stack backtrace:",
    "   0: <unknown>",
  ].join("\n");
  assertEquals(
    compileFailure(stderr),
    "cannot download https://downloads.example/denort-x86_64-unknown-linux-gnu.zip (dns error: failed to lookup address information); set DENORT_BIN to a local denort binary",
  );
  assertEquals(
    compileFailure('error: Module not found "file:///x.ts".\n'),
    'Module not found "file:///x.ts".',
  );
});
