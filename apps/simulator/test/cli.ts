import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const appDir = fileURLToPath(new URL('..', import.meta.url));
const migrateDir = fileURLToPath(new URL('../../migrate', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs an app's CLI as `pnpm simulate` / `pnpm migrate` would: a separate Node process from source. */
async function runCli(
  dir: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, INIT_CWD: env.INIT_CWD ?? dir };
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', '--conditions=@paymetrics/source', 'src/cli.ts', ...args],
      { cwd: dir, env: childEnv, maxBuffer: 64 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? 1, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

export const simulateCli = (args: readonly string[], env: Record<string, string | undefined>) =>
  runCli(appDir, args, env);
export const migrateCli = (args: readonly string[], env: Record<string, string | undefined>) =>
  runCli(migrateDir, args, env);
