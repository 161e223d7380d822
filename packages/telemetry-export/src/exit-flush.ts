import type { TelemetryExport } from './start-telemetry-export.js';

export interface ExitFlushOptions {
  /** Longest wait for the endpoint before the process exits anyway. */
  readonly timeoutMs?: number | undefined;
  /** Told once when a signal stops the program. */
  readonly onSignal?: ((signal: NodeJS.Signals) => void) | undefined;
}

/**
 * Ends a program whose work is done but whose telemetry shutdown gave up (an endpoint that
 * never answers holds a socket open): exits once stdout and stderr are written out.
 */
export function exitWhenStuck(shutdownCompleted: boolean): void {
  if (shutdownCompleted) return;
  process.stdout.write('', () => process.stderr.write('', () => process.exit()));
}

/**
 * Flushes telemetry before the process exits: on SIGTERM and SIGINT (then exits with 128 +
 * the signal number, as the default handler would) and once the event loop drains. A program
 * that ends by throwing should `await telemetry.shutdown()` in its own `finally`. Returns a
 * function that removes the handlers.
 */
export function flushOnExit(telemetry: TelemetryExport, options: ExitFlushOptions = {}): () => void {
  if (telemetry.kind === 'none') return () => undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    options.onSignal?.(signal);
    const code = 128 + (signal === 'SIGINT' ? 2 : 15);
    void telemetry.shutdown(options.timeoutMs).finally(() => process.exit(code));
  };
  const onBeforeExit = () => {
    process.off('beforeExit', onBeforeExit);
    void telemetry.shutdown(options.timeoutMs);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  process.on('beforeExit', onBeforeExit);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('beforeExit', onBeforeExit);
  };
}
