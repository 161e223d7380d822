import { app, type InvocationContext, type Timer } from '@azure/functions';
import { detectAnomalies } from '@paymetrics/analytics';
import { regions } from '@paymetrics/scenarios';
import { getRuntime } from '../runtime.js';

/** The detection timer: examines the windows closed since the last run, one line per run. */
export async function detectAnomaliesTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getRuntime((message) => context.warn(message));
  const summary = await detectAnomalies(runtime.db, { regions });
  context.log(
    `detect horizon=${summary.horizonMs === undefined ? 'none' : new Date(summary.horizonMs).toISOString()} windows=${summary.windowsExamined} tests=${summary.tests} anomalous=${summary.anomalousWindows} created=${summary.anomaliesCreated} extended=${summary.anomaliesExtended}`,
  );
}

app.timer('detectAnomalies', {
  // Every 5 minutes, a window's length: each run finds about one newly closed window.
  schedule: '30 */5 * * * *',
  useMonitor: true,
  handler: detectAnomaliesTimer,
});
