import { join } from 'node:path';
import { postgresErrorCode } from '@paymetrics/runtime';
import {
  createSchemaDatabase,
  type PostgresServer,
  startPostgresServer,
  type TestDatabase,
  withClient,
} from '@paymetrics/testing';
import pg from 'pg';
import { postgresCpuMs, postmasterPid } from './server-cpu.js';

export interface BenchServer {
  /** Where databases are created: DATABASE_URL, or a throwaway server with fsync on. */
  readonly url: string;
  readonly description: string;
  /** CPU time the server has used so far, in ms; undefined for a server elsewhere (DATABASE_URL). */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

export async function openBenchServer(): Promise<BenchServer> {
  const given = process.env.DATABASE_URL;
  if (given) {
    return { url: given, description: 'DATABASE_URL', cpuMs: () => undefined, stop: async () => undefined };
  }
  const server: PostgresServer = await startPostgresServer({ fsync: true });
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  await client.end();
  const pid = postmasterPid(join(server.dataDir, 'data'));
  return {
    url: server.url,
    cpuMs: () => postgresCpuMs(pid),
    description: `throwaway PostgreSQL ${rows[0]?.server_version ?? '?'} (fsync on, default settings)`,
    stop: () => server.stop(),
  };
}

export type BenchDatabase = TestDatabase;

/**
 * A fresh database on the server with every schema file applied, and a CHECKPOINT: the WAL that
 * earlier measurements (and the schema) wrote is flushed now, so that a checkpoint it triggers
 * does not land inside the next measurement (it did: lag p95 174-181 ms in full runs against
 * 89-106 ms for the same code measured alone). A server where the bench's role may not
 * checkpoint (SQLSTATE 42501) is measured without it.
 */
const INSUFFICIENT_PRIVILEGE = '42501';

export async function createBenchDatabase(serverUrl: string, prefix: string): Promise<BenchDatabase> {
  const database = await createSchemaDatabase(`bench_${prefix}`, serverUrl);
  await withClient(serverUrl, (client) => client.query('CHECKPOINT')).catch((error: unknown) => {
    if (postgresErrorCode(error) !== INSUFFICIENT_PRIVILEGE) throw error;
  });
  return database;
}
