import { startAzurite } from './azurite-server.js';
import { startPostgresServer } from './postgres-server.js';

type Teardown = () => Promise<void>;

/**
 * Gives every test a real PostgreSQL server: DATABASE_URL when set, otherwise a throwaway
 * cluster started here and removed afterwards. Workers inherit the variable set below.
 */
async function setupPostgres(): Promise<Teardown | undefined> {
  if (process.env.PAYMETRICS_TEST_SERVER_URL) return undefined;
  if (process.env.DATABASE_URL) {
    process.env.PAYMETRICS_TEST_SERVER_URL = process.env.DATABASE_URL;
    return undefined;
  }
  const server = await startPostgresServer({ fsync: false });
  process.env.PAYMETRICS_TEST_SERVER_URL = server.url;
  return () => server.stop();
}

/** The same for Blob Storage: AZURE_STORAGE_CONNECTION_STRING when set, otherwise Azurite. */
async function setupAzurite(): Promise<Teardown | undefined> {
  if (process.env.PAYMETRICS_TEST_AZURITE_CONNECTION_STRING) return undefined;
  if (process.env.AZURE_STORAGE_CONNECTION_STRING) {
    process.env.PAYMETRICS_TEST_AZURITE_CONNECTION_STRING = process.env.AZURE_STORAGE_CONNECTION_STRING;
    return undefined;
  }
  const server = await startAzurite();
  process.env.PAYMETRICS_TEST_AZURITE_CONNECTION_STRING = server.connectionString;
  return () => server.stop();
}

export default async function setup(): Promise<Teardown | undefined> {
  // Both start at once; if one fails, the one that started is stopped before failing.
  const started = await Promise.allSettled([setupPostgres(), setupAzurite()]);
  const teardowns = started.flatMap((result) =>
    result.status === 'fulfilled' && result.value ? [result.value] : [],
  );
  const teardown = async () => {
    await Promise.allSettled(teardowns.map((stop) => stop()));
  };
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    await teardown();
    throw failure.reason;
  }
  return teardowns.length > 0 ? teardown : undefined;
}
