// First: telemetry starts, and app.setup runs, before any function registers (./telemetry.ts).
import './telemetry.js';
import { app } from '@azure/functions';
import { closeRuntime } from './runtime.js';

// The Functions host loads package.json's `main` (the bundle of this file): importing the
// function files registers them.
export { detectAnomaliesTimer } from './functions/detect-anomalies.js';
export { processPayments } from './functions/process-payments.js';
export { refreshRollupsTimer } from './functions/refresh-rollups.js';
export { retryFailedItems } from './functions/retry-failed-items.js';
export { closeRuntime, getRuntime } from './runtime.js';

// Ends the pg pool and the archive when the host shuts the worker down.
app.hook.appTerminate(() => closeRuntime());
