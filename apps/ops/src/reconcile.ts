import { type Kysely, sql } from 'kysely';
import { defaultSequencePolicy, type SequencePolicyOf } from './sequence-policy.js';

export type CheckStatus = 'ok' | 'mismatch' | 'not_applicable';

export interface CheckResult {
  /** `counters`, `sequence_span`, `failed_items`, `metrics_vs_counted`, `processed_events`, `decline_count`, `latency_histogram`, `amount_histogram`. */
  readonly check: string;
  readonly status: CheckStatus;
  readonly expected?: number;
  readonly actual?: number;
  readonly detail: string;
}

export interface PartitionReport {
  readonly source: string;
  readonly partitionId: string;
  /** Null when no batch was committed for the partition (or only failed items exist for it). */
  readonly firstSequence: number | null;
  readonly lastSequence: number | null;
  readonly received: number;
  readonly counted: number;
  readonly deadLettered: number;
  readonly duplicates: number;
  /** failed_items rows of this source and partition, whatever their status. */
  readonly failedItems: number;
  readonly batchesCommitted: number;
  readonly checks: readonly CheckResult[];
  readonly status: 'ok' | 'mismatch';
}

export interface ReconciliationReport {
  readonly ok: boolean;
  readonly checkedAt: string;
  readonly partitions: readonly PartitionReport[];
  readonly global: readonly CheckResult[];
  readonly totals: {
    readonly partitions: number;
    /** Of which `retry:` partitions, one per retried failed item. */
    readonly retryPartitions: number;
    /** Events received from the original sources (retries re-receive events already received once). */
    readonly events: number;
    readonly counted: number;
    readonly deadLettered: number;
    readonly duplicates: number;
  };
  /** One line per mismatch, naming the partition or window. */
  readonly problems: readonly string[];
  /** `reconcile: OK — ...` or `reconcile: MISMATCH — ...`. */
  readonly verdict: string;
}

export interface ReconcileOptions {
  /** Now, for deciding which processed_events windows may have been pruned. */
  readonly now?: Date;
  /** How long processed_events rows are kept at least (the lateness bound, 7 days by default). */
  readonly processedEventsRetentionMs?: number;
  /** The rule counting declines (default `decline_count`); null when the rule set has none. */
  readonly declineCountMetric?: string | null;
  readonly sequencePolicy?: SequencePolicyOf;
}

const DAY_MS = 86_400_000;
const MAX_WINDOWS_NAMED = 5;

// biome-ignore lint/suspicious/noExplicitAny: reads five tables with raw SQL; any database with the schema
type AnyDb = Kysely<any>;

interface PositionRow {
  source: string;
  partition_id: string;
  first_sequence: string;
  last_sequence: string;
  events_received: string;
  events_counted: string;
  events_dead_lettered: string;
  events_duplicate: string;
  batches_committed: string;
}

interface Snapshot {
  positions: PositionRow[];
  failed: { source: string; partition_id: string; n: string }[];
  payments: { window_ms: string; txn: string; declined: string }[];
  processed: { window_ms: string; n: string }[];
  declines: { window_ms: string; n: string }[];
  histograms: { window_ms: string; metric_name: string; n: string }[];
}

/**
 * Checks the conservation law from what the database holds, per source partition and across
 * the metrics tables. Reads one snapshot (REPEATABLE READ), so a pipeline writing meanwhile
 * cannot produce a false mismatch. Throws only when the database cannot be read.
 */
