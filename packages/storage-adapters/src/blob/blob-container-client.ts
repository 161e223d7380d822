import type { TokenCredential } from '@azure/core-auth';
import {
  type AnonymousCredential,
  BlobServiceClient,
  ContainerClient,
  type StoragePipelineOptions,
  type StorageSharedKeyCredential,
} from '@azure/storage-blob';
import {
  ArchiveStoreError,
  ArchiveStoreErrorCode,
  causeWithoutSecrets,
  connectionStringSecrets,
} from '../archive-store-error.js';

/** The container the apps archive into unless configured otherwise. */
export const DEFAULT_ARCHIVE_CONTAINER_NAME = 'paymetrics-archive';

interface ContainerSettings {
  /** Defaults to `DEFAULT_ARCHIVE_CONTAINER_NAME`. */
  readonly containerName?: string;
  readonly pipelineOptions?: StoragePipelineOptions;
}

/** An account connection string (key or SAS), as for AZURE_STORAGE_CONNECTION_STRING or Azurite. */
export interface BlobConnectionStringOptions extends ContainerSettings {
  readonly connectionString: string;
}

/**
 * An account URL (`https://<account>.blob.core.windows.net`) and a credential the app made:
 * `new DefaultAzureCredential()` from @azure/identity for managed identity, so the identity
 * library stays the app's dependency.
 */
export interface BlobAccountUrlOptions extends ContainerSettings {
  readonly accountUrl: string;
  readonly credential: TokenCredential | StorageSharedKeyCredential | AnonymousCredential;
}

export type BlobContainerClientOptions = BlobConnectionStringOptions | BlobAccountUrlOptions;

/**
 * Builds the ContainerClient an app passes to `createBlobArchiveStore`. Sends no request: a
 * bad key shows at the first write. Throws an `ArchiveStoreError` (`ARCHIVE_INVALID_CONFIGURATION`)
 * whose message and cause hold no part of the connection string's secrets.
 */
export function createBlobContainerClient(options: BlobContainerClientOptions): ContainerClient {
  const containerName = options.containerName ?? DEFAULT_ARCHIVE_CONTAINER_NAME;
  if ('connectionString' in options) {
    try {
      return new ContainerClient(options.connectionString, containerName, options.pipelineOptions);
    } catch (error) {
      throw new ArchiveStoreError('invalid Azure Storage connection string', {
        code: ArchiveStoreErrorCode.invalidConfiguration,
        cause: causeWithoutSecrets(error, connectionStringSecrets(options.connectionString)),
      });
    }
  }
  try {
    return new BlobServiceClient(
      options.accountUrl,
      options.credential,
      options.pipelineOptions,
    ).getContainerClient(containerName);
  } catch (error) {
    throw new ArchiveStoreError(`invalid Azure Storage account URL ${JSON.stringify(options.accountUrl)}`, {
      code: ArchiveStoreErrorCode.invalidConfiguration,
      cause: error,
    });
  }
}
