import type { BlobHTTPHeaders, ContainerClient, Metadata } from '@azure/storage-blob';
import {
  type ArchiveBatch,
  type ArchiveStore,
  archiveBatchName,
  archiveBatchText,
  assertLargePayloadName,
  gunzipArchiveObject,
  gzipArchiveObject,
  type LargePayloadKey,
  largePayloadName,
} from '../archive-store.js';
import { ArchiveStoreError, ArchiveStoreErrorCode } from '../archive-store-error.js';

export interface BlobArchiveStoreOptions {
  /**
   * The container to write into, built by the app (`createBlobContainerClient`, or any
   * ContainerClient); the store reads no environment and never closes it. Large payloads are
   * read back with the same block blob clients.
   */
  readonly containerClient: Pick<
    ContainerClient,
    'containerName' | 'createIfNotExists' | 'getBlockBlobClient'
  >;
}

/**
 * Metadata travels as HTTP headers, which hold visible ASCII only: other characters (and `%`)
 * are percent-encoded as UTF-8, so `decodeURIComponent` gives the value back.
 */
export function blobMetadataValue(value: string): string {
  return value.replace(/[^\x21-\x7E]|%/gu, (char) => encodeURIComponent(char));
}

function statusCodeOf(error: unknown): number | undefined {
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

function describeCause(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n', 1)[0] ?? '';
  const code = (error as { code?: unknown } | null)?.code;
  const status = statusCodeOf(error);
  return [status, typeof code === 'string' ? code : undefined, firstLine]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
}

/**
 * The raw archive in Azure Blob Storage. Each object is one block blob `upload` (a single PUT),
 * which replaces an existing blob of the same name whole: a retried batch overwrites, and
 * readers see the old or the new blob, never a mix. The container is created on the first
 * write (once per store; a failed attempt is tried again on the next write).
 */
export function createBlobArchiveStore(options: BlobArchiveStoreOptions): ArchiveStore {
  const { containerClient } = options;
  let containerReady: Promise<void> | undefined;

  const ensureContainer = (): Promise<void> => {
    containerReady ??= containerClient.createIfNotExists().then(
      () => undefined,
      (error: unknown) => {
        containerReady = undefined;
        throw new ArchiveStoreError(
          `could not create blob container ${containerClient.containerName}: ${describeCause(error)}`,
          { code: ArchiveStoreErrorCode.writeFailed, cause: error, statusCode: statusCodeOf(error) },
        );
      },
    );
    return containerReady;
  };

  const write = async (
    name: string,
    body: string | Uint8Array,
    headers: BlobHTTPHeaders,
    metadata: Metadata,
  ): Promise<{ readonly name: string }> => {
    const [compressed] = await Promise.all([gzipArchiveObject(body), ensureContainer()]);
    try {
      await containerClient.getBlockBlobClient(name).upload(compressed, compressed.byteLength, {
        blobHTTPHeaders: { ...headers, blobContentEncoding: 'gzip' },
        metadata,
      });
    } catch (error) {
      throw new ArchiveStoreError(
        `could not write blob ${name} in container ${containerClient.containerName}: ${describeCause(error)}`,
        { code: ArchiveStoreErrorCode.writeFailed, cause: error, statusCode: statusCodeOf(error) },
      );
    }
    return { name };
  };

  return {
    async writeBatch(batch: ArchiveBatch) {
      const metadata: Metadata = {
        source: blobMetadataValue(batch.source),
        partition_id: blobMetadataValue(batch.partitionId),
        first_sequence: String(batch.firstSequence),
        last_sequence: String(batch.lastSequence),
        event_count: String(batch.lines.length),
      };
      if (batch.enqueuedAt) metadata.enqueued_at = batch.enqueuedAt.toISOString();
      return write(
        archiveBatchName(batch),
        archiveBatchText(batch.lines),
        { blobContentType: 'application/x-ndjson' },
        metadata,
      );
    },
    async writeLargePayload(key: LargePayloadKey, payload: string | Uint8Array) {
      return write(
        largePayloadName(key),
        payload,
        {
          blobContentType:
            typeof payload === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
        },
        {
          source: blobMetadataValue(key.source),
          partition_id: blobMetadataValue(key.partitionId),
          sequence_number: String(key.sequenceNumber),
        },
      );
    },
    async readLargePayload(name: string) {
      assertLargePayloadName(name);
      let stored: Buffer;
      try {
        stored = await containerClient.getBlockBlobClient(name).downloadToBuffer();
      } catch (error) {
        // 404: no such blob, or no container yet (nothing was ever written).
        if (statusCodeOf(error) === 404) return undefined;
        throw new ArchiveStoreError(
          `could not read blob ${name} in container ${containerClient.containerName}: ${describeCause(error)}`,
          { code: ArchiveStoreErrorCode.readFailed, cause: error, statusCode: statusCodeOf(error) },
        );
      }
      return gunzipArchiveObject(name, stored);
    },
    async close() {},
  };
}
