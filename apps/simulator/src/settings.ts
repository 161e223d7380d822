import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A setting that stops the program at start: the message is one line naming the setting. */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface Settings {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
}

/** Where the user ran the command: pnpm runs scripts inside the package, but paths are the user's. */
export function invocationDir(env: NodeJS.ProcessEnv = process.env): string {
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
  return { databaseUrl, dataDir };
}

/** A connection string fit for logs: the password never appears. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
