import { describe, expect, it } from 'vitest';
import { connectionFailureReason, isConnectionFailure, postgresErrorCode } from './connection-failure.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('reading pg errors', () => {
  it('reads the code of an error, or of the first member of an AggregateError that has one', () => {
    expect(postgresErrorCode(withCode('42P01'))).toBe('42P01');
    const refused = new AggregateError([new Error('no code'), withCode('ECONNREFUSED')], 'connect failed');
    expect(postgresErrorCode(refused)).toBe('ECONNREFUSED');
    expect(postgresErrorCode(new Error('plain'))).toBeUndefined();
    expect(postgresErrorCode('a string')).toBeUndefined();
    expect(postgresErrorCode(Object.assign(new Error('x'), { code: 42 }))).toBeUndefined();
  });

  it('tells a connection failure from a refused statement', () => {
    for (const failure of [
      withCode('ECONNREFUSED'),
      withCode('EPIPE'),
      withCode('08006'),
      withCode('57P01'),
      withCode('28P01'),
      withCode('3D000'),
      new AggregateError([withCode('ECONNREFUSED')]),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ]) {
      expect(isConnectionFailure(failure), String(failure)).toBe(true);
    }
    for (const refused of [withCode('42P01'), withCode('57014'), withCode('42501'), new Error('syntax')]) {
      expect(isConnectionFailure(refused), String(refused)).toBe(false);
    }
  });

  it('names the reason in a few words, without the secret', () => {
    expect(connectionFailureReason(new AggregateError([withCode('ECONNREFUSED')]))).toBe(
      'connection refused',
    );
    expect(connectionFailureReason(new Error('role "app" with pw hunter2 is odd\nmore'), 'hunter2')).toBe(
      'role "app" with pw *** is odd',
    );
  });
});
