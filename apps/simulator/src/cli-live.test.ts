import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateCli } from '../test/cli.js';

const workDir = mkdtempSync(join(tmpdir(), 'paymetrics-sim-live-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const noHub = {
  EVENTHUB_CONNECTION_STRING: undefined,
  EVENTHUB_FULLY_QUALIFIED_NAMESPACE: undefined,
  EVENTHUB_NAME: undefined,
};

describe('pnpm simulate --sink eventhubs: settings', () => {
  it.each([
    [{}, 'EVENTHUB_CONNECTION_STRING'],
    [
      {
        EVENTHUB_CONNECTION_STRING:
          'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s3cret',
      },
      'EVENTHUB_NAME',
    ],
    [{ EVENTHUB_FULLY_QUALIFIED_NAMESPACE: 'ns.servicebus.windows.net' }, 'EVENTHUB_NAME'],
    [{ EVENTHUB_CONNECTION_STRING: 'garbage', EVENTHUB_NAME: 'payments' }, 'EVENTHUB_CONNECTION_STRING'],
  ])('stops at start with one line naming the missing setting (%o)', async (env, name) => {
    const result = await simulateCli(['--sink', 'eventhubs', '--count', '10'], { ...noHub, ...env });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(name);
    expect(result.stderr).not.toContain('s3cret');
  });
});

describe('pnpm simulate --sink ndjson with incidents', () => {
  it('writes the events, the ground truth, and a summary that stays out of the event stream', async () => {
    const truthFile = join(workDir, 'truth.json');
    const result = await simulateCli(
      [
        '--sink',
        'ndjson',
        '--count',
        '3000',
        '--seed',
        '9',
        '--start',
        '2026-11-02T08:00:00Z',
        '--span-minutes',
        '60',
        '--incident',
        'outage:region=EU,start=+10m,duration=20m,declines=0.8',
        '--incident',
        'merchant-collapse:merchant=#1,start=+40m,duration=10m',
        '--ground-truth',
        truthFile,
        '--daily-curve',
        '--no-progress',
      ],
      {},
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3000);
    expect(result.stderr).toMatch(/events sent\s+3,000/);
    expect(result.stderr).toContain(truthFile);
    const truth = JSON.parse(readFileSync(truthFile, 'utf8'));
    expect(truth.incidents.map((i: { id: string }) => i.id)).toEqual(['outage-1', 'merchant-collapse-2']);
    expect(truth.incidents[0]).toMatchObject({
      start: '2026-11-02T08:10:00.000Z',
      end: '2026-11-02T08:30:00.000Z',
    });
    const flagged = lines.filter((l) => l.includes('"declineCode":"91"')).length;
    expect(truth.incidents[0].affectedEvents).toBeGreaterThan(100);
    expect(flagged).toBeGreaterThan(truth.incidents[0].affectedEvents * 0.6);
  });

  it('rejects a malformed --incident naming the problem', async () => {
    const result = await simulateCli(
      ['--sink', 'ndjson', '--count', '10', '--incident', 'outage:region=EU,duration=1m'],
      {},
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('start= is required');
  });
});
