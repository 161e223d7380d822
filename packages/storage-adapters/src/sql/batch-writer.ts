import { type BatchMetrics, compareStrings } from '@paymetrics/metric-engine';
import type { FailedItemRecord, FailedItemStatus } from '@paymetrics/schemas';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database, FailedItemResolution } from '../database.js';
import type { BatchCounters, BatchWriter, EventIdClaim, PartitionRef } from '../metrics-store.js';
import { type EncodedMetricRows, encodeMetricRows, isoTimestamp } from './batch-rows.js';

/**
 * Position rows are created by the first lockPosition of a partition, before anything is
 * committed for it: `batches_committed = 0` marks such a placeholder, whose sequences are this
 * sentinel. Callers never see it: a placeholder reads as "nothing committed yet".
 */
const NO_SEQUENCE = '-1';

interface PositionRow {
  readonly last_sequence: string | bigint;
  readonly batches_committed: string | bigint;
}

export function positionFromRow(row: PositionRow | undefined): number | undefined {
  if (!row || BigInt(row.batches_committed) === 0n) return undefined;
  return Number(row.last_sequence);
}

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION
  );
}

/**
 * Inserts the ids not yet in processed_events and returns the ids that were there already. The
 * fast path probes the primary key for known ids and plain-INSERTs the rest in the same
 * statement: an ON CONFLICT insert costs about twice a plain one per row (speculative
 * insertion), and repeats are rare. Only when another transaction inserts one of the same ids
 * concurrently does the plain insert hit a unique violation; then the savepoint is rolled back
 * and the claim is redone with ON CONFLICT DO NOTHING, which waits for and respects the other
 * transaction's rows.
 */
async function claimFresh(
  trx: Kysely<Database>,
  ids: string,
  indexes: string,
  windows: readonly string[],
): Promise<Set<string>> {
  await sql`SAVEPOINT claim_event_ids`.execute(trx);
  try {
    const { rows } = await sql<{ event_id: string }>`
      WITH claim AS (
        SELECT e::uuid AS e, (${windows}::text[])[i::int]::timestamptz AS w
          FROM unnest(string_to_array(${ids}, ','), string_to_array(${indexes}, ',')) AS t(e, i)
      ), known AS (
        SELECT p.event_id FROM processed_events p WHERE p.event_id IN (SELECT e FROM claim)
      ), inserted AS (
        INSERT INTO processed_events (event_id, window_start)
        SELECT e, w FROM claim WHERE e NOT IN (SELECT event_id FROM known)
      )
      SELECT event_id FROM known`.execute(trx);
    // No RELEASE: the savepoint ends with the transaction, and releasing it would cost a round trip.
    return new Set(rows.map((row) => row.event_id));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await sql`ROLLBACK TO SAVEPOINT claim_event_ids`.execute(trx);
    const { rows } = await sql<{ event_id: string }>`
      INSERT INTO processed_events (event_id, window_start)
      SELECT e::uuid, (${windows}::text[])[i::int]::timestamptz
        FROM unnest(string_to_array(${ids}, ','), string_to_array(${indexes}, ',')) AS t(e, i)
      ON CONFLICT (event_id) DO NOTHING
      RETURNING event_id`.execute(trx);
    const inserted = new Set(rows.map((row) => row.event_id));
    return new Set(ids.split(',').filter((id) => !inserted.has(id)));
  }
}

interface Upsert {
  readonly name: string;
  readonly statement: RawBuilder<unknown>;
}

/**
 * Runs the upserts as one statement, one round trip instead of one each: the commit in flight
 * waits for the Node thread (busy preparing the next batch) at every round trip. Each upsert is
 * a data-modifying CTE. PostgreSQL runs CTEs the main query does not read last one first, so the
 * main query reads each in turn: tables are written in the given order, which keeps the lock
 * order global (rows are sorted within each table too). Rule metrics come last: some rules have
 * no merchant dimension, so every partition updates the same rows, and the last table's locks
 * are held for the shortest time.
 */
async function executeInOrder(trx: Kysely<Database>, upserts: readonly Upsert[]): Promise<void> {
  if (upserts.length === 0) return;
  if (upserts.length === 1) {
    await upserts[0]!.statement.execute(trx);
    return;
  }
  const ctes = upserts.map(({ name, statement }) => sql`${sql.id(name)} AS (${statement} RETURNING 1)`);
  const reads = upserts.map(({ name }) => sql`(SELECT count(*) FROM ${sql.id(name)})`);
  await sql`WITH ${sql.join(ctes)} SELECT ${sql.join(reads)}`.execute(trx);
}

