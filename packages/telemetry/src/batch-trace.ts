import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { batchInstruments } from './batch-instruments.js';
import { BatchOutcome, SpanName, TELEMETRY_SCOPE } from './instruments.js';
import { sourceKind } from './source-kind.js';

/** What the tracer needs of a batch: the pipeline's EventBatch satisfies it. */
export interface TracedBatch {
  readonly source: string;
  readonly partitionId: string;
  readonly events: readonly {
    readonly sequenceNumber: number;
    readonly enqueuedAt?: Date | undefined;
    /** The producer's W3C trace context (`traceparent` or `Diagnostic-Id` of the event's properties). */
    readonly traceparent?: string | undefined;
  }[];
}

/** What happened to a committed batch: the pipeline's BatchResult satisfies it. */
export interface BatchReport {
  readonly received: number;
  readonly counted: number;
  readonly deadLettered: number;
  readonly duplicates: number;
  readonly replaySkipped: number;
  readonly deadLetteredByCode: Readonly<Record<string, number>>;
  readonly committedSequence: number | undefined;
  readonly timings: { readonly commitMs: number };
}

export type StoreName = 'postgres' | 'archive';

export interface BatchFailure {
  readonly kind: 'retryable' | 'fatal';
  /** Set when a store failed (not for a defect in decode or derive). */
  readonly store?: StoreName | undefined;
  readonly reason: string;
  readonly error: unknown;
}

type Stage = 'decode' | 'derive' | 'archive' | 'commit';

const stageSpan: Record<Stage, string> = {
  decode: SpanName.decode,
  derive: SpanName.derive,
  archive: SpanName.archive,
  commit: SpanName.commit,
};

/** A batch span links to at most this many other producers' traces; the first one is its parent. */
const MAX_LINKS = 32;

const epochMs = () => performance.timeOrigin + performance.now();

/**
 * One batch's span, its stage spans and its measurements: the pipeline starts one per batch,
 * runs each stage through it and ends it with the batch's result or failure, so every runtime
 * records the same instruments in the same way. Without a registered SDK every call is a no-op.
 */
export class BatchTrace {
  readonly #tracer: Tracer;
  readonly #span: Span;
  readonly #context: Context;
  readonly #batch: TracedBatch;
  readonly #startedAt = performance.now();
  readonly #readAtMs = epochMs();
  #stage: Stage | undefined;
  #ended = false;

