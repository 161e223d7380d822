import { describe, expect, it } from 'vitest';
import {
  eventHubInvocation,
  query,
  TIMER,
  timerInvocation,
  useFunctionDatabase,
  validEvent,
} from '../../test/fixtures.js';
import { detectAnomaliesTimer } from './detect-anomalies.js';
import { processPayments } from './process-payments.js';

const WINDOW_MS = 300_000;

describe('detectAnomalies timer against PostgreSQL', () => {
  const database = useFunctionDatabase('function_detect');

  it('records a merchant whose approvals collapse, once, and a second run changes nothing', async () => {
    // Three hours of 5-minute windows, 40 events each; m_alpha declines everything in windows 30-32.
    const start = Math.floor((Date.now() - 4 * 3_600_000) / WINDOW_MS) * WINDOW_MS;
    const bodies = Array.from({ length: 36 * 40 }, (_, i) => {
      const window = Math.floor(i / 40);
      const event = validEvent(i, {
        occurredAt: new Date(start + window * WINDOW_MS + (i % 40) * 7_000).toISOString(),
      });
      return event.merchantId === 'm_alpha' && window >= 30 && window <= 32
        ? JSON.stringify({ ...event, status: 'declined', declineCode: '05' })
        : JSON.stringify(event);
    });
    for (let i = 0; i < bodies.length; i += 500) {
      await processPayments(
        bodies.slice(i, i + 500),
        eventHubInvocation(i, Math.min(500, bodies.length - i)).context,
      );
    }

    const first = timerInvocation('detectAnomalies');
    await detectAnomaliesTimer(TIMER, first.context);
    expect(first.logs.join('\n')).toMatch(/detect horizon=\S+ windows=3[34] /);
    const anomalies = await query<{ metric: string; scope: unknown; window_start: Date; window_end: Date }>(
      database().url,
      `select metric, scope, window_start, window_end from metric_anomalies where metric = 'approval_rate' order by window_start`,
    );
    expect(anomalies.map((a) => a.scope)).toContainEqual({ merchant_id: 'm_alpha' });
    const alpha = anomalies.find((a) => JSON.stringify(a.scope) === '{"merchant_id":"m_alpha"}')!;
    expect(new Date(alpha.window_start).getTime()).toBe(start + 30 * WINDOW_MS);
    expect(new Date(alpha.window_end).getTime()).toBe(start + 33 * WINDOW_MS);

    const before = await query(database().url, 'select * from metric_anomalies order by id');
    const second = timerInvocation('detectAnomalies');
    await detectAnomaliesTimer(TIMER, second.context);
    expect(second.logs.join('\n')).toContain('windows=0 ');
    expect(await query(database().url, 'select * from metric_anomalies order by id')).toEqual(before);
  });
});
