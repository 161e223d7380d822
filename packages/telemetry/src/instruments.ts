/**
 * The telemetry contract (docs/observability.md, ARCHITECTURE.md "Telemetry"): alerts and
 * dashboards query these names, so they are written here once and imported everywhere else,
 * the Terraform alert test included.
 */
export const InstrumentName = {
  eventsReceived: 'paymetrics.events.received',
  eventsCounted: 'paymetrics.events.counted',
  eventsDeadLettered: 'paymetrics.events.dead_lettered',
  eventsDuplicate: 'paymetrics.events.duplicate',
  batchDuration: 'paymetrics.batch.duration',
  batchCommitDuration: 'paymetrics.batch.commit.duration',
  eventLag: 'paymetrics.event.lag',
  batchFailures: 'paymetrics.batch.failures',
  storageFailures: 'paymetrics.storage.failures',
  deadLetterPending: 'paymetrics.dead_letter.pending',
  anomaliesOpen: 'paymetrics.anomalies.open',
} as const;

export type InstrumentName = (typeof InstrumentName)[keyof typeof InstrumentName];

export type InstrumentKind = 'counter' | 'histogram' | 'observable_gauge';

export interface InstrumentSpec {
  readonly kind: InstrumentKind;
  readonly unit: string;
  readonly description: string;
  /** The only attribute keys the instrument is recorded with (low cardinality; never a merchant id). */
  readonly attributes: readonly string[];
}

export const instruments: Readonly<Record<InstrumentName, InstrumentSpec>> = {
  [InstrumentName.eventsReceived]: {
    kind: 'counter',
    unit: '{event}',
    description: 'Events delivered to the pipeline, replays and failed attempts included',
    attributes: ['source_kind', 'partition'],
  },
  [InstrumentName.eventsCounted]: {
    kind: 'counter',
    unit: '{event}',
    description: 'Events committed to the metrics tables',
    attributes: ['source_kind', 'partition'],
  },
  [InstrumentName.eventsDeadLettered]: {
    kind: 'counter',
    unit: '{event}',
    description: 'Events parked in failed_items, by stable error code',
    attributes: ['code'],
  },
  [InstrumentName.eventsDuplicate]: {
    kind: 'counter',
    unit: '{event}',
    description: 'Events skipped as already processed: a repeated eventId or a replayed position',
    attributes: [],
  },
  [InstrumentName.batchDuration]: {
    kind: 'histogram',
    unit: 'ms',
    description: 'Time from reading a batch to its commit (or failure)',
    attributes: ['outcome'],
  },
  [InstrumentName.batchCommitDuration]: {
    kind: 'histogram',
    unit: 'ms',
    description: 'Time of the database transaction that commits a batch',
    attributes: [],
  },
  [InstrumentName.eventLag]: {
    kind: 'histogram',
    unit: 'ms',
    description: 'Per event, from enqueued time (or read time) to commit',
    attributes: [],
  },
  [InstrumentName.batchFailures]: {
    kind: 'counter',
    unit: '{batch}',
    description: 'Batches that committed nothing and will be delivered again',
    attributes: ['kind'],
  },
  [InstrumentName.storageFailures]: {
    kind: 'counter',
    unit: '{operation}',
    description: 'Failed writes or reads of PostgreSQL or the raw archive',
    attributes: ['store', 'reason'],
  },
  [InstrumentName.deadLetterPending]: {
    kind: 'observable_gauge',
    unit: '{item}',
    description: 'failed_items waiting for a retry or a decision',
    attributes: ['status'],
  },
  [InstrumentName.anomaliesOpen]: {
    kind: 'observable_gauge',
    unit: '{anomaly}',
    description: 'Open rows of metric_anomalies',
    attributes: ['metric'],
  },
};

/** Every instrument name of the contract. */
export const instrumentNames: readonly InstrumentName[] = Object.values(InstrumentName);

/** The meter and tracer every paymetrics runtime records through. */
export const TELEMETRY_SCOPE = '@paymetrics/telemetry';

export const SpanName = {
  batch: 'paymetrics.batch',
  decode: 'paymetrics.batch.decode',
  derive: 'paymetrics.batch.derive',
  archive: 'paymetrics.batch.archive',
  commit: 'paymetrics.batch.commit',
  publish: 'paymetrics.publish',
} as const;

export type SpanName = (typeof SpanName)[keyof typeof SpanName];

export const BatchOutcome = {
  committed: 'committed',
  replaySkipped: 'replay_skipped',
  failed: 'failed',
} as const;

export type BatchOutcome = (typeof BatchOutcome)[keyof typeof BatchOutcome];
