import { FIXED_NOW, line, validEvent } from './transactions.js';

const NOW = FIXED_NOW;

/** A batch as the pipeline takes it (structurally its EventBatch; this harness needs no pipeline). */
export interface WorkloadBatch {
  readonly source: string;
  readonly partitionId: string;
  readonly events: readonly { readonly body: string; readonly sequenceNumber: number }[];
}

export const FILE_SOURCE = 'file:sha256:0123456789abcdef0123456789abcdef';
export const HUB_SOURCE = 'eventhub:ns.servicebus.windows.net/payments/ops';

/**
 * A mixed workload processed at FIXED_NOW (the operations and ops tests): a file (lines from 1) and two event hub partitions, with bad lines, a
 * repeated eventId inside a batch and across partitions, a future event and a replayed batch.
 */
export function mixedBatches(): WorkloadBatch[] {
  const repeated = validEvent(3);
  const fileLines = [
    ...Array.from({ length: 40 }, (_, i) => line(validEvent(i))),
    '{"schemaVersion":1,',
    line(validEvent(41, { amountMinor: 10.5 })),
    line(repeated),
    line(repeated),
    line(validEvent(44, { occurredAt: new Date(NOW + 3_600_000).toISOString() })),
  ];
  const file: WorkloadBatch = {
    source: FILE_SOURCE,
    partitionId: '0',
    events: fileLines.map((body, index) => ({ body, sequenceNumber: index + 1 })),
  };
  const hub = (partitionId: string, first: number, count: number, offset: number): WorkloadBatch => ({
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
