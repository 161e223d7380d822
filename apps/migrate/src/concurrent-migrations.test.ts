import { createTestDatabase, type TestDatabase } from '@paymetrics/testing';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrate-to-latest.js';
import { type DatabaseTarget, openDatabase } from './open-database.js';
import { readSchemaFiles } from './schema-files.js';

describe('migrators started at once against one PostgreSQL database', () => {
  const targets: DatabaseTarget[] = [];
  let database: TestDatabase | undefined;
  afterEach(async () => {
    for (const target of targets.splice(0)) await target.close();
    await database?.drop();
  });

  it('apply each file exactly once, on separate connections, without an error', async () => {
    database = await createTestDatabase('migrate_concurrent');
    const url = database.url;
    for (let i = 0; i < 4; i++) targets.push(await openDatabase({ databaseUrl: url }));

    const reports = await Promise.all(targets.map((target) => migrateToLatest(target.db)));

    const names = (await readSchemaFiles()).map((file) => file.name);
    const appliedByAll = reports.flatMap((report) => report.applied);
    expect(appliedByAll.toSorted()).toEqual(names);
    for (const report of reports) {
      expect(report.pending).toEqual([]);
      // Each migrator applies files in order even when it takes turns with the others.
      expect(report.applied).toEqual(names.filter((name) => report.applied.includes(name)));
    }

    const db = targets[0]!.db;
    const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    expect(recorded.rows.map((row) => row.name.split('@')[0])).toEqual(names);
    const tables = await sql<{ table_name: string; n: number }>`
      select table_name, count(*)::int as n from information_schema.tables
      where table_schema = 'public' and table_name not like 'kysely%' group by table_name order by table_name`.execute(
      db,
    );
    expect(tables.rows).toEqual(
      [
        'aggregate_histograms',
        'dynamic_metrics',
        'failed_items',
        'payment_metrics_5m',
        'processed_events',
        'source_positions',
      ].map((table_name) => ({ table_name, n: 1 })),
    );
  });
});
