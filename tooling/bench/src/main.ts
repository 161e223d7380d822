/**
 * `pnpm bench`: the pipeline on a real PostgreSQL (fsync on), end to end. Prints a table for
 * people and, last, one JSON line with every figure. Each measurement runs in a child process
 * (see measure.ts, run as an esbuild bundle like the Function) against a fresh database, and is
 * checked afterwards: every valid distinct event counted exactly once, no batch failed.
 * BENCH_CPU_PROF=<dir> profiles the children.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { merchantPartitionKey } from '@paymetrics/scenarios';
import { bundleMeasuringProcess } from './bundle.js';
import { measureCopyBaseline, measureDedupeFloor } from './copy-baseline.js';
import { type BenchServer, createBenchDatabase, openBenchServer } from './database.js';
import { writeLines } from './line-file.js';
import type { LagOutcome, LagTask, MeasureTask, StreamOutcome, StreamTask } from './measure.js';
import { measureReplay, type ReplayOutcome } from './replay.js';
import {
  cpuPerThousandEvents,
  type Floors,
  peakRssOfRunsMb,
  pipelineRssMb,
  printTable,
  type Report,
  targetRows,
} from './report.js';
import { peakRssMb, round } from './stats.js';
import { type Expected, expectedOf, type Verified, verifyRun } from './verify.js';
import {
  PIPELINE_NOW_MS,
  realisticWorkload,
  replayWorkload,
  type Workload,
  worstCaseWorkload,
} from './workload.js';

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
/** BENCH_EVENTS shortens a run for trying the bench out; the figures are taken at the default. */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 250_000);
const REPLAY_EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 400_000);
const THROUGHPUT_BATCH = 5_000;
const LATENCY_RUNS = [
  { batchSize: 100, events: 20_000 },
  { batchSize: 1_000, events: Math.min(EVENTS, 100_000) },
] as const;
const LAG = {
  ratePerSecond: 10_000,
  events: Math.min(EVENTS, 100_000),
  maxBatchEvents: 1_000,
  maxWaitMs: 50,
} as const;
const DEDUPE_FLOOR_BATCHES = [1_000, THROUGHPUT_BATCH] as const;
const PARTITIONS = [2, 4] as const;

/** Bounded, but long enough for the worst case on a loaded two-core machine (~270 s at load 20). */
const CHILD_TIMEOUT_MS = 15 * 60_000;

/** The bundled measure.ts (bundleMeasuringProcess), built once per run. */
let measureBundle = '';

