import { detectAnomalies, segmentMerchants } from '@paymetrics/analytics';
import { type IncidentSpec, Random, type Region, regions } from '@paymetrics/scenarios';
import type { Database } from '@paymetrics/storage-adapters';
import { createSchemaDatabase, startPostgresServer } from '@paymetrics/testing';
import { Command } from 'commander';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { runScenario } from './run-scenario.js';
import { adjustedRandIndex, type DetectionScore, type ReportedAnomaly, scoreDetection } from './score.js';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** Scenarios start at midnight UTC of a fixed day, so each one covers one day's segmentation. */
const START_MS = Date.parse('2026-11-20T00:00:00.000Z');

const program = new Command('score')
  .description(
    'Runs scenarios with injected incidents (and a clean control day) through the real pipeline into a throwaway PostgreSQL, runs detection and segmentation, and prints precision, recall, detection delay, false anomalies per clean day and the adjusted Rand index against the archetypes.',
  )
  .option('--seeds <list>', 'comma-separated scenario seeds', '11,12,13,14,15')
  .option('--hours <n>', 'hours of traffic per incident scenario', '8')
  .option('--clean-hours <n>', 'hours of clean traffic in each control run (0 skips them)', '24')
  .option('--clean-runs <n>', 'clean control runs, seeds 1000 + each of the first n seeds', '1')
  .option('--rate <eps>', 'average events per second of event time', '8')
  .option('--merchants <n>', 'merchants per scenario', '300')
  .option('--fdr <q>', "detection's false discovery rate per window (default: detectAnomalies' own)")
  .option('--wide', 'draw weaker, shorter incidents of smaller merchants too (off the standard shapes)')
  .option('--json', 'print one JSON line too')
  .option('--verbose', "list each scenario's incidents and reported anomalies");

/** The ranges incidents are drawn from. */
interface IncidentRanges {
  readonly outageMinutes: readonly [number, number];
  readonly declineShare: readonly [number, number];
  readonly latencyFactor: readonly [number, number];
  readonly collapseRank: readonly [number, number];
  readonly collapseMinutes: readonly [number, number];
  readonly approvalRate: readonly [number, number];
}

/** The incidents the targets are stated for. */
const standardRanges: IncidentRanges = {
  outageMinutes: [15, 45],
  declineShare: [0.3, 0.8],
  latencyFactor: [2, 6],
  collapseRank: [1, 15],
  collapseMinutes: [15, 60],
  approvalRate: [0.1, 0.5],
};

/** Weaker, shorter and smaller incidents too (--wide): how detection holds up off the standard shapes. */
const wideRanges: IncidentRanges = {
  outageMinutes: [10, 60],
  declineShare: [0.15, 0.8],
  latencyFactor: [1.5, 6],
  collapseRank: [1, 40],
  collapseMinutes: [10, 60],
  approvalRate: [0.1, 0.65],
};

/** Incidents drawn from the seed: shapes, regions, merchants, strengths and times all vary. */
function incidentsFor(seed: number, hours: number, ranges: IncidentRanges): IncidentSpec[] {
  const random = new Random(seed * 7919 + 1);
  const latest = (hours - 1.5) * HOUR_MS;
  const start = () => ({
    offsetMs: Math.round((2.5 * HOUR_MS + random.float() * (latest - 2.5 * HOUR_MS)) / MINUTE_MS) * MINUTE_MS,
  });
  const between = ([low, high]: readonly [number, number]) => low + random.float() * (high - low);
  const region = random.pick(['EU', 'NA', 'APAC', 'LATAM'] as const satisfies readonly Region[]);
  return [
    {
      type: 'outage',
      region,
      start: start(),
      durationMs: random.int(...ranges.outageMinutes) * MINUTE_MS,
      declineShare: between(ranges.declineShare),
      latencyFactor: between(ranges.latencyFactor),
    },
    {
      type: 'merchant-collapse',
      merchant: `#${random.int(...ranges.collapseRank)}`,
      start: start(),
      durationMs: random.int(...ranges.collapseMinutes) * MINUTE_MS,
      approvalRate: between(ranges.approvalRate),
    },
  ];
}

interface SeedResult {
  readonly seed: number;
  readonly events: number;
  readonly pipelineEventsPerSecond: number;
  readonly detection: DetectionScore;
  readonly ari: number;
  readonly k: number;
  readonly segmentedMerchants: number;
}

