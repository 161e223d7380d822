import { createTestDatabase, type TestDatabase } from '@paymetrics/testing';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from './create-runtime.js';
import { SettingError } from './setting-error.js';
import { readSettings } from './settings.js';

describe('createRuntime on a real PostgreSQL', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('refuses a database without the schema, naming DATABASE_URL and the fix', async () => {
    database = await createTestDatabase('runtime_check');
    const settings = readSettings({ DATABASE_URL: database.url }, { cwd: '/tmp' });
    const error = await createRuntime(settings).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(SettingError);
    expect((error as SettingError).message).toMatch(
      /^DATABASE_URL \(postgres:\/\/.*\) has no payment_metrics_5m, .*processed_events table/,
    );
    expect((error as SettingError).message).toMatch(/run pnpm migrate first$/);
  });

  it('migrates when asked, and its store, db and pool share one set of timeouts', async () => {
    database = await createTestDatabase('runtime_migrate');
    const settings = readSettings(
      { DATABASE_URL: database.url, PAYMETRICS_PG_LOCK_TIMEOUT_MS: '1234' },
      { cwd: '/tmp' },
    );
    const runtime = await createRuntime(settings, { schema: 'migrate', archive: false });
    try {
      expect(runtime.kind).toBe('postgres');
      expect(runtime.archive).toBeUndefined();
      expect(runtime.where[0]).toMatch(/^metrics: PostgreSQL at postgres:\/\//);
      expect(await runtime.store.readPosition({ source: 'nowhere', partitionId: '0' })).toBeUndefined();
      const positions = await runtime.db.selectFrom('source_positions').selectAll().execute();
      expect(positions).toEqual([]);
      const { rows } = await sql<{ lock: string }>`SELECT current_setting('lock_timeout') AS lock`.execute(
        runtime.db,
      );
      expect(rows[0]?.lock).toBe('1234ms');
    } finally {
      await runtime.close();
      await runtime.close();
    }
  });
});
