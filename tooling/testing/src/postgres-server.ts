import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PostgresServerOptions {
  /** Keep fsync on (benchmarks); tests turn it off because they measure correctness, not speed. */
  readonly fsync?: boolean;
  /** Server parameters (`name: value`) added to the command line, e.g. the benchmark's tuning. */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * Require passwords (scram-sha-256) on TCP connections, as a managed server does, with this one
   * for the `postgres` superuser (it is in `url`). Default: every connection is trusted.
   */
  readonly superuserPassword?: string;
}

export interface PostgresServer {
  /** Connection string of the `postgres` superuser on the server's `postgres` database. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
  /** Stops the server immediately (as a crash would) and starts it again on the same port. */
  restart(): Promise<void>;
}

/** Finds the directory holding initdb and pg_ctl: PATH first, then Debian's versioned folders. */
export function findPostgresBinDir(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => existsSync(join(debianRoot, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debianRoot, versions[0], 'bin');
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql or set DATABASE_URL',
  );
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** initdb and postgres refuse to run as root, so as root we run them as the `postgres` user. */
async function unprivilegedIdentity(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** Starts a throwaway PostgreSQL cluster on a free loopback port. */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const binDir = findPostgresBinDir();
  const identity = await unprivilegedIdentity();
  const dataDir = mkdtempSync(join(tmpdir(), 'paymetrics-pg-'));
  if (identity) chownSync(dataDir, identity.uid, identity.gid);
  const asUser = identity ? { uid: identity.uid, gid: identity.gid } : {};
  const pgdata = join(dataDir, 'data');

  let authentication = ['-A', 'trust'];
  if (options.superuserPassword !== undefined) {
    const passwordFile = join(dataDir, 'superuser-password');
    writeFileSync(passwordFile, `${options.superuserPassword}\n`, { mode: 0o600 });
    if (identity) chownSync(passwordFile, identity.uid, identity.gid);
    authentication = ['--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${passwordFile}`];
  }
  await run(
    join(binDir, 'initdb'),
    ['-D', pgdata, '-U', 'postgres', ...authentication, '--no-sync', '-E', 'UTF8'],
    {
      ...asUser,
      env: { ...process.env, LC_ALL: 'C' },
    },
  );

  const port = await findFreePort();
  const settings = [
    `-p ${port}`,
    `-k ${dataDir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c max_connections=200',
    `-c fsync=${options.fsync === false ? 'off' : 'on'}`,
  ];
  if (options.fsync === false) settings.push('-c synchronous_commit=off', '-c full_page_writes=off');
  for (const [name, value] of Object.entries(options.settings ?? {})) settings.push(`-c ${name}=${value}`);

  const pgCtl = async (...args: string[]) => {
    await run(join(binDir, 'pg_ctl'), ['-D', pgdata, '-w', '-t', '60', ...args], { ...asUser });
  };
  const start = () => pgCtl('-l', join(dataDir, 'server.log'), '-o', settings.join(' '), 'start');
  await start();

  const superuser =
    options.superuserPassword === undefined
      ? 'postgres'
      : `postgres:${encodeURIComponent(options.superuserPassword)}`;
  return {
    url: `postgres://${superuser}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop() {
      await pgCtl('-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await pgCtl('-m', 'immediate', 'stop');
      await start();
    },
  };
}
