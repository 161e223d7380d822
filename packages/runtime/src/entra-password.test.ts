import { randomBytes } from 'node:crypto';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { type PostgresServer, startPostgresServer, withClient } from '@paymetrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entraPassword, POSTGRES_ENTRA_SCOPE } from './entra-password.js';
import { createPool } from './pool.js';

/**
 * Stands in for Entra ID at the SDK's own interface (`TokenCredential.getToken`): hands out the
 * tokens it is given, each valid until `expiresAt`, and records the scopes asked for.
 */
class FakeCredential implements TokenCredential {
  readonly scopes: Array<string | string[]> = [];
  readonly #issue: () => AccessToken;
  constructor(issue: () => AccessToken) {
    this.#issue = issue;
  }
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(scopes);
    await new Promise((resolve) => setTimeout(resolve, 20));
    return this.#issue();
  }
}

describe('entraPassword against a server that checks passwords', () => {
  // A server of its own: the shared test server trusts every connection, so it would accept
  // any password and prove nothing. This one requires scram-sha-256 over TCP, as Azure does.
  let server: PostgresServer;
  const role = `entra_${randomBytes(4).toString('hex')}`;
  let userUrl: string;

  beforeAll(async () => {
    server = await startPostgresServer({ superuserPassword: randomBytes(12).toString('hex') });
    await withClient(server.url, (client) => client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'token-1'`));
    const url = new URL(server.url);
    url.username = role;
    url.password = '';
    userUrl = url.toString();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('logs in with the token as the password, asking Entra ID once for the PostgreSQL scope', async () => {
    const credential = new FakeCredential(() => ({
      token: 'token-1',
      expiresOnTimestamp: Date.now() + 3_600_000,
    }));
    const pool = createPool(userUrl, { password: entraPassword({ credential }), max: 4 });
    try {
      // Four connections open at once, as partitions do at start.
      const users = await Promise.all(
        [1, 2, 3, 4].map(async () => {
          const client = await pool.connect();
          try {
            const { rows } = await client.query<{ user: string }>('SELECT current_user AS user');
            await new Promise((resolve) => setTimeout(resolve, 50));
            return rows[0]!.user;
          } finally {
            client.release();
          }
        }),
      );
      expect(users).toEqual([role, role, role, role]);
      expect(pool.totalCount).toBe(4);
      expect(credential.scopes).toEqual([POSTGRES_ENTRA_SCOPE]);
    } finally {
      await pool.end();
    }
  });

  it('is refused with a wrong token: the server really checks it', async () => {
    const credential = new FakeCredential(() => ({
      token: 'not-the-token',
      expiresOnTimestamp: Date.now() + 3_600_000,
    }));
    const pool = createPool(userUrl, { password: entraPassword({ credential }) });
    try {
      await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await pool.end();
    }
  });

  it('takes a new token for new connections once the old one is about to expire', async () => {
    let clock = 1_000_000;
    const issued = ['token-1', 'token-2'];
    const credential = new FakeCredential(() => ({
      token: issued.shift()!,
      expiresOnTimestamp: clock + 3_600_000,
    }));
    const password = entraPassword({ credential, now: () => clock });
    const pool = createPool(userUrl, { password, max: 1, idleTimeoutInMs: 1 });
    try {
      await pool.query('SELECT 1');
      // The server now wants the next token; the cached one is still valid for 10 minutes.
      await withClient(server.url, (client) => client.query(`ALTER ROLE ${role} PASSWORD 'token-2'`));
      clock += 3_600_000 - 10 * 60_000;
      await expect(password()).resolves.toBe('token-1');
      clock += 6 * 60_000; // inside the 5-minute refresh margin
      await new Promise((resolve) => setTimeout(resolve, 20)); // the idle connection closes
      const { rows } = await pool.query<{ user: string }>('SELECT current_user AS user');
      expect(rows[0]!.user).toBe(role);
      expect(credential.scopes).toHaveLength(2);
    } finally {
      await pool.end();
      await withClient(server.url, (client) => client.query(`ALTER ROLE ${role} PASSWORD 'token-1'`));
    }
  });
});
