import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase } from '@paymetrics/testing';
import { expectedOf, type Verified, verifyRun } from './verify.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** GNU time reports the peak RSS of the largest process the command starts (the simulator's Node). */
const GNU_TIME = '/usr/bin/time';

export interface ReplayOutcome {
  readonly lines: number;
  /** The simulator's own figure: lines / time from its first batch to its last commit. */
  readonly reportedEventsPerSecond: number;
  /** Lines / wall time of the whole command as a user waits for it: start, hashing pass, summary. */
  readonly wallEventsPerSecond: number;
  readonly wallMs: number;
  readonly rssMb: number | undefined;
  readonly verified: Verified;
}

/**
 * The end-to-end replay as a user runs it: `pnpm migrate`, then `pnpm simulate --input FILE
 * --sink local` against a fresh database, default flags (archive on, batches of 1,000), the
 * runtime's own Node flags. Afterwards the database is checked against the reference aggregation.
 */
export async function measureReplay(
  serverUrl: string,
  file: string,
  lines: readonly string[],
): Promise<ReplayOutcome> {
  const database = await createTestDatabase('bench_replay', serverUrl);
  const dataDir = mkdtempSync(join(tmpdir(), 'paymetrics-bench-replay-'));
  const env = { ...process.env, DATABASE_URL: database.url, PAYMETRICS_DATA_DIR: dataDir };
  try {
    await run('pnpm', ['--silent', 'migrate'], { cwd: repoRoot, env });
    const command = ['pnpm', '--silent', 'simulate', '--input', file, '--sink', 'local'];
    const timed = existsSync(GNU_TIME);
    const nowMs = Date.now();
    const started = performance.now();
    const { stdout, stderr } = timed
      ? await run(GNU_TIME, ['-f', 'maxrss_kb %M', ...command], {
          cwd: repoRoot,
          env,
          maxBuffer: 64 << 20,
          timeout: 600_000,
        })
      : await run(command[0]!, command.slice(1), {
          cwd: repoRoot,
          env,
          maxBuffer: 64 << 20,
          timeout: 600_000,
        });
    const wallMs = performance.now() - started;
    const reported = /throughput\s+([\d,]+) events\/s/.exec(stdout)?.[1];
    const rssKb = /maxrss_kb (\d+)/.exec(stderr)?.[1];
    const verified = await verifyRun(database.url, expectedOf(lines, nowMs), 0);
    return {
      lines: lines.length,
      reportedEventsPerSecond: reported ? Number(reported.replaceAll(',', '')) : Number.NaN,
      wallEventsPerSecond: (lines.length / wallMs) * 1000,
      wallMs,
      rssMb: rssKb ? Number(rssKb) / 1024 : undefined,
      verified,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}
