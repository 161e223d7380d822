import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type ArchiveBatch,
  type ArchiveStore,
  archiveBatchName,
  archiveBatchText,
  gzipArchiveObject,
  type LargePayloadKey,
  largePayloadName,
} from '../archive-store.js';

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
  const write = async (name: string, body: string | Uint8Array): Promise<{ readonly name: string }> => {
    const path = join(options.rootDir, ...name.split('/'));
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
    async close() {},
  };
}
