import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findFreePort } from './postgres-server.js';

/** Azurite's fixed development account; the key is public (documented by Microsoft), not a secret. */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteServerOptions {
  /** How long to wait for the blob service to accept connections. */
  readonly startTimeoutInMs?: number;
}

export interface AzuriteServer {
  /** Connection string for the development account on this server's blob endpoint. */
  readonly connectionString: string;
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly blobEndpoint: string;
  readonly port: number;
  /** Process id of the azurite-blob process. */
  readonly pid: number;
  /** Folder holding the server's data; removed by stop(). */
  readonly location: string;
  stop(): Promise<void>;
}

export function azuriteConnectionString(blobEndpoint: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`;
}

/** From the package rather than PATH, so a fresh clone and root both work without a global install. */
function azuriteBlobScript(): string {
  const require = createRequire(import.meta.url);
  const packageJsonPath = require.resolve('azurite/package.json');
  const { bin } = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { bin: Record<string, string> };
  const script = bin['azurite-blob'];
  if (!script) throw new Error(`azurite at ${packageJsonPath} has no azurite-blob bin`);
  return join(dirname(packageJsonPath), script);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited(child);
  clearTimeout(killTimer);
}

/**
 * Starts Azurite's blob service alone on a free loopback port with its data in a temporary
 * folder. `--skipApiVersionCheck` because @azure/storage-blob 12.34 sends an API version newer
 * than Azurite 3.37 knows; `--loose` so headers it does not implement are ignored, not refused.
 */
export async function startAzurite(options: AzuriteServerOptions = {}): Promise<AzuriteServer> {
  const script = azuriteBlobScript();
  const deadline = Date.now() + (options.startTimeoutInMs ?? 60_000);
  // Another process may take the free port before Azurite binds it; then try another port.
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const location = mkdtempSync(join(tmpdir(), 'paymetrics-azurite-'));
    const child = spawn(
      process.execPath,
      [
        script,
        '--blobHost',
        '127.0.0.1',
        '--blobPort',
        String(port),
        '--location',
        location,
        '--silent',
        '--skipApiVersionCheck',
        '--loose',
        '--disableTelemetry',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4_000);
    });
    // A test runner that exits without its teardown must not leave the server or its data behind.
    const killOnExit = () => {
      child.kill('SIGKILL');
      rmSync(location, { recursive: true, force: true });
    };
    process.once('exit', killOnExit);
    const stop = async () => {
      await stopChild(child);
      process.removeListener('exit', killOnExit);
      rmSync(location, { recursive: true, force: true });
    };

    let ready = false;
    while (!ready && child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
      ready = await canConnect(port);
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (ready) {
      const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME}`;
      return {
        connectionString: azuriteConnectionString(blobEndpoint),
        blobEndpoint,
        port,
        pid: child.pid ?? 0,
        location,
        stop,
      };
    }
    const crashed = child.exitCode !== null || child.signalCode !== null;
    await stop();
    if (!crashed || attempt >= 3) {
      throw new Error(
        crashed
          ? `azurite-blob exited with ${child.exitCode ?? child.signalCode}: ${stderr.trim()}`
          : `azurite-blob did not accept connections on port ${port} in time: ${stderr.trim()}`,
      );
    }
  }
}

/** The blob service tests use: the harness's Azurite, or AZURE_STORAGE_CONNECTION_STRING. */
export function testAzuriteConnectionString(): string {
  const connectionString = process.env.PAYMETRICS_TEST_AZURITE_CONNECTION_STRING;
  if (!connectionString) {
    throw new Error(
      'PAYMETRICS_TEST_AZURITE_CONNECTION_STRING is not set: run tests through the root vitest config',
    );
  }
  return connectionString;
}
