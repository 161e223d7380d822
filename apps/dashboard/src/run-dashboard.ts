import { openReaderDatabase } from '@paymetrics/runtime';
import { Command, InvalidArgumentError } from 'commander';
import { buildDashboardApp } from './app.js';
import { readDashboardSettings, SettingError } from './settings.js';
import { ensureWebBuild, webOutDir } from './web-build.js';

export interface DashboardIo {
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

/**
 * `pnpm dashboard [--port 8080] [--host 127.0.0.1]`: serves until SIGINT/SIGTERM. Resolves with
 * the exit code when start-up fails, else once the server has closed.
 */
export async function runDashboard(argv: readonly string[], io: DashboardIo): Promise<number> {
  const program = new Command('dashboard')
    .description(
      'Serve the read-only paymetrics dashboard and its JSON API over DATABASE_URL or the embedded database.',
    )
    .option('--port <port>', 'port to listen on', port, 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    return (error as { exitCode?: number }).exitCode ?? 2;
  }
  const options = program.opts<{ port: number; host: string }>();

  let settings: ReturnType<typeof readDashboardSettings>;
  try {
    settings = readDashboardSettings(io.env, io.cwd);
  } catch (error) {
    if (error instanceof SettingError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (await ensureWebBuild()) io.stdout('built the page (apps/dashboard/dist/web)\n');

  let reader: Awaited<ReturnType<typeof openReaderDatabase>>;
  try {
    reader = await openReaderDatabase({
      databaseUrl: settings.databaseUrl,
      dataDir: settings.dataDir,
      statementTimeoutInMs: settings.statementTimeoutInMs,
    });
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const app = await buildDashboardApp({
    db: reader.db,
    webDir: webOutDir,
    statementTimeoutInMs: settings.statementTimeoutInMs,
    description: reader.description,
  });
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    io.stderr(`cannot listen on ${options.host}:${options.port}: ${(error as Error).message}\n`);
    await reader.close();
    return 1;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  io.stdout(
    [
      `paymetrics dashboard: http://${host}:${boundPort}`,
      `  data: ${reader.description}${reader.role ? ` (as ${reader.role}, read-only)` : ' (read-only sessions)'}`,
      reader.kind === 'pglite'
        ? '  the embedded database is single-process: stop the dashboard before pnpm start writes to it again'
        : '',
      '  Ctrl+C stops it',
      '',
    ]
      .filter((line, i, all) => line !== '' || i === all.length - 1)
      .join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
  await reader.close();
  return 0;
}
