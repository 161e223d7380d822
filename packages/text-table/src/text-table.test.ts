import { describe, expect, it } from 'vitest';
import { textTable } from './text-table.js';

describe('textTable', () => {
  it('pads columns to their widest cell, right-aligns number columns and leaves no trailing space', () => {
    expect(
      textTable(
        ['id', 'code', 'count', 'ms'],
        [
          ['1', 'invalid_json', '1,204', '2.5'],
          ['1234', 'x', '-7', '10.25'],
        ],
      ),
    ).toBe(
      [
        '  id  code          count     ms',
        '   1  invalid_json  1,204    2.5',
        '1234  x                -7  10.25',
      ].join('\n'),
    );
  });

  it('keeps a column with any text in it left-aligned, and trims an empty last cell', () => {
    expect(
      textTable(
        ['file', 'state', 'applied at'],
        [
          ['01_a.sql', 'applied', '2026-11-27T00:00:00.000Z'],
          ['10_b.sql', 'pending', ''],
          ['2', 'pending', ''],
        ],
      ),
    ).toBe(
      [
        'file      state    applied at',
        '01_a.sql  applied  2026-11-27T00:00:00.000Z',
        '10_b.sql  pending',
        '2         pending',
      ].join('\n'),
    );
  });

  it('takes alignment per column and draws a rule under the header when asked', () => {
    expect(
      textTable(
        ['workload', 'events/s', 'exactly once'],
        [
          ['realistic', '91,000', 'ok'],
          ['worst', '8', 'FAILED (lost 1)'],
        ],
        { align: ['left', 'right', 'right'], rule: true },
      ),
    ).toBe(
      [
        'workload   events/s     exactly once',
        '---------  --------  ---------------',
        'realistic    91,000               ok',
        'worst             8  FAILED (lost 1)',
      ].join('\n'),
    );
  });

  it('prints the header alone for no rows, every column left-aligned', () => {
    expect(textTable(['id', 'n'], [])).toBe('id  n');
    expect(textTable(['id', 'n'], [], { rule: true })).toBe('id  n\n--  -');
  });
});
