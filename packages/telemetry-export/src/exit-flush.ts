import type { TelemetryExport } from './start-telemetry-export.js';

export interface ExitFlushOptions {
  /** Longest wait for the endpoint before the process exits anyway. */
  readonly timeoutMs?: number | undefined;
  /**
   * On a signal, before the flush: stop taking new work and settle the work in flight (a batch
   * whose commit is under way), so what was committed is also what is exported. Bounded by
   * `drainTimeoutMs`.
   */
  readonly drain?: (() => Promise<void>) | undefined;
  readonly drainTimeoutMs?: number | undefined;
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
  const onSignal = async (signal: NodeJS.Signals) => {
    const code = 128 + (signal === 'SIGINT' ? 2 : 15);
    if (options.drain) {
      const drained = options.drain().catch(() => undefined);
      const timeout = new Promise((resolve) => setTimeout(resolve, options.drainTimeoutMs ?? 10_000).unref());
      await Promise.race([drained, timeout]);
    }
    await telemetry.shutdown(options.timeoutMs);
    process.exit(code);
  };
  const onBeforeExit = () => {
    process.off('beforeExit', onBeforeExit);
    void telemetry.shutdown(options.timeoutMs);
  };
  process.once('SIGTERM', (signal) => void onSignal(signal));
  process.once('SIGINT', (signal) => void onSignal(signal));
  process.on('beforeExit', onBeforeExit);
  return () => {
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGINT');
    process.off('beforeExit', onBeforeExit);
  };
}
