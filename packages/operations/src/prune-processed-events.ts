import { defaultEventTimeBounds, WINDOW_MS } from '@paymetrics/metric-engine';
import type { Database } from '@paymetrics/storage-adapters';
import { type Kysely, sql } from 'kysely';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PruneOptions {
  readonly now?: Date;
  /** Keep ids this long: at least the pipeline's lateness bound (7 days by default). */
  readonly retentionMs?: number;
  /** The pipeline's lateness bound: a retention shorter than it is refused. */
  readonly latenessBoundMs?: number;
  /** Rows deleted per statement, so a large prune never holds one long transaction. */
  readonly batchSize?: number;
  readonly dryRun?: boolean;
}

export interface PruneReport {
  /** Ids of windows that start before this are deleted. */
  readonly cutoff: Date;
  /** Rows deleted, or that a dry run would delete. */
  readonly deleted: number;
  readonly dryRun: boolean;
}

/**
 * Deletes the eventIds of windows older than the retention. Events that old are parked as
 * too_late before their id is looked up, so forgetting the ids cannot let a repeat count twice;
 * the cutoff keeps one window more than the retention, because a window starts before the events
 * in it. Runs as the schema owner: the pipeline's writer role may not delete.
 */
export async function pruneProcessedEvents(
  db: Kysely<Database>,
  options: PruneOptions = {},
): Promise<PruneReport> {
  const now = options.now ?? new Date();
  const latenessBoundMs = options.latenessBoundMs ?? defaultEventTimeBounds.maxLatenessMs;
  const retentionMs = options.retentionMs ?? latenessBoundMs;
  if (retentionMs < latenessBoundMs) {
    throw new RangeError(
      `retention ${retentionMs / DAY_MS} days is inside the lateness bound (${latenessBoundMs / DAY_MS} days): a repeated eventId would count twice`,
    );
  }
  const cutoff = new Date(now.getTime() - retentionMs - WINDOW_MS);
  const dryRun = options.dryRun === true;
  if (dryRun) {
    const { rows } = await sql<{ n: string }>`
      SELECT count(*)::text AS n FROM processed_events WHERE window_start < ${cutoff}`.execute(db);
    return { cutoff, deleted: Number(rows[0]?.n ?? 0), dryRun };
  }
  const batchSize = options.batchSize ?? 50_000;
  let deleted = 0;
  for (;;) {
    const result = await sql`
      DELETE FROM processed_events WHERE ctid IN (
        SELECT ctid FROM processed_events WHERE window_start < ${cutoff} LIMIT ${batchSize})`.execute(db);
    const count = Number(result.numAffectedRows ?? 0);
    deleted += count;
    if (count < batchSize) return { cutoff, deleted, dryRun };
  }
}
