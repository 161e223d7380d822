/**
 * `pnpm bench`: the pipeline on a real PostgreSQL (fsync on), end to end. Prints a table for
 * people and, last, one JSON line with every figure. Each measurement runs in a child process
 * (see measure.ts) against a fresh database, and is checked afterwards: every valid distinct
 * event counted exactly once, no batch failed. BENCH_CPU_PROF=<dir> profiles the children.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { merchantPartitionKey } from '@paymetrics/scenarios';
import { measureCopyBaseline } from './copy-baseline.js';
import { createBenchDatabase, openBenchServer, queryOne } from './database.js';
import { writeLines } from './line-file.js';
import type { LagOutcome, LagTask, MeasureTask, StreamOutcome, StreamTask } from './measure.js';
import { printTable } from './report.js';
import { peakRssMb, round } from './stats.js';
import { realisticWorkload, type Workload, worstCaseWorkload } from './workload.js';

/**
 * The partition a line lands in, as Event Hubs assigns it with partition key = merchantId (the
 * simulator's eventhubs sink): one merchant's events stay in one partition, so partitions rarely
 * update the same rows. Lines without a merchant spread round-robin.
 */
function partitionOf(line: string, index: number, partitions: number): number {
  const key = merchantPartitionKey(line);
  return key === undefined
    ? index % partitions
    : createHash('sha1').update(key).digest().readUInt32BE(0) % partitions;
}

const run = promisify(execFile);
const EVENTS = 250_000;
const THROUGHPUT_BATCH = 5_000;
const LATENCY_RUNS = [
  { batchSize: 100, events: 20_000 },
  { batchSize: 1_000, events: 100_000 },
] as const;
const LAG = { ratePerSecond: 10_000, events: 100_000, maxBatchEvents: 1_000, maxWaitMs: 50 } as const;
const PARTITIONS = [2, 4] as const;

const measureScript = fileURLToPath(new URL('./measure.ts', import.meta.url));

