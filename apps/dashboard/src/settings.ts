import { isAbsolute, resolve } from 'node:path';

/** A setting that stops the program at start: the message is one line naming it. */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}

export interface DashboardSettings {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly statementTimeoutInMs: number;
}

/** Reads the dashboard's settings from an environment object (only the app reads process.env). */
export function readDashboardSettings(
  env: Record<string, string | undefined>,
  cwd: string,
): DashboardSettings {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined) {
    let protocol: string;
    try {
      protocol = new URL(databaseUrl).protocol;
    } catch {
      throw new SettingError(
        'DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)',
      );
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      throw new SettingError(`DATABASE_URL must start with postgres:// or postgresql://, not ${protocol}//`);
    }
  }
  const dataDir = env.PAYMETRICS_DATA_DIR?.trim() || './.data';
  const timeoutText = env.PAYMETRICS_DASHBOARD_STATEMENT_TIMEOUT_MS?.trim();
  const statementTimeoutInMs = timeoutText === undefined || timeoutText === '' ? 10_000 : Number(timeoutText);
  if (!Number.isInteger(statementTimeoutInMs) || statementTimeoutInMs < 1) {
    throw new SettingError(
      'PAYMETRICS_DASHBOARD_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds, at least 1',
    );
  }
  return {
    databaseUrl,
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    statementTimeoutInMs,
  };
}
