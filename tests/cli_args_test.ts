/** The flags the original nanocode takes, as parseCli reads them. */
import { assertEquals } from "./support/assert.ts";
import { HELP, parseCli, WHOLE_SURFACE } from "../lib/cli/args.ts";

Deno.test("-nc is --no-context-files, not -n -c, and stays a prompt word after --", () => {
  const short = parseCli(["-nc", "-p", "hi"]);
  assertEquals([short.noContextFiles, short.continue, short.prompt], [true, false, "hi"]);
  assertEquals(parseCli(["--no-context-files"]).noContextFiles, true);
  assertEquals(parseCli([]).noContextFiles, false);
  assertEquals(parseCli(["-p", "--", "-nc"]).prompt, "-nc");
});

Deno.test("--no-session is parsed into noSession", () => {
  assertEquals(parseCli(["--no-session", "-p", "x"]).noSession, true);
  assertEquals(parseCli(["-p", "x"]).noSession, false);
});

Deno.test("--system-prompt and --append-system-prompt keep every value, in order", () => {
  const options = parseCli([
    "--system-prompt",
    "one",
    "--append-system-prompt",
    "a.md",
    "--system-prompt",
    "two",
    "--append-system-prompt",
    "b",
  ]);
  assertEquals([options.systemPrompt, options.appendSystemPrompt], [["one", "two"], ["a.md", "b"]]);
  const none = parseCli([]);
  assertEquals([none.systemPrompt, none.appendSystemPrompt], [undefined, undefined]);
});

Deno.test("--tools default, all, * and the original's set names mean the whole surface", () => {
  assertEquals(WHOLE_SURFACE, ["default", "all", "*", "core", "pi", "readonly", "extended", "rich", "safe"]);
  for (const name of WHOLE_SURFACE) assertEquals(parseCli(["--tools", name]).tools, undefined, name);
  assertEquals(parseCli(["--tools", "read,all"]).tools, undefined);
  assertEquals(parseCli(["--tools", "none"]).tools, []);
  assertEquals(parseCli(["--tools", "read, grep"]).tools, ["read", "grep"]);
});

Deno.test("the help names the new flags and settings", () => {
  for (
    const text of [
      "-nc, --no-context-files",
      "--no-session",
      "repeat",
      "all or *",
      "OPENAI_API_URL",
      "OPENCODE_AUTH_JSON",
      "NANOCODE_DIR",
      "NANOCODE_MAX_TOKENS",
      "NANOCODE_USER_AGENT",
      "NANOCODE_MISE_HOT_RELOAD",
    ]
  ) assertEquals(HELP.includes(text), true, text);
});

Deno.test("--max-turns takes a whole number of at least one, and a negative number gets the flag's own message", () => {
  assertEquals(parseCli(["--max-turns", "12", "-p", "x"]).maxTurns, 12);
  assertEquals(parseCli(["-p", "x"]).maxTurns, undefined);
  for (
    const [flag, value, message] of [
      ["--max-turns", "0", "Cannot use --max-turns 0: give a whole number of at least 1 such as 30."],
      ["--max-turns", "-3", "Cannot use --max-turns -3: give a whole number of at least 1 such as 30."],
      ["--max-retries", "-1", "Cannot use --max-retries -1: give a whole number such as 3."],
      ["--max-retries", "many", "Cannot use --max-retries many: give a whole number such as 3."],
    ]
  ) {
    let said = "";
    try {
      parseCli([flag, value, "-p", "x"]);
    } catch (error) {
      said = (error as Error).message;
    }
    assertEquals(said, message);
  }
});

Deno.test("mcp list, login and logout are commands; other words after mcp stay a prompt", () => {
  assertEquals(parseCli(["mcp", "list"]).mcp, { action: "list" });
  assertEquals(parseCli(["mcp", "login", "github"]).mcp, { action: "login", server: "github" });
  assertEquals(parseCli(["mcp", "logout", "github"]).mcp, { action: "logout", server: "github" });
  assertEquals(parseCli(["mcp", "login", "github"]).prompt, undefined);
  const question = parseCli(["mcp", "servers", "explained"]);
  assertEquals([question.mcp, question.prompt], [undefined, "mcp servers explained"]);
  for (
    const [args, message] of [
      [["mcp", "list", "x"], "Cannot run mcp list x: it takes no arguments."],
      [["mcp", "login"], "Cannot run mcp login: name one MCP server, as in nanocode mcp login github."],
      [
        ["mcp", "logout", "a", "b"],
        "Cannot run mcp logout: name one MCP server, as in nanocode mcp logout github.",
      ],
    ] as const
  ) {
    let error = "";
    try {
      parseCli([...args]);
    } catch (e) {
      error = (e as Error).message;
    }
    assertEquals(error, message);
  }
  assertEquals(HELP.includes("mcp list"), true);
});
