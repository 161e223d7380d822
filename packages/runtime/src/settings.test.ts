import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SettingError } from './setting-error.js';
import { readSettings, readTelemetrySettings, type Settings } from './settings.js';

const url = 'postgres://app:s3cret-pw@db.example:5432/paymetrics';

/** The Function's reading: no embedded default. */
const readFunctionSettings = (env: Record<string, string>): Settings =>
  readSettings(env, { cwd: '/app', embeddedDefault: false });

function errorOf(
  env: Record<string, string>,
  read: (env: Record<string, string>) => unknown = readFunctionSettings,
): SettingError {
  try {
    read(env);
  } catch (error) {
    if (error instanceof SettingError) return error;
    throw error;
  }
  throw new Error('expected a SettingError');
}

describe('readSettings without the embedded default (the Function)', () => {
  it('requires DATABASE_URL with one line naming it', () => {
    const error = errorOf({});
    expect(error.message).toMatch(/^DATABASE_URL is required/);
    expect(error.message).not.toContain('\n');
  });

  it('names the setting and never echoes a secret', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { DATABASE_URL: 'mysql://app:s3cret-pw@db/x' },
        /^DATABASE_URL is not a PostgreSQL connection URL \(the scheme is mysql/,
      ],
      [
        { DATABASE_URL: 'not a url s3cret-pw' },
        /^DATABASE_URL is not a PostgreSQL connection URL \(it is not a URL/,
      ],
      [{ DATABASE_URL: url, PAYMETRICS_PG_POOL_MAX: '0' }, /^PAYMETRICS_PG_POOL_MAX must be an integer/],
      [
        { DATABASE_URL: url, AZURE_STORAGE_CONNECTION_STRING: 's3cret-pw' },
        /^AZURE_STORAGE_CONNECTION_STRING does not/,
      ],
      [
        { DATABASE_URL: url, AZURE_STORAGE_ACCOUNT_URL: 'https://acct.blob.core.windows.net/?sig=s3cret-pw' },
        /^AZURE_STORAGE_ACCOUNT_URL must not carry a query string/,
      ],
    ];
    for (const [env, message] of cases) {
      const error = errorOf(env);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('s3cret-pw');
    }
  });

  it('keeps secrets out of logs, JSON and inspection', () => {
    const settings = readFunctionSettings({ DATABASE_URL: url });
    expect(JSON.stringify(settings)).not.toContain('s3cret-pw');
    expect(inspect(settings, { depth: 5 })).not.toContain('s3cret-pw');
    expect(`${settings.databaseUrl}`).toBe('[redacted]');
    expect(settings.databaseUrl?.reveal()).toBe(url);
  });

  it('chooses the archive: Blob when configured, files only under an explicit data folder, else none', () => {
    expect(readFunctionSettings({ DATABASE_URL: url }).archive).toEqual({ kind: 'none' });
    expect(readFunctionSettings({ DATABASE_URL: url, PAYMETRICS_DATA_DIR: '/home/data/' }).archive).toEqual({
      kind: 'file',
      rootDir: '/home/data/archive',
    });
    expect(
      readFunctionSettings({
        DATABASE_URL: url,
        AZURE_STORAGE_ACCOUNT_URL: 'https://acct.blob.core.windows.net/',
      }).archive,
    ).toEqual({
      kind: 'blob',
      accountUrl: 'https://acct.blob.core.windows.net',
      containerName: undefined,
    });
  });

  it('reads the namespace for source names from the connection setting without its key', () => {
    const settings = readFunctionSettings({
      DATABASE_URL: url,
      EVENTHUB_CONNECTION:
        'Endpoint=sb://pay.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=s3cret-pw',
    });
    expect(settings.eventHubNamespace).toBe('pay.servicebus.windows.net');
    expect(
      readFunctionSettings({
        DATABASE_URL: url,
        EVENTHUB_CONNECTION__fullyQualifiedNamespace: 'mi.servicebus.windows.net',
      }).eventHubNamespace,
    ).toBe('mi.servicebus.windows.net');
  });
});