export async function reconcile(db: AnyDb, options: ReconcileOptions = {}): Promise<ReconciliationReport> {
  const now = options.now ?? new Date();
  const declineMetric =
    options.declineCountMetric === undefined ? 'decline_count' : options.declineCountMetric;
  const snapshot = await readSnapshot(db, declineMetric);
  const policyOf = options.sequencePolicy ?? defaultSequencePolicy;

  const failedBy = new Map(snapshot.failed.map((row) => [key(row.source, row.partition_id), Number(row.n)]));
  const partitions: PartitionReport[] = snapshot.positions.map((row) => {
    const failedItems = failedBy.get(key(row.source, row.partition_id)) ?? 0;
    failedBy.delete(key(row.source, row.partition_id));
    return partitionReport(row, failedItems, policyOf);
  });
  // Failed items of a partition that never committed a position: parked without their batch.
  for (const row of snapshot.failed) {
    if (!failedBy.has(key(row.source, row.partition_id))) continue;
    partitions.push(
      partitionReport(
        {
          source: row.source,
          partition_id: row.partition_id,
          first_sequence: '-1',
          last_sequence: '-1',
          events_received: '0',
          events_counted: '0',
          events_dead_lettered: '0',
          events_duplicate: '0',
          batches_committed: '0',
        },
        Number(row.n),
        policyOf,
      ),
    );
  }
  partitions.sort((a, b) => compare(a.source, b.source) || compare(a.partitionId, b.partitionId));

  const totals = {
    partitions: partitions.length,
    retryPartitions: partitions.filter((p) => p.source.startsWith('retry:')).length,
    events: sum(partitions.filter((p) => !p.source.startsWith('retry:')).map((p) => p.received)),
    counted: sum(partitions.map((p) => p.counted)),
    deadLettered: sum(partitions.map((p) => p.deadLettered)),
    duplicates: sum(partitions.map((p) => p.duplicates)),
  };

  const global = globalChecks(snapshot, totals.counted, {
    now,
    retentionMs: options.processedEventsRetentionMs ?? 7 * DAY_MS,
    declineMetric,
  });

  const problems = [
    ...partitions.flatMap((p) =>
      p.checks
        .filter((c) => c.status === 'mismatch')
        .map((c) => `${p.source} partition ${p.partitionId}: ${c.detail}`),
    ),
    ...global.filter((c) => c.status === 'mismatch').map((c) => `${c.check}: ${c.detail}`),
  ];
  const ok = problems.length === 0;
  const verdict = ok
    ? `reconcile: OK — ${formatCount(totals.partitions)} partition${totals.partitions === 1 ? '' : 's'}, ${formatCount(totals.events)} events, nothing missing or doubled`
    : `reconcile: MISMATCH — ${formatCount(problems.length)} problem${problems.length === 1 ? '' : 's'}: ${problems[0]}${problems.length > 1 ? ` (and ${formatCount(problems.length - 1)} more)` : ''}`;
  return { ok, checkedAt: now.toISOString(), partitions, global, totals, problems, verdict };
}

async function readSnapshot(db: AnyDb, declineMetric: string | null): Promise<Snapshot> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const rows = async <R>(query: ReturnType<typeof sql<R>>) => (await query.execute(trx)).rows;
      const windowMs = sql`(extract(epoch from window_start) * 1000)::bigint::text`;
      return {
        positions: await rows(sql<PositionRow>`
          SELECT source, partition_id, first_sequence::text, last_sequence::text,
                 events_received::text, events_counted::text, events_dead_lettered::text,
                 events_duplicate::text, batches_committed::text
            FROM source_positions`),
        failed: await rows(sql<{ source: string; partition_id: string; n: string }>`
          SELECT source, partition_id, count(*)::text AS n FROM failed_items GROUP BY source, partition_id`),
        payments: await rows(sql<{ window_ms: string; txn: string; declined: string }>`
          SELECT ${windowMs} AS window_ms, sum(txn_count)::text AS txn, sum(declined_count)::text AS declined
            FROM payment_metrics_5m GROUP BY window_start`),
        processed: await rows(sql<{ window_ms: string; n: string }>`
          SELECT ${windowMs} AS window_ms, count(*)::text AS n FROM processed_events GROUP BY window_start`),
        declines:
          declineMetric === null
            ? []
            : await rows(sql<{ window_ms: string; n: string }>`
                SELECT ${windowMs} AS window_ms, sum(value_count)::text AS n FROM dynamic_metrics
                 WHERE metric_name = ${declineMetric} GROUP BY window_start`),
        histograms: await rows(sql<{ window_ms: string; metric_name: string; n: string }>`
          SELECT ${windowMs} AS window_ms, metric_name, sum(count)::text AS n FROM aggregate_histograms
           WHERE metric_name IN ('processor_latency_ms', 'amount_minor') GROUP BY window_start, metric_name`),
      };
    });
}

