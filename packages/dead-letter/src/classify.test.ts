import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createSchemaDatabase, findFreePort, type TestDatabase, testServerUrl } from '@paymetrics/testing';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool } from '../test/test-pool.js';
import {
  classifyFailure,
  DeadLetterErrorCode,
  type FailureClassification,
  type FailureReason,
  isRetryable,
  RetryableBatchError,
} from './classify.js';

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to fail');
}

function databaseError(code: string, message = `synthetic ${code}`): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

function systemError(code: string, syscall = 'connect'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code} 127.0.0.1:5432`), { code, syscall, errno: -1 });
}

describe('classifyFailure: errors from a real PostgreSQL server', () => {
  let database: TestDatabase;
  const clients: pg.Client[] = [];

  async function connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: database.url });
    // A terminated backend also reports on the client's error event; the test reads the query's rejection.
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    database = await createSchemaDatabase('classify');
    const client = await connect();
    await client.query(
      'CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL); INSERT INTO t VALUES (1, 0), (2, 0)',
    );
  });

  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined);
    await database.drop();
  });

  it('statement timeout (57014) is a retryable timeout', async () => {
    const client = await connect();
    await client.query("SET statement_timeout = '10ms'");
    const error = await rejection(client.query('SELECT pg_sleep(5)'));
    expect(classifyFailure(error)).toEqual({ kind: 'retryable', reason: 'timeout', sqlState: '57014' });
  });

  it('a real deadlock (40P01) is retryable', async () => {
    const [a, b] = [await connect(), await connect()];
    for (const client of [a, b]) await client.query("SET deadlock_timeout = '10ms'; BEGIN");
    await a.query('UPDATE t SET v = v + 1 WHERE id = 1');
    await b.query('UPDATE t SET v = v + 1 WHERE id = 2');
    const results = await Promise.allSettled([
      a.query('UPDATE t SET v = v + 1 WHERE id = 2'),
      b.query('UPDATE t SET v = v + 1 WHERE id = 1'),
    ]);
    for (const client of [a, b]) await client.query('ROLLBACK');
    const failures = results.filter((result) => result.status === 'rejected');
    expect(failures).toHaveLength(1);
    expect(classifyFailure(failures[0]?.reason)).toEqual({
      kind: 'retryable',
      reason: 'deadlock',
      sqlState: '40P01',
    });
  });

  it('a concurrent update under REPEATABLE READ (40001) is a retryable serialization failure', async () => {
    const [a, b] = [await connect(), await connect()];
    await a.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await a.query('SELECT v FROM t WHERE id = 1');
    await b.query('UPDATE t SET v = v + 1 WHERE id = 1');
    const error = await rejection(a.query('UPDATE t SET v = v + 1 WHERE id = 1'));
    await a.query('ROLLBACK');
    expect(classifyFailure(error)).toEqual({ kind: 'retryable', reason: 'serialization', sqlState: '40001' });
  });

  it('lock timeout (55P03) is retryable', async () => {
    const [a, b] = [await connect(), await connect()];
    await a.query('BEGIN');
    await a.query('SELECT * FROM t WHERE id = 1 FOR UPDATE');
    await b.query("SET lock_timeout = '10ms'");
    const error = await rejection(b.query('UPDATE t SET v = v + 1 WHERE id = 1'));
    const nowait = await rejection(b.query('SELECT * FROM t WHERE id = 1 FOR UPDATE NOWAIT'));
    await a.query('ROLLBACK');
    for (const failure of [error, nowait]) {
      expect(classifyFailure(failure)).toEqual({
        kind: 'retryable',
        reason: 'lock_timeout',
        sqlState: '55P03',
      });
    }
  });

  it('too many connections (53300) is retryable', async () => {
    const admin = await connect();
    const role = `dl_limited_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 0`);
    try {
      const url = new URL(database.url);
      url.username = role;
      const client = new pg.Client({ connectionString: url.toString() });
      const error = await rejection(client.connect());
      expect(classifyFailure(error)).toEqual({
        kind: 'retryable',
        reason: 'too_many_connections',
        sqlState: '53300',
      });
    } finally {
      await admin.query(`DROP ROLE ${role}`);
    }
  });

  it('a backend terminated by an administrator (57P01) is retryable', async () => {
    const [victim, admin] = [await connect(), await connect()];
    const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]?.pid;
    const sleeping = rejection(victim.query('SELECT pg_sleep(60)'));
    // Wait until the query runs, so the termination hits it rather than an idle session.
    for (;;) {
      const active = await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", [
        pid,
      ]);
      if (active.rowCount === 1) break;
    }
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    expect(classifyFailure(await sleeping)).toEqual({
      kind: 'retryable',
      reason: 'admin_shutdown',
      sqlState: '57P01',
    });
  });

  it.each<[string, string, FailureClassification]>([
    [
      'a unique violation',
      'INSERT INTO t VALUES (1, 0)',
      { kind: 'fatal', reason: 'unique_violation', sqlState: '23505' },
    ],
    [
      'a not-null violation',
      'INSERT INTO t VALUES (3, NULL)',
      { kind: 'fatal', reason: 'integrity_violation', sqlState: '23502' },
    ],
    [
      'invalid text for an integer',
      "SELECT 'abc'::int",
      { kind: 'fatal', reason: 'data_exception', sqlState: '22P02' },
    ],
    [
      'a numeric overflow',
      'SELECT 2147483647::int + 1',
      { kind: 'fatal', reason: 'data_exception', sqlState: '22003' },
    ],
    [
      'a missing table',
      'SELECT * FROM no_such_table',
      { kind: 'fatal', reason: 'invalid_statement', sqlState: '42P01' },
    ],
    ['a syntax error', 'SELEC 1', { kind: 'fatal', reason: 'invalid_statement', sqlState: '42601' }],
  ])('%s is fatal', async (_name, sql, expected) => {
    const client = await connect();
    expect(classifyFailure(await rejection(client.query(sql)))).toEqual(expected);
  });

  it('text with U+0000 (22021) is a fatal data exception: why payloads with NUL go to base64', async () => {
    const client = await connect();
    const error = await rejection(client.query('SELECT $1::text', ['a\u0000b']));
    expect(classifyFailure(error)).toEqual({ kind: 'fatal', reason: 'data_exception', sqlState: '22021' });
  });

  it('a database that does not exist (3D000) is fatal', async () => {
    const url = new URL(testServerUrl());
    url.pathname = `/missing_${randomBytes(4).toString('hex')}`;
    const error = await rejection(new pg.Client({ connectionString: url.toString() }).connect());
    expect(classifyFailure(error)).toEqual({ kind: 'fatal', reason: 'unknown_database', sqlState: '3D000' });
  });

  it('a role that does not exist (28000) is a fatal authentication failure', async () => {
    const url = new URL(database.url);
    url.username = `nobody_${randomBytes(4).toString('hex')}`;
    const error = await rejection(new pg.Client({ connectionString: url.toString() }).connect());
    expect(classifyFailure(error)).toEqual({ kind: 'fatal', reason: 'authentication', sqlState: '28000' });
  });

  it('Kysely passes the driver error through unchanged', async () => {
    const row = {
      stage: 'validate',
      error_code: 'invalid_amount',
      error_message: 'amountMinor must not be negative',
      payload: '{}',
      payload_encoding: 'utf8',
      payload_bytes: 2,
      payload_ref: null,
      source: 'hub',
      partition_id: '0',
      sequence_number: 1,
      event_id: null,
      next_attempt_at: null,
      resolved_at: null,
      last_error: null,
    } as const;
    const db = new Kysely<{ failed_items: typeof row }>({
      dialect: new PostgresDialect({ pool: createTestPool(database.url, 1) }),
    });
    try {
      await db.insertInto('failed_items').values(row).execute();
      const error = await rejection(db.insertInto('failed_items').values(row).execute());
      expect(classifyFailure(error)).toEqual({
        kind: 'fatal',
        reason: 'unique_violation',
        sqlState: '23505',
      });
      expect(isRetryable(error)).toBe(false);
    } finally {
      await db.destroy();
    }
  });
});

describe('classifyFailure: real network failures', () => {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();

  async function listen(onConnection: (socket: Socket) => void): Promise<number> {
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      onConnection(socket);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    return address.port;
  }

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('a closed port (ECONNREFUSED) is a retryable connection failure', async () => {
    const port = await findFreePort();
    const error = await rejection(new pg.Client({ host: '127.0.0.1', port, user: 'x' }).connect());
    expect(classifyFailure(error)).toEqual({
      kind: 'retryable',
      reason: 'connection',
      networkCode: 'ECONNREFUSED',
    });
  });

  it('a closed port on localhost (an AggregateError when it resolves to IPv4 and IPv6) is a connection failure', async () => {
    const port = await findFreePort();
    const error = await rejection(new pg.Client({ host: 'localhost', port, user: 'x' }).connect());
    expect(classifyFailure(error)).toMatchObject({ kind: 'retryable', reason: 'connection' });
  });

  it('a server that hangs up ("Connection terminated unexpectedly") is a retryable connection failure', async () => {
    const port = await listen((socket) => socket.end());
    const error = await rejection(new pg.Client({ host: '127.0.0.1', port, user: 'x' }).connect());
    expect((error as Error).message).toMatch(/Connection terminated unexpectedly/);
    expect(classifyFailure(error)).toEqual({ kind: 'retryable', reason: 'connection' });
  });

  it('a server that resets the connection is a retryable connection failure', async () => {
    const port = await listen((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const error = await rejection(new pg.Client({ host: '127.0.0.1', port, user: 'x' }).connect());
    expect(classifyFailure(error)).toMatchObject({ kind: 'retryable', reason: 'connection' });
  });

  it('a server that never answers (connection timeout) is a retryable timeout', async () => {
    const port = await listen(() => undefined);
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'x', connectionTimeoutMillis: 50 });
    const error = await rejection(client.connect());
    expect(classifyFailure(error)).toEqual({ kind: 'retryable', reason: 'timeout' });
  });

  it('a pool that cannot get a connection in time is a retryable timeout', async () => {
    const port = await listen(() => undefined);
    const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'x', connectionTimeoutMillis: 50 });
    try {
      const error = await rejection(pool.query('SELECT 1'));
      expect(classifyFailure(error)).toEqual({ kind: 'retryable', reason: 'timeout' });
    } finally {
      await pool.end();
    }
  });
});

describe('classifyFailure: SQLSTATE table', () => {
  it.each<[string, FailureReason, 'retryable' | 'fatal']>([
    ['08000', 'connection', 'retryable'],
    ['08001', 'connection', 'retryable'],
    ['08003', 'connection', 'retryable'],
    ['08006', 'connection', 'retryable'],
    ['08P01', 'connection', 'retryable'],
    ['40P01', 'deadlock', 'retryable'],
    ['40001', 'serialization', 'retryable'],
    ['40003', 'transaction_rollback', 'retryable'],
    ['57014', 'timeout', 'retryable'],
    ['25P03', 'timeout', 'retryable'],
    ['57P05', 'timeout', 'retryable'],
    ['55P03', 'lock_timeout', 'retryable'],
    ['53300', 'too_many_connections', 'retryable'],
    ['53000', 'insufficient_resources', 'retryable'],
    ['53100', 'insufficient_resources', 'retryable'],
    ['53200', 'insufficient_resources', 'retryable'],
    ['53400', 'insufficient_resources', 'retryable'],
    ['57P01', 'admin_shutdown', 'retryable'],
    ['57P02', 'crash_shutdown', 'retryable'],
    ['57P03', 'cannot_connect_now', 'retryable'],
    ['58030', 'system_error', 'retryable'],
    ['XX000', 'unknown', 'retryable'],
    ['P0001', 'unknown', 'retryable'],
    ['23505', 'unique_violation', 'fatal'],
    ['23503', 'integrity_violation', 'fatal'],
    ['23514', 'integrity_violation', 'fatal'],
    ['22001', 'data_exception', 'fatal'],
    ['42501', 'insufficient_privilege', 'fatal'],
    ['42703', 'invalid_statement', 'fatal'],
    ['28P01', 'authentication', 'fatal'],
    ['3D000', 'unknown_database', 'fatal'],
  ])('%s is %s (%s)', (sqlState, reason, kind) => {
    expect(classifyFailure(databaseError(sqlState))).toEqual({ kind, reason, sqlState });
  });
});

describe('classifyFailure: Node system errors and HTTP statuses', () => {
  it.each<[string, FailureReason]>([
    ['ECONNREFUSED', 'connection'],
    ['ECONNRESET', 'connection'],
    ['ECONNABORTED', 'connection'],
    ['EPIPE', 'connection'],
    ['EHOSTUNREACH', 'connection'],
    ['ENETUNREACH', 'connection'],
    ['ENOTFOUND', 'connection'],
    ['EAI_AGAIN', 'connection'],
    ['ETIMEDOUT', 'timeout'],
    ['UND_ERR_SOCKET', 'connection'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
  ])('%s is a retryable %s failure', (code, reason) => {
    expect(classifyFailure(systemError(code))).toEqual({ kind: 'retryable', reason, networkCode: code });
  });

  it.each<[number, FailureClassification]>([
    [429, { kind: 'retryable', reason: 'throttled' }],
    [408, { kind: 'retryable', reason: 'timeout' }],
    [500, { kind: 'retryable', reason: 'service_unavailable' }],
    [503, { kind: 'retryable', reason: 'service_unavailable' }],
    [401, { kind: 'fatal', reason: 'authentication' }],
    [403, { kind: 'fatal', reason: 'authentication' }],
    [404, { kind: 'retryable', reason: 'unknown' }],
  ])('HTTP status %d (as storage SDKs report it)', (statusCode, expected) => {
    const error = Object.assign(new Error(`status ${statusCode}`), { name: 'RestError', statusCode });
    expect(classifyFailure(error)).toEqual(expected);
  });

  it.each<[string, string, FailureReason]>([
    ['connection lost', 'Connection terminated unexpectedly', 'connection'],
    ['connect timeout', 'Connection terminated due to connection timeout', 'timeout'],
    ['connect timeout (pg 8.2x)', 'timeout expired', 'timeout'],
    ['pool checkout timeout', 'timeout exceeded when trying to connect', 'timeout'],
    ['query read timeout', 'Query read timeout', 'timeout'],
    ['broken client', 'Client has encountered a connection error and is not queryable', 'connection'],
    ['closed client', 'Client was closed and is not queryable', 'connection'],
  ])('the pg message for %s is retryable', (_name, message, reason) => {
    expect(classifyFailure(new Error(message))).toEqual({ kind: 'retryable', reason });
  });
});

describe('classifyFailure: wrapped errors and unknowns', () => {
  it('walks a cause chain', () => {
    const error = new Error('batch failed', {
      cause: new Error('write failed', { cause: databaseError('40P01') }),
    });
    expect(classifyFailure(error)).toEqual({ kind: 'retryable', reason: 'deadlock', sqlState: '40P01' });
  });

  it('walks AggregateError members', () => {
    const error = new AggregateError(
      [new TypeError('x'), systemError('ECONNREFUSED')],
      'all attempts failed',
    );
    expect(classifyFailure(error)).toEqual({
      kind: 'retryable',
      reason: 'connection',
      networkCode: 'ECONNREFUSED',
    });
  });

  it('walks a cause inside an AggregateError member', () => {
    const error = new AggregateError([new Error('wrapper', { cause: databaseError('23505') })]);
    expect(classifyFailure(error)).toMatchObject({ kind: 'fatal', reason: 'unique_violation' });
  });

  it('lets the outermost recognised error decide', () => {
    const error = Object.assign(new Error('socket reset', { cause: databaseError('23505') }), {
      code: 'ECONNRESET',
    });
    expect(classifyFailure(error)).toMatchObject({ reason: 'connection' });
  });

  it('survives a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(classifyFailure(a)).toEqual({ kind: 'retryable', reason: 'unknown' });
  });

  it.each<[string, unknown]>([
    ['a TypeError', new TypeError('cannot read properties of undefined')],
    ['a thrown string', 'boom'],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an empty object', {}],
    ['a five-letter code that is not a SQLSTATE', Object.assign(new Error('x'), { code: 'EFOO1' })],
  ])('treats %s as retryable unknown', (_name, error) => {
    expect(classifyFailure(error)).toEqual({ kind: 'retryable', reason: 'unknown' });
    expect(isRetryable(error)).toBe(true);
  });

  it('isRetryable is false only for fatal classifications', () => {
    expect(isRetryable(databaseError('23505'))).toBe(false);
    expect(isRetryable(databaseError('40001'))).toBe(true);
  });
});

describe('RetryableBatchError', () => {
  it('has a name, a stable code and keeps its cause', () => {
    const cause = databaseError('57P01');
    const error = new RetryableBatchError('batch 7-9 on partition 0 failed', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('RetryableBatchError');
    expect(error.code).toBe(DeadLetterErrorCode.retryableBatch);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('batch 7-9 on partition 0 failed');
    expect(error.classification).toEqual({ kind: 'retryable', reason: 'admin_shutdown', sqlState: '57P01' });
    expect(String(error)).toBe('RetryableBatchError: batch 7-9 on partition 0 failed');
  });

  it('is retryable even when its cause alone is fatal: the thrower has decided', () => {
    const error = new RetryableBatchError('retry', { cause: databaseError('23505') });
    expect(isRetryable(error)).toBe(true);
    expect(classifyFailure(error)).toEqual({
      kind: 'retryable',
      reason: 'unique_violation',
      sqlState: '23505',
    });
    expect(classifyFailure(new Error('outer', { cause: error }))).toMatchObject({ kind: 'retryable' });
  });
});
