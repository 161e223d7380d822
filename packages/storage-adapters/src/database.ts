import type { StoredSketch } from '@paymetrics/metric-engine';
import type { FailedItemStatus } from '@paymetrics/schemas';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Kysely table types for database/schemas/*.sql.
 *
 * Drivers disagree on how they return 64-bit integers: pg gives a decimal string, PGlite a
 * bigint. `BigInt(value)` or `Number(value)` accepts both, so selects are typed as the union.
 * numeric comes back as a decimal string from both (exact money); writes take a string or bigint.
 */
export type Int8 = ColumnType<string | bigint, string | number | bigint, string | number | bigint>;
export type Numeric = ColumnType<string, string | number | bigint, string | number | bigint>;
/** A bigint column with a DEFAULT: optional on insert. */
export type DefaultedInt8 = ColumnType<
  string | bigint,
  string | number | bigint | undefined,
  string | number | bigint
>;
export type Timestamptz = ColumnType<Date, Date | string, Date | string>;
export type GeneratedTimestamptz = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb of string values with sorted keys (the stores write canonical JSON text). */
export type DimensionsJson = ColumnType<Record<string, string>, string, string>;
export type SketchJson = ColumnType<StoredSketch, string, string>;

export interface PaymentMetrics5mTable {
  window_start: Timestamptz;
  merchant_id: string;
  payment_method: string;
  card_brand: string;
  currency: string;
  country: string;
  channel: string;
  txn_count: Int8;
  approved_count: Int8;
  declined_count: Int8;
  error_count: Int8;
  amount_minor_sum: Numeric;
  approved_amount_minor_sum: Numeric;
  latency_ms_sum: number;
  latency_ms_min: number;
  latency_ms_max: number;
  updated_at: GeneratedTimestamptz;
}

export interface DynamicMetricsTable {
  window_start: Timestamptz;
  metric_name: string;
  dimensions: DimensionsJson;
  value_count: Int8;
  value_sum: number;
  value_min: number;
  value_max: number;
  updated_at: GeneratedTimestamptz;
}

export interface AggregateHistogramsTable {
  window_start: Timestamptz;
  metric_name: string;
  dimensions: DimensionsJson;
  relative_accuracy: number;
  count: Int8;
  sum: Numeric;
  min: number;
  max: number;
  sketch: SketchJson;
  updated_at: GeneratedTimestamptz;
}

/** The one type of the failed_items table (database/schemas/04_failed_items.sql and later). */
export interface FailedItemsTable {
  id: ColumnType<string | bigint, never, never>;
  failed_at: GeneratedTimestamptz;
  stage: string;
  error_code: string;
  error_message: string;
  payload: string | null;
  payload_encoding: ColumnType<'utf8' | 'base64', 'utf8' | 'base64' | undefined, 'utf8' | 'base64'>;
  payload_bytes: number;
  payload_ref: string | null;
  source: string;
  partition_id: string;
  sequence_number: Int8;
  event_id: string | null;
  attempts: Generated<number>;
  status: ColumnType<FailedItemStatus, FailedItemStatus | undefined, FailedItemStatus>;
  next_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  resolved_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  /** How a retry resolved it (07_retries_without_positions.sql). */
  resolution: ColumnType<
    FailedItemResolution | null,
    FailedItemResolution | null | undefined,
    FailedItemResolution | null
  >;
}

/** How a retry resolved a failed item: its metrics were counted then, or its eventId had been counted before. */
export type FailedItemResolution = 'counted' | 'duplicate';

export interface SourcePositionsTable {
  source: string;
  partition_id: string;
  first_sequence: Int8;
  last_sequence: Int8;
  events_received: DefaultedInt8;
  events_counted: DefaultedInt8;
  events_dead_lettered: DefaultedInt8;
  events_duplicate: DefaultedInt8;
  batches_committed: DefaultedInt8;
  updated_at: GeneratedTimestamptz;
}

export interface ProcessedEventsTable {
  event_id: string;
  window_start: Timestamptz;
}

export interface Database {
  payment_metrics_5m: PaymentMetrics5mTable;
  dynamic_metrics: DynamicMetricsTable;
  aggregate_histograms: AggregateHistogramsTable;
  failed_items: FailedItemsTable;
  source_positions: SourcePositionsTable;
  processed_events: ProcessedEventsTable;
}

export type PaymentMetrics5m = Selectable<PaymentMetrics5mTable>;
export type DynamicMetric = Selectable<DynamicMetricsTable>;
export type AggregateHistogram = Selectable<AggregateHistogramsTable>;
/** A failed_items row as selected; the camel-case `FailedItem` (failed-items.ts) is what callers use. */
export type FailedItemRow = Selectable<FailedItemsTable>;
export type NewFailedItem = Insertable<FailedItemsTable>;
export type FailedItemUpdate = Updateable<FailedItemsTable>;
export type SourcePosition = Selectable<SourcePositionsTable>;
export type ProcessedEvent = Selectable<ProcessedEventsTable>;
