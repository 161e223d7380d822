import type { LagOutcome, StreamOutcome } from './measure.js';
import { round } from './stats.js';

interface Verified {
  readonly ok: boolean;
  readonly problems: string[];
}

interface Run extends StreamOutcome {
  readonly eventsPerSecond: number;
  readonly verified: Verified;
}

export interface Report {
  readonly server: string;
  readonly realisticRun: Run;
  readonly worstRun: Run;
  readonly latency: ReadonlyMap<number, Run>;
  readonly lag: LagOutcome;
  readonly lagVerified: Verified;
  readonly scale: ReadonlyMap<number, Run>;
  readonly copyPerSecond: number;
  readonly LAG: {
    readonly ratePerSecond: number;
    readonly maxBatchEvents: number;
    readonly maxWaitMs: number;
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const check = (v: Verified) => (v.ok ? 'ok' : `FAILED (${v.problems.join('; ')})`);

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function printTable(report: Report): void {
  console.log(`\npaymetrics bench: ${report.server}`);
  const { realisticRun: r, worstRun: w } = report;
  table(
    'Throughput (processBatch + PostgreSQL store, eventId dedupe on, batches of 5,000)',
    ['workload', 'events', 'events/s', 'decode us/ev', 'derive us/ev', 'peak RSS MB', 'exactly once'],
    [
      [
        'realistic (simulator)',
        fmt(r.received),
        fmt(r.eventsPerSecond),
        String(round((r.decodeMs * 1000) / r.received, 2)),
        String(round((r.deriveMs * 1000) / r.received, 2)),
        String(round(r.rssMb)),
        check(r.verified),
      ],
      [
        'worst (new key per event)',
        fmt(w.received),
        fmt(w.eventsPerSecond),
        String(round((w.decodeMs * 1000) / w.received, 2)),
        String(round((w.deriveMs * 1000) / w.received, 2)),
        String(round(w.rssMb)),
        check(w.verified),
      ],
      ['COPY raw jsonb (baseline)', fmt(r.received), fmt(report.copyPerSecond), '', '', '', ''],
    ],
  );
  table(
    'Commit latency per batch (BatchResult.timings.commitMs)',
    ['batch size', 'batches', 'p50 ms', 'p95 ms', 'p99 ms', 'events/s', 'exactly once'],
    [...report.latency].map(([size, run]) => [
      fmt(size),
      fmt(run.batches),
      String(round(run.commitP50Ms)),
      String(round(run.commitP95Ms)),
      String(round(run.commitP99Ms)),
      fmt(run.eventsPerSecond),
      check(run.verified),
    ]),
  );
  const { lag, LAG } = report;
  table(
    `Lag at ${fmt(LAG.ratePerSecond)} events/s (flush at ${fmt(LAG.maxBatchEvents)} events or ${LAG.maxWaitMs} ms)`,
    ['arrival to commit', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'batches', 'exactly once'],
    [
      [
        'per event',
        String(round(lag.lagP50Ms)),
        String(round(lag.lagP95Ms)),
        String(round(lag.lagP99Ms)),
        String(round(lag.lagMaxMs)),
        fmt(lag.batches),
        check(report.lagVerified),
      ],
    ],
  );
  table(
    'Scale out: concurrent partition streams (partition key = merchantId), one PostgreSQL, shared windows',
    ['partitions', 'events', 'events/s', 'commit p95 ms', 'failed batches', 'exactly once'],
    [...report.scale].map(([n, run]) => [
      String(n),
      fmt(run.received),
      fmt(run.eventsPerSecond),
      String(round(run.commitP95Ms)),
      String(run.failedBatches),
      check(run.verified),
    ]),
  );
  console.log('');
}