/**
 * BatchWriter over a kysely transaction. Each method is one statement; arrays travel as
 * text[] parameters and are cast in SQL (measured faster than typed arrays such as jsonb[]).
 * The metric upserts' arrays arrive as ready literals when the caller encoded them ahead.
 */
export function createBatchWriter(trx: Kysely<Database>): BatchWriter {
  return {
    async lockPosition(partition: PartitionRef): Promise<number | undefined> {
      // Insert-or-lock in one statement. A transaction racing on a new partition blocks on the
      // other's uncommitted insert; once that commits, ON CONFLICT locks the committed row and
      // RETURNING shows its position, even though the row is newer than this statement's snapshot.
      const { rows } = await sql<PositionRow>`
        INSERT INTO source_positions AS p (source, partition_id, first_sequence, last_sequence)
        VALUES (${partition.source}, ${partition.partitionId}, ${NO_SEQUENCE}::bigint, ${NO_SEQUENCE}::bigint)
        ON CONFLICT (source, partition_id) DO UPDATE SET source = p.source
        RETURNING p.last_sequence, p.batches_committed`.execute(trx);
      return positionFromRow(rows[0]);
    },

    async claimEventIds(claims: readonly EventIdClaim[]): Promise<ReadonlySet<string>> {
      if (claims.length === 0) return new Set();
      // uuid output is lower case, so ids are compared (and sorted, for lock order) in lower case.
      const windowOf = new Map<string, number>();
      for (const claim of claims) {
        const id = claim.eventId.toLowerCase();
        if (windowOf.has(id)) {
          throw new Error(`claimEventIds: eventId ${claim.eventId} appears twice in one call`);
        }
        windowOf.set(id, claim.windowStartMs);
      }
      // The default sort compares by UTF-16 code units, as compareStrings does, without calling
      // back into JavaScript per comparison.
      const sorted = [...windowOf.keys()].sort();
      // Ids travel as one comma-separated text and windows as a short array indexed per id:
      // parsing a uuid[] or a timestamptz per row was a third of the statement's time.
      const windows: string[] = [];
      const windowIndex = new Map<number, number>();
      const indexes = new Array<number>(sorted.length);
      for (let i = 0; i < sorted.length; i++) {
        const windowStartMs = windowOf.get(sorted[i]!)!;
        let index = windowIndex.get(windowStartMs);
        if (index === undefined) {
          windows.push(isoTimestamp(windowStartMs));
          index = windows.length;
          windowIndex.set(windowStartMs, index);
        }
        indexes[i] = index;
      }
      const known = await claimFresh(trx, sorted.join(','), indexes.join(','), windows);
      if (known.size === 0) return known;
      const duplicates = new Set<string>();
      for (const { eventId } of claims) if (known.has(eventId.toLowerCase())) duplicates.add(eventId);
      return duplicates;
    },

    async writeMetrics(metrics: BatchMetrics | EncodedMetricRows): Promise<void> {
      const rows = 'kind' in metrics ? metrics : encodeMetricRows(metrics);
      // In this order: payment rows, histograms, rule metrics (see executeInOrder).
      const upserts: Upsert[] = [];
      if (rows.payment) {
        const c = rows.payment;
        upserts.push({
          name: 'payment',
          statement: sql`
          INSERT INTO payment_metrics_5m AS m (
            window_start, merchant_id, payment_method, card_brand, currency, country, channel,
            txn_count, approved_count, declined_count, error_count,
            amount_minor_sum, approved_amount_minor_sum,
            latency_ms_sum, latency_ms_min, latency_ms_max)
          SELECT w::timestamptz, merchant, method, brand, currency, country, channel,
                 n::bigint, approved::bigint, declined::bigint, errors::bigint,
                 amount::numeric, approved_amount::numeric,
                 lat_sum::float8, lat_min::float8, lat_max::float8
            FROM unnest(
              ${c.windowStart}::text[], ${c.merchantId}::text[], ${c.paymentMethod}::text[],
              ${c.cardBrand}::text[], ${c.currency}::text[], ${c.country}::text[], ${c.channel}::text[],
              ${c.txnCount}::text[], ${c.approvedCount}::text[], ${c.declinedCount}::text[],
              ${c.errorCount}::text[], ${c.amountMinorSum}::text[], ${c.approvedAmountMinorSum}::text[],
              ${c.latencyMsSum}::text[], ${c.latencyMsMin}::text[], ${c.latencyMsMax}::text[])
              AS t(w, merchant, method, brand, currency, country, channel, n, approved, declined, errors,
                   amount, approved_amount, lat_sum, lat_min, lat_max)
          ON CONFLICT (window_start, merchant_id, payment_method, card_brand, currency, country, channel)
          DO UPDATE SET
            txn_count = m.txn_count + EXCLUDED.txn_count,
            approved_count = m.approved_count + EXCLUDED.approved_count,
            declined_count = m.declined_count + EXCLUDED.declined_count,
            error_count = m.error_count + EXCLUDED.error_count,
            amount_minor_sum = m.amount_minor_sum + EXCLUDED.amount_minor_sum,
            approved_amount_minor_sum = m.approved_amount_minor_sum + EXCLUDED.approved_amount_minor_sum,
            latency_ms_sum = m.latency_ms_sum + EXCLUDED.latency_ms_sum,
            latency_ms_min = LEAST(m.latency_ms_min, EXCLUDED.latency_ms_min),
            latency_ms_max = GREATEST(m.latency_ms_max, EXCLUDED.latency_ms_max),
            updated_at = now()`,
        });
      }
      if (rows.histograms) {
        const c = rows.histograms;
        upserts.push({
          name: 'histograms',
          statement: sql`
          INSERT INTO aggregate_histograms AS h (
            window_start, metric_name, dimensions, relative_accuracy, count, sum, min, max, sketch)
          SELECT w::timestamptz, name, dims::jsonb, acc::float8, n::bigint, s::numeric, lo::float8,
                 hi::float8, sk::jsonb
            FROM unnest(
              ${c.windowStart}::text[], ${c.metricName}::text[], ${c.dimensions}::text[],
              ${c.relativeAccuracy}::text[], ${c.count}::text[], ${c.sum}::text[], ${c.min}::text[],
              ${c.max}::text[], ${c.sketch}::text[])
              AS t(w, name, dims, acc, n, s, lo, hi, sk)
          ON CONFLICT (window_start, metric_name, dimensions) DO UPDATE SET
            count = h.count + EXCLUDED.count,
            sum = h.sum + EXCLUDED.sum,
            min = LEAST(h.min, EXCLUDED.min),
            max = GREATEST(h.max, EXCLUDED.max),
            -- The same merge as paymetrics_merge_sketches, inlined: a PL/pgSQL call per row cost
            -- more than the merge. A different accuracy still goes through the function, which refuses it.
            sketch = CASE WHEN (h.sketch -> 'relativeAccuracy') = (EXCLUDED.sketch -> 'relativeAccuracy')
              THEN jsonb_build_object(
                'relativeAccuracy', h.sketch -> 'relativeAccuracy',
                'zeroCount', (h.sketch ->> 'zeroCount')::bigint + (EXCLUDED.sketch ->> 'zeroCount')::bigint,
                'bins', coalesce(h.sketch -> 'bins', '{}'::jsonb) || coalesce(
                  (SELECT jsonb_object_agg(key, value::bigint + coalesce((h.sketch -> 'bins' ->> key)::bigint, 0))
                     FROM jsonb_each_text(EXCLUDED.sketch -> 'bins')),
                  '{}'::jsonb))
              ELSE paymetrics_merge_sketches(h.sketch, EXCLUDED.sketch) END,
            updated_at = now()`,
        });
      }
      if (rows.dynamic) {
        const c = rows.dynamic;
        upserts.push({
          name: 'dynamic',
          statement: sql`
          INSERT INTO dynamic_metrics AS d (
            window_start, metric_name, dimensions, value_count, value_sum, value_min, value_max)
          SELECT w::timestamptz, name, dims::jsonb, n::bigint, s::float8, lo::float8, hi::float8
            FROM unnest(
              ${c.windowStart}::text[], ${c.metricName}::text[], ${c.dimensions}::text[],
              ${c.valueCount}::text[], ${c.valueSum}::text[], ${c.valueMin}::text[], ${c.valueMax}::text[])
              AS t(w, name, dims, n, s, lo, hi)
          ON CONFLICT (window_start, metric_name, dimensions) DO UPDATE SET
            value_count = d.value_count + EXCLUDED.value_count,
            value_sum = d.value_sum + EXCLUDED.value_sum,
            value_min = LEAST(d.value_min, EXCLUDED.value_min),
            value_max = GREATEST(d.value_max, EXCLUDED.value_max),
            updated_at = now()`,
        });
      }
      await executeInOrder(trx, upserts);
    },

    async writeFailedItems(items: readonly FailedItemRecord[]): Promise<number> {
      if (items.length === 0) return 0;
      const sorted = [...items].sort(
        (a, b) =>
          compareStrings(a.source, b.source) ||
          compareStrings(a.partitionId, b.partitionId) ||
          a.sequenceNumber - b.sequenceNumber,
      );
      const column = <T>(pick: (item: FailedItemRecord) => T) => sorted.map(pick);
      const { rows } = await sql<{ id: string | bigint }>`
        INSERT INTO failed_items (
          stage, error_code, error_message, payload, payload_encoding, payload_bytes, payload_ref,
          source, partition_id, sequence_number, event_id, next_attempt_at)
        SELECT stage, code, message, payload, encoding, bytes::integer, ref,
               source, partition_id, seq::bigint, event_id, next_at::timestamptz
          FROM unnest(
            ${column((i) => i.stage)}::text[], ${column((i) => i.errorCode)}::text[],
            ${column((i) => i.errorMessage)}::text[], ${column((i) => i.payload)}::text[],
            ${column((i) => i.payloadEncoding)}::text[], ${column((i) => String(i.payloadBytes))}::text[],
            ${column((i) => i.payloadRef)}::text[], ${column((i) => i.source)}::text[],
            ${column((i) => i.partitionId)}::text[], ${column((i) => String(i.sequenceNumber))}::text[],
            ${column((i) => i.eventId)}::text[], ${column((i) => i.nextAttemptAt?.toISOString() ?? null)}::text[])
            AS t(stage, code, message, payload, encoding, bytes, ref, source, partition_id, seq, event_id, next_at)
        ON CONFLICT (source, partition_id, sequence_number) DO NOTHING
        RETURNING id`.execute(trx);
      return rows.length;
    },

    async lockFailedItem(id: string): Promise<FailedItemStatus | undefined> {
      const row = await trx
        .selectFrom('failed_items')
        .select('status')
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      return row?.status;
    },

    async resolveFailedItem(id: string, resolution: FailedItemResolution, now: Date): Promise<void> {
      await trx
        .updateTable('failed_items')
        .set({ status: 'resolved', resolution, resolved_at: now, next_attempt_at: null })
        .where('id', '=', id)
        .execute();
    },

    async advancePosition(
      partition: PartitionRef,
      range: {
        readonly firstSequence: number;
        readonly lastSequence: number;
        readonly maxEventTimeMs?: number;
      },
      counters: BatchCounters,
    ): Promise<void> {
      if (counters.received !== counters.counted + counters.deadLettered + counters.duplicates) {
        throw new Error(
          `advancePosition: received (${counters.received}) must equal counted (${counters.counted}) + dead-lettered (${counters.deadLettered}) + duplicates (${counters.duplicates})`,
        );
      }
      // An upsert, so it also works without a prior lockPosition; a placeholder row (no batch
      // committed yet) takes this batch's range as its own.
      await sql`
        INSERT INTO source_positions AS p (
          source, partition_id, first_sequence, last_sequence,
          events_received, events_counted, events_dead_lettered, events_duplicate, batches_committed,
          event_time_watermark)
        VALUES (
          ${partition.source}, ${partition.partitionId},
          ${String(range.firstSequence)}::bigint, ${String(range.lastSequence)}::bigint,
          ${String(counters.received)}::bigint, ${String(counters.counted)}::bigint,
          ${String(counters.deadLettered)}::bigint, ${String(counters.duplicates)}::bigint, 1,
          ${range.maxEventTimeMs === undefined ? null : isoTimestamp(range.maxEventTimeMs)}::timestamptz)
        ON CONFLICT (source, partition_id) DO UPDATE SET
          first_sequence = CASE WHEN p.batches_committed = 0 THEN EXCLUDED.first_sequence ELSE p.first_sequence END,
          last_sequence = CASE WHEN p.batches_committed = 0 THEN EXCLUDED.last_sequence
                               ELSE GREATEST(p.last_sequence, EXCLUDED.last_sequence) END,
          events_received = p.events_received + EXCLUDED.events_received,
          events_counted = p.events_counted + EXCLUDED.events_counted,
          events_dead_lettered = p.events_dead_lettered + EXCLUDED.events_dead_lettered,
          events_duplicate = p.events_duplicate + EXCLUDED.events_duplicate,
          batches_committed = p.batches_committed + 1,
          event_time_watermark = GREATEST(p.event_time_watermark, EXCLUDED.event_time_watermark),
          updated_at = now()`.execute(trx);
    },
  };
}
