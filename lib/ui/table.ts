/**
 * Markdown tables (GitHub's pipe tables) drawn with box-drawing borders: columns sized by display
 * width (CJK and emoji take two cells), shrunk to fit the terminal, and cells wrapped inside their
 * column when the table would be wider. Pure: rows in, lines out.
 * @module
 */

import { padToWidth, type Palette, visibleWidth, wrapLine } from "./ansi.ts";

/** How a column's cells are aligned, from its delimiter cell (`:--`, `:-:`, `--:`). */
export type Align = "left" | "center" | "right";

/** A table as parsed: the header cells, each column's alignment, and the body rows. */
export interface Table {
  header: string[];
  aligns: Align[];
  rows: string[][];
}

/** Narrowest a column is shrunk to before the table is given up on and left as written. */
const MIN_COLUMN = 3;

/** Whether a line may be a row of a table: it holds a `|` that is not escaped. */
export function isTableRow(line: string): boolean {
  return line.trim() !== "" && /(^|[^\\])\|/.test(line);
}

/**
 * The cells of a row: the outer pipes dropped, split at every unescaped `|`, each cell trimmed and
 * `\|` unescaped.
 * @example splitRow("| a | b \\| c |") // ["a", "b | c"]
 */
export function splitRow(line: string): string[] {
  let text = line.trim();
  if (text.startsWith("|")) text = text.slice(1);
  if (text.endsWith("|") && !text.endsWith("\\|")) text = text.slice(0, -1);
  const cells: string[] = [];
  let cell = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\" && text[i + 1] === "|") {
      cell += "|";
      i++;
    } else if (text[i] === "|") {
      cells.push(cell.trim());
      cell = "";
    } else cell += text[i];
  }
  cells.push(cell.trim());
  return cells;
}

/**
 * The alignments a delimiter row gives `columns` columns, or undefined when the line is not a
 * delimiter row for that many (`|---|:-:|`).
 */
export function parseDelimiter(line: string, columns: number): Align[] | undefined {
  if (!line.includes("-")) return undefined;
  const cells = splitRow(line);
  if (cells.length !== columns) return undefined;
  const aligns: Align[] = [];
  for (const cell of cells) {
    const match = /^(:)?-+(:)?$/.exec(cell);
    if (!match) return undefined;
    aligns.push(match[1] && match[2] ? "center" : match[2] ? "right" : "left");
  }
  return aligns;
}

/** How {@link renderTable} draws. */
export interface TableOptions {
  /** The terminal's width: the table is shrunk to fit it. */
  width: number;
  palette: Palette;
  /** Styles one cell's text (inline markdown); default: as written. */
  style?: (text: string) => string;
}

/**
 * Draws a table; undefined when even columns of {@link MIN_COLUMN} cells would not fit the width
 * (the caller then prints the rows as written).
 */
export function renderTable(table: Table, options: TableOptions): string[] | undefined {
  const { palette: p } = options;
  const style = options.style ?? ((text: string) => text);
  const columns = table.header.length;
  const fit = (cells: string[]) => Array.from({ length: columns }, (_, i) => style(cells[i] ?? ""));
  const header = fit(table.header).map((cell) => p.bold(cell));
  const rows = table.rows.map(fit);
  const natural = Array.from(
    { length: columns },
    (_, i) => Math.max(1, visibleWidth(header[i]), ...rows.map((r) => visibleWidth(r[i]))),
  );
  // Each column takes its width plus a space either side and a border; one more border closes the row.
  const available = options.width - (3 * columns + 1);
  if (available < MIN_COLUMN * columns && natural.reduce((a, b) => a + b, 0) > available) return undefined;
  const widths = fitWidths(natural, available);

  const border = (left: string, middle: string, right: string) =>
    p.dim(left + widths.map((w) => "─".repeat(w + 2)).join(middle) + right);
  const bar = p.dim("│");
  const draw = (cells: string[]): string[] => {
    const wrapped = cells.map((cell, i) => wrapLine(cell, widths[i]));
    const height = Math.max(...wrapped.map((w) => w.length));
    const lines: string[] = [];
    for (let row = 0; row < height; row++) {
      const parts = wrapped.map((w, i) => padToWidth(w[row] ?? "", widths[i], table.aligns[i]));
      lines.push(`${bar} ${parts.join(` ${bar} `)} ${bar}`);
    }
    return lines;
  };
  const body = rows.map(draw);
  // Rows that wrap need a rule between them to be told apart; single-line rows read fine without.
  const ruled = body.some((lines) => lines.length > 1);
  const out = [border("┌", "┬", "┐"), ...draw(header), border("├", "┼", "┤")];
  body.forEach((lines, i) => {
    if (ruled && i > 0) out.push(border("├", "┼", "┤"));
    out.push(...lines);
  });
  out.push(border("└", "┴", "┘"));
  return out;
}

/**
 * Column widths that fit `available` cells: each column keeps its natural width up to a common cap,
 * the widest give way first, and what is left under the cap goes to the leftmost of them.
 */
function fitWidths(natural: number[], available: number): number[] {
  const total = natural.reduce((a, b) => a + b, 0);
  if (total <= available) return natural;
  const floor = Math.min(MIN_COLUMN, ...natural);
  const used = (cap: number) => natural.reduce((sum, w) => sum + Math.min(w, Math.max(cap, floor)), 0);
  let low = floor;
  let high = Math.max(...natural);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (used(mid) <= available) low = mid;
    else high = mid - 1;
  }
  const widths = natural.map((w) => Math.min(w, Math.max(low, floor)));
  let left = available - widths.reduce((a, b) => a + b, 0);
  for (let i = 0; i < widths.length && left > 0; i++) {
    if (natural[i] > widths[i]) {
      widths[i]++;
      left--;
    }
  }
  return widths;
}
