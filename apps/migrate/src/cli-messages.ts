import { MigrationError } from './migration-error.js';
import type { SchemaFileStatus } from './migration-status.js';

/** One line for stderr, naming the setting at fault; never contains the password. */
export function describeFailure(error: unknown, usingDatabaseUrl: boolean): string {
  const setting = usingDatabaseUrl ? 'DATABASE_URL' : 'PAYMETRICS_DATA_DIR';
  let line: string;
  if (error instanceof MigrationError && error.code === 'invalid_url') {
    line = `DATABASE_URL is ${error.message}`;
  } else if (error instanceof MigrationError && error.code === 'unreachable' && error.target) {
    line = usingDatabaseUrl
      ? `cannot connect to DATABASE_URL (${error.target}): ${error.reason ?? 'unknown error'}`
      : `cannot open the embedded database in ${setting} (${error.target}): ${error.reason ?? 'unknown error'}`;
  } else {
    line = error instanceof Error ? error.message : String(error);
  }
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
