// deno-lint-ignore-file no-console
/**
 * `deno task demo`: starts the scripted mock endpoint on 127.0.0.1 and runs nanocode against it on a
 * small task in a scratch folder, so a whole tool-using run can be seen without a key or a network.
 * @module
 */

import { startMockLlm } from "./mock_llm.ts";
import { MAIN } from "./run_main.ts";
import { PERMISSIONS } from "../../scripts/compile.ts";

const mock = await startMockLlm({
  turns: [
    {
      reasoning: "The user wants a greeting file. I will write it, check it with bash, then edit it.",
      text: "I'll create the file first.",
      toolCalls: [{ name: "write", arguments: { path: "hello.txt", content: "Hello from nanocode\n" } }],
    },
    { toolCalls: [{ name: "bash", arguments: { command: "cat hello.txt && wc -c hello.txt" } }] },
    {
      toolCalls: [{
        name: "edit",
        arguments: { path: "hello.txt", edits: [{ oldText: "Hello", newText: "Hi" }] },
      }],
    },
    { toolCalls: [{ name: "read", arguments: { path: "hello.txt" } }] },
    {
      text: "Done: `hello.txt` now says “Hi from nanocode”. I wrote it, checked it with bash, and edited it.",
    },
  ],
});
const dir = await Deno.makeTempDir({ prefix: "nanocode-demo-" });
console.error(`demo: mock endpoint ${mock.url}, working in ${dir}\n`);
const prompt = "Create hello.txt with a greeting, check it, then change Hello to Hi.";
console.error(`$ nanocode -p "${prompt}"\n`);
const { code } = await new Deno.Command(Deno.execPath(), {
  args: ["run", "--quiet", ...PERMISSIONS, MAIN, "-p", prompt],
  cwd: dir,
  env: { OPENAI_BASE_URL: mock.url, MODEL: "mock-model" },
  stdin: "null",
  stdout: "inherit",
  stderr: "inherit",
}).output();
console.error(`\ndemo: nanocode exited with ${code}; the mock answered ${mock.requests.length} requests.`);
console.error(
  `demo: ${dir}/hello.txt holds: ${
    JSON.stringify(await Deno.readTextFile(`${dir}/hello.txt`).catch(() => "(missing)"))
  }`,
);
await mock.close();
await Deno.remove(dir, { recursive: true });
Deno.exit(code);
