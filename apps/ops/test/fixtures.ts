import type { EventBatch } from '@paymetrics/pipeline';
import { FIXED_NOW, line, validEvent } from '@paymetrics/testing';

/** The processing time the ops tests inject. */
export const NOW = FIXED_NOW;

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