async function inChild<T>(task: MeasureTask, label: string): Promise<T> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const args = [
    ...process.execArgv,
    ...(profileDir
      ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${label}.cpuprofile`]
      : []),
    measureScript,
    JSON.stringify(task),
  ];
  const { stdout, stderr } = await run(process.execPath, args, { maxBuffer: 64 << 20, timeout: 300_000 });
  if (stderr.trim()) process.stderr.write(stderr);
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}

function prefix(workload: Workload, count: number): Workload {
  const kinds = workload.kinds.slice(0, count);
  return {
    lines: workload.lines.slice(0, count),
    kinds,
    expectedCounted: kinds.filter((k) => k === 'valid' || k === 'late').length,
  };
}

interface Verified {
  readonly txnCount: number;
  readonly ok: boolean;
  readonly problems: string[];
}

/** Afterwards, in the database: each valid distinct event counted once, and nothing failed. */
async function verify(url: string, expected: Workload, failedBatches: number): Promise<Verified> {
  const row = await queryOne<{ txn: string; claimed: string; received: string; counted: string }>(
    url,
    `SELECT (SELECT coalesce(sum(txn_count), 0) FROM payment_metrics_5m)::text AS txn,
            (SELECT count(*) FROM processed_events)::text AS claimed,
            (SELECT coalesce(sum(events_received), 0) FROM source_positions)::text AS received,
            (SELECT coalesce(sum(events_counted), 0) FROM source_positions)::text AS counted`,
  );
  const problems: string[] = [];
  const txnCount = Number(row.txn);
  if (txnCount !== expected.expectedCounted)
    problems.push(`sum(txn_count) ${txnCount} != ${expected.expectedCounted}`);
  if (Number(row.claimed) !== expected.expectedCounted) problems.push(`processed_events ${row.claimed}`);
  if (Number(row.counted) !== expected.expectedCounted) problems.push(`events_counted ${row.counted}`);
  if (Number(row.received) !== expected.lines.length) problems.push(`events_received ${row.received}`);
  if (failedBatches > 0) problems.push(`${failedBatches} batches failed`);
  return { txnCount, ok: problems.length === 0, problems };
}

interface StreamFigures extends StreamOutcome {
  readonly eventsPerSecond: number;
  readonly verified: Verified;
}

async function streamRun(
  serverUrl: string,
  label: string,
  files: readonly string[],
  expected: Workload,
  batchSize: number,
): Promise<StreamFigures> {
  const database = await createBenchDatabase(serverUrl, label);
  try {
    const task: StreamTask = {
      task: 'stream',
      url: database.url,
      source: `bench-${label}`,
      files,
      batchSize,
    };
    const outcome = await inChild<StreamOutcome>(task, label);
    const verified = await verify(database.url, expected, outcome.failedBatches);
    const eventsPerSecond = (outcome.received / outcome.elapsedMs) * 1000;
    process.stderr.write(
      `${label}: ${Math.round(eventsPerSecond)} events/s, commit p95 ${round(outcome.commitP95Ms)} ms, ${verified.ok ? 'verified' : verified.problems.join('; ')}\n`,
    );
    return { ...outcome, eventsPerSecond, verified };
  } finally {
    await database.drop();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const server = await openBenchServer();
  const dir = mkdtempSync(join(tmpdir(), 'paymetrics-bench-'));
  try {
    process.stderr.write(`PostgreSQL: ${server.description}\ngenerating ${EVENTS} events (seed fixed)...\n`);
    const realistic = realisticWorkload(EVENTS);
    const worst = worstCaseWorkload(realistic);
    const file = (name: string) => join(dir, `${name}.ndjson`);
    await writeLines(file('realistic'), realistic.lines);
    await writeLines(file('worst'), worst.lines);
    for (const { events } of LATENCY_RUNS)
      await writeLines(file(`first-${events}`), realistic.lines.slice(0, events));
    await writeLines(file(`first-${LAG.events}`), realistic.lines.slice(0, LAG.events));
    for (const n of PARTITIONS) {
      for (let p = 0; p < n; p++) {
        await writeLines(
          file(`part-${p}-of-${n}`),
          realistic.lines.filter((line, i) => partitionOf(line, i, n) === p),
        );
      }
    }

    const realisticRun = await streamRun(
      server.url,
      'realistic',
      [file('realistic')],
      realistic,
      THROUGHPUT_BATCH,
    );
    const worstRun = await streamRun(server.url, 'worst', [file('worst')], worst, THROUGHPUT_BATCH);
    const latency = new Map<number, StreamFigures>();
    for (const { batchSize, events } of LATENCY_RUNS) {
      latency.set(
        batchSize,
        await streamRun(
          server.url,
          `batch${batchSize}`,
          [file(`first-${events}`)],
          prefix(realistic, events),
          batchSize,
        ),
      );
    }
    latency.set(THROUGHPUT_BATCH, realisticRun);

    const lagDatabase = await createBenchDatabase(server.url, 'lag');
    let lag: LagOutcome;
    let lagVerified: Verified;
    try {
      const task: LagTask = {
        task: 'lag',
        url: lagDatabase.url,
        source: 'bench-lag',
        file: file(`first-${LAG.events}`),
        ...LAG,
      };
      lag = await inChild<LagOutcome>(task, 'lag');
      lagVerified = await verify(lagDatabase.url, prefix(realistic, LAG.events), lag.failedBatches);
    } finally {
      await lagDatabase.drop();
    }
    process.stderr.write(`lag at ${LAG.ratePerSecond}/s: p95 ${round(lag.lagP95Ms)} ms\n`);

    const scale = new Map<number, StreamFigures>([[1, realisticRun]]);
    for (const n of PARTITIONS) {
      const files = Array.from({ length: n }, (_, p) => file(`part-${p}-of-${n}`));
      scale.set(n, await streamRun(server.url, `partitions${n}`, files, realistic, THROUGHPUT_BATCH));
    }

    const copyDatabase = await createBenchDatabase(server.url, 'copy');
    let copyPerSecond: number;
    try {
      copyPerSecond = await measureCopyBaseline(copyDatabase.url, realistic.lines);
    } finally {
      await copyDatabase.drop();
    }

    const runs = [realisticRun, worstRun, ...latency.values(), ...scale.values()];
    const allVerified = runs.every((r) => r.verified.ok) && lagVerified.ok;
    const figures: Record<string, number | string | boolean> = {
      events: EVENTS,
      throughput_batch_size: THROUGHPUT_BATCH,
      events_per_s_realistic: Math.round(realisticRun.eventsPerSecond),
      events_per_s_worst: Math.round(worstRun.eventsPerSecond),
    };
    for (const [size, r] of latency) {
      figures[`commit_p50_ms_${size}`] = round(r.commitP50Ms);
      figures[`commit_p95_ms_${size}`] = round(r.commitP95Ms);
      figures[`commit_p99_ms_${size}`] = round(r.commitP99Ms);
    }
    Object.assign(figures, {
      lag_p50_ms_10k: round(lag.lagP50Ms),
      lag_p95_ms_10k: round(lag.lagP95Ms),
      lag_p99_ms_10k: round(lag.lagP99Ms),
      lag_achieved_events_per_s: Math.round(lag.achievedPerSecond),
      rss_mb: round(Math.max(...runs.map((r) => r.rssMb), lag.rssMb)),
      rss_mb_realistic: round(realisticRun.rssMb),
      copy_events_per_s: Math.round(copyPerSecond),
      pipeline_vs_copy: round(realisticRun.eventsPerSecond / copyPerSecond, 2),
    });
    for (const [n, r] of scale) {
      figures[`partitions_${n}_events_per_s`] = Math.round(r.eventsPerSecond);
      figures[`partitions_${n}_failed_batches`] = r.failedBatches;
    }
    figures.decode_us_per_event_realistic = round((realisticRun.decodeMs * 1000) / realisticRun.received, 2);
    figures.derive_us_per_event_realistic = round((realisticRun.deriveMs * 1000) / realisticRun.received, 2);
    figures.verified_exactly_once = allVerified;
    // Other processes on the machine skew every figure: a reader should see how busy it was.
    figures.load_avg_1m_start = round(loadAtStart, 2);
    figures.load_avg_1m_end = round(loadavg()[0] ?? 0, 2);
    figures.bench_seconds = round((performance.now() - started) / 1000);
    figures.bench_process_rss_mb = round(peakRssMb());

    printTable({
      server: server.description,
      realisticRun,
      worstRun,
      latency,
      lag,
      lagVerified,
      scale,
      copyPerSecond,
      LAG,
    });
    if (!allVerified) {
      for (const r of runs)
        if (!r.verified.ok) console.log(`VERIFY FAILED: ${r.verified.problems.join('; ')}`);
      process.exitCode = 1;
    }
    console.log(JSON.stringify(figures));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

await main();
