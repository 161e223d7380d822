import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ArchiveStoreError,
  ArchiveStoreErrorCode,
  causeWithoutSecrets,
  connectionStringSecrets,
  redactSecrets,
} from './archive-store-error.js';

describe('archive store errors', () => {
  it('redacts account keys, SAS tokens and signatures wherever they appear', () => {
    expect(redactSecrets('AccountName=a;AccountKey=abc+/=;BlobEndpoint=x')).toBe(
      'AccountName=a;AccountKey=[REDACTED];BlobEndpoint=x',
    );
    expect(redactSecrets('GET https://a.blob.core.windows.net/c?sv=2024&sig=abc%2Bdef&se=1 failed')).toBe(
      'GET https://a.blob.core.windows.net/c?sv=2024&sig=[REDACTED]&se=1 failed',
    );
    expect(redactSecrets('SharedAccessSignature=sv=1&sig=x;')).toBe('SharedAccessSignature=[REDACTED];');
    expect(redactSecrets('token hunter2 leaked', ['hunter2'])).toBe('token [REDACTED] leaked');
  });

  it('lists a connection string, its key and its SAS token as secrets', () => {
    expect(connectionStringSecrets('AccountName=a; AccountKey=k1==;BlobEndpoint=http://x')).toEqual([
      'AccountName=a; AccountKey=k1==;BlobEndpoint=http://x',
      'k1==',
    ]);
    expect(connectionStringSecrets('BlobEndpoint=http://x;SharedAccessSignature=sv=1&sig=s')).toContain(
      'sv=1&sig=s',
    );
  });

  it('keeps a clean cause as is and replaces one that would print a secret', () => {
    const clean = new Error('Invalid AccountName in the provided Connection String');
    expect(causeWithoutSecrets(clean, ['k1=='])).toBe(clean);

    // Node's URL errors keep the text they failed on in `input`, which inspect prints.
    let urlError: unknown;
    try {
      new URL('garbage k1==');
    } catch (error) {
      urlError = error;
    }
    expect(inspect(urlError)).toContain('k1==');
    const replaced = causeWithoutSecrets(urlError, ['garbage k1==', 'k1==']);
    expect(replaced).not.toBe(urlError);
    expect(replaced).toMatchObject({ name: 'TypeError', message: 'Invalid URL' });
    expect(inspect(replaced)).not.toContain('k1==');
  });

  it('keeps the cause, code and status, and redacts its own message and stack', () => {
    const cause = new Error('boom');
    const error = new ArchiveStoreError('failed with AccountKey=topsecret;', {
      code: ArchiveStoreErrorCode.writeFailed,
      cause,
      statusCode: 503,
    });
    expect(error).toMatchObject({ name: 'ArchiveStoreError', code: 'ARCHIVE_WRITE_FAILED', statusCode: 503 });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('failed with AccountKey=[REDACTED];');
    expect(error.stack).not.toContain('topsecret');
  });
});