function partitionReport(row: PositionRow, failedItems: number, policyOf: SequencePolicyOf): PartitionReport {
  const received = Number(row.events_received);
  const counted = Number(row.events_counted);
  const deadLettered = Number(row.events_dead_lettered);
  const duplicates = Number(row.events_duplicate);
  const batchesCommitted = Number(row.batches_committed);
  const committed = batchesCommitted > 0;
  const firstSequence = committed ? Number(row.first_sequence) : null;
  const lastSequence = committed ? Number(row.last_sequence) : null;
  const checks: CheckResult[] = [];

  const accounted = counted + deadLettered + duplicates;
  checks.push({
    check: 'counters',
    status: received === accounted ? 'ok' : 'mismatch',
    expected: received,
    actual: accounted,
    detail:
      received === accounted
        ? `received ${formatCount(received)} = counted + dead-lettered + duplicates`
        : `received ${formatCount(received)} but counted ${formatCount(counted)} + dead-lettered ${formatCount(deadLettered)} + duplicates ${formatCount(duplicates)} = ${formatCount(accounted)} (${received > accounted ? 'missing' : 'doubled'} ${formatCount(Math.abs(received - accounted))})`,
  });
  checks.push(spanCheck(row.source, row.partition_id, firstSequence, lastSequence, received, policyOf));
  checks.push({
    check: 'failed_items',
    status: failedItems === deadLettered ? 'ok' : 'mismatch',
    expected: deadLettered,
    actual: failedItems,
    detail:
      failedItems === deadLettered
        ? `${formatCount(failedItems)} failed_items rows = dead-lettered`
        : `${formatCount(failedItems)} failed_items rows but ${formatCount(deadLettered)} dead-lettered (${failedItems > deadLettered ? `${formatCount(failedItems - deadLettered)} stray` : `${formatCount(deadLettered - failedItems)} missing`})`,
  });
  return {
    source: row.source,
    partitionId: row.partition_id,
    firstSequence,
    lastSequence,
    received,
    counted,
    deadLettered,
    duplicates,
    failedItems,
    batchesCommitted,
    checks,
    status: checks.some((c) => c.status === 'mismatch') ? 'mismatch' : 'ok',
  };
}

function spanCheck(
  source: string,
  partitionId: string,
  first: number | null,
  last: number | null,
  received: number,
  policyOf: SequencePolicyOf,
): CheckResult {
  const policy = policyOf(source, partitionId);
  if (!policy.contiguous) {
    return { check: 'sequence_span', status: 'not_applicable', detail: policy.note ?? 'not contiguous' };
  }
  if (first === null || last === null) {
    return { check: 'sequence_span', status: 'not_applicable', detail: 'no batch committed' };
  }
  const span = last - first + 1;
  if (received !== span) {
    return {
      check: 'sequence_span',
      status: 'mismatch',
      expected: span,
      actual: received,
      detail:
        received < span
          ? `received ${formatCount(received)} but sequences ${first}..${last} span ${formatCount(span)}: ${formatCount(span - received)} missing`
          : `received ${formatCount(received)} but sequences ${first}..${last} span only ${formatCount(span)}: ${formatCount(received - span)} doubled`,
    };
  }
  if (policy.firstPosition === undefined) {
    return {
      check: 'sequence_span',
      status: 'ok',
      expected: span,
      actual: received,
      detail: `received = ${last} - ${first} + 1; consumed from sequence ${first}, positions before it cannot be checked`,
    };
  }
  if (first !== policy.firstPosition) {
    return {
      check: 'sequence_span',
      status: 'mismatch',
      expected: policy.firstPosition,
      actual: first,
      detail:
        first > policy.firstPosition
          ? `starts at sequence ${first}, not ${policy.firstPosition}: ${formatCount(first - policy.firstPosition)} missing`
          : `starts at sequence ${first}, before the first position ${policy.firstPosition}`,
    };
  }
  return {
    check: 'sequence_span',
    status: 'ok',
    expected: span,
    actual: received,
    detail: `received = ${last} - ${first} + 1, from the first position`,
  };
}

