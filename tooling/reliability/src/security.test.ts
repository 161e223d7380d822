import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { processBatch, type RawEvent } from '@paymetrics/pipeline';
import {
  createBlobArchiveStore,
  createBlobContainerClient,
  createFileArchiveStore,
} from '@paymetrics/storage-adapters';
import {
  createSchemaDatabase,
  type PostgresServer,
  startPostgresServer,
  type TestDatabase,
  testAzuriteConnectionString,
} from '@paymetrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validBody } from './bad-input-catalog.js';
import { freshQuery, openPostgresPipeline } from './postgres-pipeline.js';
import { startMigrate, startSimulator } from './simulator-process.js';

const PANS = ['4111111111111111', '5555555555554444', '378282246310005'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.gz'));
}

describe('PAN masking on every stored payload', () => {
  let database: TestDatabase;
  const archiveDir = mkdtempSync(join(tmpdir(), 'paymetrics-reliability-pan-'));
  beforeAll(async () => {
    database = await createSchemaDatabase('rel_pan');
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(archiveDir, { recursive: true, force: true });
  });

  it('failed_items payloads, messages and overflow blobs hold no test card number in clear', async () => {
    const pipeline = openPostgresPipeline(database.url, {
      archive: createFileArchiveStore({ rootDir: archiveDir }),
    });
    const bodies: (string | Uint8Array)[] = [];
    for (const pan of PANS) {
      bodies.push(
        JSON.stringify(validBody(randomUUID(), { merchantId: `card ${pan}` })), // invalid_merchant_id
        `{"card":"${pan}","eventId":`, // truncated JSON
        JSON.stringify(
          validBody(randomUUID(), {
            amountMinor: 1.5,
            metadata: { card: pan.replace(/(\d{4})/g, '$1 ').trim() },
          }),
        ),
        new Uint8Array([...new TextEncoder().encode(`{"pan":"${pan}","x":"`), 0xff, 0x22, 0x7d]), // invalid UTF-8
        JSON.stringify(
          validBody(randomUUID(), { amountMinor: -1, metadata: { pad: 'x'.repeat(70_000), card: pan } }),
        ), // > 64 KB
      );
    }
    const events: RawEvent[] = bodies.map((body, i) => ({ body, sequenceNumber: i + 1 }));
    try {
      const result = await processBatch({ source: 'file:pan', partitionId: '0', events }, pipeline.deps);
      expect(result.deadLettered).toBe(bodies.length);
    } finally {
      await pipeline.close();
    }
    const { rows } = await freshQuery(database.url)(
      'select payload, payload_encoding, payload_ref, error_message from failed_items',
    );
    const stored = (
      rows as {
        payload: string | null;
        payload_encoding: string;
        payload_ref: string | null;
        error_message: string;
      }[]
    ).map((row) => {
      const payload =
        row.payload === null
          ? ''
          : row.payload_encoding === 'base64'
            ? Buffer.from(row.payload, 'base64').toString('latin1')
            : row.payload;
      return `${payload}\n${row.error_message}`;
    });
    expect(stored).toHaveLength(bodies.length);
    expect(rows.filter((r) => (r as { payload_ref: string | null }).payload_ref !== null)).toHaveLength(
      PANS.length,
    );
    const overflow = filesUnder(join(archiveDir, 'payloads')).map((name) =>
      gunzipSync(readFileSync(join(archiveDir, 'payloads', name))).toString('latin1'),
    );
    expect(overflow).toHaveLength(PANS.length);
    for (const text of [...stored, ...overflow]) {
      for (const pan of PANS) expect(text.replace(/[ -]/g, '')).not.toContain(pan);
      // Masked, not dropped: a masked run keeps its last four digits (rows whose payload is in
      // the archive hold only the message here).
      if (!text.startsWith('\n')) expect(text).toMatch(/\*{3}/);
    }
  });

  it('the raw archive holds no test card number in clear', async () => {
    const rawDir = mkdtempSync(join(tmpdir(), 'paymetrics-reliability-raw-'));
    const pipeline = openPostgresPipeline(database.url, {
      archive: createFileArchiveStore({ rootDir: rawDir }),
    });
    const events: RawEvent[] = PANS.flatMap((pan, i) => [
      {
        body: JSON.stringify(validBody(randomUUID(), { metadata: { card: pan } })),
        sequenceNumber: 2 * i + 1,
      },
      { body: `{"card":"${pan}"`, sequenceNumber: 2 * i + 2 },
    ]);
    try {
      const result = await processBatch({ source: 'file:pan-raw', partitionId: '0', events }, pipeline.deps);
      expect(result).toMatchObject({ counted: PANS.length, deadLettered: PANS.length });
      const archived = filesUnder(join(rawDir, 'raw')).map((name) =>
        gunzipSync(readFileSync(join(rawDir, 'raw', name))).toString('utf8'),
      );
      expect(archived).toHaveLength(1);
      for (const pan of PANS) {
        expect(archived[0]).not.toContain(pan);
        expect(archived[0]).toContain(pan.slice(-4));
      }
    } finally {
      await pipeline.close();
      rmSync(rawDir, { recursive: true, force: true });
    }
  });
});

