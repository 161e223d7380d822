import { stat } from 'node:fs/promises';
import type { Database } from '@paymetrics/storage-adapters';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describeDatabaseUrl } from './database-url.js';
import { createPool } from './pool.js';

export interface ReaderDatabase {
  readonly db: Kysely<Database>;
  readonly kind: 'postgres' | 'pglite';
  /** For messages: where the data is, never a password. */
  readonly description: string;
  /** The role queries run as (paymetrics_reader when the login may use it). */
  readonly role: string | undefined;
  close(): Promise<void>;
}

export interface OpenReaderOptions {
  readonly databaseUrl?: string | undefined;
  /** PGlite lives in `<dataDir>/pglite`. */
  readonly dataDir: string;
  /** Each statement is cancelled after this long, so one slow query cannot hang a reader. */
  readonly statementTimeoutInMs: number;
  readonly connectionTimeoutInMs?: number | undefined;
}

export const READER_ROLE = 'paymetrics_reader';

/**
 * Opens the database for a reader that must never write (the dashboard): every session is
 * read-only and, where the paymetrics_reader role exists and the login may use it, runs as that
 * role. Unlike openDatabase it does not require the server to answer now: a reader reports an
 * unreachable database on each request and recovers when it comes back.
 */
export async function openReaderDatabase(options: OpenReaderOptions): Promise<ReaderDatabase> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPGlite(`${options.dataDir.replace(/\/$/, '')}/pglite`);
}

async function openPostgres(databaseUrl: string, options: OpenReaderOptions): Promise<ReaderDatabase> {
  const connectionTimeoutInMs = options.connectionTimeoutInMs ?? 5_000;
  const role = await readerRoleFor(databaseUrl, connectionTimeoutInMs);
  const pool = createPool(databaseUrl, {
    max: 4,
    connectionTimeoutInMs,
    idleTimeoutInMs: 30_000,
    statementTimeoutInMs: Math.max(1, Math.round(options.statementTimeoutInMs)),
    readOnly: true,
    role,
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    description: describeDatabaseUrl(databaseUrl),
    role,
    close: () => db.destroy(),
  };
}

/** paymetrics_reader when it exists and the login is a member; undefined when the server cannot be asked now. */
async function readerRoleFor(
  databaseUrl: string,
  connectionTimeoutMillis: number,
): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ member: boolean }>(
      `select exists (select from pg_roles where rolname = $1) and pg_has_role(current_user, $1, 'member') as member`,
      [READER_ROLE],
    );
    return rows[0]?.member ? READER_ROLE : undefined;
  } catch {
    // The reader reports an unreachable database itself; the role is asked again at the next start.
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

async function openPGlite(dir: string): Promise<ReaderDatabase> {
  const exists = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) {
    throw new Error(
      `no embedded database at ${dir}: run pnpm start (or pnpm simulate --sink local) first, or set DATABASE_URL`,
    );
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create(dir);
  await pglite.exec('SET default_transaction_read_only = on');
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    description: `embedded PGlite at ${dir}`,
    role: undefined,
    close: () => db.destroy(),
  };
}
