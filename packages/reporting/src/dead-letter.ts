import { type FailedItemStatus, failedItemStatuses } from '@paymetrics/schemas';
import { sql } from 'kysely';
import type { ReportRange } from './range.js';
import type { ReportingDatabase } from './reporting-database.js';
import { inRange, toNumber } from './sql-parts.js';

export interface DeadLetterCode {
  readonly code: string;
  readonly stage: string;
  /** Items per status, all time: the state of the queue now. */
  readonly byStatus: Record<FailedItemStatus, number>;
  readonly total: number;
  /** Items that failed within the range (by failed_at). */
  readonly inRange: number;
  /** The newest item's payload exactly as stored (PAN-like digit runs already masked), cut to a readable length. */
  readonly sample: {
    readonly id: string;
    readonly failedAt: string;
    readonly message: string;
    readonly payload: string | null;
    readonly encoding: string;
    readonly payloadRef: string | null;
    readonly truncated: boolean;
  } | null;
}

export interface DeadLetterReport {
  readonly byStatus: Record<FailedItemStatus, number>;
  readonly codes: readonly DeadLetterCode[];
}

const SAMPLE_CHARS = 2_000;

export async function readDeadLetter(db: ReportingDatabase, range: ReportRange): Promise<DeadLetterReport> {
  const [counts, samples] = await Promise.all([
    sql<{ code: string; stage: string; status: FailedItemStatus; n: number; in_range: number }>`
      select error_code as code, min(stage) as stage, status, count(*)::float8 as n,
             (count(*) filter (where ${inRange(range.from, range.to, sql.ref('failed_at'))}))::float8 as in_range
        from failed_items group by error_code, status`.execute(db),
    sql<{
      code: string;
      id: string;
      failed_at: Date | string;
      message: string;
      payload: string | null;
      encoding: string;
      payload_ref: string | null;
      chars: number | null;
    }>`
      select distinct on (error_code) error_code as code, id::text as id, failed_at, error_message as message,
             left(payload, ${SAMPLE_CHARS}) as payload, payload_encoding as encoding, payload_ref,
             length(payload) as chars
        from failed_items order by error_code, failed_at desc, id desc`.execute(db),
  ]);
  const emptyStatus = () =>
    Object.fromEntries(failedItemStatuses.map((s) => [s, 0])) as Record<FailedItemStatus, number>;
  const totalByStatus = emptyStatus();
  const byCode = new Map<
    string,
    { stage: string; byStatus: Record<FailedItemStatus, number>; inRange: number }
  >();
  for (const row of counts.rows) {
    const entry = byCode.get(row.code) ?? { stage: row.stage, byStatus: emptyStatus(), inRange: 0 };
    entry.byStatus[row.status] += toNumber(row.n);
    entry.inRange += toNumber(row.in_range);
    totalByStatus[row.status] += toNumber(row.n);
    byCode.set(row.code, entry);
  }
  const sampleOf = new Map(samples.rows.map((r) => [r.code, r]));
  const codes = [...byCode.entries()].map(([code, entry]) => {
    const sample = sampleOf.get(code);
    return {
      code,
      stage: entry.stage,
      byStatus: entry.byStatus,
      total: failedItemStatuses.reduce((sum, s) => sum + entry.byStatus[s], 0),
      inRange: entry.inRange,
      sample: sample
        ? {
            id: sample.id,
            failedAt: new Date(sample.failed_at).toISOString(),
            message: sample.message,
            payload: sample.payload,
            encoding: sample.encoding,
            payloadRef: sample.payload_ref,
            truncated: toNumber(sample.chars) > SAMPLE_CHARS,
          }
        : null,
    };
  });
  codes.sort((a, b) => b.total - a.total || a.code.localeCompare(b.code));
  return { byStatus: totalByStatus, codes };
}
