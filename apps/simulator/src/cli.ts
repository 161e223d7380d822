#!/usr/bin/env node
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseRuleSet } from '@paymetrics/metric-engine';
import {
  createRuntime,
  describeEventHub,
  readSettings,
  readTelemetrySettings,
  requireEventHub,
  resolveUserPath,
} from '@paymetrics/runtime';
import {
  createScenario,
  groundTruth,
  type IncidentSpec,
  incidentSyntax,
  parseIncident,
} from '@paymetrics/scenarios';
import { refreshRollups } from '@paymetrics/storage-adapters';
import { createPublishTrace, readGaugeCounts, registerDatabaseGauges } from '@paymetrics/telemetry';
import { exitWhenStuck } from '@paymetrics/telemetry-export';
import { Command, InvalidArgumentError, Option } from 'commander';
import { openReplayInput } from './input.js';
import { pace, steadyRate } from './pacing.js';
import { createProgress, createSendProgress } from './progress.js';
import { formatSendSummary } from './send-summary.js';
import { createEventHubProducer } from './sinks/eventhubs-producer.js';
import { createEventHubsSink } from './sinks/eventhubs-sink.js';
import { runLocalPipeline } from './sinks/local-sink.js';
import { formatSummary, summarizeDatabase } from './summary.js';
import { startRunTelemetry } from './telemetry.js';

const MINUTE = 60_000;

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('must be a number between 0 and 1');
  return n;
}

function instant(value: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('must be an RFC 3339 date-time');
  return ms;
}

interface SimulateOptions {
  count?: number;
  duration?: number;
  rate?: number;
  seed: number;
  sink: 'local' | 'ndjson' | 'eventhubs';
  out: string;
  input?: string;
  batchSize: number;
  start?: number;
  spanMinutes: number;
  merchants: number;
  malformed: number;
  duplicates: number;
  late: number;
  rules?: string;
  archive: boolean;
  progress: boolean;
  dailyCurve: boolean;
  incident: IncidentSpec[];
  groundTruth?: string;
}

