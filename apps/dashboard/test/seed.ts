import { compileRuleSet, createMetricEngine, defaultRuleSet } from '@paymetrics/metric-engine';
import { processBatch } from '@paymetrics/pipeline';
import { openReaderDatabase, type ReaderDatabase } from '@paymetrics/runtime';
import { generateScenario, parseIncident } from '@paymetrics/scenarios';
import { createPostgresMetricsStore } from '@paymetrics/storage-adapters';
import { findFreePort } from '@paymetrics/testing';
import pg from 'pg';

const MINUTE = 60_000;

/** A reader on a port where no server listens: every query fails to connect. */
export async function openUnreachableReader(statementTimeoutInMs: number): Promise<ReaderDatabase> {
  return openReaderDatabase({
    databaseUrl: `postgres://postgres@127.0.0.1:${await findFreePort()}/nothing`,
    dataDir: '.',
    statementTimeoutInMs,
    connectionTimeoutInMs: 2_000,
  });
}

/**
 * Holds an ACCESS EXCLUSIVE lock on payment_metrics_5m, so every read of it waits (until the
 * statement timeout cancels it), until the returned function releases the lock.
 */
export async function lockMetricsTable(databaseUrl: string): Promise<() => Promise<void>> {
  const blocker = new pg.Client({ connectionString: databaseUrl });
  await blocker.connect();
  await blocker.query('begin');
  await blocker.query('lock table payment_metrics_5m in access exclusive mode');
  return async () => {
    await blocker.query('rollback');
    await blocker.end();
  };
}

/** A card number in a line that fails to decode: the stored sample must show it masked. */
export const PAN_IN_BAD_LINE = '4111111111111111';

export interface SeedOptions {
  readonly seed: number;
  readonly count: number;
  readonly spanMinutes: number;
  readonly merchants: number;
  /** The run's processing time; events end a minute before it. */
  readonly nowMs: number;
  readonly incidents?: readonly string[];
}

/**
 * Replays a generated scenario through the real pipeline into `databaseUrl` (schema applied),
 * plus one undecodable line carrying a card number, and returns the lines it replayed.
 */
export async function seedScenario(databaseUrl: string, options: SeedOptions): Promise<{ lines: number }> {
  const scenario = generateScenario({
    seed: options.seed,
    count: options.count,
    startMs: options.nowMs - (options.spanMinutes + 1) * MINUTE,
    spanMs: options.spanMinutes * MINUTE,
    merchants: options.merchants,
    malformedFraction: 0.01,
    duplicateFraction: 0.005,
    dailyCurve: true,
    incidents: (options.incidents ?? []).map((spec) => parseIncident(spec)),
  });
  const lines = Array.from(scenario, (event) => event.line);
  lines.push(`{"schemaVersion":1,"merchantId":"m_broken","card":"${PAN_IN_BAD_LINE}"`);

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const store = createPostgresMetricsStore({ pool });
  const engine = createMetricEngine({ rules: compileRuleSet(defaultRuleSet) });
  try {
    const batchSize = 2_000;
    for (let first = 0; first < lines.length; first += batchSize) {
      await processBatch(
        {
          source: `dashboard-test-${options.seed}`,
          partitionId: '0',
          events: lines
            .slice(first, first + batchSize)
            .map((body, i) => ({ body, sequenceNumber: first + i + 1 })),
        },
        { store, engine, clock: () => options.nowMs },
      );
    }
  } finally {
    await store.close();
  }
  return { lines: lines.length };
}

/**
 * Writes what detection and segmentation record, for the page to show: an open critical
 * approval-rate anomaly on the merchant whose approvals collapsed (over its worst hour) and one
 * segment per merchant. The dashboard only reads these tables.
 */
export async function recordAnalytics(databaseUrl: string, asOf: string): Promise<{ merchantId: string }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ merchant_id: string; window_start: Date; rate: number }>(
      `select merchant_id, date_trunc('hour', window_start) as window_start,
              sum(approved_count)::float8 / sum(txn_count) as rate
         from payment_metrics_5m group by 1, 2 having sum(txn_count) >= 20 order by 3 limit 1`,
    );
    const worst = rows[0]!;
    await client.query(
      `insert into metric_anomalies (metric, scope, window_start, window_end, observed, expected, score, severity, detector)
       values ('approval_rate', $1, $2, $2::timestamptz + interval '1 hour', $3, 0.91, 12.5, 'critical', 'dashboard-test'),
              ('volume', '{}', $2::timestamptz + interval '1 hour', $2::timestamptz + interval '90 minutes', 1800, 1200, 4.2, 'warning', 'dashboard-test')`,
      [JSON.stringify({ merchant_id: worst.merchant_id }), worst.window_start, worst.rate],
    );
    await client.query(
      `insert into merchant_segments (as_of, merchant_id, segment, distance, features)
       select $1::date, merchant_id,
              case when sum(txn_count) >= 1000 then 'high-volume' when sum(txn_count) >= 200 then 'steady-mid' else 'long-tail' end,
              1.0 / (1 + sum(txn_count)), jsonb_build_object('transactions', sum(txn_count))
         from payment_metrics_5m group by merchant_id`,
      [asOf],
    );
    return { merchantId: worst.merchant_id };
  } finally {
    await client.end();
  }
}
