import pg from 'pg';

/**
 * A pool for tests. pg-pool's end() resolves before its clients have closed, so dropping the
 * database WITH (FORCE) right after can terminate a closing client; that late 57P01 is noise.
 */
export function createTestPool(url: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('connect', (client) => client.on('error', () => undefined));
  pool.on('error', () => undefined);
  return pool;
}
