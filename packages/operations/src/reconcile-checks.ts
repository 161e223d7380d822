import { describeWindows, formatCount } from './reconcile-sentences.js';
import type { PositionRow, Snapshot } from './reconcile-snapshot.js';
import type { SequencePolicyOf } from './sequence-policy.js';

export type CheckStatus = 'ok' | 'mismatch' | 'not_applicable';

export interface CheckResult {
  /** `counters`, `sequence_span`, `failed_items`, `metrics_vs_counted`, `processed_events`, `decline_count`, `latency_histogram`, `amount_histogram`, `rollups`. */
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

export function partitionReport(
  row: PositionRow,
  failedItems: number,
  policyOf: SequencePolicyOf,
): PartitionReport {
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

export function globalChecks(
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
      Number(snapshot.txnTotal),
      'sum(txn_count) in payment_metrics_5m',
      'sum(events_counted) over all partitions + failed items a retry counted',
    ),
  );

  const horizon = options.now.getTime() - options.retentionMs;
  const pruned = [...txn.keys()].filter(
    (w) => w < horizon && (processed.get(w) ?? 0) === 0 && txn.get(w)! > 0,
  );
  if (pruned.length === 0) {
    // Per window of the range only: the total of processed_events is never counted.
    const check = totalCheck(
      'processed_events',
      txnTotal,
      sum([...processed.values()]),
      'processed_events rows',
      'sum(txn_count) of the windows read',
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
            detail: `processed_events was pruned (${formatCount(pruned.length)} windows before ${new Date(Math.max(...pruned) + 1).toISOString()} have none): those windows do not apply; the later windows agree`,
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

export function differingWindows(a: Map<number, number>, b: Map<number, number>): number[] {
  const windows = new Set([...a.keys(), ...b.keys()]);
  return [...windows].filter((w) => (a.get(w) ?? 0) !== (b.get(w) ?? 0)).sort((x, y) => x - y);
}

function windowMap(rows: readonly (readonly [string, string])[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const [window, n] of rows) map.set(Number(window), (map.get(Number(window)) ?? 0) + Number(n));
  return map;
}

const sum = (values: readonly number[]) => values.reduce((total, n) => total + n, 0);
