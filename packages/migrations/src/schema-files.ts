import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<repo>/database/schemas`: src/ and dist/ sit at the same depth, so one relative path serves both. */
export const defaultSchemaDir: string = resolve(
  fileURLToPath(new URL('../../../database/schemas/', import.meta.url)),
);

export interface SchemaFile {
  /** File name, e.g. `01_payment_metrics_5m.sql`. */
  readonly name: string;
  readonly sql: string;
  /** First 16 hex digits of the SHA-256 of the text with line endings normalised to LF. */
  readonly checksum: string;
}

const checksumLength = 16;

/**
 * Line endings are normalised before hashing so a checkout with CRLF endings (git autocrlf)
 * is not mistaken for an edited file.
 */
export function schemaChecksum(sql: string): string {
  return createHash('sha256')
    .update(sql.replace(/\r\n/g, '\n'), 'utf8')
    .digest('hex')
    .slice(0, checksumLength);
}

/**
 * Orders names the way kysely's Migrator orders migration names (`Array#sort`, UTF-16 code
 * units), so "file order" and "migration order" can never disagree.
 */
export function compareSchemaFileNames(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Every `*.sql` file of `dir`, sorted by name. */
export async function readSchemaFiles(dir: string = defaultSchemaDir): Promise<SchemaFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sql'))
    .map((entry) => entry.name)
    .sort(compareSchemaFileNames);
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name), 'utf8');
      return { name, sql, checksum: schemaChecksum(sql) };
    }),
  );
}
