import { createTestDatabase, type TestDatabase } from '@paymetrics/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parentPid, postgresCpuMs, processCpuMs } from './server-cpu.js';

describe('postgresCpuMs (the test server runs on this machine)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('server_cpu');
  });

  afterAll(async () => {
    await database.drop();
  });

  it("counts a backend's CPU, also after its connection has closed", async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backend = rows[0]!.pid;
    const postmaster = parentPid(backend);
    const before = postgresCpuMs(postmaster);
    const backendBefore = processCpuMs(backend);
    const started = performance.now();
    // About a second of one core: far above the 10 ms resolution of /proc's clock ticks.
    await client.query('SELECT count(*) FROM generate_series(1, 20000000)');
    const wallMs = performance.now() - started;
    const backendUsed = processCpuMs(backend) - backendBefore;
    await client.end();
    // The backend exits once its client has gone; its CPU then counts in the postmaster's children.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const used = postgresCpuMs(postmaster) - before;
    expect(backendUsed).toBeGreaterThan(100);
    expect(used).toBeGreaterThanOrEqual(backendUsed - 20);
    // Two cores at most, plus whatever the server's own processes did meanwhile.
    expect(used).toBeLessThan(wallMs * 2 + 500);
  });
});
