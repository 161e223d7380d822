import { app, type InvocationContext, type Timer } from '@azure/functions';
import { retryDueFailedItems } from '@paymetrics/operations';
import { getRuntime } from '../runtime.js';

/** The dead-letter retry timer: one line per run with what happened to the due items. */
export async function retryFailedItems(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getRuntime((message) => context.warn(message));
  const summary = await retryDueFailedItems({
    db: runtime.db,
    store: runtime.store,
    engine: runtime.engine,
    archive: runtime.archive,
    policy: runtime.settings.retry,
  });
  context.log(
    `retry claimed=${summary.claimed} resolved=${summary.resolved} released=${summary.released} discarded=${summary.discarded} needsOperator=${summary.needsOperator}`,
  );
}

app.timer('retryFailedItems', {
  // Every minute: due items wait at most a minute past next_attempt_at; an idle run is one indexed query.
  schedule: '0 */1 * * * *',
  useMonitor: true,
  handler: retryFailedItems,
});
