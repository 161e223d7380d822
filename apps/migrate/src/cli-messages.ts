import type { SchemaFileStatus } from '@paymetrics/migrations';

/**
 * One line for stderr. Settings and connection failures already name the setting at fault
 * (SettingError); migration failures name the file (MigrationError). Never contains the password.
 */
export function failureLine(error: unknown): string {
  const line = error instanceof Error ? error.message : String(error);
  return `migrate: ${line.replace(/\s*\n\s*/g, ' ')}`;
}

export function formatStatusTable(files: readonly SchemaFileStatus[]): string {
  const rows = [
    ['file', 'state', 'applied at'],
    ...files.map((file) => [file.name, file.state, file.appliedAt?.toISOString() ?? '']),
  ];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
