import { assert, assertEquals, assertRejects } from "./support/assert.ts";
import {
  DEFAULT_BASE_URL,
  DEFAULT_MODEL,
  isOpenCodeEndpoint,
  keyFromAuthJson,
  resolveConfig,
} from "../lib/config/endpoint.ts";
import { parseCli } from "../lib/cli/args.ts";
import { UsageError, VERSION } from "../lib/core/mod.ts";

function sources(env: Record<string, string>, files: Record<string, string> = {}, flags = {}) {
  return {
    flags,
    env: (name: string) => env[name],
    readFile: (path: string) => Promise.resolve(files[path]),
  };
}

Deno.test("config defaults to OpenCode Go and kimi-k2.6", async () => {
  const config = await resolveConfig(sources({ OPENCODE_API_KEY: "k" }));
  assertEquals([config.baseUrl, config.model, config.apiKey, config.keySource], [
    DEFAULT_BASE_URL,
    DEFAULT_MODEL,
    "k",
    "OPENCODE_API_KEY",
  ]);
  assertEquals(config.showThinking, true);
  assertEquals(config.maxRetries, 4);
});

Deno.test("config takes keys in the documented order on OpenCode endpoints", async () => {
  const all = { OPENCODE_API_KEY: "a", OPENCODE_GO_API_KEY: "b", OPENAI_API_KEY: "c" };
  assertEquals((await resolveConfig(sources(all))).apiKey, "a");
  assertEquals((await resolveConfig(sources({ OPENCODE_GO_API_KEY: "b", OPENAI_API_KEY: "c" }))).apiKey, "b");
  assertEquals((await resolveConfig(sources({ OPENAI_API_KEY: "c" }))).apiKey, "c");
});

Deno.test("config never sends an OpenCode key to another endpoint", async () => {
  const env = {
    OPENAI_BASE_URL: "https://api.example.com/v1",
    OPENCODE_API_KEY: "secret",
    OPENAI_API_KEY: "mine",
  };
  const config = await resolveConfig(sources(env));
  assertEquals([config.apiKey, config.keySource], ["mine", "OPENAI_API_KEY"]);
  await assertRejects(
    () => resolveConfig(sources({ OPENAI_BASE_URL: "https://api.example.com/v1", OPENCODE_API_KEY: "x" })),
    /^Cannot call https:\/\/api\.example\.com\/v1: no API key found; set OPENAI_API_KEY$/,
  );
});

Deno.test("config reads OpenCode's auth.json, opencode-go first on the Go endpoint", async () => {
  const auth = JSON.stringify({
    opencode: { type: "api", key: "zen-key" },
    "opencode-go": { type: "api", key: "go-key" },
    broken: 5,
  });
  const config = await resolveConfig(
    sources({ HOME: "/home/u" }, { "/home/u/.local/share/opencode/auth.json": auth }),
  );
  assertEquals([config.apiKey, config.keySource], ["go-key", "auth.json (opencode-go)"]);
  const zen = await resolveConfig(
    sources({ XDG_DATA_HOME: "/data" }, { "/data/opencode/auth.json": auth }, {
      baseUrl: "https://opencode.ai/zen/v1",
    }),
  );
  assertEquals(zen.apiKey, "zen-key");
});

Deno.test("auth.json parsing skips invalid entries and invalid JSON", () => {
  assertEquals(keyFromAuthJson("{not json", ["opencode"]), undefined);
  assertEquals(
    keyFromAuthJson('{"opencode-go": {"type": "api"}, "opencode": {"type":"api","key":"k"}}', [
      "opencode-go",
      "opencode",
    ]),
    {
      id: "opencode",
      key: "k",
    },
  );
  assertEquals(keyFromAuthJson('{"opencode": {"type":"oauth","access":"tok"}}', ["opencode"]), {
    id: "opencode",
    key: "tok",
  });
});

Deno.test("config without a key fails before any request, naming the variables", async () => {
  await assertRejects(
    () => resolveConfig(sources({ HOME: "/nowhere" })),
    /no API key found; set OPENCODE_API_KEY \(or OPENCODE_GO_API_KEY, OPENAI_API_KEY\), or log in with OpenCode/,
  );
});

