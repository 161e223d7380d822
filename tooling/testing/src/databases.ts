import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests create their databases on: the harness's throwaway server, or DATABASE_URL. */
export function testServerUrl(): string {
  const url = process.env.PAYMETRICS_TEST_SERVER_URL;
  if (!url)
    throw new Error('PAYMETRICS_TEST_SERVER_URL is not set: run tests through the root vitest config');
  return url;
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/**
 * Creates an empty database with a unique name, so test files never share state; on the test
 * server unless another server is named (the benchmark's).
 */
export async function createTestDatabase(
  prefix = 'test',
  serverUrl = testServerUrl(),
): Promise<TestDatabase> {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        // A pool's end() resolves before its connections are gone; FORCE would then kill a
        // closing connection, whose client emits the 57P01 error with nobody listening.
        for (let waited = 0; waited < 5_000; waited += 20) {
          const { rows } = await client.query<{ sessions: number }>(
            'SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          if ((rows[0]?.sessions ?? 0) === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
