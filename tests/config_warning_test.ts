/** Configuration warnings as values: folded by what they are about, not by their text. */
import { assertEquals } from "./support/assert.ts";
import { type ConfigWarning, foldWarnings, unlistableWarning } from "../lib/config/mod.ts";

const outside = (path: string): ConfigWarning => ({
  text: `Skipped folder ${path}: outside`,
  path,
  outsideRead: true,
});

Deno.test("warnings about two or more folders outside --allow-read fold into one line after the rest", () => {
  const other: ConfigWarning = {
    text: "Skipped skill /p/s/SKILL.md: bad front matter.",
    path: "/p/s/SKILL.md",
  };
  assertEquals(foldWarnings([outside("/a/.nanocode"), other, outside("/b/.nanocode")]), [
    other.text,
    "Context discovery skipped 2 folders outside --allow-read (/a/.nanocode, /b/.nanocode); grant read access to use their AGENTS.md, SYSTEM.md, skills or mcp.json.",
  ]);
});

Deno.test("a single warning outside --allow-read stays as it is, and text alone never folds", () => {
  assertEquals(foldWarnings([outside("/a/.nanocode")]), ["Skipped folder /a/.nanocode: outside"]);
  // Text that merely mentions --allow-read is not a permission warning.
  const lookalike = { text: "is outside what nanocode may read (--allow-read)", path: "/x" };
  assertEquals(foldWarnings([lookalike, lookalike]), [lookalike.text, lookalike.text]);
});

Deno.test("a folder refused by the permission system is marked outside --allow-read; others are not", () => {
  const refused = unlistableWarning("folder", "/r", new Deno.errors.NotCapable("Requires read access"));
  assertEquals(refused.outsideRead, true);
  assertEquals(
    refused.text,
    "Skipped folder /r: it is outside what nanocode may read (--allow-read); check its permissions.",
  );
  const denied = unlistableWarning("folder", "/d", new Deno.errors.PermissionDenied("denied"));
  assertEquals(denied.outsideRead, undefined);
});

Deno.test("a file outside --allow-read inside a folder already named is not named again", () => {
  const file = {
    text: "Skipped MCP config /a/.nanocode/mcp.json",
    path: "/a/.nanocode/mcp.json",
    outsideRead: true,
  };
  assertEquals(foldWarnings([outside("/a/.nanocode"), file, outside("/b/.nanocode")]), [
    "Context discovery skipped 2 folders outside --allow-read (/a/.nanocode, /b/.nanocode); grant read access to use their AGENTS.md, SYSTEM.md, skills or mcp.json.",
  ]);
});