function incident(value: string, previous: IncidentSpec[] = []): IncidentSpec[] {
  try {
    return [...previous, parseIncident(value)];
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

async function simulate(options: SimulateOptions, migrate: boolean): Promise<void> {
  // The ndjson sink only writes a file: nothing to observe.
  const telemetry =
    options.sink === 'ndjson'
      ? undefined
      : await startRunTelemetry(readTelemetrySettings(process.env), drainRun);
  try {
    await simulateInto(options, migrate);
  } finally {
    // Also after a failure: the failed batch's telemetry is what an operator needs.
    telemetryShutDown = (await telemetry?.shutdown()) ?? true;
  }
}

let telemetryShutDown = true;

/** Stops reading input on a signal; resolves once the local run has settled its last batch. */
const stopReading = new AbortController();
let localRun: Promise<unknown> | undefined;
async function drainRun(): Promise<void> {
  stopReading.abort();
  await localRun?.catch(() => undefined);
}

async function* untilStopped<T>(items: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  for await (const item of items) {
    if (signal.aborted) return;
    yield item;
  }
}

async function simulateInto(options: SimulateOptions, migrate: boolean): Promise<void> {
  // Live mode: with --rate, events are sent when the wall clock reaches their event time.
  const live = options.rate !== undefined;
  const count =
    options.count ?? (options.duration && options.rate ? options.duration * options.rate : 10_000);
  const spanMs = options.rate ? (count * 1000) / options.rate : options.spanMinutes * MINUTE;
  const startMs = options.start ?? (live ? Date.now() : Date.now() - options.spanMinutes * MINUTE - MINUTE);
  const settings = readSettings(process.env, { cwd: process.cwd() });
  const userPath = (path: string) => resolveUserPath(settings, path);
  const eventHub = options.sink === 'eventhubs' ? requireEventHub(settings, '--sink eventhubs') : undefined;
  if (options.input && (options.incident.length > 0 || options.dailyCurve)) {
    throw new InvalidArgumentError(
      '--incident and --daily-curve shape a generated scenario: they cannot be used with --input',
    );
  }
  const scenario = createScenario({
    seed: options.seed,
    count,
    startMs,
    spanMs,
    merchants: options.merchants,
    malformedFraction: options.malformed,
    duplicateFraction: options.duplicates,
    lateFraction: options.late,
    dailyCurve: options.dailyCurve,
    incidents: options.incident,
  });
  const groundTruthPath = options.groundTruth ? userPath(options.groundTruth) : undefined;
  const writeGroundTruth = async () => {
    if (!groundTruthPath) return;
    const truth = groundTruth(
      options.seed,
      { startMs, spanMs, count, dailyCurve: options.dailyCurve },
      scenario.incidents,
      scenario.merchants,
    );
    await writeFile(groundTruthPath, `${JSON.stringify(truth, null, 2)}\n`);
  };
  // Written before the run (so a live detector can be scored while it runs) and again after, with counts.
  await writeGroundTruth();

  const input = options.input ? await openReplayInput(userPath(options.input)) : undefined;
  const total = input?.lineCount ?? count;
  const lines = (): AsyncIterable<string | Uint8Array> => {
    if (input) return live ? pace(input.lines(), { dueMs: steadyRate(options.rate!) }) : input.lines();
    const events = live
      ? pace(scenario.events(), { dueMs: (event) => event.atMs - startMs })
      : scenario.events();
    return (async function* () {
      for await (const event of events) yield event.line;
    })();
  };
  const done = async (summary: string, stream: NodeJS.WriteStream = process.stdout) => {
    await writeGroundTruth();
    stream.write(`${summary}\n`);
  };

  if (eventHub) {
    const progress = options.progress ? createSendProgress(total, 'eventhubs') : undefined;
    const sink = createEventHubsSink({
      createProducer: createEventHubProducer(eventHub),
      onBatchSent: (soFar) => progress?.update(soFar.sent, soFar.batches),
    });
    try {
      const publishTrace = createPublishTrace();
      try {
        for await (const line of lines()) await sink.write(line, { traceparent: publishTrace.next() });
      } finally {
        publishTrace.end();
      }
      const totals = await sink.finish();
      progress?.stop();
      await done(
        formatSendSummary({
          sink: 'eventhubs',
          ...totals,
          targetRate: options.rate,
          groundTruthPath,
          where: [`sent to ${describeEventHub(eventHub)}`],
        }),
      );
    } finally {
      progress?.stop();
      await sink.close();
    }
    return;
  }

  if (options.sink === 'ndjson') {
    const toStdout = options.out === '-';
    const out = toStdout ? process.stdout : createWriteStream(userPath(options.out));
    const progress = options.progress ? createSendProgress(total, 'ndjson') : undefined;
    const started = performance.now();
    let sent = 0;
    for await (const line of lines()) {
      if (!out.write(typeof line === 'string' ? `${line}\n` : Buffer.concat([line, newline]))) {
        await once(out, 'drain');
      }
      if (++sent % 1000 === 0) progress?.update(sent, 0);
    }
    if (!toStdout) {
      out.end();
      await once(out, 'finish');
    }
    progress?.update(sent, 0);
    progress?.stop();
    await done(
      formatSendSummary({
        sink: 'ndjson',
        sent,
        elapsedMs: performance.now() - started,
        targetRate: options.rate,
        groundTruthPath,
        where: [`written to ${toStdout ? 'stdout' : userPath(options.out)}`],
      }),
      // The events own stdout; the summary must not end up among them.
      toStdout ? process.stderr : process.stdout,
    );
    return;
  }

  const rules = options.rules
    ? parseRuleSet(JSON.parse(await readFile(userPath(options.rules), 'utf8')))
    : undefined;
  // The embedded database is this machine's own: it is always brought up to date.
  const runtime = await createRuntime(settings, {
    schema: migrate || settings.databaseUrl === undefined ? 'migrate' : 'check',
    archive: options.archive,
    rules,
  });
  const gauges = registerDatabaseGauges({ read: () => readGaugeCounts(runtime.db) });
  try {
    const source = input?.source ?? `simulator:seed-${options.seed}:${new Date(startMs).toISOString()}`;
    const progress = options.progress ? createProgress(total, input ? 'replay' : 'simulate') : undefined;
    let received = 0;
    const run = runLocalPipeline(untilStopped(lines(), stopReading.signal), {
      store: runtime.store,
      engine: runtime.engine,
      archive: runtime.archive,
      source,
      batchSize: options.batchSize,
      onBatch(result, soFar) {
        received += result.received;
        progress?.update(received, soFar.counted, soFar.deadLettered);
      },
    });
    localRun = run;
    const totals = await run;
    progress?.stop();
    // The Function refreshes the hour and day rollups on a timer; a local run does it once at the end.
    await refreshRollups(runtime.db);
    const windows = [...totals.windowsTouched];
    const summary = await summarizeDatabase(
      runtime.db,
      windows.length > 0 ? { fromMs: Math.min(...windows), toMs: Math.max(...windows) } : undefined,
    );
    const extra = [
      `source: ${source}`,
      ...(groundTruthPath ? [`ground truth: ${groundTruthPath}`] : []),
      ...runtime.where,
      ...(runtime.kind === 'pglite'
        ? ['set DATABASE_URL to use your own PostgreSQL instead; `pnpm migrate status` shows the schema']
        : []),
      `open the dashboard on this data: ${settings.databaseUrl ? 'with the same DATABASE_URL, ' : ''}pnpm dashboard -> http://127.0.0.1:8080`,
    ];
    await done(formatSummary(totals, summary, extra));
    // The gauges as the run leaves the database, for the export at exit.
    await gauges.refresh();
  } finally {
    gauges.stop();
    await runtime.close();
  }
}

const newline = Buffer.from('\n');

function simulateCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .addOption(new Option('--count <n>', 'number of events to generate').argParser(positiveInteger))
    .addOption(
      new Option('--duration <seconds>', 'with --rate: generate rate x duration events').argParser(
        positiveInteger,
      ),
    )
    .addOption(
      new Option(
        '--rate <eps>',
        'live mode: send at this many events per second, event time = now',
      ).argParser(positiveInteger),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the scenario: the same seed gives the same events')
        .argParser(positiveInteger)
        .default(42),
    )
    .addOption(
      new Option('--sink <sink>', 'where events go')
        .choices(['local', 'ndjson', 'eventhubs'])
        .default('local'),
    )
    .addOption(new Option('--out <file>', 'output of the ndjson sink (- for stdout)').default('-'))
    .addOption(
      new Option('--input <file>', 'replay NDJSON lines verbatim instead of generating (- for stdin)'),
    )
    .addOption(
      // 5,000: replays are throughput runs; 1,000-event batches ran at about half the rate
      // (each batch pays a transaction, a position lock and a claim, and folds fewer events per row).
      new Option('--batch-size <n>', 'events per pipeline batch').argParser(positiveInteger).default(5000),
    )
    .addOption(
      new Option('--start <time>', 'event time of the first event (default: span minutes ago)').argParser(
        instant,
      ),
    )
    .addOption(
      new Option('--span-minutes <n>', 'event time the scenario covers')
        .argParser(positiveInteger)
        .default(60),
    )
    .addOption(new Option('--merchants <n>', 'number of merchants').argParser(positiveInteger).default(300))
    .addOption(
      new Option('--malformed <fraction>', 'share of malformed events').argParser(fraction).default(0.005),
    )
    .addOption(
      new Option('--duplicates <fraction>', 'share of repeated events').argParser(fraction).default(0.002),
    )
    .addOption(new Option('--late <fraction>', 'share of late events').argParser(fraction).default(0.01))
    .addOption(new Option('--rules <file>', 'rule set JSON (default: the shipped rules)'))
    .option(
      '--daily-curve',
      "event times and merchants follow a daily volume curve in each market's local time",
      false,
    )
    .addOption(
      new Option('--incident <spec>', `inject an incident (repeatable): ${incidentSyntax}`)
        .argParser(incident)
        .default([]),
    )
    .addOption(
      new Option(
        '--ground-truth <file>',
        'write the injected incidents (scope, window, expected effect) as JSON',
      ),
    )
    .option('--no-archive', 'do not archive raw events')
    .option('--no-progress', 'no progress bar');
}

const program = new Command('paymetrics-simulator').showHelpAfterError();
program.addCommand(
  simulateCommand('simulate', 'generate a payment scenario, or replay an NDJSON file, into a sink').action(
    (options: SimulateOptions) => simulate(options, false),
  ),
  { isDefault: true },
);
program.addCommand(
  simulateCommand(
    'demo',
    'pnpm start: migrate, run a realistic scenario through the local pipeline, summarize',
  ).action((options: SimulateOptions) =>
    simulate({ ...options, count: options.count ?? 100_000, sink: 'local' }, true),
  ),
);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`simulate: ${message.split('\n')[0]}\n`);
  process.exitCode = 1;
}
exitWhenStuck(telemetryShutDown);
