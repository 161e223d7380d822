import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InvocationContext, type LogLevel, type Timer } from '@azure/functions';
import {
  createSchemaDatabase,
  findPostgresBinDir,
  type PostgresServer,
  snapshotTables,
  type TestDatabase,
  withClient,
} from '@paymetrics/testing';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { closeRuntime } from '../src/runtime.js';

const run = promisify(execFile);

/** A valid PaymentTransaction v1 a few minutes before now; `i` varies its fields. */
export function validEvent(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const method = (['card', 'wallet', 'bank_transfer'] as const)[i % 3]!;
  const status = i % 5 === 0 ? 'declined' : 'approved';
  return {
    schemaVersion: 1,
    eventId: randomUUID(),
    transactionId: randomUUID(),
    occurredAt: new Date(Date.now() - 20 * 60_000 + i * 1_000).toISOString(),
    merchantId: i % 2 === 0 ? 'm_alpha' : 'm_beta',
    amountMinor: 100 + i * 17,
    currency: 'EUR',
    paymentMethod: method,
    cardBrand: method === 'card' ? 'visa' : null,
    channel: 'ecommerce',
    country: 'DE',
    status,
    declineCode: status === 'declined' ? '05' : null,
    processorLatencyMs: 40 + i,
    ...overrides,
  };
}

export interface HubPosition {
  readonly partitionId?: string;
  readonly eventHubName?: string;
  readonly consumerGroup?: string;
}

export interface CapturedInvocation {
  readonly context: InvocationContext;
  readonly logs: string[];
}

/**
 * An InvocationContext as the v4 library builds it for an Event Hubs trigger with
 * `cardinality: 'many'`: camelCased metadata keys, one array entry per event.
 */
export function eventHubInvocation(
  firstSequence: number,
  count: number,
  hub: HubPosition = {},
): CapturedInvocation {
  const logs: string[] = [];
  const sequences = Array.from({ length: count }, (_, i) => firstSequence + i);
  const enqueued = sequences.map((_, i) => new Date(Date.now() - 60_000 + i).toISOString());
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: 'processPayments',
    logHandler: (level: LogLevel, ...args: unknown[]) => logs.push(`${level}: ${args.map(String).join(' ')}`),
    triggerMetadata: {
      partitionContext: {
        fullyQualifiedNamespace: 'paymetrics-test.servicebus.windows.net',
        eventHubName: hub.eventHubName ?? 'payments',
        consumerGroup: hub.consumerGroup ?? 'paymetrics-function',
        partitionId: hub.partitionId ?? '0',
        isCheckpointingAfterInvocation: true,
      },
      sequenceNumberArray: sequences,
      enqueuedTimeUtcArray: enqueued,
      offsetArray: sequences.map((s) => String(s * 512)),
      partitionKeyArray: sequences.map(() => null),
      propertiesArray: sequences.map(() => ({})),
      systemPropertiesArray: sequences.map((s, i) => ({ sequenceNumber: s, enqueuedTimeUtc: enqueued[i] })),
    },
  });
  return { context, logs };
}

/** What the host passes a timer trigger. */
export const TIMER: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};

/** An InvocationContext for a timer function, with its log lines captured. */
export function timerInvocation(functionName: string): CapturedInvocation {
  const logs: string[] = [];
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName,
    logHandler: (level: LogLevel, ...args: unknown[]) => logs.push(`${level}: ${args.map(String).join(' ')}`),
  });
  return { context, logs };
}

export async function query<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Every table the pipeline writes, to compare before and after. */
export function snapshot(url: string): Promise<Record<string, string[]>> {
  return withClient(url, (client) => snapshotTables((text) => client.query(text)));
}

/**
 * Stops a harness server without removing its data, and starts it again on the same port: the
 * outage test needs a window in which the server is down (PostgresServer.restart is atomic).
 */
export async function controlServer(
  server: PostgresServer,
): Promise<{ stop(): Promise<void>; start(): Promise<void> }> {
  const binDir = findPostgresBinDir();
  const pgdata = join(server.dataDir, 'data');
  let asUser = {};
  if (process.getuid?.() === 0) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    asUser = { uid, gid };
  }
  const pgCtl = (...args: string[]) =>
    run(join(binDir, 'pg_ctl'), ['-D', pgdata, '-w', '-t', '60', ...args], asUser);
  const options = [
    `-p ${server.port}`,
    `-k ${server.dataDir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
  ].join(' ');
  return {
    // A fast (clean) shutdown: with the harness's synchronous_commit=off, an immediate one
    // could lose commits that the test then expects to find.
    async stop() {
      await pgCtl('-m', 'fast', 'stop');
    },
    async start() {
      await pgCtl('-l', join(server.dataDir, 'server.log'), '-o', options, 'start');
    },
  };
}

/**
 * Gives each test of the calling suite its own migrated database as DATABASE_URL, with the
 * Function's shared runtime rebuilt for it and closed afterwards. Returns the current database.
 */
export function useFunctionDatabase(name: string): () => TestDatabase {
  let database: TestDatabase | undefined;
  let previousUrl: string | undefined;
  beforeEach(async () => {
    database = await createSchemaDatabase(name);
    previousUrl = process.env.DATABASE_URL;
    process.env.DATABASE_URL = database.url;
    await closeRuntime();
  });
  afterEach(async () => {
    await closeRuntime();
    if (previousUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousUrl;
    await database?.drop();
  });
  return () => {
    if (!database) throw new Error('useFunctionDatabase: the database exists only inside a test');
    return database;
  };
}
