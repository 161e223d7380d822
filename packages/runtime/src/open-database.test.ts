import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, migrationStatus } from '@paymetrics/migrations';
import { createTestDatabase, testServerUrl } from '@paymetrics/testing';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeDatabaseUrl } from './database-url.js';
import { openDatabase } from './open-database.js';
import { SettingError } from './setting-error.js';

async function rejection(promise: Promise<unknown>): Promise<SettingError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SettingError);
  return error as SettingError;
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
    expect(error).toBeInstanceOf(SettingError);
    expect((error as SettingError).setting).toBe('DATABASE_URL');
    expect((error as SettingError).message).toMatch(/^DATABASE_URL is not a PostgreSQL connection URL/);
    expect((error as SettingError).message).toContain(why);
    expect((error as SettingError).message).not.toContain('s3cret');
  });
});

describe('openDatabase', () => {
  it('reports a refused connection in one line without the password', async () => {
    const error = await rejection(openDatabase({ databaseUrl: 'postgres://bob:s3cret@127.0.0.1:1/nodb' }));
    expect(error.setting).toBe('DATABASE_URL');
    expect(error.message).toBe(
      'cannot connect to DATABASE_URL (postgres://bob@127.0.0.1:1/nodb): connection refused',
    );
  });

  it('reports a database that does not exist on a real server', async () => {
    const url = new URL(testServerUrl());
    url.pathname = '/no_such_database_here';
    const error = await rejection(openDatabase({ databaseUrl: url.toString() }));
    expect(error.message).toMatch(/: database "no_such_database_here" does not exist$/);
  });

  it('opens PostgreSQL when a URL is given, and its db runs queries', async () => {
    const database = await createTestDatabase('migrate_open');
    const target = await openDatabase({ databaseUrl: database.url, dataDir: '/nonexistent' });
    try {
      expect(target.kind).toBe('postgres');
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
      expect(first.kind === 'pglite' && first.pglite.closed).toBe(false);
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
