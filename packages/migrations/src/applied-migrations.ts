import { sql } from 'kysely';
import { DEFAULT_MIGRATION_TABLE } from 'kysely/migration';
import type { AnyDatabase } from './any-database.js';
import { parseMigrationName } from './migration-name.js';

export interface AppliedMigration {
  /** The name kysely recorded: `<file>@<checksum>`. */
  readonly migrationName: string;
  readonly file: string;
  readonly checksum: string | undefined;
  readonly appliedAt: Date;
}

/**
 * Reads kysely's own migration table (read only: kysely alone writes it). Unqualified, like
 * the Migrator's queries, so both resolve through the same search_path.
 */
export async function readAppliedMigrations(db: AnyDatabase): Promise<AppliedMigration[]> {
  const { rows } = await sql<{
    table: string | null;
  }>`select to_regclass(${DEFAULT_MIGRATION_TABLE})::text as table`.execute(db);
  if (!rows[0]?.table) return [];
  const applied = await db
    .selectFrom(DEFAULT_MIGRATION_TABLE)
    .select(['name', 'timestamp'])
    .$narrowType<{ name: string; timestamp: string }>()
    .execute();
  return applied
    .map(({ name, timestamp }) => ({
      migrationName: name,
      ...parseMigrationName(name),
      appliedAt: new Date(timestamp),
    }))
    .sort((a, b) => a.appliedAt.getTime() - b.appliedAt.getTime() || (a.file < b.file ? -1 : 1));
}
