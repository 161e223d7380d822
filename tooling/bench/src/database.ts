import { randomBytes } from 'node:crypto';
import { type PostgresServer, schemaScripts, startPostgresServer } from '@paymetrics/testing';
import pg from 'pg';

export interface BenchServer {
  /** Where databases are created: DATABASE_URL, or a throwaway server with fsync on. */
  readonly url: string;
  readonly description: string;
  stop(): Promise<void>;
}

export async function openBenchServer(): Promise<BenchServer> {
  const given = process.env.DATABASE_URL;
  if (given) return { url: given, description: 'DATABASE_URL', stop: async () => undefined };
  const server: PostgresServer = await startPostgresServer({ fsync: true });
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  await client.end();
  return {
    url: server.url,
    description: `throwaway PostgreSQL ${rows[0]?.server_version ?? '?'} (fsync on, default settings)`,
    stop: () => server.stop(),
  };
}

export interface BenchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh database on the server with every schema file applied. */
export async function createBenchDatabase(serverUrl: string, prefix: string): Promise<BenchDatabase> {
  const name = `bench_${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    for (const script of schemaScripts()) await client.query(script);
  } finally {
    await client.end();
  }
  return {
    url: url.toString(),
    async drop() {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

export async function queryOne<T extends object>(url: string, text: string): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<T & pg.QueryResultRow>(text);
    return rows[0] as T;
  } finally {
    await client.end();
  }
}
