import { createTestDatabase, type TestDatabase } from '@paymetrics/testing';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../test/targets.js';
import type { AnyDatabase } from './any-database.js';
import { migrateToLatest } from './migrate-to-latest.js';
import { readSchemaFiles } from './schema-files.js';

describe('migrators started at once against one PostgreSQL database', () => {
  const targets: AnyDatabase[] = [];
  let database: TestDatabase | undefined;
  afterEach(async () => {
    for (const db of targets.splice(0)) await db.destroy();
    await database?.drop();
  });

  it('apply each file exactly once, on separate connections, without an error', async () => {
    database = await createTestDatabase('migrate_concurrent');
    const url = database.url;
    for (let i = 0; i < 4; i++) targets.push(openPostgres(url));

    const reports = await Promise.all(targets.map((db) => migrateToLatest(db)));

    const names = (await readSchemaFiles()).map((file) => file.name);
    const appliedByAll = reports.flatMap((report) => report.applied);
    expect(appliedByAll.toSorted()).toEqual(names);
    for (const report of reports) {
      expect(report.pending).toEqual([]);
      // Each migrator applies files in order even when it takes turns with the others.
      expect(report.applied).toEqual(names.filter((name) => report.applied.includes(name)));
    }

    const db = targets[0]!;
    const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    expect(recorded.rows.map((row) => row.name.split('@')[0])).toEqual(names);
    const tables = await sql<{ table_name: string; n: number }>`
      select table_name, count(*)::int as n from information_schema.tables
      where table_schema = 'public' and table_name not like 'kysely%' group by table_name order by table_name`.execute(
      db,
    );
    // Each table exists once (no migrator created one twice), the contract's among them.
    expect(tables.rows.every((row) => row.n === 1)).toBe(true);
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        'aggregate_histograms',
        'dynamic_metrics',
        'failed_items',
        'payment_metrics_5m',
        'processed_events',
        'source_positions',
      ]),
    );
  });
});
