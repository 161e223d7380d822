import { describe, expect, it } from 'vitest';
import {
  eventHubInvocation,
  query,
  TIMER,
  timerInvocation,
  useFunctionDatabase,
  validEvent,
} from '../../test/fixtures.js';
import { processPayments } from './process-payments.js';
import { refreshRollupsTimer } from './refresh-rollups.js';

const sums = (url: string, table: string) =>
  query<{ txns: string; amount: string }>(
    url,
    `select coalesce(sum(txn_count), 0)::text as txns, coalesce(sum(amount_minor_sum), 0)::text as amount from ${table}`,
  );

describe('refreshRollups timer against PostgreSQL', () => {
  const database = useFunctionDatabase('function_rollups');

  it('brings the hour and day rollups up to the 5-minute rows the batches wrote', async () => {
    const bodies = Array.from({ length: 300 }, (_, i) => JSON.stringify(validEvent(i)));
    await processPayments(bodies, eventHubInvocation(0, bodies.length).context);
    const fiveMinute = await sums(database().url, 'payment_metrics_5m');
    expect(fiveMinute[0]!.txns).toBe('300');
    // The batch only marked its windows: the rollups wait for the timer.
    expect(await sums(database().url, 'payment_metrics_1h')).toEqual([{ txns: '0', amount: '0' }]);

    const run = timerInvocation('refreshRollups');
    await refreshRollupsTimer(TIMER, run.context);
    expect(run.logs.join('\n')).toMatch(/rollups refreshed hours=[1-9]\d* /);
    expect(await sums(database().url, 'payment_metrics_1h')).toEqual(fiveMinute);
    expect(await sums(database().url, 'payment_metrics_1d')).toEqual(fiveMinute);
    const histograms = await query<{ grain: string; n: string }>(
      database().url,
      `select '5m' as grain, sum(count)::text as n from aggregate_histograms
       union all select '1h', sum(count)::text from aggregate_histograms_1h order by 1`,
    );
    expect(histograms.map((row) => row.n)).toEqual([histograms[0]!.n, histograms[0]!.n]);

    const idle = timerInvocation('refreshRollups');
    await refreshRollupsTimer(TIMER, idle.context);
    expect(idle.logs.join('\n')).toMatch(/rollups refreshed hours=0 /);
  });
});
