import { app, type InvocationContext, type Timer } from '@azure/functions';
import { refreshRollups } from '@paymetrics/storage-adapters';
import { getRuntime } from '../runtime.js';

/** The rollup timer: rebuilds the hours and days the batches changed since the last run. */
export async function refreshRollupsTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getRuntime((message) => context.warn(message));
  const started = performance.now();
  const hours = await refreshRollups(runtime.db);
  context.log(`rollups refreshed hours=${hours} ms=${Math.round(performance.now() - started)}`);
}

app.timer('refreshRollups', {
  // Every minute: the hour and day rollups trail the 5-minute rows by at most about a minute.
  schedule: '15 */1 * * * *',
  useMonitor: true,
  handler: refreshRollupsTimer,
});
