import { PGlite } from '@electric-sql/pglite';
import { compileRuleSet, createMetricEngine, defaultRuleSet } from '@paymetrics/metric-engine';
import { processBatch } from '@paymetrics/pipeline';
import { createPgliteMetricsStore, type Database } from '@paymetrics/storage-adapters';
import { FILE_SOURCE, HUB_SOURCE, mixedBatches, FIXED_NOW as NOW, schemaScripts } from '@paymetrics/testing';
import { Kysely, PGliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SeededDatabase, seededDatabase } from '../test/seeded-database.js';
import { formatReconciliation } from './format-reconciliation.js';
import { type ReconciliationReport, reconcile } from './reconcile.js';

const at = (ms: number) => ({ now: new Date(ms) });
const partition = (report: ReconciliationReport, source: string, partitionId: string) =>
  report.partitions.find((p) => p.source === source && p.partitionId === partitionId);

describe('reconcile on PostgreSQL', () => {
  let seeded: SeededDatabase;
  beforeEach(async () => {
    seeded = await seededDatabase('operations_reconcile');
  });
  afterEach(async () => seeded.close());

  it('is OK after a mixed workload, with the numbers per partition', async () => {
    const report = await reconcile(seeded.db, at(NOW));
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.totals).toMatchObject({ partitions: 3, retriedCounted: 0, events: 45 + 60 + 25 });
    expect(partition(report, FILE_SOURCE, '0')).toMatchObject({
      received: 45,
      counted: 41,
      deadLettered: 3,
      duplicates: 1,
      failedItems: 3,
      firstSequence: 1,
      lastSequence: 45,
      status: 'ok',
    });
    // The eventId repeated in the file is also in each hub batch: a duplicate there.
    expect(partition(report, HUB_SOURCE, '0')).toMatchObject({ received: 60, counted: 58, duplicates: 2 });
    const hub1 = partition(report, HUB_SOURCE, '1')!;
    expect(hub1.checks.find((c) => c.check === 'sequence_span')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('positions before it cannot be checked'),
    });
    expect(report.global.map((c) => [c.check, c.status])).toEqual([
      ['metrics_vs_counted', 'ok'],
      ['processed_events', 'ok'],
      ['decline_count', 'ok'],
      ['latency_histogram', 'ok'],
      ['amount_histogram', 'ok'],
      ['rollups', 'ok'],
    ]);
    expect(report.global[0]).toMatchObject({ expected: 41 + 58 + 24, actual: 41 + 58 + 24 });
    expect(report.verdict).toBe('reconcile: OK — 3 partitions, 130 events, nothing missing or doubled');
    const text = formatReconciliation(report);
    expect(text).toContain(HUB_SOURCE);
    expect(text.trimEnd().split('\n').at(-1)).toBe(report.verdict);
  });

  it('finds a payment_metrics_5m row that lost a count, and names the window', async () => {
    const [row] = await seeded.query<{ window_start: Date }>(
      `UPDATE payment_metrics_5m SET txn_count = txn_count - 1, approved_count = approved_count - 1
        WHERE ctid = (SELECT ctid FROM payment_metrics_5m WHERE approved_count > 0 ORDER BY window_start LIMIT 1)
        RETURNING window_start`,
    );
    const report = await reconcile(seeded.db, at(NOW));
    expect(report.ok).toBe(false);
    expect(report.global.find((c) => c.check === 'metrics_vs_counted')).toMatchObject({
      status: 'mismatch',
      expected: 123,
      actual: 122,
      detail: expect.stringContaining('missing 1'),
    });
    expect(report.global.find((c) => c.check === 'latency_histogram')?.detail).toContain(
      `window ${row!.window_start.toISOString()}`,
    );
    expect(report.verdict).toMatch(/^reconcile: MISMATCH — \d+ problems: metrics_vs_counted: /);
    expect(report.partitions.every((p) => p.status === 'ok')).toBe(true);
  });

  it('finds a stray failed item, naming its partition', async () => {
    await seeded.query(
      `INSERT INTO failed_items (stage, error_code, error_message, payload, payload_bytes, source, partition_id, sequence_number)
       VALUES ('decode', 'invalid_json', 'stray', '{', 1, '${HUB_SOURCE}', '1', 9999)`,
    );
    const report = await reconcile(seeded.db, at(NOW));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      `${HUB_SOURCE} partition 1: 1 failed_items rows but 0 dead-lettered (1 stray)`,
    ]);
    expect(report.verdict).toContain(`MISMATCH — 1 problem: ${HUB_SOURCE} partition 1`);
  });

  it('finds failed items of a partition that has no committed position', async () => {
    await seeded.query(
      `INSERT INTO failed_items (stage, error_code, error_message, payload, payload_bytes, source, partition_id, sequence_number)
       VALUES ('decode', 'invalid_json', 'orphan', '{', 1, 'file:sha256:orphan', '0', 1)`,
    );
    const report = await reconcile(seeded.db, at(NOW));
    expect(partition(report, 'file:sha256:orphan', '0')).toMatchObject({
      status: 'mismatch',
      failedItems: 1,
    });
  });

  it('finds a bumped counter: doubled against the sequence span and the metrics', async () => {
    // The table's CHECK keeps received = the sum of the others, so a bump moves two counters.
    await seeded.query(
      `UPDATE source_positions SET events_received = events_received + 1, events_counted = events_counted + 1
        WHERE source = '${HUB_SOURCE}' AND partition_id = '0'`,
    );
    const report = await reconcile(seeded.db, at(NOW));
    expect(partition(report, HUB_SOURCE, '0')?.checks.find((c) => c.check === 'sequence_span')).toMatchObject(
      {
        status: 'mismatch',
        detail: 'received 61 but sequences 0..59 span only 60: 1 doubled',
      },
    );
    expect(report.global.find((c) => c.check === 'metrics_vs_counted')?.status).toBe('mismatch');
    expect(report.problems[0]).toBe(
      `${HUB_SOURCE} partition 0: received 61 but sequences 0..59 span only 60: 1 doubled`,
    );
  });

  it('finds counters that break the law itself once the CHECK is gone', async () => {
    await seeded.query('ALTER TABLE source_positions DROP CONSTRAINT source_positions_check');
    await seeded.query(
      `UPDATE source_positions SET events_received = events_received + 2 WHERE source = '${FILE_SOURCE}'`,
    );
    const report = await reconcile(seeded.db, at(NOW));
    const file = partition(report, FILE_SOURCE, '0')!;
    expect(file.checks.find((c) => c.check === 'counters')).toMatchObject({
      status: 'mismatch',
      expected: 47,
      actual: 45,
      detail: expect.stringContaining('(missing 2)'),
    });
    expect(file.checks.find((c) => c.check === 'sequence_span')?.status).toBe('mismatch');
  });

  it('finds a file partition whose first lines were never committed', async () => {
    await seeded.query(
      `UPDATE source_positions SET first_sequence = 3, events_received = events_received - 2, events_counted = events_counted - 2
        WHERE source = '${FILE_SOURCE}'`,
    );
    const report = await reconcile(seeded.db, at(NOW));
    expect(report.problems).toContain(`${FILE_SOURCE} partition 0: starts at sequence 3, not 1: 2 missing`);
  });

  it('says the processed_events check does not apply once old windows were pruned, and still checks the rest', async () => {
    const [oldest] = await seeded.query<{ w: Date }>('SELECT min(window_start) AS w FROM processed_events');
    await seeded.query(`DELETE FROM processed_events WHERE window_start = '${oldest!.w.toISOString()}'`);
    const eightDaysLater = NOW + 8 * 86_400_000;
    const since = { from: new Date(NOW - 86_400_000) };
    const pruned = await reconcile(seeded.db, { ...at(eightDaysLater), ...since });
    expect(pruned.global.find((c) => c.check === 'processed_events')).toMatchObject({
      status: 'not_applicable',
      detail: expect.stringContaining('processed_events was pruned'),
    });
    expect(pruned.ok).toBe(true);

    // Within the retention, the same gap is a loss.
    const recent = await reconcile(seeded.db, at(NOW));
    expect(recent.global.find((c) => c.check === 'processed_events')?.status).toBe('mismatch');

    // A later window with a missing row is a mismatch even after pruning.
    await seeded.query(
      'DELETE FROM processed_events WHERE event_id = (SELECT event_id FROM processed_events ORDER BY window_start DESC LIMIT 1)',
    );
    const both = await reconcile(seeded.db, { ...at(eightDaysLater), ...since });
    expect(both.global.find((c) => c.check === 'processed_events')?.status).toBe('mismatch');
  });

  it('reads only the windows of its range (the last 7 days by default) and says what it covered', async () => {
    // An eventId of a window 30 days old whose metrics are gone: outside the default range, unread.
    await seeded.query(
      `INSERT INTO processed_events (event_id, window_start)
       VALUES ('00000000-0000-4000-8000-000000000001', '${new Date(NOW - 30 * 86_400_000).toISOString()}')`,
    );
    const recent = await reconcile(seeded.db, at(NOW));
    expect(recent.problems).toEqual([]);
    expect(recent.covered).toEqual({
      from: new Date(NOW - 7 * 86_400_000).toISOString(),
      to: new Date(NOW + 10 * 60_000).toISOString(),
      windows: 7 * 288 + 2,
    });
    expect(formatReconciliation(recent)).toContain(
      `covered: windows ${recent.covered.from} .. ${recent.covered.to} (2,018 windows)`,
    );

    const month = await reconcile(seeded.db, { ...at(NOW), from: new Date(NOW - 31 * 86_400_000) });
    expect(month.covered.from).toBe(new Date(NOW - 31 * 86_400_000).toISOString());
    expect(month.global.find((c) => c.check === 'processed_events')).toMatchObject({
      status: 'mismatch',
      detail: expect.stringContaining(`window ${new Date(NOW - 30 * 86_400_000).toISOString()}`),
    });
  });

  it('finds a decline_count row that lost a count', async () => {
    await seeded.query(
      `UPDATE dynamic_metrics SET value_count = value_count + 1
        WHERE ctid = (SELECT ctid FROM dynamic_metrics WHERE metric_name = 'decline_count' LIMIT 1)`,
    );
    const report = await reconcile(seeded.db, at(NOW));
    expect(report.global.find((c) => c.check === 'decline_count')).toMatchObject({
      status: 'mismatch',
      detail: expect.stringContaining('doubled 1'),
    });
    expect((await reconcile(seeded.db, { now: new Date(NOW), declineCountMetric: null })).ok).toBe(true);
  });
});

describe('reconcile on PGlite', () => {
  it('is OK after the mixed workload (smoke test)', async () => {
    const pglite = new PGlite();
    for (const script of schemaScripts()) await pglite.exec(script);
    const store = createPgliteMetricsStore({ pglite });
    const engine = createMetricEngine({ rules: compileRuleSet(defaultRuleSet) });
    for (const batch of mixedBatches()) await processBatch(batch, { store, engine, clock: () => NOW });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    try {
      const report = await reconcile(db, at(NOW));
      expect(report.problems).toEqual([]);
      expect(report.verdict).toBe('reconcile: OK — 3 partitions, 130 events, nothing missing or doubled');
    } finally {
      await db.destroy();
    }
  });
});
