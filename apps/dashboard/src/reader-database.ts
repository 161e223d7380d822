import { stat } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { ReportingDatabase } from '@paymetrics/reporting';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';

export interface ReaderDatabase {
  readonly db: ReportingDatabase;
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
  /** Each statement is cancelled after this long, so one slow query cannot hang the page. */
  readonly statementTimeoutInMs: number;
  readonly connectionTimeoutInMs?: number | undefined;
}

export const READER_ROLE = 'paymetrics_reader';

/**
 * Opens the database read-only: every session is read-only by default and, where the
 * paymetrics_reader role exists and the login may use it, runs as that role.
 */
export async function openReaderDatabase(options: OpenReaderOptions): Promise<ReaderDatabase> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPGlite(`${options.dataDir.replace(/\/$/, '')}/pglite`);
}

async function openPostgres(databaseUrl: string, options: OpenReaderOptions): Promise<ReaderDatabase> {
  const description = describeUrl(databaseUrl);
  const connectionTimeoutMillis = options.connectionTimeoutInMs ?? 5_000;
  const role = await readerRoleFor(databaseUrl, connectionTimeoutMillis);
  const settings = [
    '-c default_transaction_read_only=on',
    `-c statement_timeout=${Math.max(1, Math.round(options.statementTimeoutInMs))}`,
    ...(role ? [`-c role=${role}`] : []),
  ];
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 4,
    connectionTimeoutMillis,
    idleTimeoutMillis: 30_000,
    options: settings.join(' '),
  });
  // A dropped idle connection must not end the process: the next query reports it instead.
  pool.on('error', () => {});
  const db: ReportingDatabase = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', description, role, close: () => db.destroy() };
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
    // The page reports an unreachable database itself; the role is asked again at the next start.
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
  const pglite = await PGlite.create(dir);
  await pglite.exec('SET default_transaction_read_only = on');
  const db: ReportingDatabase = new Kysely({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    description: `embedded PGlite at ${dir}`,
    role: undefined,
    close: () => db.destroy(),
  };
}

function describeUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.protocol}//${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.hostname}:${url.port || '5432'}${url.pathname}`;
}
