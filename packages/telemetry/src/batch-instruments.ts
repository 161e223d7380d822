import { type Counter, type Histogram, type MeterProvider, metrics } from '@opentelemetry/api';
import { InstrumentName, instruments, TELEMETRY_SCOPE } from './instruments.js';

export interface BatchInstruments {
  readonly received: Counter;
  readonly counted: Counter;
  readonly deadLettered: Counter;
  readonly duplicate: Counter;
  readonly batchDuration: Histogram;
  readonly commitDuration: Histogram;
  readonly eventLag: Histogram;
  readonly batchFailures: Counter;
  readonly storageFailures: Counter;
}

// Millisecond buckets from a 1 ms commit to a partition stalled for an hour.
const durationBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000];
const lagBuckets = [...durationBuckets, 300_000, 900_000, 3_600_000];

let cached: { provider: MeterProvider; instruments: BatchInstruments } | undefined;

/**
 * The batch instruments of the global meter provider. The API has no proxy meter provider:
 * instruments taken before an exporter registers its provider would stay no-ops, so they are
 * created again whenever the global provider changes (once per process in practice).
 */
export function batchInstruments(): BatchInstruments {
  const provider = metrics.getMeterProvider();
  if (cached?.provider === provider) return cached.instruments;
  const meter = provider.getMeter(TELEMETRY_SCOPE);
  const counter = (name: InstrumentName) =>
    meter.createCounter(name, { unit: instruments[name].unit, description: instruments[name].description });
  const histogram = (name: InstrumentName, boundaries: number[]) =>
    meter.createHistogram(name, {
      unit: instruments[name].unit,
      description: instruments[name].description,
      advice: { explicitBucketBoundaries: boundaries },
    });
  const created: BatchInstruments = {
    received: counter(InstrumentName.eventsReceived),
    counted: counter(InstrumentName.eventsCounted),
    deadLettered: counter(InstrumentName.eventsDeadLettered),
    duplicate: counter(InstrumentName.eventsDuplicate),
    batchDuration: histogram(InstrumentName.batchDuration, durationBuckets),
    commitDuration: histogram(InstrumentName.batchCommitDuration, durationBuckets),
    eventLag: histogram(InstrumentName.eventLag, lagBuckets),
    batchFailures: counter(InstrumentName.batchFailures),
    storageFailures: counter(InstrumentName.storageFailures),
  };
  cached = { provider, instruments: created };
  return created;
}