async function scoreOne(
  serverUrl: string,
  seed: number,
  hours: number,
  rate: number,
  merchants: number,
  /** Undefined: a clean run, without incidents. */
  ranges: IncidentRanges | undefined,
  falseDiscoveryRate: number | undefined,
  verbose = false,
) {
  const database = await createSchemaDatabase(`score_${seed}`, serverUrl);
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }),
  });
  try {
    const spanMs = hours * HOUR_MS;
    const incidents = ranges ? incidentsFor(seed, hours, ranges) : [];
    const run = await runScenario(database.url, {
      seed,
      count: Math.round(rate * hours * 3600),
      startMs: START_MS,
      spanMs,
      merchants,
      dailyCurve: true,
      incidents,
      malformedFraction: 0.002,
      duplicateFraction: 0.001,
      lateFraction: 0.01,
    });
    await detectAnomalies(db, {
      regions,
      fromMs: START_MS,
      ...(falseDiscoveryRate === undefined ? {} : { falseDiscoveryRate }),
    });
    const { rows } = await sql<{ metric: string; scope: Record<string, string>; s: Date; e: Date }>`
      SELECT metric, scope, window_start AS s, window_end AS e FROM metric_anomalies ORDER BY window_start`.execute(
      db,
    );
    const anomalies: ReportedAnomaly[] = rows.map((row) => ({
      metric: row.metric,
      scope: row.scope,
      windowStartMs: new Date(row.s).getTime(),
      windowEndMs: new Date(row.e).getTime(),
    }));
    const regionOf = new Map(
      Object.entries(regions).flatMap(([name, countries]) => countries.map((c) => [c, name] as const)),
    );
    const detection = scoreDetection(anomalies, run.scenario.incidents, run.scenario.merchants, regionOf);
    if (verbose) {
      for (const i of run.scenario.incidents) {
        console.log(
          `  incident ${i.id} ${new Date(i.startMs).toISOString()}..${new Date(i.endMs).toISOString()} ${i.type === 'outage' ? `${i.region} declines=${i.declineShare.toFixed(2)}` : `${i.merchantId} (#${i.merchantRank}) approval=${i.approvalRate.toFixed(2)}`}`,
        );
      }
      const full = await sql<{
        metric: string;
        scope: unknown;
        s: Date;
        e: Date;
        observed: number;
        expected: number;
        score: number;
        details: unknown;
      }>`
        SELECT metric, scope, window_start AS s, window_end AS e, observed, expected, score, details FROM metric_anomalies ORDER BY window_start`.execute(
        db,
      );
      for (const a of full.rows) {
        console.log(
          `  anomaly ${a.metric} ${JSON.stringify(a.scope)} ${new Date(a.s).toISOString().slice(11, 16)}-${new Date(a.e).toISOString().slice(11, 16)} observed=${a.observed.toFixed(3)} expected=${a.expected.toFixed(3)} score=${a.score.toFixed(1)} ${JSON.stringify(a.details)}`,
        );
      }
    }
    const segments = await segmentMerchants(db, {
      asOf: new Date(START_MS).toISOString().slice(0, 10),
      days: 1,
    });
    if (verbose) {
      console.log(
        `  Calinski-Harabasz (silhouette) by k: ${segments.candidates.map((c) => `${c.k}:${c.calinskiHarabasz.toFixed(0)} (${c.silhouette.toFixed(2)})`).join(' ')}`,
      );
      for (const segment of segments.segments)
        console.log(`  segment "${segment.segment}": ${segment.size} merchants`);
    }
    const archetypeOf = new Map(run.scenario.merchants.map((m) => [m.id, m.archetype]));
    const segmented = [...segments.labels.keys()];
    const ari = adjustedRandIndex(
      segmented.map((id) => segments.labels.get(id)!),
      segmented.map((id) => archetypeOf.get(id)!),
    );
    const result: SeedResult = {
      seed,
      events: run.events,
      pipelineEventsPerSecond: run.events / (run.elapsedMs / 1000),
      detection,
      ari,
      k: segments.k,
      segmentedMerchants: segmented.length,
    };
    return { result, anomalies };
  } finally {
    await db.destroy();
    await database.drop();
  }
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');

async function main(): Promise<void> {
  const options = program.parse().opts<{
    seeds: string;
    hours: string;
    cleanHours: string;
    cleanRuns: string;
    rate: string;
    merchants: string;
    fdr?: string;
    wide?: boolean;
    json?: boolean;
    verbose?: boolean;
  }>();
  const seeds = options.seeds.split(',').map(Number);
  const hours = Number(options.hours);
  const cleanHours = Number(options.cleanHours);
  const rate = Number(options.rate);
  const merchants = Number(options.merchants);
  const falseDiscoveryRate = options.fdr === undefined ? undefined : Number(options.fdr);
  const server = process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL, stop: async () => undefined }
    : await startPostgresServer({ fsync: false });
  try {
    const results: SeedResult[] = [];
    console.log(
      `scenarios: ${hours} h of traffic at ${rate} events/s, ${merchants} merchants, daily curve, 1 outage + 1 merchant collapse each${options.wide ? ' (wide incident ranges)' : ''}`,
    );
    console.log('seed   events  incidents  found<=2w  delays(windows)  reported  real  precision    k   ARI');
    for (const seed of seeds) {
      const { result } = await scoreOne(
        server.url,
        seed,
        hours,
        rate,
        merchants,
        options.wide ? wideRanges : standardRanges,
        falseDiscoveryRate,
        options.verbose,
      );
      results.push(result);
      const d = result.detection;
      console.log(
        `${String(seed).padEnd(5)} ${String(result.events).padStart(7)}  ${String(d.incidents).padStart(9)}  ${String(d.foundInTime).padStart(9)}  ${d.delays.join(',').padStart(15)}  ${String(d.reported).padStart(8)}  ${String(d.real).padStart(4)}  ${pct(d.real / d.reported).padStart(9)}  ${String(result.k).padStart(3)}  ${result.ari.toFixed(3)}`,
      );
    }
    let clean: { days: number; falseAnomalies: number; ari: number[] } | undefined;
    const cleanSeeds = cleanHours > 0 ? seeds.slice(0, Math.max(1, Number(options.cleanRuns))) : [];
    for (const cleanSeed of cleanSeeds.map((seed) => 1_000 + seed)) {
      const { result } = await scoreOne(
        server.url,
        cleanSeed,
        cleanHours,
        rate,
        merchants,
        undefined,
        falseDiscoveryRate,
        options.verbose,
      );
      clean = {
        days: (clean?.days ?? 0) + cleanHours / 24,
        falseAnomalies: (clean?.falseAnomalies ?? 0) + result.detection.reported,
        ari: [...(clean?.ari ?? []), result.ari],
      };
      console.log(
        `clean control (seed ${cleanSeed}, ${cleanHours} h, ${result.events} events): ${result.detection.reported} anomalies = ${(result.detection.reported / (cleanHours / 24)).toFixed(2)} false anomalies per clean day; ARI ${result.ari.toFixed(3)} (k=${result.k})`,
      );
    }
    if (clean && cleanSeeds.length > 1) {
      console.log(
        `clean controls: ${clean.falseAnomalies} anomalies over ${clean.days} days = ${(clean.falseAnomalies / clean.days).toFixed(2)} false anomalies per clean day`,
      );
    }
    const total = results.reduce(
      (sum, r) => ({
        incidents: sum.incidents + r.detection.incidents,
        inTime: sum.inTime + r.detection.foundInTime,
        reported: sum.reported + r.detection.reported,
        real: sum.real + r.detection.real,
      }),
      { incidents: 0, inTime: 0, reported: 0, real: 0 },
    );
    const delays = results.flatMap((r) => r.detection.delays);
    const summary = {
      seeds,
      recallWithinTwoWindows: total.inTime / total.incidents,
      precision: total.real / total.reported,
      meanDelayWindows: delays.reduce((a, b) => a + b, 0) / Math.max(delays.length, 1),
      maxDelayWindows: Math.max(...delays, 0),
      falseAnomaliesPerCleanDay: clean ? clean.falseAnomalies / clean.days : undefined,
      meanAri: results.reduce((a, r) => a + r.ari, 0) / results.length,
      minAri: Math.min(...results.map((r) => r.ari)),
    };
    console.log(
      `total: recall within 2 windows ${pct(summary.recallWithinTwoWindows)} (${total.inTime}/${total.incidents}), precision ${pct(summary.precision)} (${total.real}/${total.reported}), delay mean ${summary.meanDelayWindows.toFixed(2)} max ${summary.maxDelayWindows} windows, ARI mean ${summary.meanAri.toFixed(3)} min ${summary.minAri.toFixed(3)}`,
    );
    if (options.json) console.log(JSON.stringify({ ...summary, results, clean }));
  } finally {
    await server.stop();
  }
}

await main();
