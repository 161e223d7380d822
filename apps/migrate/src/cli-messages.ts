import type { SchemaFileStatus } from '@paymetrics/migrations';
import { textTable } from '@paymetrics/text-table';

/**
 * One line for stderr. Settings and connection failures already name the setting at fault
 * (SettingError); migration failures name the file (MigrationError). Never contains the password.
 */
export function failureLine(error: unknown): string {
  const line = error instanceof Error ? error.message : String(error);
  return `migrate: ${line.replace(/\s*\n\s*/g, ' ')}`;
}

export function formatStatusTable(files: readonly SchemaFileStatus[]): string {
  return textTable(
    ['file', 'state', 'applied at'],
    files.map((file) => [file.name, file.state, file.appliedAt?.toISOString() ?? '']),
  );
}
