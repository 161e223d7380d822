import type { BatchMetrics } from '@paymetrics/metric-engine';
import { createTestDatabase, schemaScripts, type TestDatabase } from '@paymetrics/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsStore } from '../metrics-store.js';
import { createPostgresMetricsStore } from '../postgres/postgres-metrics-store.js';

const WINDOW = Date.UTC(2026, 10, 27, 10, 0);
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('BatchWriter (PostgreSQL)', () => {
  let database: TestDatabase;
  let store: MetricsStore;
  let probe: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase('batch_writer');
    probe = new pg.Pool({ connectionString: database.url, max: 2 });
    for (const script of schemaScripts()) await probe.query(script);
    store = createPostgresMetricsStore({ pool: new pg.Pool({ connectionString: database.url, max: 4 }) });
  });

  afterAll(async () => {
    await store.close();
    await probe.end();
    await database.drop();
  });

  describe('claimEventIds under concurrency', () => {
    async function waitForLockWaiter(): Promise<void> {
      for (;;) {
        const { rows } = await probe.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE NOT l.granted AND a.datname = current_database()`,
        );
        if ((rows[0]?.waiting ?? 0) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }

    it('counts an id once when two transactions claim it at the same time, and keeps the rest of the claim', async () => {
      let releaseFirst!: () => void;
      const firstHolds = new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      let firstClaimed!: () => void;
      const firstHasClaimed = new Promise<void>((resolve) => {
        firstClaimed = resolve;
      });
      const first = store.transaction(async (writer) => {
        const duplicates = await writer.claimEventIds([{ eventId: uuid(1), windowStartMs: WINDOW }]);
        firstClaimed();
        await firstHolds;
        return duplicates;
      });
      await firstHasClaimed;
      // The second claim's plain insert waits on the first's uncommitted row, then meets a unique
      // violation and must fall back to ON CONFLICT within its own transaction.
      const second = store.transaction(async (writer) => {
        const duplicates = await writer.claimEventIds([
          { eventId: uuid(1), windowStartMs: WINDOW },
          { eventId: uuid(2), windowStartMs: WINDOW + 300_000 },
        ]);
        // A statement after the fallback proves the transaction was not left aborted.
        await writer.advancePosition(
          { source: 'race', partitionId: '0' },
          { firstSequence: 1, lastSequence: 2 },
          { received: 2, counted: 1, deadLettered: 0, duplicates: 1 },
        );
        return duplicates;
      });
      await waitForLockWaiter();
      releaseFirst();
      expect([...(await first)]).toEqual([]);
      expect([...(await second)]).toEqual([uuid(1)]);
      const { rows } = await probe.query<{ event_id: string; window_start: Date }>(
        'SELECT event_id, window_start FROM processed_events ORDER BY event_id',
      );
      expect(rows.map((r) => [r.event_id, r.window_start.getTime()])).toEqual([
        [uuid(1), WINDOW],
        [uuid(2), WINDOW + 300_000],
      ]);
    });

    it('reports ids already stored as duplicates without failing the transaction', async () => {
      const duplicates = await store.transaction(async (writer) => {
        const repeated = await writer.claimEventIds([
          { eventId: uuid(2), windowStartMs: WINDOW },
          { eventId: uuid(3), windowStartMs: WINDOW },
        ]);
        await writer.advancePosition(
          { source: 'test', partitionId: '0' },
          { firstSequence: 1, lastSequence: 2 },
          { received: 2, counted: 1, deadLettered: 0, duplicates: 1 },
        );
        return repeated;
      });
      expect([...duplicates]).toEqual([uuid(2)]);
      const { rows } = await probe.query<{ n: number }>('SELECT count(*)::int AS n FROM processed_events');
      expect(rows[0]?.n).toBe(3);
    });
  });

  describe('writeMetrics', () => {
    beforeAll(async () => {
      // Each metric table logs its row writes (BEFORE INSERT fires for an upsert that updates, too):
      // which table, in which statement, in what order.
      await probe.query(`
      CREATE TABLE write_log (id serial PRIMARY KEY, tbl text NOT NULL, statement_started timestamptz NOT NULL);
      CREATE FUNCTION log_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO write_log (tbl, statement_started) VALUES (TG_TABLE_NAME, statement_timestamp());
        RETURN NEW;
      END $$;
      CREATE TRIGGER log_write BEFORE INSERT ON payment_metrics_5m FOR EACH ROW EXECUTE FUNCTION log_write();
      CREATE TRIGGER log_write BEFORE INSERT ON aggregate_histograms FOR EACH ROW EXECUTE FUNCTION log_write();
      CREATE TRIGGER log_write BEFORE INSERT ON dynamic_metrics FOR EACH ROW EXECUTE FUNCTION log_write();`);
    });

    it('writes payment rows, histograms and rule metrics in one statement, tables in that fixed order', async () => {
      const dimensions = { merchant_id: 'm1' };
      const batch: BatchMetrics = {
        paymentMetrics: [
          {
            windowStartMs: WINDOW,
            merchantId: 'm1',
            paymentMethod: 'card',
            cardBrand: 'visa',
            currency: 'EUR',
            country: 'DE',
            channel: 'ecommerce',
            txnCount: 1,
            approvedCount: 1,
            declinedCount: 0,
            errorCount: 0,
            amountMinorSum: 100n,
            approvedAmountMinorSum: 100n,
            latencyMsSum: 12,
            latencyMsMin: 12,
            latencyMsMax: 12,
          },
        ],
        histograms: [
          {
            windowStartMs: WINDOW,
            metricName: 'processor_latency_ms',
            dimensions,
            count: 1,
            sum: 12,
            min: 12,
            max: 12,
            sketch: { relativeAccuracy: 0.01, zeroCount: 0, bins: { '125': 1 } },
          },
        ],
        dynamicMetrics: [
          {
            windowStartMs: WINDOW,
            metricName: 'declines',
            dimensions,
            valueCount: 1,
            valueSum: 1,
            valueMin: 1,
            valueMax: 1,
          },
        ],
        windowsTouched: [WINDOW],
      };
      // Twice: once inserting the rows, once updating them (the ON CONFLICT path).
      for (let i = 0; i < 2; i++) await store.transaction((writer) => writer.writeMetrics(batch));

      const { rows } = await probe.query<{ tbl: string; statement_started: Date }>(
        'SELECT tbl, statement_started FROM write_log ORDER BY id',
      );
      expect(rows.map((r) => r.tbl)).toEqual([
        ...['payment_metrics_5m', 'aggregate_histograms', 'dynamic_metrics'],
        ...['payment_metrics_5m', 'aggregate_histograms', 'dynamic_metrics'],
      ]);
      const statements = new Set(rows.map((r) => r.statement_started.getTime()));
      expect(statements.size).toBe(2);
      const { rows: stored } = await probe.query<{ txn_count: string; count: string; value_count: string }>(
        `SELECT p.txn_count, h.count, d.value_count
         FROM payment_metrics_5m p, aggregate_histograms h, dynamic_metrics d`,
      );
      expect(stored).toEqual([{ txn_count: '2', count: '2', value_count: '2' }]);
    });
  });
});
