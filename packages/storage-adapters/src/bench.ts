/**
 * Commit latency of one 1,000-event batch: `npx tsx --conditions @paymetrics/source src/bench.ts [batches]`.
 * Starts a throwaway PostgreSQL with fsync on (and an in-memory PGlite), writes what the engine
 * derives from a realistic batch (claims, metric upserts, a few failed items, the position) and
 * prints a table for people and a JSON line for scripts. Not a test: numbers vary by machine.
 */
import { PGlite } from '@electric-sql/pglite';
import type { BatchMetrics, HistogramRow, PaymentMetricsRow } from '@paymetrics/metric-engine';
import type { FailedItemRecord } from '@paymetrics/schemas';
import { schemaScripts, startPostgresServer } from '@paymetrics/testing';
import pg from 'pg';
import type { MetricsStore } from './metrics-store.js';
import { createPgliteMetricsStore } from './pglite/pglite-metrics-store.js';
import { createPostgresMetricsStore } from './postgres/postgres-metrics-store.js';

const batches = Number(process.argv[2] ?? 200);
const EVENTS = 1_000;
const WINDOW = Date.UTC(2026, 10, 27, 10, 0);
const methods = ['card', 'wallet', 'bank_transfer', 'bnpl'];
const countries = ['DE', 'FR', 'NL', 'US', 'GB'];

function batchMetrics(batch: number): BatchMetrics {
  // 1,000 events over 50 merchants spread into about 400 payment keys, 2 windows.
  const payments: PaymentMetricsRow[] = [];
  const histograms: HistogramRow[] = [];
  for (let i = 0; i < 400; i++) {
    const windowStartMs = WINDOW + (i % 2) * 300_000;
    const merchantId = `merchant-${(i * 7 + batch) % 50}`;
    payments.push({
      windowStartMs,
      merchantId,
      paymentMethod: methods[i % 4]!,
      cardBrand: i % 4 === 0 ? 'visa' : 'none',
      currency: 'EUR',
      country: countries[i % 5]!,
      channel: 'ecommerce',
      txnCount: 3,
      approvedCount: 2,
      declinedCount: 1,
      errorCount: 0,
      amountMinorSum: 123_456n,
      approvedAmountMinorSum: 100_000n,
      latencyMsSum: 420.5,
      latencyMsMin: 80,
      latencyMsMax: 200,
    });
  }
  for (let m = 0; m < 50; m++) {
    for (const windowStartMs of [WINDOW, WINDOW + 300_000]) {
      const bins: Record<string, number> = {};
      for (let b = 0; b < 20; b++) bins[String(200 + b * 3)] = 1;
      histograms.push({
        windowStartMs,
        metricName: 'processor_latency_ms',
        dimensions: { merchant_id: `merchant-${m}` },
        count: 20,
        sum: 2_400.5,
        min: 40,
        max: 400,
        sketch: { relativeAccuracy: 0.01, zeroCount: 0, bins },
      });
    }
  }
  return {
    paymentMetrics: payments,
    dynamicMetrics: Array.from({ length: 60 }, (_, i) => ({
      windowStartMs: WINDOW,
      metricName: 'decline_count',
      dimensions: { merchant_id: `merchant-${i % 50}`, decline_code: String(i % 3) },
      valueCount: 2,
      valueSum: 2,
      valueMin: 1,
      valueMax: 1,
    })),
    histograms,
    windowsTouched: [WINDOW, WINDOW + 300_000],
  };
}

function uuid(n: number): string {
  const hex = n.toString(16).padStart(20, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${'0'.repeat(12)}`;
}

async function commitBatch(store: MetricsStore, partitionId: string, batch: number): Promise<number> {
  const partition = { source: 'bench', partitionId };
  const first = batch * EVENTS;
  const metrics = batchMetrics(batch);
  const failed: FailedItemRecord[] = Array.from({ length: 10 }, (_, i) => ({
    stage: 'validate',
    errorCode: 'invalid_amount',
    errorMessage: 'amountMinor must be an integer',
    payload: '{"amountMinor":1.5}',
    payloadEncoding: 'utf8',
    payloadBytes: 19,
    payloadRef: null,
    source: partition.source,
    partitionId,
    sequenceNumber: first + i,
    eventId: null,
    nextAttemptAt: null,
  }));
  const claims = Array.from({ length: EVENTS - 10 }, (_, i) => ({
    eventId: uuid(Number(partitionId) * 1e9 + first + i),
    windowStartMs: WINDOW,
  }));
  const started = performance.now();
  await store.transaction(async (writer) => {
    await writer.lockPosition(partition);
    const duplicates = await writer.claimEventIds(claims);
    await writer.writeMetrics(metrics);
    await writer.writeFailedItems(failed);
    await writer.advancePosition(
      partition,
      { firstSequence: first, lastSequence: first + EVENTS - 1 },
      {
        received: EVENTS,
        counted: EVENTS - 10 - duplicates.size,
        deadLettered: 10,
        duplicates: duplicates.size,
      },
    );
  });
  return performance.now() - started;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(name: string, store: MetricsStore, partitions: number) {
  for (let i = 0; i < 10; i++) await commitBatch(store, String(1000 + i), i); // warm up
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: partitions }, async (_, p) => {
      for (let b = 0; b < batches; b++) latencies.push(await commitBatch(store, String(p), b));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    scenario: name,
    partitions,
    batches: latencies.length,
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p95Ms: Number(percentile(latencies, 95).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    eventsPerSecond: Math.round((latencies.length * EVENTS) / seconds),
  };
}

const server = await startPostgresServer({ fsync: true });
const results = [];
try {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  for (const script of schemaScripts()) await admin.query(script);
  await admin.end();
  const store = createPostgresMetricsStore({ pool: new pg.Pool({ connectionString: server.url, max: 8 }) });
  results.push(await measure('postgres, 1 partition', store, 1));
  results.push(await measure('postgres, 4 partitions', store, 4));
  await store.close();
} finally {
  await server.stop();
}
const pglite = new PGlite();
for (const script of schemaScripts()) await pglite.exec(script);
const embedded = createPgliteMetricsStore({ pglite });
results.push(await measure('pglite, 1 partition', embedded, 1));
await embedded.close();

console.table(results);
console.log(JSON.stringify({ benchmark: 'storage-adapters commit', eventsPerBatch: EVENTS, results }));
