import { compileRuleSet, createMetricEngine, defaultRuleSet } from '@paymetrics/metric-engine';
import { type ValidTransaction, validateTransaction } from '@paymetrics/schemas';
import { createPostgresMetricsStore, type Database, refreshRollups } from '@paymetrics/storage-adapters';
import { createSchemaDatabase, type TestDatabase, validEvent } from '@paymetrics/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from './reconcile.js';
import { checkRollups } from './reconcile-rollups.js';

const START = Date.parse('2026-11-26T22:40:00.000Z');
/** Windows from an hour before the first event to an hour after the last: the check widens it to whole days. */
const range = { fromMs: START - 3_600_000, toMs: START + 4 * 3_600_000 };

/** Events over ~3 hours across midnight UTC, so hour and day rollups both take several rows. */
function events(count: number, offset: number): ValidTransaction[] {
  return Array.from({ length: count }, (_, n) => {
    const i = n + offset;
    const body = validEvent(i, {
      occurredAt: new Date(START + ((i * 104_729) % (3 * 3_600_000))).toISOString(),
    });
    const result = validateTransaction(body);
    if (!result.ok) throw new Error(result.message);
    return { transaction: result.transaction, occurredAtMs: result.occurredAtMs };
  });
}

let database: TestDatabase;
let pool: pg.Pool;
let db: Kysely<Database>;

beforeAll(async () => {
  database = await createSchemaDatabase('operations_rollups');
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }),
  });
});

afterAll(async () => {
  await db?.destroy();
  await pool?.end();
  await database?.drop();
});

describe('hour and day rollups', () => {
  it('equal the sum of their 5-minute rows after concurrent batches and a refresh', async () => {
    const store = createPostgresMetricsStore({ pool });
    const engine = createMetricEngine({ rules: compileRuleSet(defaultRuleSet) });
    // Eight batches over the same windows, two at a time: most statements update existing rows.
    for (let round = 0; round < 4; round++) {
      await Promise.all(
        [0, 1].map((lane) =>
          store.transaction((writer) =>
            writer.writeMetrics(engine.derive(events(600, (round * 2 + lane) * 600))),
          ),
        ),
      );
    }
    // Until a refresh, the changed hours are pending and not compared; the refresh makes them equal.
    const before = await checkRollups(db, range);
    expect(before.mismatches).toEqual([]);
    expect(before.pendingHours).toBeGreaterThanOrEqual(3);
    expect(await refreshRollups(db)).toBe(before.pendingHours);
    expect(await checkRollups(db, range)).toEqual({ mismatches: [], pendingHours: 0 });

    const { rows } = await sql<{ grain: string; rows: number; txns: string }>`
      SELECT '1h' AS grain, count(*)::int AS rows, sum(txn_count)::text AS txns FROM payment_metrics_1h
      UNION ALL SELECT '1d', count(*)::int, sum(txn_count)::text FROM payment_metrics_1d
      UNION ALL SELECT '5m', count(*)::int, sum(txn_count)::text FROM payment_metrics_5m ORDER BY 1`.execute(
      db,
    );
    expect(rows.map((row) => row.txns)).toEqual(['4800', '4800', '4800']);
    expect(rows.find((row) => row.grain === '1d')!.rows).toBeLessThan(
      rows.find((row) => row.grain === '1h')!.rows,
    );
  });

  it('reports a rollup row that no longer matches', async () => {
    await sql`UPDATE payment_metrics_1h SET txn_count = txn_count + 1, approved_count = approved_count + 1
               WHERE ctid = (SELECT min(ctid) FROM payment_metrics_1h)`.execute(db);
    await sql`UPDATE aggregate_histograms_1d SET sketch = jsonb_set(sketch, '{zeroCount}', '7')
               WHERE ctid = (SELECT min(ctid) FROM aggregate_histograms_1d)`.execute(db);
    const { mismatches } = await checkRollups(db, range);
    expect(mismatches.map((m) => [m.table, m.mismatchedRows])).toEqual([
      ['payment_metrics_1h', 1],
      ['aggregate_histograms_1d', 1],
    ]);
    // pnpm reconcile reports the same rows as a mismatch of its own.
    const report = await reconcile(db, {
      now: new Date(START + 3 * 3_600_000),
      from: new Date(range.fromMs),
      to: new Date(range.toMs),
    });
    const rollups = report.global.find((check) => check.check === 'rollups');
    expect(rollups?.status).toBe('mismatch');
    expect(rollups?.detail).toMatch(/payment_metrics_1h: 1 row/);
    expect(report.ok).toBe(false);
  });
});
