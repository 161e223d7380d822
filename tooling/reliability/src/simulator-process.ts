import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const simulatorDir = fileURLToPath(new URL('../../../apps/simulator/', import.meta.url));
const migrateDir = fileURLToPath(new URL('../../../apps/migrate/', import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  /** Resolves when the process ends, with its exit code (null when killed by a signal) and output. */
  readonly exited: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
}

/** An app's CLI from source in its own Node process, as `pnpm simulate` / `pnpm migrate` run it. */
function startCli(dir: string, args: readonly string[], env: Record<string, string>): CliProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@paymetrics/source', 'src/cli.ts', ...args],
    {
      cwd: dir,
      env: { ...process.env, ...env, INIT_CWD: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited };
}

export const startSimulator = (args: readonly string[], env: Record<string, string>) =>
  startCli(simulatorDir, args, env);
export const startMigrate = (args: readonly string[], env: Record<string, string>) =>
  startCli(migrateDir, args, env);
