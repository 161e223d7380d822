import { createTestDatabase, type TestDatabase } from '@paymetrics/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createPool } from './pool.js';

describe('createPool on a real PostgreSQL', () => {
  let database: TestDatabase | undefined;
  const pools: ReturnType<typeof createPool>[] = [];
  afterEach(async () => {
    for (const pool of pools.splice(0)) await pool.end();
    await database?.drop();
    database = undefined;
  });

  it('starts every pooled connection with the statement, lock and idle-in-transaction timeouts', async () => {
    database = await createTestDatabase('runtime_pool');
    const pool = createPool(database.url, {
      max: 2,
      statementTimeoutInMs: 45_000,
      lockTimeoutInMs: 1_500,
      idleInTransactionSessionTimeoutInMs: 30_000,
    });
    pools.push(pool);
    // Two connections at once, so the settings are not a property of one lucky connection.
    const clients = await Promise.all([pool.connect(), pool.connect()]);
    try {
      for (const client of clients) {
        const { rows } = await client.query<{ statement: string; lock: string; idle: string }>(
          `SELECT current_setting('statement_timeout') AS statement,
                  current_setting('lock_timeout') AS lock,
                  current_setting('idle_in_transaction_session_timeout') AS idle`,
        );
        expect(rows[0]).toEqual({ statement: '45s', lock: '1500ms', idle: '30s' });
      }
    } finally {
      for (const client of clients) client.release();
    }
  });

  it('fails a statement blocked by a held lock after lock_timeout instead of waiting for it', async () => {
    database = await createTestDatabase('runtime_lock');
    const pool = createPool(database.url, { max: 2, lockTimeoutInMs: 300 });
    pools.push(pool);
    await pool.query('CREATE TABLE held (id int PRIMARY KEY, n int)');
    await pool.query('INSERT INTO held VALUES (1, 0)');
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('UPDATE held SET n = n + 1 WHERE id = 1');
      const started = performance.now();
      const blocked = await pool.query('UPDATE held SET n = n + 1 WHERE id = 1').then(
        () => undefined,
        (error: unknown) => error,
      );
      const waitedMs = performance.now() - started;
      expect(blocked).toMatchObject({ code: '55P03' }); // lock_not_available
      // Generous bound for a loaded machine: without lock_timeout it would wait as long as the holder.
      expect(waitedMs).toBeLessThan(20_000);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
  });

  it('hands a password callback to pg and drops the URL password, which pg would let win', async () => {
    const password = async () => 'token';
    const pool = createPool('postgres://app:from-url@127.0.0.1:1/db', { password });
    pools.push(pool);
    const options = pool.options as { connectionString?: string; password?: unknown; user?: string };
    expect(options.password).toBe(password);
    // No connection string at all: pg would let its (absent) password win over the callback.
    expect(options.connectionString).toBeUndefined();
    expect(options.user).toBe('app');
    expect(JSON.stringify(options)).not.toContain('from-url');
  });
});
