import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { AnyDatabase } from './any-database.js';
import { connectionFailureReason } from './connection-failure.js';
import { describeDatabaseUrl, passwordOf } from './database-url.js';
import { MigrationError } from './migration-error.js';
import { createPGliteKysely } from './pglite-kysely.js';

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL; absent or empty means the embedded PGlite. */
  readonly databaseUrl?: string | undefined;
  /** The local data folder (default `./.data`, against the working directory); PGlite lives in `<dataDir>/pglite`. */
  readonly dataDir?: string | undefined;
}

export interface DatabaseTarget {
  readonly kind: 'postgres' | 'pglite';
  /** For messages: a URL without password, or the PGlite folder. */
  readonly description: string;
  readonly db: AnyDatabase;
  /** The embedded instance (kind `pglite` only), for stores that take a PGlite; close() closes it. */
  readonly pglite?: PGlite | undefined;
  close(): Promise<void>;
}

/**
 * Opens the apps' database and checks it answers: PostgreSQL at `databaseUrl`, else PGlite
 * in `<dataDir>/pglite`. Throws MigrationError `invalid_url` or `unreachable`, with a
 * password-free message.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseTarget> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPGlite(resolve(options.dataDir ?? './.data', 'pglite'));
}

const connectionTimeoutInMs = 10_000;

async function openPostgres(databaseUrl: string): Promise<DatabaseTarget> {
  const description = describeDatabaseUrl(databaseUrl);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 4,
    connectionTimeoutMillis: connectionTimeoutInMs,
  });
  // An idle client's error (say, a server restart) would otherwise crash the process; the
  // next query that needs the connection reports it instead.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    const reason = connectionFailureReason(error, passwordOf(databaseUrl));
    throw new MigrationError('unreachable', `cannot connect to ${description}: ${reason}`, {
      target: description,
      reason,
      cause: error,
    });
  }
  const db: AnyDatabase = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return { kind: 'postgres', description, db, close: () => db.destroy() };
}

async function openPGlite(dir: string): Promise<DatabaseTarget> {
  const description = `embedded PGlite at ${dir}`;
  let pglite: PGlite;
  try {
    await mkdir(dir, { recursive: true });
    pglite = await PGlite.create(dir);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError('unreachable', `cannot open ${description}: ${reason}`, {
      target: description,
      reason,
      cause: error,
    });
  }
  const db = createPGliteKysely(pglite);
  return { kind: 'pglite', description, db, pglite, close: () => db.destroy() };
}
