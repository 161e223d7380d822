import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AZURITE_ACCOUNT_NAME, startAzurite, testAzuriteConnectionString } from './azurite-server.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An unsigned request: Azurite answers with its own authorization error, so the service is up. */
async function listContainersStatus(blobEndpoint: string): Promise<number> {
  const response = await fetch(`${blobEndpoint}?comp=list`);
  await response.arrayBuffer();
  return response.status;
}

describe('azurite harness', () => {
  it('exposes the shared blob service to workers as a connection string', async () => {
    const connectionString = testAzuriteConnectionString();
    const blobEndpoint = /BlobEndpoint=([^;]+)/.exec(connectionString)?.[1];
    expect(blobEndpoint).toBeDefined();
    expect(await listContainersStatus(blobEndpoint ?? '')).toBe(403);
  });

  it('starts a blob service that accepts requests and stop() leaves no process or folder', async () => {
    const server = await startAzurite();
    expect(server.connectionString).toBe(
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:${server.port}/devstoreaccount1;`,
    );
    expect(isRunning(server.pid)).toBe(true);
    expect(existsSync(server.location)).toBe(true);
    expect(await listContainersStatus(server.blobEndpoint)).toBe(403);

    await server.stop();
    expect(isRunning(server.pid)).toBe(false);
    expect(existsSync(server.location)).toBe(false);
    await expect(listContainersStatus(server.blobEndpoint)).rejects.toThrow();
  });
});
