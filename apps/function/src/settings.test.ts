import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readFunctionSettings, SettingError } from './settings.js';

const url = 'postgres://app:s3cret-pw@db.example:5432/paymetrics';

function errorOf(env: Record<string, string>): SettingError {
  try {
    readFunctionSettings(env);
  } catch (error) {
    if (error instanceof SettingError) return error;
    throw error;
  }
  throw new Error('expected a SettingError');
}

describe('readFunctionSettings', () => {
  it('requires DATABASE_URL with one line naming it', () => {
    const error = errorOf({});
    expect(error.message).toMatch(/^DATABASE_URL is required/);
    expect(error.message).not.toContain('\n');
  });

  it('names the setting and never echoes a secret', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ DATABASE_URL: 'mysql://app:s3cret-pw@db/x' }, /^DATABASE_URL must start with postgres/],
      [{ DATABASE_URL: 'not a url s3cret-pw' }, /^DATABASE_URL is not a valid URL/],
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
    expect(settings.databaseUrl.reveal()).toBe(url);
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