Deno.test("config lets loopback endpoints run without a key", async () => {
  const config = await resolveConfig(sources({ OPENAI_BASE_URL: "http://127.0.0.1:8080/v1/" }));
  assertEquals([config.baseUrl, config.apiKey, config.keySource], [
    "http://127.0.0.1:8080/v1",
    undefined,
    "none",
  ]);
});

Deno.test("config: flags beat the environment, SHOW_THINKING=0 hides reasoning", async () => {
  const config = await resolveConfig(
    sources({ OPENAI_BASE_URL: "http://localhost:1/v1", MODEL: "env-model", SHOW_THINKING: "0" }, {}, {
      model: "flag-model",
    }),
  );
  assertEquals([config.model, config.showThinking], ["flag-model", false]);
});

Deno.test("config rejects an endpoint that is not an http URL", async () => {
  await assertRejects(() => resolveConfig(sources({ OPENAI_BASE_URL: "ftp://x" })), /not an http\(s\) URL/);
});

Deno.test("cli parses print mode, tools and the prompt words", () => {
  const options = parseCli(["-p", "--tools", "read,bash", "--model", "m", "fix", "the", "bug"]);
  assertEquals([options.print, options.tools, options.model, options.prompt], [
    true,
    ["read", "bash"],
    "m",
    "fix the bug",
  ]);
  assertEquals(parseCli(["--tools", "none"]).tools, []);
  assertEquals(parseCli([]).tools, undefined);
});

Deno.test("cli usage errors are one line and carry exit code 2", () => {
  for (const args of [["--bogus"], ["--mode", "xml"], ["--max-retries", "x"], ["--model", ""]]) {
    try {
      parseCli(args);
      throw new Error(`accepted ${args.join(" ")}`);
    } catch (error) {
      assert(error instanceof UsageError, String(error));
      assertEquals(error.exitCode, 2);
      assertEquals(error.message.includes("\n"), false);
    }
  }
});

Deno.test("auth.json: a wellknown entry's secret is its token, and an expired oauth token is skipped", () => {
  const text = JSON.stringify({
    "opencode-go": { type: "oauth", access: "old", expires: 1000 },
    opencode: { type: "wellknown", key: "OPENCODE_API_KEY", token: "sk-real" },
  });
  assertEquals(keyFromAuthJson(text, ["opencode-go", "opencode"], 2000), { id: "opencode", key: "sk-real" });
  assertEquals(keyFromAuthJson(text, ["opencode-go"], 500), { id: "opencode-go", key: "old" });
});

Deno.test("NANOCODE_IMAGES forces image input on or off; unset, the model id decides", async () => {
  const base = { OPENAI_BASE_URL: "http://127.0.0.1:1/v1" };
  assertEquals((await resolveConfig(sources(base))).images, "auto");
  assertEquals((await resolveConfig(sources({ ...base, NANOCODE_IMAGES: "0" }))).images, "off");
  assertEquals((await resolveConfig(sources({ ...base, NANOCODE_IMAGES: "1" }))).images, "on");
});

Deno.test("config keeps OpenCode keys from hosts that only look like opencode.ai", async () => {
  const auth = {
    "/home/u/.local/share/opencode/auth.json": JSON.stringify({ opencode: { type: "api", key: "zen" } }),
  };
  const openCodeKeys = { OPENCODE_API_KEY: "secret", OPENCODE_GO_API_KEY: "go-secret" };
  for (const baseUrl of ["https://evilopencode.ai/zen/v1", "https://opencode.ai.example.com/zen/go/v1"]) {
    const noKey = /no API key found; set OPENAI_API_KEY$/;
    await assertRejects(() => resolveConfig(sources(openCodeKeys, {}, { baseUrl })), noKey);
    await assertRejects(() => resolveConfig(sources({ HOME: "/home/u" }, auth, { baseUrl })), noKey);
    const env = { ...openCodeKeys, HOME: "/home/u", OPENAI_API_KEY: "mine" };
    const config = await resolveConfig(sources(env, auth, { baseUrl }));
    assertEquals([config.apiKey, config.keySource], ["mine", "OPENAI_API_KEY"]);
    assertEquals(isOpenCodeEndpoint(baseUrl), false, baseUrl);
  }
  assertEquals(isOpenCodeEndpoint("https://api.opencode.ai/v1"), true);
});

