import { detectAnomalies, segmentMerchants } from '@paymetrics/analytics';
import { regions } from '@paymetrics/scenarios';
import { InvalidArgumentError } from 'commander';
import {
  instant,
  type OpsIo,
  operatorProgram,
  positiveInteger,
  runCommandLine,
  withRuntime,
} from './command-line.js';

function day(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !Number.isFinite(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('must be a date, YYYY-MM-DD');
  }
  return value;
}

const iso = (ms: number | undefined) =>
  ms === undefined ? 'nothing committed yet' : new Date(ms).toISOString();

/**
 * `detect` and `segment`: anomaly detection over closed windows and merchant segmentation, on
 * DATABASE_URL or the embedded database. Exit 0 done, 1 error.
 */
export async function runAnalytics(argv: readonly string[], io: OpsIo): Promise<number> {
  const program = operatorProgram('analytics', io);

  program
    .command('detect')
    .description(
      'examine every closed 5-minute window not examined yet and record anomalies in metric_anomalies; running it again changes nothing',
    )
    .option(
      '--from <time>',
      'first window start to examine (default: 2 days before the closed horizon)',
      instant,
    )
    .option('--to <time>', 'examine windows starting before this (default: every closed window)', instant)
    .option('--json', 'print the summary as JSON')
    .action(async (options: { from?: Date; to?: Date; json?: boolean }) => {
      await withRuntime(io, async ({ db }) => {
        const summary = await detectAnomalies(db, {
          regions,
          ...(options.from !== undefined ? { fromMs: options.from.getTime() } : {}),
          ...(options.to !== undefined ? { toMs: options.to.getTime() } : {}),
        });
        if (options.json) {
          io.stdout(`${JSON.stringify(summary)}\n`);
          return;
        }
        io.stdout(
          `closed up to ${iso(summary.horizonMs)}: ${summary.windowsExamined} windows examined, ${summary.tests} tests, ` +
            `${summary.anomalousWindows} windows with anomalies; ${summary.anomaliesCreated} anomalies recorded, ${summary.anomaliesExtended} extended\n`,
        );
      });
    });

  program
    .command('segment')
    .description(
      'segment merchants from their daily features into merchant_segments; the same data gives the same labels',
    )
    .option('--as-of <date>', 'the UTC day segmented, YYYY-MM-DD (default: yesterday)', day)
    .option('--days <n>', 'days of features ending on --as-of', positiveInteger, 7)
    .option('--json', 'print the summary as JSON')
    .action(async (options: { asOf?: string; days: number; json?: boolean }) => {
      const asOf = options.asOf ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      await withRuntime(io, async ({ db }) => {
        const summary = await segmentMerchants(db, { asOf, days: options.days });
        if (options.json) {
          io.stdout(`${JSON.stringify({ ...summary, labels: Object.fromEntries(summary.labels) })}\n`);
          return;
        }
        io.stdout(
          `${summary.asOf}: ${summary.merchants} merchants in ${summary.k} segments (k by the highest Calinski-Harabasz index, ${(summary.candidates.find((c) => c.k === summary.k)?.calinskiHarabasz ?? 0).toFixed(0)}; mean silhouette ${summary.silhouette.toFixed(3)})\n`,
        );
        for (const segment of summary.segments)
          io.stdout(`  ${String(segment.size).padStart(5)}  ${segment.segment}\n`);
      });
    });

  return runCommandLine(program, argv, io, argv[0] ?? 'analytics');
}
