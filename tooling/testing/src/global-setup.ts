import { startPostgresServer } from './postgres-server.js';

/**
 * Gives every test a real PostgreSQL server: DATABASE_URL when set, otherwise a throwaway
 * cluster started here and removed afterwards. Workers inherit the variable set below.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.PAYMETRICS_TEST_SERVER_URL) return undefined;
  if (process.env.DATABASE_URL) {
    process.env.PAYMETRICS_TEST_SERVER_URL = process.env.DATABASE_URL;
    return undefined;
  }
  const server = await startPostgresServer({ fsync: false });
  process.env.PAYMETRICS_TEST_SERVER_URL = server.url;
  return () => server.stop();
}
