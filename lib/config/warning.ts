/**
 * Notes about configuration that was skipped (a context file that cannot be read, a skill with bad
 * front matter), as values: the caller decides how to show them, by what they are about rather than
 * by what their text says.
 * @module
 */

/** One thing skipped while reading the configuration. */
export interface ConfigWarning {
  /** One line for the user: what was skipped, why, and what to do. */
  text: string;
  /** The file or folder it is about. */
  path: string;
  /**
   * True when the path lies outside what `--allow-read` grants. Under narrowed permissions that is
   * expected, so such warnings are folded into one line.
   */
  outsideRead?: boolean;
}

/**
 * The warnings as lines for the user: those about paths outside `--allow-read` fold into one line
 * (one per ancestor folder would bury what matters), the rest stay as they are, in order.
 */
export function foldWarnings(warnings: readonly ConfigWarning[]): string[] {
  const outside = warnings.filter((w) => w.outsideRead);
  if (outside.length < 2) return warnings.map((w) => w.text);
  // A file inside a folder already named adds nothing to the line.
  const paths = [...new Set(outside.map((w) => w.path))];
  const shown = paths.filter((p) => !paths.some((q) => q !== p && p.startsWith(`${q}/`)));
  return [
    ...warnings.filter((w) => !w.outsideRead).map((w) => w.text),
    `Context discovery skipped ${shown.length} folders outside --allow-read (${
      shown.join(", ")
    }); grant read access to use their AGENTS.md, SYSTEM.md, skills or mcp.json.`,
  ];
}