async function inChild<T>(task: MeasureTask, label: string): Promise<T> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const args = [
    ...RUNTIME_NODE_FLAGS,
    ...(profileDir
      ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${label}.cpuprofile`]
      : []),
    measureBundle,
    JSON.stringify(task),
  ];
  const { stdout, stderr } = await run(process.execPath, args, {
    maxBuffer: 64 << 20,
    timeout: CHILD_TIMEOUT_MS,
  });
  if (stderr.trim()) process.stderr.write(stderr);
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}

/** The first `count` lines, checked against their own reference aggregation. */
function prefix(workload: Workload, count: number): Expected {
  return expectedOf(workload.lines.slice(0, count), PIPELINE_NOW_MS);
}

interface StreamFigures extends StreamOutcome {
  readonly eventsPerSecond: number;
  /** CPU time PostgreSQL used during the run, when the bench runs the server itself. */
  readonly postgresCpuMs: number | undefined;
  readonly verified: Verified;
}

async function streamRun(
  server: BenchServer,
  label: string,
  files: readonly string[],
  expected: Expected,
  batchSize: number,
): Promise<StreamFigures> {
  const database = await createBenchDatabase(server.url, label);
  try {
    const task: StreamTask = {
      task: 'stream',
      url: database.url,
      source: `bench-${label}`,
      files,
      batchSize,
    };
    const serverCpuAtStart = server.cpuMs();
    const outcome = await inChild<StreamOutcome>(task, label);
    const serverCpuAtEnd = server.cpuMs();
    const postgresCpuMs =
      serverCpuAtStart === undefined || serverCpuAtEnd === undefined
        ? undefined
        : serverCpuAtEnd - serverCpuAtStart;
    const verified = await verifyRun(database.url, expected, outcome.failedBatches);
    const eventsPerSecond = (outcome.received / outcome.elapsedMs) * 1000;
    process.stderr.write(
      `${label}: ${Math.round(eventsPerSecond)} events/s, commit p95 ${round(outcome.commitP95Ms)} ms, ${verified.ok ? 'verified' : verified.problems.join('; ')}\n`,
    );
    return { ...outcome, eventsPerSecond, postgresCpuMs, verified };
  } finally {
    await database.drop();
  }
}

/**
 * The V8 flags every measuring process runs with: the runtimes' own, as the Function
 * (`languageWorkers__node__arguments` in infra/terraform/modules/function-app/main.tf) and
 * `pnpm simulate` / `pnpm start` (apps/simulator's scripts) set them. A small young generation
 * and a capped old one keep peak memory near the live set. Under so small a cap V8 lets the old
 * generation grow to only ~1.3x the live set before the next full GC (its growing factor scales
 * with the cap), which meant a full GC every ~200 ms; `--heap-growing-percent=50` makes it 1.5x
 * (docs/performance.md, round five). The bench's own process, which holds whole workloads in
 * memory, runs without them.
 */
const RUNTIME_NODE_FLAGS = [
  '--max-semi-space-size=8',
  '--max-old-space-size=192',
  '--heap-growing-percent=50',
];

function nodeFlags(): string {
  return RUNTIME_NODE_FLAGS.join(' ');
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const server = await openBenchServer();
  const dir = mkdtempSync(join(tmpdir(), 'paymetrics-bench-'));
  try {
    process.stderr.write(`PostgreSQL: ${server.description}\ngenerating ${EVENTS} events (seed fixed)...\n`);
    measureBundle = await bundleMeasuringProcess(dir);
    const realistic = realisticWorkload(EVENTS);
    const worst = worstCaseWorkload(realistic);
    const replay = replayWorkload(REPLAY_EVENTS, Date.now());
    const realisticExpected = expectedOf(realistic.lines, PIPELINE_NOW_MS);
    const worstExpected = expectedOf(worst.lines, PIPELINE_NOW_MS);
    const file = (name: string) => join(dir, `${name}.ndjson`);
    await writeLines(file('realistic'), realistic.lines);
    await writeLines(file('worst'), worst.lines);
    for (const { events } of LATENCY_RUNS)
      await writeLines(file(`first-${events}`), realistic.lines.slice(0, events));
    await writeLines(file(`first-${LAG.events}`), realistic.lines.slice(0, LAG.events));
    await writeLines(file('replay'), replay.lines);
    for (const n of PARTITIONS) {
      for (let p = 0; p < n; p++) {
        await writeLines(
          file(`part-${p}-of-${n}`),
          realistic.lines.filter((line, i) => partitionOf(line, i, n) === p),
        );
      }
    }

    const realisticRun = await streamRun(
      server,
      'realistic',
      [file('realistic')],
      realisticExpected,
      THROUGHPUT_BATCH,
    );
    const worstRun = await streamRun(server, 'worst', [file('worst')], worstExpected, THROUGHPUT_BATCH);
    const latency = new Map<number, StreamFigures>();
    for (const { batchSize, events } of LATENCY_RUNS) {
      latency.set(
        batchSize,
        await streamRun(
          server,
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
      lagVerified = await verifyRun(lagDatabase.url, prefix(realistic, LAG.events), lag.failedBatches);
    } finally {
      await lagDatabase.drop();
    }
    process.stderr.write(`lag at ${LAG.ratePerSecond}/s: p95 ${round(lag.lagP95Ms)} ms\n`);

    const scale = new Map<number, StreamFigures>([[1, realisticRun]]);
    for (const n of PARTITIONS) {
      const files = Array.from({ length: n }, (_, p) => file(`part-${p}-of-${n}`));
      const expected = expectedOf(realistic.lines, PIPELINE_NOW_MS, false);
      scale.set(n, await streamRun(server, `partitions${n}`, files, expected, THROUGHPUT_BATCH));
    }

    const replayRun: ReplayOutcome = await measureReplay(server.url, file('replay'), replay.lines);
    process.stderr.write(
      `replay (pnpm simulate --input): ${Math.round(replayRun.reportedEventsPerSecond)} events/s, ${replayRun.verified.ok ? 'verified' : replayRun.verified.problems.join('; ')}\n`,
    );

    const copyDatabase = await createBenchDatabase(server.url, 'copy');
    let copyPerSecond: number;
    try {
      copyPerSecond = await measureCopyBaseline(copyDatabase.url, realistic.lines);
    } finally {
      await copyDatabase.drop();
    }
    const dedupeFloor = new Map<number, { rowsPerSecond: number; batchP95Ms: number }>();
    for (const batchSize of DEDUPE_FLOOR_BATCHES) {
      const floorDatabase = await createBenchDatabase(server.url, `dedupe${batchSize}`);
      try {
        dedupeFloor.set(batchSize, await measureDedupeFloor(floorDatabase.url, realistic.lines, batchSize));
      } finally {
        await floorDatabase.drop();
      }
    }
    const floors: Floors = { copyPerSecond, dedupeFloor };

    const runs = [realisticRun, worstRun, ...latency.values(), ...scale.values()];
    const allVerified = runs.every((r) => r.verified.ok) && lagVerified.ok && replayRun.verified.ok;
    const report: Report = {
      server: server.description,
      nodeFlags: nodeFlags(),
      realisticRun,
      worstRun,
      latency,
      lag,
      lagVerified,
      scale,
      floors,
      replay: replayRun,
      LAG,
      loadAtStart,
    };
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
      rss_mb: round(peakRssOfRunsMb(report)),
      rss_mb_pipeline: round(pipelineRssMb(report)),
      rss_mb_realistic: round(realisticRun.rssMb),
      rss_mb_replay: replayRun.rssMb === undefined ? 'n/a' : round(replayRun.rssMb),
      node_flags: nodeFlags(),
      copy_events_per_s: Math.round(copyPerSecond),
      pipeline_vs_copy: round(realisticRun.eventsPerSecond / copyPerSecond, 2),
      replay_events_per_s: Math.round(replayRun.reportedEventsPerSecond),
      replay_wall_events_per_s: Math.round(replayRun.wallEventsPerSecond),
      replay_events: replayRun.lines,
    });
    for (const [size, floor] of dedupeFloor) {
      figures[`dedupe_floor_rows_per_s_${size}`] = Math.round(floor.rowsPerSecond);
      figures[`dedupe_floor_batch_p95_ms_${size}`] = round(floor.batchP95Ms);
    }
    for (const [n, r] of scale) {
      figures[`partitions_${n}_events_per_s`] = Math.round(r.eventsPerSecond);
      figures[`partitions_${n}_failed_batches`] = r.failedBatches;
    }
    figures.decode_us_per_event_realistic = round((realisticRun.decodeMs * 1000) / realisticRun.received, 2);
    figures.derive_us_per_event_realistic = round((realisticRun.deriveMs * 1000) / realisticRun.received, 2);
    for (const [workload, run] of [
      ['realistic', realisticRun],
      ['worst', worstRun],
    ] as const) {
      const cpu = cpuPerThousandEvents(run);
      figures[`node_cpu_ms_per_1000_${workload}`] = round(cpu.nodeMs);
      if (cpu.postgresMs !== undefined && cpu.twoCoreCeiling !== undefined) {
        figures[`postgres_cpu_ms_per_1000_${workload}`] = round(cpu.postgresMs);
        figures[`two_core_ceiling_events_per_s_${workload}`] = Math.round(cpu.twoCoreCeiling);
      }
    }
    figures.verified_exactly_once = allVerified;
    // Other processes on the machine skew every figure: a reader should see how busy it was.
    figures.load_avg_1m_start = round(loadAtStart, 2);
    figures.load_avg_1m_end = round(loadavg()[0] ?? 0, 2);
    figures.bench_seconds = round((performance.now() - started) / 1000);
    figures.bench_process_rss_mb = round(peakRssMb());

    printTable(report);
    for (const row of targetRows(report)) figures[`target_met_${row.key}`] = row.met;
    if (!allVerified) {
      for (const r of [...runs, replayRun, { verified: lagVerified }])
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