Deno.test("OPENAI_API_URL is the chat URL as given, and the models URL replaces its /chat/completions", async () => {
  const config = await resolveConfig(sources({
    OPENAI_API_URL: "https://llm.example.com/openai/deployments/x/chat/completions?api-version=2",
    OPENAI_BASE_URL: "https://ignored.example.com/v1",
    OPENAI_API_KEY: "k",
  }));
  assertEquals([config.chatUrl, config.modelsUrl, config.baseUrl], [
    "https://llm.example.com/openai/deployments/x/chat/completions?api-version=2",
    "https://llm.example.com/openai/deployments/x/models?api-version=2",
    "https://llm.example.com/openai/deployments/x",
  ]);
});

Deno.test("an OPENAI_API_URL without /chat/completions lists models at the base URL, else on its own host", async () => {
  const withBase = await resolveConfig(sources({
    OPENAI_API_URL: "https://proxy.example.com/complete",
    OPENAI_BASE_URL: "https://proxy.example.com/v1/",
    OPENAI_API_KEY: "k",
  }));
  assertEquals([withBase.chatUrl, withBase.modelsUrl], [
    "https://proxy.example.com/complete",
    "https://proxy.example.com/v1/models",
  ]);
  const alone = await resolveConfig(sources({ OPENAI_API_URL: "http://127.0.0.1:9/complete" }));
  assertEquals([alone.chatUrl, alone.modelsUrl, alone.baseUrl], [
    "http://127.0.0.1:9/complete",
    "http://127.0.0.1:9/models",
    "http://127.0.0.1:9",
  ]);
});

Deno.test("--base-url beats OPENAI_API_URL, and without either the chat URL is the base URL's", async () => {
  const flagged = await resolveConfig(
    sources({ OPENAI_API_URL: "https://a.example.com/chat/completions" }, {}, {
      baseUrl: "http://localhost:1/v1",
    }),
  );
  assertEquals([flagged.chatUrl, flagged.modelsUrl], [
    "http://localhost:1/v1/chat/completions",
    "http://localhost:1/v1/models",
  ]);
  const plain = await resolveConfig(sources({ OPENCODE_API_KEY: "k" }));
  assertEquals(plain.chatUrl, `${DEFAULT_BASE_URL}/chat/completions`);
});

Deno.test("the key for OPENAI_API_URL is chosen by its host, and a bad one names the variable", async () => {
  const openCode = await resolveConfig(sources({
    OPENAI_API_URL: "https://opencode.ai/zen/go/v1/chat/completions",
    OPENCODE_API_KEY: "oc",
  }));
  assertEquals([openCode.apiKey, openCode.keySource], ["oc", "OPENCODE_API_KEY"]);
  await assertRejects(
    () =>
      resolveConfig(
        sources({ OPENAI_API_URL: "https://x.example.com/chat/completions", OPENCODE_API_KEY: "oc" }),
      ),
    /^Cannot call https:\/\/x\.example\.com\/chat\/completions: no API key found; set OPENAI_API_KEY$/,
  );
  await assertRejects(
    () => resolveConfig(sources({ OPENAI_API_URL: "x.example.com/chat" })),
    /not an http\(s\) URL\. Set OPENAI_API_URL to e\.g\. https:\/\/host\/v1\/chat\/completions/,
  );
});

Deno.test("OPENCODE_AUTH_JSON names the auth.json to read, ahead of the XDG default", async () => {
  const auth = JSON.stringify({ "opencode-go": { type: "api", key: "from-custom" } });
  const config = await resolveConfig(
    sources({ OPENCODE_AUTH_JSON: "/etc/oc/auth.json", XDG_DATA_HOME: "/data" }, {
      "/etc/oc/auth.json": auth,
      "/data/opencode/auth.json": JSON.stringify({ "opencode-go": { type: "api", key: "from-xdg" } }),
    }),
  );
  assertEquals([config.apiKey, config.keySource], ["from-custom", "auth.json (opencode-go)"]);
});

