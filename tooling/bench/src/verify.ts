import {
  diffMetricsTables,
  type ReferenceResult,
  readPaymentMetrics,
  referenceAggregation,
  withClient,
} from '@paymetrics/testing';

export interface Verified {
  readonly ok: boolean;
  readonly problems: string[];
}

/** What a run must leave in the database: the reference aggregation of its input lines. */
export interface Expected {
  readonly lines: readonly string[];
  readonly reference: ReferenceResult;
  /**
   * Sequence numbers are line numbers only when the lines went through one partition in order;
   * then every parked line must be parked at its own position, not only in the right number.
   */
  readonly onePartition: boolean;
}

export function expectedOf(lines: readonly string[], nowMs: number, onePartition = true): Expected {
  return { lines, reference: referenceAggregation(lines, { nowMs }), onePartition };
}

const MAX_LISTED = 5;

/**
 * Afterwards, in the database: every key of payment_metrics_5m equal to the reference
 * aggregation (no missing, extra or different row), each counted event claimed once, every bad
 * line parked in failed_items (and nothing else), the position counters adding up, no failed batch.
 */
export async function verifyRun(url: string, expected: Expected, failedBatches: number): Promise<Verified> {
  return withClient(url, async (client) => {
    const problems: string[] = [];
    const { reference } = expected;
    const diff = diffMetricsTables(await readPaymentMetrics((text) => client.query(text)), reference.table);
    if (diff.length > 0) {
      problems.push(
        `${diff.length} payment_metrics_5m rows differ from the reference (${diff.slice(0, MAX_LISTED).join('; ')})`,
      );
    }
    const { rows } = await client.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM processed_events)::text AS claimed,
              (SELECT count(*) FROM failed_items)::text AS parked,
              (SELECT coalesce(sum(events_received), 0) FROM source_positions)::text AS received,
              (SELECT coalesce(sum(events_counted), 0) FROM source_positions)::text AS counted,
              (SELECT coalesce(sum(events_dead_lettered), 0) FROM source_positions)::text AS dead_lettered`,
    );
    const row = rows[0]!;
    const must = (name: string, actual: string | undefined, want: number) => {
      if (Number(actual) !== want) problems.push(`${name} ${actual}, expected ${want}`);
    };
    must('processed_events', row.claimed, reference.counted);
    must('events_counted', row.counted, reference.counted);
    must('events_received', row.received, expected.lines.length);
    must('failed_items', row.parked, reference.badLines.length);
    must('events_dead_lettered', row.dead_lettered, reference.badLines.length);
    if (expected.onePartition) {
      const parked = await client.query<{ sequence_number: string }>(
        'SELECT sequence_number::text FROM failed_items ORDER BY sequence_number',
      );
      const want = new Set(reference.badLines);
      const wrong = parked.rows.map((r) => Number(r.sequence_number)).filter((n) => !want.has(n));
      if (wrong.length > 0)
        problems.push(`lines parked that are valid: ${wrong.slice(0, MAX_LISTED).join(', ')}`);
    }
    if (failedBatches > 0) problems.push(`${failedBatches} batches failed`);
    return { ok: problems.length === 0, problems };
  });
}
