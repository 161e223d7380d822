import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.js';
import type { BatchWriter, MetricsStore, PartitionRef } from '../metrics-store.js';
import { createBatchWriter, positionFromRow } from './batch-writer.js';

/**
 * The one SQL implementation of MetricsStore; the dialect only decides how statements reach
 * the database. `close()` destroys `db`, which ends an injected pg pool or closes a PGlite
 * instance (kysely's ownership rule): share the client elsewhere only if you never call close.
 */
export function createKyselyMetricsStore(db: Kysely<Database>): MetricsStore {
  return {
    async readPosition(partition: PartitionRef): Promise<number | undefined> {
      const { rows } = await sql<{ last_sequence: string | bigint; batches_committed: string | bigint }>`
        SELECT last_sequence, batches_committed FROM source_positions
         WHERE source = ${partition.source} AND partition_id = ${partition.partitionId}`.execute(db);
      return positionFromRow(rows[0]);
    },

    async findCountedEventIds(eventIds: readonly string[]): Promise<ReadonlySet<string>> {
      if (eventIds.length === 0) return new Set();
      const { rows } = await sql<{ event_id: string }>`
        SELECT event_id::text FROM processed_events
         WHERE event_id = ANY(${eventIds.map((id) => id.toLowerCase())}::uuid[])`.execute(db);
      return new Set(rows.map((row) => row.event_id));
    },

    transaction<T>(work: (writer: BatchWriter) => Promise<T>): Promise<T> {
      return db.transaction().execute((trx) => work(createBatchWriter(trx)));
    },

    async close(): Promise<void> {
      await db.destroy();
    },
  };
}
