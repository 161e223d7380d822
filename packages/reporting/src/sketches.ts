import { type StoredSketch, storedSketchQuantile } from '@paymetrics/metric-engine';
import { type RawBuilder, sql } from 'kysely';
import type { Grain } from './range.js';
import type { ReportingDatabase } from './reporting-database.js';
import { histogramsTable } from './sql-parts.js';

/**
 * Merges the stored latency sketches per group inside PostgreSQL (adding bin counts is the
 * whole merge), so only one small sketch per group crosses the wire.
 */
export async function mergedLatencySketches(
  db: ReportingDatabase,
  grain: Grain,
  group: RawBuilder<unknown>,
  where: RawBuilder<unknown>,
): Promise<Map<string, StoredSketch>> {
  const table = await histogramsTable(db, grain);
  const { rows } = await sql<{ grp: string; bin: string | null; n: number; accuracy: number | null }>`
    with h as (
      select (${group})::text as grp, sketch, relative_accuracy
        from ${table}
       where metric_name = 'processor_latency_ms' and ${where}
    )
    select grp, b.key as bin, sum(b.value::bigint)::float8 as n, null::float8 as accuracy
      from h cross join lateral jsonb_each_text(h.sketch -> 'bins') as b
     group by grp, b.key
    union all
    select grp, null, sum((sketch ->> 'zeroCount')::bigint)::float8, max(relative_accuracy)
      from h group by grp`.execute(db);
  const parts = new Map<
    string,
    { zeroCount: number; relativeAccuracy: number; bins: Record<string, number> }
  >();
  for (const row of rows) {
    let part = parts.get(row.grp);
    if (!part) {
      part = { zeroCount: 0, relativeAccuracy: 0.01, bins: {} };
      parts.set(row.grp, part);
    }
    if (row.bin === null) {
      part.zeroCount = Number(row.n);
      part.relativeAccuracy = Number(row.accuracy);
    } else {
      part.bins[row.bin] = Number(row.n);
    }
  }
  const sketches = new Map<string, StoredSketch>();
  for (const [grp, part] of parts) sketches.set(grp, part);
  return sketches;
}

export interface LatencyQuantiles {
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export function latencyQuantiles(sketch: StoredSketch | undefined): LatencyQuantiles {
  const q = (p: number) => (sketch ? (storedSketchQuantile(sketch, p) ?? null) : null);
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99) };
}
