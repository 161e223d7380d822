import { compileRuleSet, createMetricEngine, defaultRuleSet } from '@paymetrics/metric-engine';
import { processBatch } from '@paymetrics/pipeline';
import { openReaderDatabase, type ReaderDatabase } from '@paymetrics/runtime';
import {
  createScenario,
  type Incident,
  type MerchantCollapseIncident,
  parseIncident,
} from '@paymetrics/scenarios';
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
 * plus one undecodable line carrying a card number. Returns how many lines it replayed and the
 * incidents as injected (merchant and window resolved).
 */
export async function seedScenario(
  databaseUrl: string,
  options: SeedOptions,
): Promise<{ lines: number; incidents: readonly Incident[] }> {
  const scenario = createScenario({
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
  const lines = Array.from(scenario.events(), (event) => event.line);
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
  return { lines: lines.length, incidents: scenario.incidents };
}

/**
 * Writes what detection and segmentation record, for the page to show: an open critical
 * approval-rate anomaly over the window of the injected merchant collapse (on 5-minute
 * boundaries, as detectors report), a warning volume anomaly right after it, and one segment per
 * merchant. Taken from the incident itself, not from the data, so the anomaly is the same
 * whatever the hour the test runs at. The dashboard only reads these tables.
 */
export async function recordAnalytics(
  databaseUrl: string,
  asOf: string,
  collapse: MerchantCollapseIncident,
): Promise<void> {
  const window = 5 * MINUTE;
  const start = new Date(Math.floor(collapse.startMs / window) * window);
  const end = new Date(Math.ceil(collapse.endMs / window) * window);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Observed: the merchant's approval rate over the window as stored, or the injected rate if
    // the window holds none of its payments.
    await client.query(
      `insert into metric_anomalies (metric, scope, window_start, window_end, observed, expected, score, severity, detector)
       select 'approval_rate', jsonb_build_object('merchant_id', $1::text), $2::timestamptz, $3::timestamptz,
              coalesce(sum(approved_count)::float8 / nullif(sum(txn_count), 0), $4::float8), $5::float8,
              12.5, 'critical', 'dashboard-test'
         from payment_metrics_5m where merchant_id = $1 and window_start >= $2 and window_start < $3
       union all
       select 'volume', '{}', $3::timestamptz, $3::timestamptz + interval '30 minutes', 1800, 1200, 4.2, 'warning',
              'dashboard-test'`,
      [collapse.merchantId, start, end, collapse.approvalRate, collapse.baselineApprovalRate],
    );
    await client.query(
      `insert into merchant_segments (as_of, merchant_id, segment, distance, features)
       select $1::date, merchant_id,
              case when sum(txn_count) >= 1000 then 'high-volume' when sum(txn_count) >= 200 then 'steady-mid' else 'long-tail' end,
              1.0 / (1 + sum(txn_count)), jsonb_build_object('transactions', sum(txn_count))
         from payment_metrics_5m group by merchant_id`,
      [asOf],
    );
  } finally {
    await client.end();
  }
}