Deno.test("NANOCODE_USER_AGENT replaces the user agent, and NANOCODE_MAX_TOKENS the 8192 limit", async () => {
  const loopback = { OPENAI_BASE_URL: "http://127.0.0.1:1/v1" };
  const plain = await resolveConfig(sources(loopback));
  assertEquals([plain.userAgent, plain.maxTokens], [`nanocode/${VERSION}`, 8192]);
  const set = await resolveConfig(
    sources({ ...loopback, NANOCODE_USER_AGENT: " my-agent/1.0 ", NANOCODE_MAX_TOKENS: "32000" }),
  );
  assertEquals([set.userAgent, set.maxTokens], ["my-agent/1.0", 32000]);
  const none = await resolveConfig(sources({ ...loopback, NANOCODE_MAX_TOKENS: "0" }));
  assertEquals(none.maxTokens, undefined);
  await assertRejects(
    () => resolveConfig(sources({ ...loopback, NANOCODE_MAX_TOKENS: "lots" })),
    /^Cannot use NANOCODE_MAX_TOKENS=lots: give a whole number such as 8192, or 0 to send no limit\.$/,
  );
});

Deno.test("an OpenAI key reaches an OpenCode endpoint only after auth.json, and the user is told", async () => {
  const home = { HOME: "/home/u" };
  const auth = {
    "/home/u/.local/share/opencode/auth.json": JSON.stringify({
      "opencode-go": { type: "api", key: "from-auth" },
    }),
  };
  const withAuth = await resolveConfig(sources({ ...home, OPENAI_API_KEY: "sk-openai" }, auth));
  assertEquals([withAuth.apiKey, withAuth.keySource, withAuth.notices], [
    "from-auth",
    "auth.json (opencode-go)",
    [],
  ]);
  const last = await resolveConfig(sources({ ...home, OPENAI_API_KEY: "sk-openai" }));
  assertEquals([last.apiKey, last.keySource], ["sk-openai", "OPENAI_API_KEY"]);
  assertEquals(last.notices, [
    "Sending OPENAI_API_KEY to opencode.ai, since no OpenCode key is set; set OPENCODE_API_KEY, or OPENAI_BASE_URL for another endpoint.",
  ]);
  const elsewhere = await resolveConfig(
    sources({ OPENAI_API_KEY: "sk-openai", OPENAI_BASE_URL: "https://api.example.com/v1" }),
  );
  assertEquals(elsewhere.notices, []);
});

Deno.test("an empty MODEL or OPENAI_BASE_URL, and a bad number, are usage errors rather than defaults", async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ MODEL: " " }, /^Cannot use an empty MODEL: give a model id such as kimi-k2\.6, or unset it\.$/],
    [
      { OPENAI_BASE_URL: "" },
      /^Cannot use an empty OPENAI_BASE_URL: give an endpoint such as https:\/\/host\/v1, or unset it\.$/,
    ],
    [
      { NANOCODE_MAX_RETRIES: "abc" },
      /^Cannot use NANOCODE_MAX_RETRIES=abc: give a whole number such as 3\.$/,
    ],
    [
      { NANOCODE_STREAM_IDLE_TIMEOUT: "0" },
      /^Cannot use NANOCODE_STREAM_IDLE_TIMEOUT=0: give a whole number of at least 1 such as 120\.$/,
    ],
  ];
  for (const [env, message] of cases) {
    const error = await resolveConfig(sources({ OPENCODE_API_KEY: "k", ...env })).catch((e) => e);
    assert(error instanceof UsageError, String(error));
    assert(message.test(error.message), error.message);
  }
  const config = await resolveConfig(
    sources({ OPENCODE_API_KEY: "k", NANOCODE_STREAM_IDLE_TIMEOUT: "30", NANOCODE_MAX_RETRIES: "2" }),
  );
  assertEquals([config.streamIdleMs, config.maxRetries], [30_000, 2]);
  assertEquals((await resolveConfig(sources({ OPENCODE_API_KEY: "k" }))).streamIdleMs, 120_000);
});