function globalChecks(
  snapshot: Snapshot,
  counted: number,
  options: { now: Date; retentionMs: number; declineMetric: string | null },
): CheckResult[] {
  const txn = windowMap(snapshot.payments.map((r) => [r.window_ms, r.txn]));
  const declined = windowMap(snapshot.payments.map((r) => [r.window_ms, r.declined]));
  const processed = windowMap(snapshot.processed.map((r) => [r.window_ms, r.n]));
  const declines = windowMap(snapshot.declines.map((r) => [r.window_ms, r.n]));
  const latency = windowMap(
    snapshot.histograms
      .filter((r) => r.metric_name === 'processor_latency_ms')
      .map((r) => [r.window_ms, r.n]),
  );
  const amount = windowMap(
    snapshot.histograms.filter((r) => r.metric_name === 'amount_minor').map((r) => [r.window_ms, r.n]),
  );
  const txnTotal = sum([...txn.values()]);
  const checks: CheckResult[] = [];

  checks.push(
    totalCheck(
      'metrics_vs_counted',
      counted,
      txnTotal,
      'sum(txn_count) in payment_metrics_5m',
      'sum(events_counted) over all partitions',
    ),
  );

  const horizon = options.now.getTime() - options.retentionMs;
  const pruned = [...txn.keys()].filter(
    (w) => w < horizon && (processed.get(w) ?? 0) === 0 && txn.get(w)! > 0,
  );
  const processedTotal = sum([...processed.values()]);
  if (pruned.length === 0) {
    const check = totalCheck(
      'processed_events',
      counted,
      processedTotal,
      'processed_events rows',
      'sum(events_counted)',
    );
    checks.push(withWindows(check, txn, processed, 'txn_count', 'processed_events'));
  } else {
    const kept = new Set(pruned);
    const differing = differingWindows(txn, processed).filter((w) => !kept.has(w));
    checks.push(
      differing.length === 0
        ? {
            check: 'processed_events',
            status: 'not_applicable',
            detail: `processed_events was pruned (${formatCount(pruned.length)} windows before ${new Date(Math.max(...pruned) + 1).toISOString()} have none): the total does not apply; the later windows agree`,
          }
        : {
            check: 'processed_events',
            status: 'mismatch',
            detail: `processed_events was pruned before ${new Date(Math.max(...pruned) + 1).toISOString()}, and later windows disagree: ${describeWindows(differing, txn, processed, 'txn_count', 'processed_events')}`,
          },
    );
  }

  if (options.declineMetric === null) {
    checks.push({
      check: 'decline_count',
      status: 'not_applicable',
      detail: 'no decline-count rule configured',
    });
  } else {
    const check = totalCheck(
      'decline_count',
      sum([...declined.values()]),
      sum([...declines.values()]),
      `dynamic_metrics ${options.declineMetric} value_count`,
      'sum(declined_count)',
    );
    checks.push(withWindows(check, declined, declines, 'declined_count', options.declineMetric));
  }
  checks.push(
    withWindows(
      totalCheck(
        'latency_histogram',
        txnTotal,
        sum([...latency.values()]),
        'aggregate_histograms processor_latency_ms count',
        'sum(txn_count)',
      ),
      txn,
      latency,
      'txn_count',
      'processor_latency_ms count',
    ),
  );
  checks.push(
    withWindows(
      totalCheck(
        'amount_histogram',
        txnTotal,
        sum([...amount.values()]),
        'aggregate_histograms amount_minor count',
        'sum(txn_count)',
      ),
      txn,
      amount,
      'txn_count',
      'amount_minor count',
    ),
  );
  return checks;
}

function totalCheck(
  check: string,
  expected: number,
  actual: number,
  actualName: string,
  expectedName: string,
): CheckResult {
  if (expected === actual) {
    return {
      check,
      status: 'ok',
      expected,
      actual,
      detail: `${actualName} = ${expectedName} = ${formatCount(actual)}`,
    };
  }
  return {
    check,
    status: 'mismatch',
    expected,
    actual,
    detail: `${actualName} is ${formatCount(actual)} but ${expectedName} is ${formatCount(expected)} (${actual < expected ? 'missing' : 'doubled'} ${formatCount(Math.abs(expected - actual))})`,
  };
}

/** Adds the windows that disagree to a failed total, or fails a matching total whose windows disagree. */
function withWindows(
  check: CheckResult,
  expected: Map<number, number>,
  actual: Map<number, number>,
  expectedName: string,
  actualName: string,
): CheckResult {
  const differing = differingWindows(expected, actual);
  if (differing.length === 0) return check;
  const windows = describeWindows(differing, expected, actual, expectedName, actualName);
  return {
    ...check,
    status: 'mismatch',
    detail:
      check.status === 'ok' ? `totals agree, but windows differ: ${windows}` : `${check.detail}; ${windows}`,
  };
}

function differingWindows(a: Map<number, number>, b: Map<number, number>): number[] {
  const windows = new Set([...a.keys(), ...b.keys()]);
  return [...windows].filter((w) => (a.get(w) ?? 0) !== (b.get(w) ?? 0)).sort((x, y) => x - y);
}

function describeWindows(
  windows: readonly number[],
  expected: Map<number, number>,
  actual: Map<number, number>,
  expectedName: string,
  actualName: string,
): string {
  const named = windows
    .slice(0, MAX_WINDOWS_NAMED)
    .map(
      (w) =>
        `window ${new Date(w).toISOString()} ${expectedName} ${formatCount(expected.get(w) ?? 0)} vs ${actualName} ${formatCount(actual.get(w) ?? 0)}`,
    );
  const more =
    windows.length > MAX_WINDOWS_NAMED ? `, and ${windows.length - MAX_WINDOWS_NAMED} more windows` : '';
  return `${named.join(', ')}${more}`;
}

function windowMap(rows: readonly (readonly [string, string])[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const [window, n] of rows) map.set(Number(window), (map.get(Number(window)) ?? 0) + Number(n));
  return map;
}

const key = (source: string, partitionId: string) => JSON.stringify([source, partitionId]);
const sum = (values: readonly number[]) => values.reduce((total, n) => total + n, 0);
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
