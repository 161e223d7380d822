import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { connectionFailureReason, createPGliteKysely } from '@paymetrics/migrations';
import type { Database } from '@paymetrics/storage-adapters';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { describeDatabaseUrl, passwordOf } from './database-url.js';
import { entraPassword } from './entra-password.js';
import { createPool, type PoolOptions } from './pool.js';
import type { Secret } from './secret.js';
import { SettingError } from './setting-error.js';
import { type DatabaseAuth, SettingName } from './settings.js';

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL; absent or empty means the embedded PGlite. */
  readonly databaseUrl?: Secret | string | undefined;
  /** The local data folder (default `./.data`, against the working directory); PGlite lives in `<dataDir>/pglite`. */
  readonly dataDir?: string | undefined;
  readonly pool?: PoolOptions | undefined;
  /**
   * `entra`: each new connection's password is an Entra ID access token (entraPassword), unless
   * `pool.password` gives one. Default `password`: the URL's.
   */
  readonly databaseAuth?: DatabaseAuth | undefined;
  /** Check the server answers before returning (default true). */
  readonly verifyConnection?: boolean | undefined;
}

interface OpenedBase {
  /** For messages: a URL without password, or the PGlite folder. */
  readonly description: string;
  readonly db: Kysely<Database>;
  /** Ends the pool or closes PGlite. */
  close(): Promise<void>;
}

export type OpenedDatabase =
  | (OpenedBase & { readonly kind: 'postgres'; readonly pool: pg.Pool })
  | (OpenedBase & { readonly kind: 'pglite'; readonly pglite: PGlite });

/**
 * Opens the apps' database: PostgreSQL at `databaseUrl` through createPool (timeouts, the
 * connection-loss guard), else PGlite in `<dataDir>/pglite`. A database that cannot be reached
 * throws a SettingError naming DATABASE_URL or PAYMETRICS_DATA_DIR, in one password-free line.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const url = typeof options.databaseUrl === 'string' ? options.databaseUrl : options.databaseUrl?.reveal();
  if (url) return openPostgres(url, options);
  return openPGlite(resolve(options.dataDir ?? './.data', 'pglite'));
}

async function openPostgres(databaseUrl: string, options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const description = describeDatabaseUrl(databaseUrl);
  const entra = options.databaseAuth === 'entra' && options.pool?.password === undefined;
  const pool = createPool(databaseUrl, { ...options.pool, ...(entra ? { password: entraPassword() } : {}) });
  if (options.verifyConnection ?? true) {
    try {
      const client = await pool.connect();
      client.release();
    } catch (error) {
      await pool.end().catch(() => {});
      const reason = connectionFailureReason(error, passwordOf(databaseUrl));
      throw new SettingError(
        SettingName.databaseUrl,
        `cannot connect to ${SettingName.databaseUrl} (${description}): ${reason}`,
        { cause: error },
      );
    }
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kind: 'postgres', description, db, pool, close: () => db.destroy() };
}

async function openPGlite(dir: string): Promise<OpenedDatabase> {
  const description = `embedded PGlite at ${dir}`;
  let pglite: PGlite;
  try {
    await mkdir(dir, { recursive: true });
    // Loaded only for the embedded database: PGlite costs ~40 MB to a process that never uses it.
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(dir);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SettingError(
      SettingName.dataDir,
      `cannot open the embedded database in ${SettingName.dataDir} (${description}): ${reason}`,
      { cause: error },
    );
  }
  const db = createPGliteKysely<Database>(pglite);
  return { kind: 'pglite', description, db, pglite, close: () => db.destroy() };
}
