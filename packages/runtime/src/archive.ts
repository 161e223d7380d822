import {
  type ArchiveStore,
  createBlobArchiveStore,
  createBlobContainerClient,
  createFileArchiveStore,
} from '@paymetrics/storage-adapters';
import type { ArchiveSettings } from './settings.js';

export interface OpenedArchive {
  readonly archive: ArchiveStore | undefined;
  /** One line for a summary: where raw events go, without a key. */
  readonly description: string;
}

/**
 * The Blob store when one is configured, the file store under the data folder, or none.
 * `@azure/identity` loads only for managed identity: it costs seconds of start-up otherwise.
 */
export async function openArchive(settings: ArchiveSettings): Promise<OpenedArchive> {
  if (settings.kind === 'none') return { archive: undefined, description: 'raw archive: off' };
  if (settings.kind === 'file') {
    return {
      archive: createFileArchiveStore({ rootDir: settings.rootDir }),
      description: `raw archive: ${settings.rootDir}`,
    };
  }
  const container = settings.containerName === undefined ? {} : { containerName: settings.containerName };
  const containerClient =
    'connectionString' in settings
      ? createBlobContainerClient({ connectionString: settings.connectionString.reveal(), ...container })
      : // Managed identity in Azure (AZURE_CLIENT_ID picks a user-assigned one); developer credentials locally.
        createBlobContainerClient({
          accountUrl: settings.accountUrl,
          credential: new (await import('@azure/identity')).DefaultAzureCredential(),
          ...container,
        });
  return {
    archive: createBlobArchiveStore({ containerClient }),
    description: `raw archive: Blob Storage container ${containerClient.containerName} at ${containerClient.url.split('?')[0]}`,
  };
}
