import type { EventBatch, RawEvent } from '@paymetrics/pipeline';

/**
 * Maps an Event Hubs trigger invocation (`cardinality: 'many'`) to the pipeline's batch.
 *
 * The host sends `PartitionContext`, `SequenceNumberArray`, `EnqueuedTimeUtcArray`,
 * `OffsetArray`, ... ; `@azure/functions` v4 lower-cases the first letter of every key, nested
 * keys included (`fromRpcTriggerMetadata` + `toCamelCaseValue`), so the handler sees
 * `partitionContext.eventHubName`. The PascalCase spelling is accepted too, for other hosts and
 * older libraries. Sequence numbers are int64: they may arrive as numbers, decimal strings,
 * bigints or protobuf Long objects.
 */
export class TriggerMetadataError extends Error {
  override readonly name = 'TriggerMetadataError';
}

export interface PartitionSource {
  readonly fullyQualifiedNamespace: string | undefined;
  readonly eventHubName: string;
  readonly consumerGroup: string;
  readonly partitionId: string;
}

export interface EventHubBatchOptions {
  /** Namespace for the source name when the partition context has none (settings). */
  readonly fallbackNamespace?: string | undefined;
}

export function eventHubBatch(
  events: readonly unknown[],
  triggerMetadata: Readonly<Record<string, unknown>> | undefined,
  options: EventHubBatchOptions = {},
): EventBatch {
  if (!Array.isArray(events)) {
    throw new TriggerMetadataError('the trigger delivered one event, not an array: set cardinality to many');
  }
  const metadata = triggerMetadata ?? {};
  const partition = partitionSource(metadata);
  const sequences = field(metadata, 'sequenceNumberArray');
  if (!Array.isArray(sequences) || sequences.length !== events.length) {
    throw new TriggerMetadataError(
      `sequenceNumberArray must hold one sequence number per event (${events.length}), got ${describeLength(sequences)}`,
    );
  }
  const enqueued = field(metadata, 'enqueuedTimeUtcArray');
  const enqueuedTimes = Array.isArray(enqueued) && enqueued.length === events.length ? enqueued : undefined;
  const properties = field(metadata, 'propertiesArray');
  const eventProperties =
    Array.isArray(properties) && properties.length === events.length ? properties : undefined;

  const raw: RawEvent[] = events.map((body, i) => {
    const enqueuedAt = toDate(enqueuedTimes?.[i]);
    const traceparent = producerTraceparent(eventProperties?.[i]);
    return {
      body: toBody(body),
      sequenceNumber: toSequenceNumber(sequences[i], i),
      ...(enqueuedAt ? { enqueuedAt } : {}),
      ...(traceparent ? { traceparent } : {}),
    };
  });
  // The pipeline expects ascending positions; the host delivers them so, but a sort is cheap insurance.
  raw.sort((a, b) => a.sequenceNumber - b.sequenceNumber);
  return {
    source: sourceName(partition, options.fallbackNamespace),
    partitionId: partition.partitionId,
    events: raw,
  };
}

/** `eventhub:<namespace or hub>/<hub>/<consumer group>`: stable for a hub and consumer group. */
export function sourceName(partition: PartitionSource, fallbackNamespace?: string): string {
  const namespace = partition.fullyQualifiedNamespace ?? fallbackNamespace ?? partition.eventHubName;
  return `eventhub:${namespace.toLowerCase()}/${partition.eventHubName}/${partition.consumerGroup}`;
}

export function partitionSource(metadata: Readonly<Record<string, unknown>>): PartitionSource {
  const context = field(metadata, 'partitionContext');
  if (typeof context !== 'object' || context === null) {
    throw new TriggerMetadataError('triggerMetadata.partitionContext is missing');
  }
  const record = context as Record<string, unknown>;
  const partitionId = text(record, 'partitionId');
  const eventHubName = text(record, 'eventHubName');
  if (partitionId === undefined)
    throw new TriggerMetadataError('triggerMetadata.partitionContext.partitionId is missing');
  if (eventHubName === undefined)
    throw new TriggerMetadataError('triggerMetadata.partitionContext.eventHubName is missing');
  return {
    fullyQualifiedNamespace: text(record, 'fullyQualifiedNamespace'),
    eventHubName,
    consumerGroup: text(record, 'consumerGroup') ?? '$Default',
    partitionId,
  };
}

/** The camelCase key, else its PascalCase spelling. */
function field(record: Readonly<Record<string, unknown>>, camel: string): unknown {
  return record[camel] ?? record[camel.charAt(0).toUpperCase() + camel.slice(1)];
}

function text(record: Readonly<Record<string, unknown>>, camel: string): string | undefined {
  const value = field(record, camel);
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function toSequenceNumber(value: unknown, index: number): number {
  let parsed: number | undefined;
  if (typeof value === 'number') parsed = value;
  else if (typeof value === 'bigint') parsed = Number(value);
  else if (typeof value === 'string' && /^\d+$/.test(value.trim())) parsed = Number(value.trim());
  else if (typeof value === 'object' && value !== null) {
    const asText = String(value); // protobuf Long prints its decimal value
    if (/^\d+$/.test(asText)) parsed = Number(asText);
  }
  if (parsed === undefined || !Number.isSafeInteger(parsed) || parsed < 0) {
    throw new TriggerMetadataError(`sequenceNumberArray[${index}] is not a sequence number`);
  }
  return parsed;
}

/**
 * The producer's W3C trace context from an event's application properties: `traceparent`, or
 * `Diagnostic-Id`, where the Event Hubs SDK puts it when the producer traces.
 */
function producerTraceparent(properties: unknown): string | undefined {
  if (typeof properties !== 'object' || properties === null) return undefined;
  const record = properties as Record<string, unknown>;
  // The worker lower-cases each key's first letter: Diagnostic-Id arrives as diagnostic-Id.
  const value = record.traceparent ?? record['diagnostic-Id'] ?? record['Diagnostic-Id'];
  return typeof value === 'string' && /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/.test(value)
    ? value
    : undefined;
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  // The host sends .NET DateTime UTC values, sometimes without a zone designator.
  const normalized = typeof value === 'string' && !/(Z|[+-]\d\d:?\d\d)$/i.test(value) ? `${value}Z` : value;
  const date = new Date(normalized);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * With `dataType: 'binary'` every body is a Buffer. With the default data type the library
 * JSON-parses each string body and keeps the text when parsing fails, so a body may also be an
 * object, an array, a number or null: anything that is not text or bytes is handed to the
 * pipeline as the value the host parsed (it rejects non-objects with a stable code).
 */
function toBody(body: unknown): RawEvent['body'] {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (typeof body === 'object' && body !== null) return body;
  // A number, boolean or null parsed from a JSON body: keep its JSON text so it is parked as received.
  return JSON.stringify(body) ?? String(body);
}

function describeLength(value: unknown): string {
  return Array.isArray(value) ? `${value.length}` : value === undefined ? 'none' : typeof value;
}
