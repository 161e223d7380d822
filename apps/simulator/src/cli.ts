#!/usr/bin/env node
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { parseRuleSet } from '@paymetrics/metric-engine';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createProgress } from './progress.js';
import { openLocalRuntime } from './runtime.js';
import { generateScenario } from './scenario/generate.js';
import { openReplayInput } from './input.js';
import { readSettings, resolveUserPath, SettingError } from './settings.js';
import { runLocalPipeline } from './sinks/local-sink.js';
import { formatSummary, summarizeDatabase } from './summary.js';

const MINUTE = 60_000;

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number between 0 and 1');
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
}

async function simulate(options: SimulateOptions, migrate: boolean): Promise<void> {
  const settings = readSettings();
  const count = options.count ?? (options.duration && options.rate ? options.duration * options.rate : 10_000);
  const startMs = options.start ?? Date.now() - options.spanMinutes * MINUTE - MINUTE;
  const scenario = () =>
    generateScenario({
      seed: options.seed,
      count,
      startMs,
      spanMs: options.spanMinutes * MINUTE,
      merchants: options.merchants,
      malformedFraction: options.malformed,
      duplicateFraction: options.duplicates,
      lateFraction: options.late,
    });

  if (options.sink === 'eventhubs') {
    throw new SettingError('--sink eventhubs is not available yet: use --sink local or --sink ndjson');
  }

  if (options.sink === 'ndjson') {
    const out = options.out === '-' ? process.stdout : createWriteStream(resolveUserPath(options.out));
    const lines = options.input
      ? (await openReplayInput(resolveUserPath(options.input))).lines()
      : (function* () {
          for (const event of scenario()) yield `${event.line}`;
        })();
    for await (const line of lines) {
      if (!out.write(typeof line === 'string' ? `${line}\n` : Buffer.concat([line, Buffer.from('\n')]))) {
        await once(out, 'drain');
      }
    }
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
    return;
  }

  const rules = options.rules ? parseRuleSet(JSON.parse(await readFile(resolveUserPath(options.rules), 'utf8'))) : undefined;
  const runtime = await openLocalRuntime(settings, { migrate, archive: options.archive, rules });
  try {
    const input = options.input ? await openReplayInput(resolveUserPath(options.input)) : undefined;
    const source = input?.source ?? `simulator:seed-${options.seed}:${new Date(startMs).toISOString()}`;
    const total = input?.lineCount ?? count;
    const progress = options.progress ? createProgress(total, input ? 'replay' : 'simulate') : undefined;
    const lines =
      input?.lines() ??
      (function* () {
        for (const event of scenario()) yield event.line;
      })();
    let done = 0;
    const totals = await runLocalPipeline(lines, {
      store: runtime.store,
      engine: runtime.engine,
      archive: runtime.archive,
      source,
      batchSize: options.batchSize,
      onBatch(result, soFar) {
        done += result.received;
        progress?.update(done, soFar.counted, soFar.deadLettered);
      },
    });
    progress?.stop();
    const windows = [...totals.windowsTouched];
    const summary = await summarizeDatabase(
      runtime.db,
      windows.length > 0 ? { fromMs: Math.min(...windows), toMs: Math.max(...windows) } : undefined,
    );
    process.stdout.write(`${formatSummary(totals, summary, [`source: ${source}`, ...runtime.where])}\n`);
  } finally {
    await runtime.close();
  }
}

function simulateCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .addOption(new Option('--count <n>', 'number of events to generate').argParser(positiveInteger))
    .addOption(new Option('--duration <seconds>', 'with --rate: generate rate x duration events').argParser(positiveInteger))
    .addOption(new Option('--rate <eps>', 'events per second').argParser(positiveInteger))
    .addOption(new Option('--seed <n>', 'seed of the scenario: the same seed gives the same events').argParser(positiveInteger).default(42))
    .addOption(new Option('--sink <sink>', 'where events go').choices(['local', 'ndjson', 'eventhubs']).default('local'))
    .addOption(new Option('--out <file>', 'output of the ndjson sink (- for stdout)').default('-'))
    .addOption(new Option('--input <file>', 'replay NDJSON lines verbatim instead of generating (- for stdin)'))
    .addOption(new Option('--batch-size <n>', 'events per pipeline batch').argParser(positiveInteger).default(1000))
    .addOption(new Option('--start <time>', 'event time of the first event (default: span minutes ago)').argParser(instant))
    .addOption(new Option('--span-minutes <n>', 'event time the scenario covers').argParser(positiveInteger).default(60))
    .addOption(new Option('--merchants <n>', 'number of merchants').argParser(positiveInteger).default(300))
    .addOption(new Option('--malformed <fraction>', 'share of malformed events').argParser(fraction).default(0.005))
    .addOption(new Option('--duplicates <fraction>', 'share of repeated events').argParser(fraction).default(0.002))
    .addOption(new Option('--late <fraction>', 'share of late events').argParser(fraction).default(0.01))
    .addOption(new Option('--rules <file>', 'rule set JSON (default: the shipped rules)'))
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
  simulateCommand('demo', 'pnpm start: migrate, run a realistic scenario through the local pipeline, summarize').action(
    (options: SimulateOptions) => simulate({ ...options, count: options.count ?? 100_000, sink: 'local' }, true),
  ),
);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`simulate: ${message.split('\n')[0]}\n`);
  process.exitCode = 1;
}