describe('connection strings and keys never appear in logs or error messages', () => {
  // A server of our own that checks passwords (the shared one trusts every local connection).
  let server: PostgresServer;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const wrongPassword = `wrong-${randomBytes(9).toString('hex')}`;
  beforeAll(async () => {
    server = await startPostgresServer();
    await freshQuery(server.url)(`alter user postgres password '${password}'`);
    writeFileSync(
      join(server.dataDir, 'data', 'pg_hba.conf'),
      'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n',
    );
    await server.restart();
  });
  afterAll(async () => server?.stop());

  const urlWith = (secret: string, port = server.port) =>
    `postgres://postgres:${secret}@127.0.0.1:${port}/postgres`;

  it('the server refuses the wrong password and accepts the right one (the premise of the next tests)', async () => {
    await expect(freshQuery(urlWith(wrongPassword))('select 1')).rejects.toMatchObject({ code: '28P01' });
    await expect(freshQuery(urlWith(password))('select 1')).resolves.toBeDefined();
  });

  for (const [name, start] of [
    [
      'simulate --sink local',
      (env: Record<string, string>) =>
        startSimulator(['--count', '10', '--sink', 'local', '--no-progress'], env),
    ],
    ['migrate', (env: Record<string, string>) => startMigrate([], env)],
  ] as const) {
    it(`${name}: a wrong password or a refused connection fails without printing the password`, {
      timeout: 60_000,
    }, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'paymetrics-reliability-secret-'));
      try {
        for (const url of [urlWith(wrongPassword), urlWith(wrongPassword, 1)]) {
          const result = await start({ DATABASE_URL: url, PAYMETRICS_DATA_DIR: dataDir }).exited;
          expect(result.code).not.toBe(0);
          expect(result.stderr.length).toBeGreaterThan(0);
          expect(`${result.stdout}\n${result.stderr}`).not.toContain(wrongPassword);
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }

  it('the blob store reports a refused write without the account key', async () => {
    const realKey = /AccountKey=([^;]+)/.exec(testAzuriteConnectionString())?.[1] ?? '';
    const wrongKey = randomBytes(64).toString('base64');
    const connectionString = testAzuriteConnectionString().replace(realKey, wrongKey);
    const archive = createBlobArchiveStore({
      containerClient: createBlobContainerClient({ connectionString, containerName: 'reliability-secrets' }),
    });
    const error = await archive
      .writeBatch({ source: 's', partitionId: '0', firstSequence: 1, lastSequence: 1, lines: ['{}'] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    const printed = `${String(error)}\n${inspect(error, { depth: 12 })}`;
    expect(printed).not.toContain(wrongKey);
    expect(printed).not.toContain(connectionString);

    const invalid = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${wrongKey};BlobEndpoint=not a url`;
    let configError: unknown;
    try {
      createBlobContainerClient({ connectionString: invalid });
    } catch (e) {
      configError = e;
    }
    if (configError !== undefined) expect(inspect(configError, { depth: 12 })).not.toContain(wrongKey);
  });
});
