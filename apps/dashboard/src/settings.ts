import { readSettings, SettingError } from '@paymetrics/runtime';

export { SettingError };

export interface DashboardSettings {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly statementTimeoutInMs: number;
}

const statementTimeoutSetting = 'PAYMETRICS_DASHBOARD_STATEMENT_TIMEOUT_MS';

/**
 * The runtime's settings (DATABASE_URL, PAYMETRICS_DATA_DIR, parsed as every app parses them)
 * plus the dashboard's own statement timeout: a page waits seconds, not the pipeline's minute.
 */
export function readDashboardSettings(
  env: Record<string, string | undefined>,
  cwd: string,
): DashboardSettings {
  const settings = readSettings(env, { cwd });
  const timeoutText = env[statementTimeoutSetting]?.trim();
  const statementTimeoutInMs = timeoutText ? Number(timeoutText) : 10_000;
  if (!Number.isInteger(statementTimeoutInMs) || statementTimeoutInMs < 1) {
    throw new SettingError(
      statementTimeoutSetting,
      `${statementTimeoutSetting} must be a whole number of milliseconds, at least 1`,
    );
  }
  return {
    databaseUrl: settings.databaseUrl?.reveal(),
    // Always set: readSettings defaults the data folder when the embedded database is the default.
    dataDir: settings.dataDir ?? `${settings.baseDir}/.data`,
    statementTimeoutInMs,
  };
}
