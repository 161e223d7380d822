#!/usr/bin/env node
import { readTelemetrySettings } from '@paymetrics/runtime';
import {
  exitWhenStuck,
  flushOnExit,
  startTelemetryExport,
  type TelemetryExport,
} from '@paymetrics/telemetry-export';
import pg from 'pg';
import { runOps } from './run-ops.js';

// The batches `pnpm dlq retry` runs through the pipeline are measured like any other.
let telemetry: TelemetryExport | undefined;
try {
  telemetry = await startTelemetryExport({
    serviceName: 'paymetrics-ops',
    destination: readTelemetrySettings(process.env),
    pg,
  });
  flushOnExit(telemetry);
} catch (error) {
  process.stderr.write(`ops: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}

if (telemetry) {
  process.exitCode = await runOps(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
  exitWhenStuck(await telemetry.shutdown());
}
