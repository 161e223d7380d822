import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './databases.js';

describe('test databases', () => {
  const created: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of created) await db.drop();
  });

  it('creates an isolated, empty database on a real server', async () => {
    const a = await createTestDatabase('iso');
    const b = await createTestDatabase('iso');
    created.push(a, b);
    expect(a.name).not.toBe(b.name);
    const client = new pg.Client({ connectionString: a.url });
    await client.connect();
    const { rows } = await client.query<{ db: string; tables: string }>(
      "select current_database() as db, count(*)::text as tables from pg_tables where schemaname = 'public'",
    );
    await client.end();
    expect(rows[0]).toEqual({ db: a.name, tables: '0' });
  });
});
