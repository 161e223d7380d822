import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSchemaFiles } from '@paymetrics/migrations';
import { describeDatabaseUrl, openDatabase } from '@paymetrics/runtime';
import { copySchemaDir, createTestDatabase, type TestDatabase } from '@paymetrics/testing';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

const schemaFileCount = (await readSchemaFiles()).length;

const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const cliPath = fileURLToPath(new URL('./cli.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tsx src/cli.ts` as `pnpm migrate` would, with only the settings given. */
function runCli(args: string[], settings: Record<string, string>): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['DATABASE_URL', 'PAYMETRICS_DATA_DIR', 'INIT_CWD']) delete env[key];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsxCli, '--conditions=@paymetrics/source', cliPath, ...args],
      { cwd: packageDir, env: { ...env, ...settings } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

describe('migrate CLI', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function emptyDatabase(): Promise<TestDatabase> {
    const database = await createTestDatabase('migrate_cli');
    cleanups.push(() => database.drop());
    return database;
  }

  it('prints one line naming DATABASE_URL, without the password, and exits 1 when unreachable', async () => {
    const run = await runCli(['status'], { DATABASE_URL: 'postgres://bob:s3cret@127.0.0.1:1/nodb' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'migrate: cannot connect to DATABASE_URL (postgres://bob@127.0.0.1:1/nodb): connection refused\n',
    );
  });

  it.each(['postgres://bob:s3cret@db:port/x', 'http://bob:s3cret@db/x'])(
    'prints one line and exits 1 for the malformed DATABASE_URL %s',
    async (url) => {
      const run = await runCli([], { DATABASE_URL: url });
      expect(run.code).toBe(1);
      expect(lines(run.stderr)).toHaveLength(1);
      expect(run.stderr).toMatch(/^migrate: DATABASE_URL is not a PostgreSQL connection URL/);
      expect(run.stderr).not.toContain('s3cret');
    },
  );

  it('lists with --dry-run and applies nothing, then applies every file, then status shows all applied', async () => {
    const database = await emptyDatabase();
    const settings = { DATABASE_URL: database.url };
    const names = (await readSchemaFiles()).map((file) => file.name);

    const dry = await runCli(['--dry-run'], settings);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(lines(dry.stdout).slice(0, -1)).toEqual(names.map((name) => `would apply ${name}`));
    expect(lines(dry.stdout).at(-1)).toMatch(
      new RegExp(
        `^dry run: ${schemaFileCount} of ${schemaFileCount} files would be applied to .*nothing was changed$`,
      ),
    );
    const target = await openDatabase({ databaseUrl: database.url });
    cleanups.push(() => target.close());
    const tables = () =>
      sql<{
        n: number;
      }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`
        .execute(target.db)
        .then(({ rows }) => rows[0]?.n);
    expect(await tables()).toBe(0);

    const apply = await runCli([], settings);
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    expect(lines(apply.stdout).slice(0, -1)).toEqual(names.map((name) => `applied ${name}`));
    expect(await tables()).toBeGreaterThanOrEqual(6);

    const status = await runCli(['status'], settings);
    expect(status.code).toBe(0);
    const rows = lines(status.stdout);
    expect(rows[0]).toBe(`database: ${describeDatabaseUrl(database.url)}`);
    expect(rows[1]).toMatch(/^file\s+state\s+applied at$/);
    expect(rows.slice(2)).toHaveLength(names.length);
    for (const [i, name] of names.entries()) {
      expect(rows[i + 2]).toMatch(
        new RegExp(`^${name.replace('.', '\\.')}\\s+applied\\s+\\d{4}-\\d\\d-\\d\\dT`),
      );
    }

    const again = await runCli([], settings);
    expect(again.code).toBe(0);
    expect(lines(again.stdout)).toEqual([
      expect.stringMatching(new RegExp(`^nothing to apply: all ${schemaFileCount} files already applied`)),
    ]);
  });

  it('refuses a changed file in one line naming it, with --schema-dir', async () => {
    const database = await emptyDatabase();
    const copy = await copySchemaDir();
    cleanups.push(copy.dispose);
    const settings = { DATABASE_URL: database.url };
    expect((await runCli(['--schema-dir', copy.dir], settings)).code).toBe(0);
    await appendFile(join(copy.dir, '04_failed_items.sql'), '\n-- edited\n');
    for (const args of [
      ['--schema-dir', copy.dir],
      ['status', '--schema-dir', copy.dir],
    ]) {
      const run = await runCli(args, settings);
      expect(run.code).toBe(1);
      expect(lines(run.stderr)).toHaveLength(1);
      expect(run.stderr).toMatch(/^migrate: 04_failed_items\.sql changed after it was applied/);
    }
  });

  it('without DATABASE_URL uses PGlite in .data under the directory pnpm was started in', async () => {
    const startDir = await mkdtemp(join(tmpdir(), 'paymetrics-cli-'));
    cleanups.push(() => rm(startDir, { recursive: true, force: true }));
    const run = await runCli(['status'], { INIT_CWD: startDir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(lines(run.stdout)[0]).toBe(`database: embedded PGlite at ${join(startDir, '.data', 'pglite')}`);
    expect(
      lines(run.stdout)
        .slice(2)
        .every((row) => /\spending$/.test(row)),
    ).toBe(true);
    expect(existsSync(join(startDir, '.data', 'pglite', 'PG_VERSION'))).toBe(true);
  });
});
