import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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

export interface FileArchiveStoreOptions {
  /** Folder the archive names are resolved against (created when missing). */
  readonly rootDir: string;
}

/**
 * The raw archive as files. Each object is written to a temporary file in its folder, synced
 * and renamed over the final name, so readers never see half an object and a retry replaces
 * the earlier file whole.
 */
export function createFileArchiveStore(options: FileArchiveStoreOptions): ArchiveStore {
  const pathOf = (name: string) => join(options.rootDir, ...name.split('/'));

  const write = async (name: string, body: string | Uint8Array): Promise<{ readonly name: string }> => {
    const path = pathOf(name);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const file = await open(temporary, 'w');
      try {
        await file.writeFile(await gzipArchiveObject(body));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return { name };
  };

  return {
    // async, so a name that cannot be built rejects like any other failed write.
    writeBatch: async (batch: ArchiveBatch) => write(archiveBatchName(batch), archiveBatchText(batch.lines)),
    writeLargePayload: async (key: LargePayloadKey, payload: string | Uint8Array) =>
      write(largePayloadName(key), payload),
    async readLargePayload(name: string) {
      assertLargePayloadName(name);
      let stored: Buffer;
      try {
        stored = await readFile(pathOf(name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new ArchiveStoreError(
          `could not read ${name} under ${options.rootDir}: ${(error as Error).message}`,
          {
            code: ArchiveStoreErrorCode.readFailed,
            cause: error,
          },
        );
      }
      return gunzipArchiveObject(name, stored);
    },
    async close() {},
  };
}