describe('readSettings with the embedded default (simulator, ops, migrate)', () => {
  const read = (env: Record<string, string>) => readSettings(env, { cwd: '/work/repo' });

  it('defaults to PGlite under ./.data, resolved against INIT_CWD before the cwd', () => {
    expect(read({})).toMatchObject({
      databaseUrl: undefined,
      dataDir: '/work/repo/.data',
      archive: { kind: 'file', rootDir: '/work/repo/.data/archive' },
    });
    expect(read({ INIT_CWD: '/home/me', PAYMETRICS_DATA_DIR: 'data' }).dataDir).toBe('/home/me/data');
    expect(read({ PAYMETRICS_DATA_DIR: '  ' }).dataDir).toBe('/work/repo/.data');
  });

  it('gives every pool timeouts by default, and reads them from the environment', () => {
    expect(read({}).pool).toMatchObject({
      statementTimeoutInMs: 60_000,
      lockTimeoutInMs: 10_000,
      idleInTransactionSessionTimeoutInMs: 60_000,
    });
    expect(read({ PAYMETRICS_PG_LOCK_TIMEOUT_MS: '2500' }).pool.lockTimeoutInMs).toBe(2500);
    expect(errorOf({ PAYMETRICS_PG_STATEMENT_TIMEOUT_MS: '1s' }, read).message).toBe(
      'PAYMETRICS_PG_STATEMENT_TIMEOUT_MS must be an integer from 0 to 86400000, got "1s"',
    );
  });

  it('reads Event Hubs and telemetry settings without printing their keys', () => {
    const key = 'SharedAccessKey=s3cret-pw';
    const settings = read({
      EVENTHUB_CONNECTION_STRING: `Endpoint=sb://pay.servicebus.windows.net/;SharedAccessKeyName=send;${key};EntityPath=payments`,
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        'InstrumentationKey=00000000-0000-0000-0000-000000000000;s3cret-pw',
    });
    expect(settings.eventHub).toMatchObject({ kind: 'connection-string', eventHubName: 'payments' });
    expect(settings.telemetry.kind).toBe('azure-monitor');
    expect(inspect(settings, { depth: 5 })).not.toContain('s3cret-pw');
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).telemetry).toEqual({
      kind: 'otlp',
      endpoint: 'http://127.0.0.1:4318',
    });
    expect(read({}).eventHub).toBeUndefined();
    expect(errorOf({ EVENTHUB_FULLY_QUALIFIED_NAMESPACE: 'pay.servicebus.windows.net' }, read).message).toBe(
      'EVENTHUB_NAME is required with EVENTHUB_FULLY_QUALIFIED_NAMESPACE',
    );
    expect(errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, read).setting).toBe(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    );
  });
});

describe('PAYMETRICS_DATABASE_AUTH', () => {
  const entraUrl = 'postgres://paymetrics-dev-function@db.example:5432/paymetrics?sslmode=require';

  it('defaults to the URL password, and takes entra with a password-free URL', () => {
    expect(readFunctionSettings({ DATABASE_URL: url }).databaseAuth).toBe('password');
    expect(
      readFunctionSettings({ DATABASE_URL: entraUrl, PAYMETRICS_DATABASE_AUTH: 'entra' }).databaseAuth,
    ).toBe('entra');
  });

  it('refuses entra with a password in the URL, without a URL, and an unknown method, in one line', () => {
    const withPassword = errorOf({ DATABASE_URL: url, PAYMETRICS_DATABASE_AUTH: 'entra' });
    expect(withPassword.message).toBe(
      'PAYMETRICS_DATABASE_AUTH=entra takes the password from Entra ID: remove the password from DATABASE_URL',
    );
    expect(withPassword.message).not.toContain('s3cret-pw');
    expect(
      errorOf({ PAYMETRICS_DATABASE_AUTH: 'entra' }, (env) => readSettings(env, { cwd: '/work/repo' }))
        .message,
    ).toMatch(/^PAYMETRICS_DATABASE_AUTH=entra needs DATABASE_URL/);
    expect(errorOf({ DATABASE_URL: entraUrl, PAYMETRICS_DATABASE_AUTH: 'token' }).message).toBe(
      'PAYMETRICS_DATABASE_AUTH must be password or entra, got "token"',
    );
  });

  it('reads where telemetry goes on its own, before and without the other settings', () => {
    // The Function needs DATABASE_URL, but starts its telemetry before reading it.
    const telemetry = readTelemetrySettings({
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        ' InstrumentationKey=00000000-0000-0000-0000-000000000000;s3cret ',
      PAYMETRICS_PG_POOL_MAX: 'not read here',
    });
    expect(telemetry.kind).toBe('azure-monitor');
    expect(telemetry.kind === 'azure-monitor' && telemetry.connectionString.reveal()).toBe(
      'InstrumentationKey=00000000-0000-0000-0000-000000000000;s3cret',
    );
    expect(inspect(telemetry)).not.toContain('s3cret');
    expect(
      readTelemetrySettings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        APPLICATIONINSIGHTS_CONNECTION_STRING: '',
      }),
    ).toEqual({
      kind: 'otlp',
      endpoint: 'http://127.0.0.1:4318',
    });
    expect(readTelemetrySettings({})).toEqual({ kind: 'none' });
    expect(
      errorOf({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'nonsense' }, readTelemetrySettings).message,
    ).toBe(
      'APPLICATIONINSIGHTS_CONNECTION_STRING does not look like an Application Insights connection string (InstrumentationKey=...)',
    );
    expect(errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, readTelemetrySettings).setting).toBe(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    );
  });
});
