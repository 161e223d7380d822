import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSchemaDatabase, type TestDatabase, testServerUrl, withClient } from '@paymetrics/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot } from './repo-paths.js';

// infra/sql/function-role.sql as the deploy workflow runs it: psql with -v variables, against a
// database migrated by the schema files (which create paymetrics_writer). Azure's
// pgaadauth_create_principal_with_oid exists only on Flexible Server; it is stood in for by a
// function of the same signature that creates the login role, which is the part the script relies
// on. psql is on every machine that runs the tests (Debian's postgresql-client, GitHub's runners).

let database: TestDatabase;
// A name like the Terraform one (`<prefix>-<env>-function`): the hyphen needs quoting in GRANT.
const identityName = `paymetrics-test-${randomBytes(3).toString('hex')}-function`;

beforeAll(async () => {
  database = await createSchemaDatabase('function_role');
  await withClient(database.url, async (client) => {
    await client.query(`
      CREATE FUNCTION pgaadauth_create_principal_with_oid(name text, object_id text, kind text, is_admin boolean, is_mfa boolean)
      RETURNS text LANGUAGE plpgsql AS $$
      BEGIN
        EXECUTE format('CREATE ROLE %I LOGIN', name);
        EXECUTE format('COMMENT ON ROLE %I IS %L', name, kind || ':' || object_id);
        RETURN 'Created role for ' || name;
      END $$`);
  });
});

afterAll(async () => {
  await withClient(testServerUrl(), (client) => client.query(`DROP ROLE IF EXISTS "${identityName}"`));
  await database.drop();
});

function runScript(): ReturnType<typeof spawnSync> {
  const result = spawnSync(
    'psql',
    [
      database.url,
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-v',
      `identity_name=${identityName}`,
      '-v',
      'identity_object_id=3f2b8a4e-0000-4000-8000-00000000c0de',
      '-f',
      `${repoRoot}infra/sql/function-role.sql`,
    ],
    { encoding: 'utf8' },
  );
  expect(result.error, 'psql must be installed (postgresql-client)').toBeUndefined();
  return result;
}

it("creates the Function identity's role as a paymetrics_writer, and running it again changes nothing", async () => {
  for (const run of [1, 2]) {
    const result = runScript();
    expect(result.stderr, `run ${run}`).toBe('');
    expect(result.status, `run ${run}`).toBe(0);
  }
  await withClient(database.url, async (client) => {
    const { rows } = await client.query<{ login: boolean; writer: boolean; comment: string }>(
      `SELECT rolcanlogin AS login,
              pg_has_role(oid, 'paymetrics_writer', 'MEMBER') AS writer,
              shobj_description(oid, 'pg_authid') AS comment
         FROM pg_roles WHERE rolname = $1`,
      [identityName],
    );
    expect(rows).toEqual([
      { login: true, writer: true, comment: 'service:3f2b8a4e-0000-4000-8000-00000000c0de' },
    ]);
    const owner = await client.query<{ owner: boolean }>(
      `SELECT pg_has_role($1, 'paymetrics_owner', 'MEMBER') AS owner`,
      [identityName],
    );
    expect(owner.rows[0]!.owner).toBe(false);
  });
});
