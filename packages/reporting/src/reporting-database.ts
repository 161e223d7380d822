import type { Database } from '@paymetrics/storage-adapters';
import type { Kysely } from 'kysely';

/**
 * The tables reports read. The analytics tables (rollups, anomalies, segments) may not exist
 * yet in a given database; the queries check before reading them.
 */
export type ReportingDatabase = Kysely<Database>;

/** Options every report takes: the merchant to narrow to, if any. */
export interface ReportFilter {
  readonly merchantId?: string | undefined;
}
