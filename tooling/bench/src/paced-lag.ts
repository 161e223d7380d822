import { setTimeout as sleep } from 'node:timers/promises';
import type { RawEvent } from '@paymetrics/pipeline';
import type { PartitionConsumer } from './pipeline-stream.js';

export interface PacedLagOptions {
  readonly ratePerSecond: number;
  /** A consumer flushes after this many events ... */
  readonly maxBatchEvents: number;
  /** ... or when its oldest pending event has waited this long, whichever comes first. */
  readonly maxWaitMs: number;
}

export interface PacedLagResult {
  /** Per event: committed minus scheduled arrival, ms. */
  readonly lagMs: Float64Array;
  readonly batches: number;
  readonly failedBatches: number;
  /** Arrival rate actually sustained (events / elapsed). */
  readonly achievedPerSecond: number;
}

/**
 * Events arrive on a fixed schedule (event i at i / rate); a consumer gathers arrived events and
 * flushes like an Event Hubs consumer would. Lag is measured from the scheduled arrival, not from
 * when the loop noticed it, so a slow batch delays (and is charged for) every event behind it.
 */
export async function measurePacedLag(
  consumer: PartitionConsumer,
  lines: readonly (string | Uint8Array)[],
  options: PacedLagOptions,
  firstSequence = 1,
): Promise<PacedLagResult> {
  const total = lines.length;
  const intervalMs = 1000 / options.ratePerSecond;
  const lagMs = new Float64Array(total);
  let batches = 0;
  let failedBatches = 0;
  const started = performance.now();
  const arrivalOf = (i: number) => i * intervalMs;
  let next = 0;
  while (next < total) {
    const now = performance.now() - started;
    const arrived = Math.min(total, Math.floor(now / intervalMs) + 1);
    const pending = arrived - next;
    const fullAt = arrivalOf(Math.min(total - 1, next + options.maxBatchEvents - 1));
    const dueAt = Math.min(fullAt, arrivalOf(next) + options.maxWaitMs);
    if (pending <= 0) {
      await sleep(Math.max(0, arrivalOf(next) - now));
      continue;
    }
    if (pending < options.maxBatchEvents && arrived < total && now < dueAt) {
      await sleep(dueAt - now);
      continue;
    }
    const end = next + Math.min(pending, options.maxBatchEvents);
    const events: RawEvent[] = [];
    for (let i = next; i < end; i++) events.push({ body: lines[i]!, sequenceNumber: firstSequence + i });
    try {
      await consumer.process(events);
    } catch (error) {
      failedBatches++;
      console.error('paced batch failed:', error);
    }
    batches++;
    const committed = performance.now() - started;
    for (let i = next; i < end; i++) lagMs[i] = committed - arrivalOf(i);
    next = end;
  }
  const elapsed = performance.now() - started;
  return { lagMs, batches, failedBatches, achievedPerSecond: (total / elapsed) * 1000 };
}
