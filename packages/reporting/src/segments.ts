import { sql } from 'kysely';
import type { ReportRange } from './range.js';
import type { ReportingDatabase } from './reporting-database.js';
import { iso, tableExists, toNumber } from './sql-parts.js';

export interface SegmentReport {
  /** False when the database has no merchant_segments table (analytics not migrated). */
  readonly available: boolean;
  /** The segmentation used: the latest on or before the range's end. */
  readonly asOf: string | null;
  readonly segments: ReadonlyArray<{
    readonly segment: string;
    readonly merchants: number;
    /** A few merchants of the segment, closest to its centre first. */
    readonly examples: readonly string[];
  }>;
}

export async function readSegments(db: ReportingDatabase, range: ReportRange): Promise<SegmentReport> {
  if (!(await tableExists(db, 'merchant_segments'))) return { available: false, asOf: null, segments: [] };
  const { rows } = await sql<{ as_of: string; segment: string; n: number; examples: string[] }>`
    with latest as (
      select max(as_of) as as_of from merchant_segments
       where as_of <= (${iso(range.to)}::timestamptz at time zone 'UTC')::date
    )
    select s.as_of::text as as_of, s.segment, count(*)::float8 as n,
           (array_agg(s.merchant_id order by s.distance, s.merchant_id))[1:5] as examples
      from merchant_segments s join latest l on s.as_of = l.as_of
     group by 1, 2 order by count(*) desc, 2`.execute(db);
  return {
    available: true,
    asOf: rows[0]?.as_of ?? null,
    segments: rows.map((r) => ({ segment: r.segment, merchants: toNumber(r.n), examples: r.examples })),
  };
}
