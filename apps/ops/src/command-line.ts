import { createRuntime, type Runtime, readSettings } from '@paymetrics/runtime';
import { Command, CommanderError, InvalidArgumentError } from 'commander';

export interface OpsIo {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export function instant(value: string): Date {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('must be an ISO 8601 date-time');
  return new Date(ms);
}

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** A commander program that writes help to stdout and leaves errors to `runCommandLine`. */
export function operatorProgram(name: string, io: OpsIo): Command {
  return new Command(name)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: () => {} })
    .showHelpAfterError(false);
}

/**
 * Runs `work` on the runtime the settings name, closed afterwards. Operator tools never migrate:
 * a schema that is behind is refused with the fix named. The raw archive is opened only when asked.
 */
export async function withRuntime(
  io: OpsIo,
  work: (runtime: Runtime) => Promise<void>,
  options: { readonly archive?: boolean } = {},
): Promise<void> {
  const settings = readSettings(io.env, { cwd: io.cwd });
  const runtime = await createRuntime(settings, { schema: 'check', archive: options.archive ?? false });
  try {
    await work(runtime);
  } finally {
    await runtime.close();
  }
}

/**
 * Parses argv and runs the command: 0 when it ran (or printed help), 1 with one line on stderr,
 * `<prefix>: <reason>`, when the arguments were refused or the command failed.
 */
export async function runCommandLine(
  program: Command,
  argv: readonly string[],
  io: OpsIo,
  prefix: string,
): Promise<0 | 1> {
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      io.stderr(`${prefix}: ${error.message.replace(/^error: /, '').split('\n')[0]}\n`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${prefix}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  }
}
