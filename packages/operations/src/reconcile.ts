import { compareStrings, defaultEventTimeBounds, WINDOW_MS, windowStartMs } from '@paymetrics/metric-engine';
import type { Database } from '@paymetrics/storage-adapters';
import type { Kysely } from 'kysely';
import { type CheckResult, globalChecks, type PartitionReport, partitionReport } from './reconcile-checks.js';
import { checkRollups, type RollupCheck } from './reconcile-rollups.js';
import { formatCount } from './reconcile-sentences.js';
import { readSnapshot } from './reconcile-snapshot.js';
import { defaultSequencePolicy, type SequencePolicyOf } from './sequence-policy.js';

export interface ReconciliationReport {
  readonly ok: boolean;
  readonly checkedAt: string;
  /**
   * What was read: the per-window checks cover windows `from <= window_start < to`; the
   * partition counters and metrics_vs_counted cover everything ever committed.
   */
  readonly covered: { readonly from: string; readonly to: string; readonly windows: number };
  readonly partitions: readonly PartitionReport[];
  readonly global: readonly CheckResult[];
  readonly totals: {
    readonly partitions: number;
    /** Failed items a retry counted since (their events are in the metrics, not in a partition's counted). */
    readonly retriedCounted: number;
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
  /** Now, for the default range and for deciding which processed_events windows may have been pruned. */
  readonly now?: Date;
  /** First window checked (inclusive); default: the lateness bound (7 days) before now, or before `to` when given. */
  readonly from?: Date;
  /** End of the windows checked (exclusive); default: the end of the latest window an event may be counted in now. */
  readonly to?: Date;
  /** How long processed_events rows are kept at least (the lateness bound, 7 days by default). */
  readonly processedEventsRetentionMs?: number;
  /** The rule counting declines (default `decline_count`); null when the rule set has none. */
  readonly declineCountMetric?: string | null;
  readonly sequencePolicy?: SequencePolicyOf;
}

/** Windows that can still change now: from the lateness bound to the future bound. */
export function defaultReconcileRange(now: Date): { readonly from: Date; readonly to: Date } {
  const to = windowStartMs(now.getTime() + defaultEventTimeBounds.maxFutureMs) + WINDOW_MS;
  return {
    from: new Date(windowStartMs(now.getTime() - defaultEventTimeBounds.maxLatenessMs)),
    to: new Date(to),
  };
}

/**
 * Checks the conservation law from what the database holds, per source partition and across
 * the metrics tables, over a bounded range of windows (the last 7 days by default). Throws only
 * when the database cannot be read, or for an empty range.
 */
export async function reconcile(
  db: Kysely<Database>,
  options: ReconcileOptions = {},
): Promise<ReconciliationReport> {
  const now = options.now ?? new Date();
  const defaults = defaultReconcileRange(now);
  const to = options.to ?? defaults.to;
  const from =
    options.from ??
    (options.to ? new Date(to.getTime() - defaultEventTimeBounds.maxLatenessMs) : defaults.from);
  const range = { fromMs: windowStartMs(from.getTime()), toMs: to.getTime() };
  if (range.toMs <= range.fromMs) {
    throw new RangeError(`the range ${from.toISOString()} .. ${to.toISOString()} holds no window`);
  }
  const declineMetric =
    options.declineCountMetric === undefined ? 'decline_count' : options.declineCountMetric;
  const snapshot = await readSnapshot(db, range, declineMetric);
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
  partitions.sort(
    (a, b) => compareStrings(a.source, b.source) || compareStrings(a.partitionId, b.partitionId),
  );

  const totals = {
    partitions: partitions.length,
    events: sum(partitions.map((p) => p.received)),
    counted: sum(partitions.map((p) => p.counted)),
    retriedCounted: Number(snapshot.retriedCounted),
    deadLettered: sum(partitions.map((p) => p.deadLettered)),
    duplicates: sum(partitions.map((p) => p.duplicates)),
  };

  const rollups = await checkRollups(db, range);
  const global = [
    ...globalChecks(snapshot, totals.counted + totals.retriedCounted, {
      now,
      retentionMs: options.processedEventsRetentionMs ?? defaultEventTimeBounds.maxLatenessMs,
      declineMetric,
    }),
    rollupCheck(rollups),
  ];

  const covered = {
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    windows: Math.ceil((range.toMs - range.fromMs) / WINDOW_MS),
  };
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
  return { ok, checkedAt: now.toISOString(), covered, partitions, global, totals, problems, verdict };
}

/** The hour and day rollups equal the sum of their 5-minute rows over the days of the range. */
function rollupCheck({ mismatches, pendingHours }: RollupCheck): CheckResult {
  if (mismatches.length === 0) {
    const pending =
      pendingHours === 0
        ? ''
        : ` (${formatCount(pendingHours)} hour${pendingHours === 1 ? '' : 's'} awaiting the next rollup refresh not compared)`;
    return {
      check: 'rollups',
      status: 'ok',
      detail: `hour and day rollups equal the sum of their 5-minute rows${pending}`,
    };
  }
  const tables = mismatches.map(
    (m) =>
      `${m.table}: ${formatCount(m.mismatchedRows)} row${m.mismatchedRows === 1 ? '' : 's'} (${m.examples[0]})`,
  );
  return {
    check: 'rollups',
    status: 'mismatch',
    detail: `rollups differ from their 5-minute rows: ${tables.join('; ')}`,
  };
}

const key = (source: string, partitionId: string) => JSON.stringify([source, partitionId]);
const sum = (values: readonly number[]) => values.reduce((total, n) => total + n, 0);
