import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { ContainerClient, RestError, StorageSharedKeyCredential } from '@azure/storage-blob';
import { testAzuriteConnectionString } from '@paymetrics/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { contractBatch } from '../archive-store.contract.js';
import { archiveBatchName, parseArchiveBatchText } from '../archive-store.js';
import { ArchiveStoreError, ArchiveStoreErrorCode } from '../archive-store-error.js';
import { blobMetadataValue, createBlobArchiveStore } from './blob-archive-store.js';
import { createBlobContainerClient, DEFAULT_ARCHIVE_CONTAINER_NAME } from './blob-container-client.js';

// The behaviour shared with the file archive is in archive-store.contract.ts.
describe('blob archive store', () => {
  const connectionString = testAzuriteConnectionString();
  const setting = (key: string) => new RegExp(`${key}=([^;]+)`).exec(connectionString)?.[1] ?? '';
  const accountName = setting('AccountName');
  const blobEndpoint = setting('BlobEndpoint');

  const containers: ContainerClient[] = [];
  const newContainer = () => {
    const client = new ContainerClient(connectionString, `archive-${randomBytes(6).toString('hex')}`);
    containers.push(client);
    return client;
  };
  afterEach(async () => {
    await Promise.all(containers.splice(0).map((client) => client.deleteIfExists()));
  });

  /** Any key of the right shape that the account does not have. */
  const wrongKey = () => randomBytes(64).toString('base64');

  it('creates the missing container once per store, even for concurrent first writes', async () => {
    const containerClient = newContainer();
    let createCalls = 0;
    const counted = {
      containerName: containerClient.containerName,
      getBlockBlobClient: (name: string) => containerClient.getBlockBlobClient(name),
      createIfNotExists: () => {
        createCalls += 1;
        return containerClient.createIfNotExists();
      },
    };
    expect(await containerClient.exists()).toBe(false);
    const store = createBlobArchiveStore({ containerClient: counted });
    await Promise.all([
      store.writeBatch(contractBatch),
      store.writeBatch({ ...contractBatch, partitionId: '8' }),
      store.writeLargePayload({ source: 's', partitionId: '0', sequenceNumber: 1 }, 'x'),
    ]);
    await store.writeBatch({ ...contractBatch, partitionId: '9' });
    expect(await containerClient.exists()).toBe(true);
    expect(createCalls).toBe(1);
  });

  it('writes into a container that already exists', async () => {
    const containerClient = newContainer();
    await containerClient.create();
    const { name } = await createBlobArchiveStore({ containerClient }).writeBatch(contractBatch);
    expect(await containerClient.getBlobClient(name).exists()).toBe(true);
  });

  it('sets content type, gzip encoding and the batch position as metadata', async () => {
    const containerClient = newContainer();
    const store = createBlobArchiveStore({ containerClient });
    const batch = { ...contractBatch, source: 'hub/ünïcode 100%' };
    const { name } = await store.writeBatch(batch);
    const properties = await containerClient.getBlobClient(name).getProperties();
    expect(properties.contentType).toBe('application/x-ndjson');
    expect(properties.contentEncoding).toBe('gzip');
    expect(properties.blobType).toBe('BlockBlob');
    expect(properties.metadata).toEqual({
      source: 'hub/%C3%BCn%C3%AFcode%20100%25',
      partition_id: '7',
      first_sequence: '120',
      last_sequence: '1234567',
      event_count: String(contractBatch.lines.length),
      enqueued_at: '2026-11-27T09:59:59.999Z',
    });
    expect(decodeURIComponent(properties.metadata?.source ?? '')).toBe(batch.source);

    const { enqueuedAt: _, ...withoutTime } = contractBatch;
    const second = await store.writeBatch(withoutTime);
    const secondMetadata = (await containerClient.getBlobClient(second.name).getProperties()).metadata;
    expect(secondMetadata).not.toHaveProperty('enqueued_at');

    const payload = await store.writeLargePayload(
      { source: 'file:abc', partitionId: '3', sequenceNumber: 42 },
      new Uint8Array([1, 2, 3]),
    );
    const payloadProperties = await containerClient.getBlobClient(payload.name).getProperties();
    expect(payloadProperties.contentType).toBe('application/octet-stream');
    expect(payloadProperties.contentEncoding).toBe('gzip');
    expect(payloadProperties.metadata).toEqual({
      source: 'file:abc',
      partition_id: '3',
      sequence_number: '42',
    });
  });

  it('percent-encodes metadata outside visible ASCII so decodeURIComponent restores it', () => {
    for (const value of ['plain', 'a b', '100%', 'tab\there', 'ü€😀', '']) {
      const encoded = blobMetadataValue(value);
      expect(encoded).toMatch(/^[\x21-\x7E]*$/);
      expect(decodeURIComponent(encoded)).toBe(value);
    }
  });

  it('builds container clients from a connection string or an account URL and credential', async () => {
    const name = `archive-${randomBytes(6).toString('hex')}`;
    const fromConnectionString = createBlobContainerClient({ connectionString, containerName: name });
    containers.push(fromConnectionString);
    const { name: blobName } = await createBlobArchiveStore({
      containerClient: fromConnectionString,
    }).writeBatch(contractBatch);

    const fromAccountUrl = createBlobContainerClient({
      accountUrl: blobEndpoint,
      credential: new StorageSharedKeyCredential(accountName, setting('AccountKey')),
      containerName: name,
    });
    const stored = await fromAccountUrl.getBlobClient(blobName).downloadToBuffer();
    expect(parseArchiveBatchText(gunzipSync(stored).toString('utf8'))).toEqual(contractBatch.lines);
    expect(createBlobContainerClient({ connectionString }).containerName).toBe(
      DEFAULT_ARCHIVE_CONTAINER_NAME,
    );
  });

  it('reports a rejected key with its cause, and without the key or connection string', async () => {
    const badKey = wrongKey();
    const badConnectionString = connectionString.replace(setting('AccountKey'), badKey);
    const containerClient = createBlobContainerClient({
      connectionString: badConnectionString,
      containerName: `archive-${randomBytes(6).toString('hex')}`,
    });
    const store = createBlobArchiveStore({ containerClient });
    const error = await store.writeBatch(contractBatch).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ArchiveStoreError);
    const archiveError = error as ArchiveStoreError;
    expect(archiveError.code).toBe(ArchiveStoreErrorCode.writeFailed);
    expect(archiveError.statusCode).toBe(403);
    expect(archiveError.cause).toBeInstanceOf(RestError);
    expect(archiveError.message).toContain(containerClient.containerName);
    const printed = [archiveError.message, archiveError.stack ?? '', inspect(archiveError, { depth: 10 })];
    for (const text of printed) {
      expect(text).not.toContain(badKey);
      expect(text).not.toContain(badConnectionString);
    }

    // The failed creation is not remembered: with a good client the same container is created.
    const good = createBlobArchiveStore({
      containerClient: createBlobContainerClient({
        connectionString,
        containerName: containerClient.containerName,
      }),
    });
    containers.push(new ContainerClient(connectionString, containerClient.containerName));
    expect((await good.writeBatch(contractBatch)).name).toBe(archiveBatchName(contractBatch));
  });

  it('reports a refused read with its status, and without the key', async () => {
    const containerClient = newContainer();
    const { name } = await createBlobArchiveStore({ containerClient }).writeLargePayload(
      { source: 's', partitionId: '0', sequenceNumber: 1 },
      'payload',
    );
    const badKey = wrongKey();
    const store = createBlobArchiveStore({
      containerClient: createBlobContainerClient({
        connectionString: connectionString.replace(setting('AccountKey'), badKey),
        containerName: containerClient.containerName,
      }),
    });
    const error = await store.readLargePayload(name).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArchiveStoreError);
    expect(error).toMatchObject({ code: ArchiveStoreErrorCode.readFailed, statusCode: 403 });
    expect((error as Error).message).toContain(name);
    expect(inspect(error, { depth: 10 })).not.toContain(badKey);
  });

  it('retries container creation on the next write after a failure', async () => {
    const containerClient = newContainer();
    let failNext = true;
    const flaky = {
      containerName: containerClient.containerName,
      getBlockBlobClient: (name: string) => containerClient.getBlockBlobClient(name),
      createIfNotExists: () => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new RestError('service unavailable', { statusCode: 503 }));
        }
        return containerClient.createIfNotExists();
      },
    };
    const store = createBlobArchiveStore({ containerClient: flaky });
    await expect(store.writeBatch(contractBatch)).rejects.toMatchObject({
      code: ArchiveStoreErrorCode.writeFailed,
      statusCode: 503,
    });
    expect((await store.writeBatch(contractBatch)).name).toBe(archiveBatchName(contractBatch));
  });

  it('refuses a malformed connection string without repeating its secrets', () => {
    const secretKey = wrongKey();
    for (const bad of [
      `AccountName=${accountName};AccountKey=${secretKey}`,
      `DefaultEndpointsProtocol=http;AccountName=${accountName};AccountKey=${secretKey};BlobEndpoint=not a url;`,
      `garbage ${secretKey}`,
    ]) {
      let caught: unknown;
      try {
        createBlobContainerClient({ connectionString: bad });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ArchiveStoreError);
      expect((caught as ArchiveStoreError).code).toBe(ArchiveStoreErrorCode.invalidConfiguration);
      expect((caught as ArchiveStoreError).cause).toBeInstanceOf(Error);
      const printed = inspect(caught, { depth: 10 });
      expect(printed).not.toContain(secretKey);
      expect((caught as Error).stack).not.toContain(secretKey);
    }
  });
});
