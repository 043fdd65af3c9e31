// The table of `carbon ls`: columns aligned under their headers, cells of several lines, groups,
// and the width of a terminal kept by wrapping the columns that may wrap, or refused.
import { describe, expect, it } from 'vitest';
import { renderTable, type Table } from '../../src/inspect/table.ts';

const table: Table = {
  headers: ['ID', 'WHAT', 'NOTES'],
  rows: [
    { group: true, cells: [['a'], ['one', 'two lines'], ['short']] },
    { cells: [['bb'], ['three'], ['a rather longer note that can wrap']] },
    { group: true, cells: [['c'], ['-'], ['-']] },
  ],
  shrinkable: [{ column: 2, min: 10 }],
};

describe('renderTable', () => {
  it('aligns every cell under its header, lines of a cell below each other, groups apart', () => {
    expect(renderTable(table)).toBe(
      [
        'ID  WHAT       NOTES',
        'a   one        short',
        '    two lines',
        'bb  three      a rather longer note that can wrap',
        '',
        'c   -          -',
        '',
      ].join('\n'),
    );
  });

  it('wraps the shrinkable column to fit the width, never below its minimum', () => {
    const text = renderTable(table, 30)!;
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(30);
    expect(text).toContain(
      'bb  three      a rather longer\n               note that can\n               wrap\n',
    );
    // 4 + 11 for the fixed columns, and the note column's minimum of 10 does not fit in 24.
    expect(renderTable(table, 24)).toBeUndefined();
    expect(renderTable(table, 25)).toBeDefined();
  });

  it('keeps a column as wide as its longest word', () => {
    const words: Table = {
      headers: ['A', 'B'],
      rows: [{ cells: [['x'], ['unbreakable-word-here and more']] }],
      shrinkable: [{ column: 1, min: 0 }],
    };
    expect(renderTable(words, 10)).toBeUndefined();
    expect(renderTable(words, 24)).toBe('A  B\nx  unbreakable-word-here\n   and more\n');
  });
});