  constructor(batch: TracedBatch) {
    this.#batch = batch;
    this.#tracer = trace.getTracer(TELEMETRY_SCOPE);
    const { parent, links } = producerContexts(batch);
    const first = batch.events[0]?.sequenceNumber;
    const last = batch.events.at(-1)?.sequenceNumber;
    const attributes: Attributes = {
      // Application Insights names a request (a consumer span) only from this attribute.
      'ai.operation.name': SpanName.batch,
      'paymetrics.source': batch.source,
      'paymetrics.source_kind': sourceKind(batch.source),
      'paymetrics.partition': batch.partitionId,
      'paymetrics.events.received': batch.events.length,
      ...(first === undefined ? {} : { 'paymetrics.sequence.first': first }),
      ...(last === undefined ? {} : { 'paymetrics.sequence.last': last }),
    };
    this.#span = this.#tracer.startSpan(
      SpanName.batch,
      { kind: SpanKind.CONSUMER, attributes, links },
      parent,
    );
    this.#context = trace.setSpan(parent, this.#span);
  }

  /** Runs `fn` with the batch span active, so spans of the stores (pg, Blob) become its children. */
  run<T>(fn: () => T): T {
    return context.with(this.#context, fn);
  }

  /** A synchronous stage (decode, derive) as a child span. */
  stageSync<T>(stage: Stage, fn: () => T): T {
    this.#stage = stage;
    const span = this.#tracer.startSpan(stageSpan[stage], {}, this.#context);
    try {
      return fn();
    } finally {
      span.end();
    }
  }

  /** An asynchronous stage (archive, commit) as an active child span. */
  async stage<T>(stage: Stage, fn: () => Promise<T>): Promise<T> {
    this.#stage = stage;
    const span = this.#tracer.startSpan(stageSpan[stage], {}, this.#context);
    try {
      return await context.with(trace.setSpan(this.#context, span), fn);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  /** The store a failure now would be charged to: the archive during its stage, else PostgreSQL. */
  get failingStore(): StoreName | undefined {
    if (this.#stage === 'archive') return 'archive';
    if (this.#stage === 'decode' || this.#stage === 'derive') return undefined;
    return 'postgres';
  }

  /** Ends the batch span with its result and records the batch's measurements. */
  committed(result: BatchReport): void {
    if (this.#ended) return;
    this.#ended = true;
    const durationMs = performance.now() - this.#startedAt;
    const committedAtMs = epochMs();
    const fresh = result.received - result.replaySkipped;
    const outcome = fresh === 0 ? BatchOutcome.replaySkipped : BatchOutcome.committed;
    const m = batchInstruments();
    const where = this.#where();
    m.received.add(result.received, where);
    if (result.counted > 0) m.counted.add(result.counted, where);
    for (const [code, n] of Object.entries(result.deadLetteredByCode)) m.deadLettered.add(n, { code });
    // A replayed position is a duplicate delivery, so received = counted + dead-lettered + duplicate.
    const duplicates = result.duplicates + result.replaySkipped;
    if (duplicates > 0) m.duplicate.add(duplicates);
    m.batchDuration.record(durationMs, { outcome });
    if (fresh > 0) {
      m.commitDuration.record(result.timings.commitMs);
      recordLag(this.#batch, result, committedAtMs, this.#readAtMs);
    }

    this.#span.setAttributes({
      'paymetrics.outcome': outcome,
      'paymetrics.events.counted': result.counted,
      'paymetrics.events.dead_lettered': result.deadLettered,
      'paymetrics.events.duplicate': result.duplicates,
      'paymetrics.events.replay_skipped': result.replaySkipped,
      ...(result.committedSequence === undefined
        ? {}
        : { 'paymetrics.sequence.committed': result.committedSequence }),
    });
    this.#span.end();
  }

  #where(): Attributes {
    return { source_kind: sourceKind(this.#batch.source), partition: this.#batch.partitionId };
  }

  /** Ends the batch span as failed (nothing committed) and records the failure. */
  failed(failure: BatchFailure): void {
    if (this.#ended) return;
    this.#ended = true;
    const m = batchInstruments();
    // Received but not counted: the stalled-partition alert compares the two per partition.
    m.received.add(this.#batch.events.length, this.#where());
    m.batchDuration.record(performance.now() - this.#startedAt, { outcome: BatchOutcome.failed });
    m.batchFailures.add(1, { kind: failure.kind });
    if (failure.store) m.storageFailures.add(1, { store: failure.store, reason: failure.reason });
    this.#span.setAttributes({
      'paymetrics.outcome': BatchOutcome.failed,
      'paymetrics.failure.kind': failure.kind,
      'paymetrics.failure.reason': failure.reason,
    });
    if (failure.error instanceof Error) this.#span.recordException(failure.error);
    this.#span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(failure.error) });
    this.#span.end();
  }
}

/** Per event that reached the commit: enqueued time (or the batch's read time) to commit. */
function recordLag(batch: TracedBatch, result: BatchReport, committedAtMs: number, readAtMs: number): void {
  const { eventLag } = batchInstruments();
  const events = batch.events;
  // Replayed positions come first in a partition's batch: they were committed earlier.
  for (let i = result.replaySkipped; i < events.length; i++) {
    const enqueuedAt = events[i]?.enqueuedAt;
    eventLag.record(Math.max(0, committedAtMs - (enqueuedAt ? enqueuedAt.getTime() : readAtMs)));
  }
}

/** The first producer context is the batch span's parent; the others (distinct traces) are links. */
function producerContexts(batch: TracedBatch): { parent: Context; links: Link[] } {
  let parent: Context | undefined;
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const event of batch.events) {
    const traceparent = event.traceparent;
    if (traceparent === undefined || seen.has(traceparent)) continue;
    seen.add(traceparent);
    const extracted = propagation.extract(ROOT_CONTEXT, { traceparent });
    const spanContext = trace.getSpanContext(extracted);
    if (!spanContext) continue;
    if (!parent) parent = extracted;
    else if (links.length < MAX_LINKS) links.push({ context: spanContext });
    else break;
  }
  return { parent: parent ?? context.active(), links };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
