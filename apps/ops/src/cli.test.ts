import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FIXED_NOW as NOW } from '@paymetrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededDatabase, seededDatabase } from '../test/seeded-database.js';

const run = promisify(execFile);
const appDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs the CLI as `pnpm reconcile` / `pnpm dlq` do: a separate Node process from source. */
async function cli(args: readonly string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', '--conditions=@paymetrics/source', 'src/cli.ts', ...args],
      { cwd: appDir, env: { ...process.env, INIT_CWD: appDir, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? 1, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

describe('the ops CLI as a child process', () => {
  let seeded: SeededDatabase;
  beforeAll(async () => {
    seeded = await seededDatabase('ops_cli');
  });
  afterAll(async () => seeded.close());

  it('reconcile: a table and the OK verdict, exit 0; --json for machines', async () => {
    const now = new Date(NOW).toISOString();
    const text = await cli(['reconcile', '--now', now], { DATABASE_URL: seeded.database.url });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^source\s+partition\s+received/);
    expect(text.stdout.trim().split('\n').at(-1)).toBe(
      'reconcile: OK — 3 partitions, 130 events, nothing missing or doubled',
    );
    const json = await cli(['reconcile', '--json', '--now', now], { DATABASE_URL: seeded.database.url });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, totals: { partitions: 3 } });
  });

  it('a bad DATABASE_URL: one line naming it, without the password, exit 1', async () => {
    const result = await cli(['reconcile'], { DATABASE_URL: 'postgres://ops:s3cret@127.0.0.1:1/none' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'reconcile: cannot connect to DATABASE_URL (postgres://ops@127.0.0.1:1/none): connection refused\n',
    );
  });
});
