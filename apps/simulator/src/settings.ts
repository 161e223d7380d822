import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A setting that stops the program at start: the message is one line naming the setting. */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Where raw events are archived: Blob Storage when configured, else files under the data folder. */
export type ArchiveSettings =
  | { readonly kind: 'file' }
  | { readonly kind: 'blob'; readonly containerName: string | undefined; readonly connectionString: string }
  | { readonly kind: 'blob'; readonly containerName: string | undefined; readonly accountUrl: string };

export interface Settings {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly archive: ArchiveSettings;
}

function readArchiveSettings(env: NodeJS.ProcessEnv): ArchiveSettings {
  const containerName = env.PAYMETRICS_ARCHIVE_CONTAINER?.trim() || undefined;
  const connectionString = env.AZURE_STORAGE_CONNECTION_STRING?.trim();
  if (connectionString) return { kind: 'blob', containerName, connectionString };
  const accountUrl = env.AZURE_STORAGE_ACCOUNT_URL?.trim();
  if (!accountUrl) return { kind: 'file' };
  try {
    if (new URL(accountUrl).protocol !== 'https:') throw new Error('not https');
  } catch {
    throw new SettingError(
      'AZURE_STORAGE_ACCOUNT_URL must be an https:// URL (https://<account>.blob.core.windows.net)',
    );
  }
  return { kind: 'blob', containerName, accountUrl };
}

/** Where the user ran the command: pnpm runs scripts inside the package, but paths are the user's. */
function invocationDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD ?? repoRoot;
}

export function resolveUserPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  return isAbsolute(path) || path === '-' ? path : resolve(invocationDir(env), path);
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(databaseUrl);
    } catch {
      throw new SettingError(
        'DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)',
      );
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw new SettingError(
        `DATABASE_URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`,
      );
    }
  }
  const dataDir = resolveUserPath(env.PAYMETRICS_DATA_DIR?.trim() || '.data', env);
  return { databaseUrl, dataDir, archive: readArchiveSettings(env) };
}
