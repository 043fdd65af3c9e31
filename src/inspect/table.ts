// A text table with aligned columns that fits a terminal: cells may hold several lines, and when
// the table is wider than the terminal, the columns that read well wrapped give up width first,
// their words wrapped, down to their longest word. Nothing but spaces and the text itself.
import { wrap } from '../wrap.ts';

export interface Table {
  headers: string[];
  /** Rows of cells, each cell its lines. A row with `group` starts a new group: a blank line before it. */
  rows: { cells: string[][]; group?: boolean }[];
  /**
   * Columns that may be narrowed by wrapping, the first to give up width first, each down to its
   * longest word or `min` characters, whichever is more.
   */
  shrinkable: { column: number; min: number }[];
}

const GAP = '  ';

/**
 * The table's text; `width` is the terminal's (none: as wide as the content). Undefined when the
 * table cannot fit the width.
 */
export function renderTable(table: Table, width?: number): string | undefined {
  const widths = columnWidths(table, width);
  if (widths === undefined) return undefined;
  const lines: string[] = [];
  const emit = (cells: string[][]) => {
    const wrapped = cells.map((cell, column) =>
      cell.flatMap((line) =>
        line.length > widths[column]! ? wrap(line, widths[column]!) : [line],
      ),
    );
    const height = Math.max(1, ...wrapped.map((cell) => cell.length));
    for (let row = 0; row < height; row++) {
      const text = wrapped
        .map((cell, column) => (cell[row] ?? '').padEnd(widths[column]!))
        .join(GAP)
        .trimEnd();
      lines.push(text);
    }
  };
  emit(table.headers.map((header) => [header]));
  table.rows.forEach((row, index) => {
    if (row.group && index > 0) lines.push('');
    emit(row.cells);
  });
  return `${lines.join('\n')}\n`;
}

function columnWidths(table: Table, width: number | undefined): number[] | undefined {
  const columns = table.headers.map((header, column) => [
    header,
    ...table.rows.flatMap((row) => row.cells[column] ?? []),
  ]);
  const widths = columns.map((lines) => Math.max(...lines.map((line) => line.length)));
  if (width === undefined) return widths;
  let excess = widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1) - width;
  for (const { column, min } of table.shrinkable) {
    if (excess <= 0) break;
    const longestWord = Math.max(
      ...columns[column]!.flatMap((line) => line.split(/\s+/).map((word) => word.length)),
    );
    const give = Math.min(excess, widths[column]! - Math.max(longestWord, min));
    if (give <= 0) continue;
    widths[column] = widths[column]! - give;
    excess -= give;
  }
  return excess > 0 ? undefined : widths;
}
