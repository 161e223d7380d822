import { reconcile } from '@paymetrics/operations';
import type { Database } from '@paymetrics/storage-adapters';
import { diffMetricsTables, readPaymentMetrics, referenceAggregation } from '@paymetrics/testing';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { freshQuery } from './postgres-pipeline.js';

export interface OutcomeFigures {
  /** Input lines. */
  readonly events: number;
  /** Valid, distinct, in-bounds events: each must be counted exactly once. */
  readonly validDistinct: number;
  /** Lines that must be parked exactly once. */
  readonly bad: number;
  readonly duplicates: number;
  /** Transactions the reference has that the tables miss, summed over rows. */
  readonly lost: number;
  /** Transactions the tables hold beyond the reference, summed over rows. */
  readonly doubleCounted: number;
  /** Bad lines with no failed_items row. */
  readonly parkedMissing: number;
  /** failed_items rows for a line that is not bad, or a second row for the same line. */
  readonly parkedExtra: number;
}

export interface ScenarioOutcome {
  /** Every difference from the reference and every broken conservation law; empty when all is well. */
  readonly problems: string[];
  readonly figures: OutcomeFigures;
  /** The operator's reconciliation verdict (`pnpm ops reconcile`), e.g. `reconcile: OK — ...`. */
  readonly reconcileVerdict: string;
}

export interface OutcomeOptions {
  readonly nowMs?: number;
}

/**
 * Compares the tables with the aggregation computed independently from the input lines: each
 * valid distinct event counted exactly once, each bad line parked exactly once, and the
 * conservation law holding per partition, checked here and by the operator's `reconcile`.
 * Assumes the database at `url` holds this input only.
 */
export async function checkScenarioOutcome(
  url: string,
  lines: readonly string[],
  options: OutcomeOptions = {},
): Promise<ScenarioOutcome> {
  const query = freshQuery(url);
  const reference = referenceAggregation(lines, options.nowMs === undefined ? {} : { nowMs: options.nowMs });
  const stored = await readPaymentMetrics(query);
  const problems = diffMetricsTables(stored, reference.table);

  let lost = 0;
  let doubleCounted = 0;
  for (const [key, want] of reference.table) {
    const got = Number(stored.get(key)?.txn_count ?? 0);
    const expected = Number(want.txn_count);
    if (got < expected) lost += expected - got;
    if (got > expected) doubleCounted += got - expected;
  }
  for (const [key, row] of stored) if (!reference.table.has(key)) doubleCounted += Number(row.txn_count);

  const parked = await query(
    'select sequence_number::int as seq, count(*)::int as n from failed_items group by 1',
  );
  const parkedCount = new Map((parked.rows as { seq: number; n: number }[]).map((r) => [r.seq, r.n]));
  const badLines = new Set(reference.badLines);
  let parkedMissing = 0;
  let parkedExtra = 0;
  for (const line of badLines) if (!parkedCount.has(line)) parkedMissing++;
  for (const [seq, n] of parkedCount) parkedExtra += badLines.has(seq) ? n - 1 : n;
  if (parkedMissing > 0) problems.push(`${parkedMissing} bad lines were not parked`);
  if (parkedExtra > 0) problems.push(`${parkedExtra} failed_items rows are extra`);

  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let reconcileVerdict: string;
  try {
    // Every window the scenario wrote, not only the default last 7 days.
    const report = await reconcile(db, {
      from: new Date(0),
      to: new Date('9999-01-01T00:00:00Z'),
      ...(options.nowMs === undefined ? {} : { now: new Date(options.nowMs) }),
    });
    reconcileVerdict = report.verdict;
    if (!report.ok) problems.push(...report.problems.map((p) => `reconcile: ${p}`));
  } finally {
    await db.destroy();
  }
  return {
    reconcileVerdict,
    problems,
    figures: {
      events: lines.length,
      validDistinct: reference.counted,
      bad: reference.badLines.length,
      duplicates: reference.duplicates,
      lost,
      doubleCounted,
      parkedMissing,
      parkedExtra,
    },
  };
}
