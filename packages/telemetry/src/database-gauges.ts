import { type BatchObservableResult, metrics, type ObservableGauge } from '@opentelemetry/api';
import { InstrumentName, instruments, TELEMETRY_SCOPE } from './instruments.js';

export interface GaugeReadings {
  /** failed_items by status, pending and retrying. */
  readonly deadLetter: Readonly<Record<'pending' | 'retrying', number>>;
  /** Open anomalies by metric; undefined while the database has no metric_anomalies table. */
  readonly anomalies: Readonly<Record<string, number>> | undefined;
}

export interface DatabaseGaugeOptions {
  /** Reads the database (a cheap, time-bounded query: see readGaugeCounts). */
  readonly read: () => Promise<GaugeReadings>;
  /** How often the readings are refreshed; the exporter reads the cached values. */
  readonly refreshIntervalMs?: number | undefined;
  /** A failed read (database down, statement timeout): reported, the last readings expire. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

export interface DatabaseGauges {
  /** Reads now (a timer's run calls it before flushing); concurrent calls share one read. */
  refresh(): Promise<void>;
  /** Stops reading (before the database closes); the last readings are still reported. */
  stop(): void;
}

const DEFAULT_REFRESH_MS = 30_000;

/**
 * `paymetrics.dead_letter.pending` and `paymetrics.anomalies.open` as observable gauges over
 * readings refreshed in the background. An export never waits for the database, and the
 * pipeline never waits for a gauge: a slow or failing read only leaves the gauges empty.
 */
export function registerDatabaseGauges(options: DatabaseGaugeOptions): DatabaseGauges {
  const meter = metrics.getMeterProvider().getMeter(TELEMETRY_SCOPE);
  const gauge = (name: InstrumentName): ObservableGauge =>
    meter.createObservableGauge(name, {
      unit: instruments[name].unit,
      description: instruments[name].description,
    });
  const pending = gauge(InstrumentName.deadLetterPending);
  const anomalies = gauge(InstrumentName.anomaliesOpen);
  let latest: GaugeReadings | undefined;
  let reading: Promise<void> | undefined;
  let stopped = false;

  const observe = (result: BatchObservableResult) => {
    if (!latest) return;
    for (const [status, count] of Object.entries(latest.deadLetter)) {
      result.observe(pending, count, { status });
    }
    for (const [metric, count] of Object.entries(latest.anomalies ?? {})) {
      result.observe(anomalies, count, { metric });
    }
  };
  meter.addBatchObservableCallback(observe, [pending, anomalies]);

  const refresh = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    reading ??= options
      .read()
      .then(
        (readings) => {
          latest = readings;
        },
        (error: unknown) => {
          // Stale values would hide a growing queue: report nothing until a read succeeds.
          latest = undefined;
          options.onError?.(error);
        },
      )
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  const timer = setInterval(() => void refresh(), options.refreshIntervalMs ?? DEFAULT_REFRESH_MS);
  timer.unref();
  void refresh();
  return {
    refresh,
    stop() {
      // The last readings stay observable, so the export at exit still reports them.
      stopped = true;
      clearInterval(timer);
    },
  };
}
