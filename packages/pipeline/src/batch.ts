/** One event as a transport delivered it. */
export interface RawEvent {
  /** The body as received: text, bytes, or an object a host already parsed. */
  readonly body: string | Uint8Array | object;
  /** Position in its partition: Event Hubs sequence number, or a file's line number. */
  readonly sequenceNumber: number;
  readonly enqueuedAt?: Date | undefined;
  /** The producer's W3C trace context from the event's properties, continued by the batch span. */
  readonly traceparent?: string | undefined;
}

/** Events of one partition, in ascending sequence order. */
export interface EventBatch {
  /** Event hub (namespace/name/consumer group) or a file's content hash. */
  readonly source: string;
  readonly partitionId: string;
  readonly events: readonly RawEvent[];
}

export interface BatchTimings {
  readonly decodeMs: number;
  readonly deriveMs: number;
  readonly archiveMs: number;
  readonly commitMs: number;
  readonly totalMs: number;
}

/**
 * What happened to every event of a batch. The conservation law
 * `received = counted + deadLettered + duplicates + replaySkipped` holds for every result.
 */
export interface BatchResult {
  readonly source: string;
  readonly partitionId: string;
  readonly received: number;
  readonly counted: number;
  readonly deadLettered: number;
  readonly duplicates: number;
  /** Positions at or below the partition's committed position: already processed. */
  readonly replaySkipped: number;
  readonly deadLetteredByCode: Readonly<Record<string, number>>;
  /** Distinct window starts (epoch ms) that received counted events. */
  readonly windowsTouched: readonly number[];
  /** The partition's committed position after the batch, if any. */
  readonly committedSequence: number | undefined;
  readonly timings: BatchTimings;
}
