// The cost of telemetry: replays the same NDJSON file through `pnpm simulate --sink local` with
// telemetry off and on (the real distro, to a loopback ingestion endpoint), interleaved, on a
// throwaway PostgreSQL (fsync on); prints the pipeline throughput of each run, the medians, and
// the exported totals against the database.
//
//   pnpm --dir apps/simulator run telemetry-cost [--events 100000] [--rounds 3]
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { InstrumentName } from '@paymetrics/telemetry';
import {
  createTestDatabase,
  instrumentationKey,
  loopbackTelemetryEnv,
  startPostgresServer,
  startTelemetryEndpoint,
  type TrackEnvelope,
  withClient,
} from '@paymetrics/testing';

const run = promisify(execFile);
const appDir = fileURLToPath(new URL('..', import.meta.url));
const migrateDir = fileURLToPath(new URL('../../migrate', import.meta.url));
const { values } = parseArgs({
  // pnpm passes a `--` through when the command line has one.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { events: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' } },
});
const events = Number(values.events);
const rounds = Number(values.rounds);

async function cli(dir: string, args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', '--conditions=@paymetrics/source', 'src/cli.ts', ...args],
    { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

const work = await mkdtemp(join(tmpdir(), 'paymetrics-telemetry-cost-'));
const file = join(work, 'events.ndjson');
const server = await startPostgresServer({ fsync: true });
const endpoint = await startTelemetryEndpoint();
try {
  await cli(appDir, ['--sink', 'ndjson', '--count', String(events), '--out', file, '--no-progress'], {});
  const results: { mode: 'off' | 'on'; eventsPerSecond: number; wallMs: number; check?: string }[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which mode goes first, so a drift of the machine's load hits both alike.
    for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const database = await createTestDatabase(`cost_${mode}`, server.url);
      try {
        await cli(migrateDir, [], { DATABASE_URL: database.url });
        const connectionString = endpoint.connectionString();
        const started = performance.now();
        const stdout = await cli(appDir, ['--input', file, '--sink', 'local', '--no-progress'], {
          DATABASE_URL: database.url,
          PAYMETRICS_DATA_DIR: join(work, `data-${round}-${mode}`),
          ...(mode === 'on'
            ? { ...loopbackTelemetryEnv(endpoint), APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString }
            : {}),
        });
        const wallMs = performance.now() - started;
        const eventsPerSecond = Number(
          /throughput\s+([\d,]+) events\/s/.exec(stdout)?.[1]?.replaceAll(',', ''),
        );
        const check =
          mode === 'on'
            ? await compare(endpoint.envelopes(instrumentationKey(connectionString)), database.url)
            : undefined;
        results.push({ mode, eventsPerSecond, wallMs, ...(check ? { check } : {}) });
        console.log(
          `round ${round + 1} telemetry ${mode.padEnd(3)} ${eventsPerSecond.toLocaleString('en-US').padStart(7)} events/s  wall ${(wallMs / 1000).toFixed(1)} s${check ? `  ${check}` : ''}`,
        );
      } finally {
        await database.drop();
      }
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const off = median(results.filter((r) => r.mode === 'off').map((r) => r.eventsPerSecond));
  const on = median(results.filter((r) => r.mode === 'on').map((r) => r.eventsPerSecond));
  const costPercent = (100 * (off - on)) / off;
  console.log(
    `\nmedian over ${rounds} rounds: off ${off.toLocaleString('en-US')} events/s, on ${on.toLocaleString('en-US')} events/s, cost ${costPercent.toFixed(1)} %`,
  );
  console.log(JSON.stringify({ events, rounds, medianOff: off, medianOn: on, costPercent, runs: results }));
} finally {
  await endpoint.close();
  await server.stop();
  await rm(work, { recursive: true, force: true });
}

/** Exported received / counted / dead-lettered / duplicate totals against source_positions. */
async function compare(envelopes: readonly TrackEnvelope[], url: string): Promise<string> {
  const sum = (name: string) =>
    envelopes
      .flatMap((e) => e.data.baseData.metrics ?? [])
      .filter((m) => m.name === name)
      .reduce((total, m) => total + m.value, 0);
  const exported = {
    received: sum(InstrumentName.eventsReceived),
    counted: sum(InstrumentName.eventsCounted),
    deadLettered: sum(InstrumentName.eventsDeadLettered),
    duplicate: sum(InstrumentName.eventsDuplicate),
  };
  const stored = await withClient(url, async (client) => {
    const { rows } = await client.query<Record<string, number>>(
      `select sum(events_received)::int as received, sum(events_counted)::int as counted,
              sum(events_dead_lettered)::int as "deadLettered", sum(events_duplicate)::int as duplicate
       from source_positions`,
    );
    return rows[0]!;
  });
  const same = (Object.keys(exported) as (keyof typeof exported)[]).every((k) => exported[k] === stored[k]);
  const histograms = [
    InstrumentName.batchDuration,
    InstrumentName.batchCommitDuration,
    InstrumentName.eventLag,
  ]
    .map((name) => {
      const rows = envelopes.flatMap((e) => e.data.baseData.metrics ?? []).filter((m) => m.name === name);
      const count = rows.reduce((n, m) => n + (m.count ?? 1), 0);
      const mean = rows.reduce((n, m) => n + m.value, 0) / Math.max(1, count);
      const max = Math.max(...rows.map((m) => m.max ?? m.value));
      return `${name} mean ${mean.toFixed(1)} max ${max.toFixed(1)} (n=${count})`;
    })
    .join('; ');
  return `exported ${JSON.stringify(exported)} ${same ? '=' : '!='} database ${JSON.stringify(stored)}; ${histograms}`;
}
