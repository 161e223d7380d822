import { Kysely, PGliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { getScriptRunner } from './script-runner.js';

describe('getScriptRunner', () => {
  it('refuses a plain PGliteDialect, which cannot run a whole script, and says what to use', () => {
    const db = new Kysely({
      dialect: new PGliteDialect({
        pglite: () => {
          throw new Error('never opened: the adapter alone decides');
        },
      }),
    });
    expect(() => getScriptRunner(db)).toThrow(/openDatabase\(\) or createPGliteKysely/);
  });
});
