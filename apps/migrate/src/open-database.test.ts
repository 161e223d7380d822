import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, testServerUrl } from '@paymetrics/testing';
import { Kysely, PGliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeDatabaseUrl } from './database-url.js';
import { migrateToLatest } from './migrate-to-latest.js';
import { MigrationError } from './migration-error.js';
import { migrationStatus } from './migration-status.js';
import { openDatabase } from './open-database.js';
import { getScriptRunner } from './script-runner.js';

async function rejection(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MigrationError);
  return error as MigrationError;
}

describe('describeDatabaseUrl', () => {
  it('keeps user, host, port and database and drops the password and query', () => {
    expect(
      describeDatabaseUrl('postgres://bob:s3cret@db.example:6432/metrics?sslmode=require&password=x'),
    ).toBe('postgres://bob@db.example:6432/metrics');
    expect(describeDatabaseUrl('postgresql://bob:s3cret@db.example/metrics')).toBe(
      'postgresql://bob@db.example:5432/metrics',
    );
    expect(describeDatabaseUrl('postgres:///metrics?host=/var/run/postgresql')).toBe(
      'postgres:///metrics?host=/var/run/postgresql',
    );
  });

  it.each([
    ['not a url at all', 'not a URL'],
    ['postgres://bob:s3cret@host:port/db', 'not a URL'],
    ['mysql://bob:s3cret@host/db', 'scheme is mysql'],
  ])('refuses %s without repeating it', (url, why) => {
    let error: unknown;
    try {
      describeDatabaseUrl(url);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('invalid_url');
    expect((error as MigrationError).message).toContain(why);
    expect((error as MigrationError).message).not.toContain('s3cret');
  });
});

describe('openDatabase', () => {
  it('reports a refused connection in one line without the password', async () => {
    const error = await rejection(openDatabase({ databaseUrl: 'postgres://bob:s3cret@127.0.0.1:1/nodb' }));
    expect(error.code).toBe('unreachable');
    expect(error.message).toBe('cannot connect to postgres://bob@127.0.0.1:1/nodb: connection refused');
    expect(error.target).toBe('postgres://bob@127.0.0.1:1/nodb');
    expect(error.reason).toBe('connection refused');
  });

  it('reports a database that does not exist on a real server', async () => {
    const url = new URL(testServerUrl());
    url.pathname = '/no_such_database_here';
    const error = await rejection(openDatabase({ databaseUrl: url.toString() }));
    expect(error.code).toBe('unreachable');
    expect(error.reason).toBe('database "no_such_database_here" does not exist');
  });

  it('opens PostgreSQL when a URL is given, and its db runs queries', async () => {
    const database = await createTestDatabase('migrate_open');
    const target = await openDatabase({ databaseUrl: database.url, dataDir: '/nonexistent' });
    try {
      expect(target.kind).toBe('postgres');
      expect(target.pglite).toBeUndefined();
      const { rows } = await sql<{ db: string }>`select current_database() as db`.execute(target.db);
      expect(rows[0]?.db).toBe(database.name);
    } finally {
      await target.close();
      await database.drop();
    }
  });

  it('opens PGlite in <dataDir>/pglite, whose state survives closing and reopening', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'paymetrics-open-'));
    try {
      const first = await openDatabase({ databaseUrl: '', dataDir });
      expect(first.kind).toBe('pglite');
      expect(first.description).toBe(`embedded PGlite at ${join(dataDir, 'pglite')}`);
      expect(first.pglite).toBeDefined();
      await migrateToLatest(first.db);
      await first.close();
      expect(existsSync(join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);

      const second = await openDatabase({ dataDir });
      try {
        expect((await migrationStatus(second.db)).every((file) => file.state === 'applied')).toBe(true);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('getScriptRunner', () => {
  it('refuses a plain PGliteDialect, which cannot run a whole script, and says what to use', () => {
    const db = new Kysely({
      dialect: new PGliteDialect({
        pglite: () => {
          throw new Error('never opened: the adapter alone decides');
        },
      }),
    });
    expect(() => getScriptRunner(db)).toThrow(/openDatabase\(\) or createPGliteKysely/);
  });
});
