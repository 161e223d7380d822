import { randomUUID } from 'node:crypto';
import type { EventBatch } from '@paymetrics/pipeline';

/** A fixed processing time, so the event-time bounds are deterministic. */
export const NOW = Date.parse('2026-11-27T12:00:00.000Z');

/** A valid PaymentTransaction v1; `i` varies its fields, spread over ~40 minutes before NOW. */
export function validEvent(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const method = (['card', 'wallet', 'bank_transfer'] as const)[i % 3]!;
  const status = i % 5 === 0 ? 'declined' : i % 11 === 0 ? 'error' : 'approved';
  return {
    schemaVersion: 1,
    eventId: randomUUID(),
    transactionId: randomUUID(),
    occurredAt: new Date(NOW - 40 * 60_000 + (i % 150) * 13_001).toISOString(),
    merchantId: `m_${i % 3}`,
    amountMinor: 100 + ((i * 7_877) % 250_000),
    currency: 'EUR',
    paymentMethod: method,
    cardBrand: method === 'card' ? 'visa' : null,
    channel: 'ecommerce',
    country: 'DE',
    status,
    declineCode: status === 'declined' ? '05' : null,
    processorLatencyMs: 50 + ((i * 37) % 900),
    ...overrides,
  };
}

export const line = (event: unknown): string => JSON.stringify(event);

export const FILE_SOURCE = 'file:sha256:0123456789abcdef0123456789abcdef';
export const HUB_SOURCE = 'eventhub:ns.servicebus.windows.net/payments/ops';

/**
 * A mixed workload: a file (lines from 1) and two event hub partitions, with bad lines, a
 * repeated eventId inside a batch and across partitions, a future event and a replayed batch.
 */
export function mixedBatches(): EventBatch[] {
  const repeated = validEvent(3);
  const fileLines = [
    ...Array.from({ length: 40 }, (_, i) => line(validEvent(i))),
    '{"schemaVersion":1,',
    line(validEvent(41, { amountMinor: 10.5 })),
    line(repeated),
    line(repeated),
    line(validEvent(44, { occurredAt: new Date(NOW + 3_600_000).toISOString() })),
  ];
  const file: EventBatch = {
    source: FILE_SOURCE,
    partitionId: '0',
    events: fileLines.map((body, index) => ({ body, sequenceNumber: index + 1 })),
  };
  const hub = (partitionId: string, first: number, count: number, offset: number): EventBatch => ({
    source: HUB_SOURCE,
    partitionId,
    events: Array.from({ length: count }, (_, i) => ({
      body: i === 2 ? line(repeated) : line(validEvent(offset + i)),
      sequenceNumber: first + i,
    })),
  });
  return [
    file,
    hub('0', 0, 30, 100),
    hub('0', 30, 30, 200),
    hub('1', 500, 25, 300),
    // A redelivered batch: every position is committed already, so nothing changes.
    hub('0', 30, 30, 200),
  ];
}
