export type ColumnAlign = 'left' | 'right';

export interface TextTableOptions {
  /**
   * Per column. By default a column is right-aligned when every body cell is a number (digits,
   * thousands commas, a sign, a decimal part), left-aligned otherwise.
   */
  readonly align?: readonly ColumnAlign[];
  /** A line of dashes under the header. */
  readonly rule?: boolean;
}

const NUMBER = /^-?[\d,]+(\.\d+)?$/;

/**
 * A plain text table: a header and rows, columns two spaces apart and padded to their widest
 * cell, no trailing spaces. Lines are joined with `\n`, without a final one.
 */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: TextTableOptions = {},
): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const align = header.map(
    (_, column): ColumnAlign =>
      options.align?.[column] ??
      (rows.length > 0 && rows.every((row) => NUMBER.test(row[column] ?? '')) ? 'right' : 'left'),
  );
  const line = (row: readonly string[]) =>
    header
      .map((_, column) => {
        const cell = row[column] ?? '';
        const width = widths[column] ?? 0;
        return align[column] === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const lines = [line(header)];
  if (options.rule) lines.push(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) lines.push(line(row));
  return lines.join('\n');
}
