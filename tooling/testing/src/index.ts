export {
  AZURITE_ACCOUNT_KEY,
  AZURITE_ACCOUNT_NAME,
  type AzuriteServer,
  type AzuriteServerOptions,
  azuriteConnectionString,
  startAzurite,
  testAzuriteConnectionString,
} from './azurite-server.js';
export { createTestDatabase, type TestDatabase, testServerUrl } from './databases.js';
export { FILE_SOURCE, HUB_SOURCE, mixedBatches, type WorkloadBatch } from './mixed-workload.js';
export {
  findFreePort,
  findPostgresBinDir,
  type PostgresServer,
  type PostgresServerOptions,
  startPostgresServer,
} from './postgres-server.js';
export {
  diffMetricsTables,
  type MetricsTable,
  type ReferenceOptions,
  type ReferenceResult,
  readPaymentMetrics,
  referenceAggregation,
  withClient,
} from './reference-aggregation.js';
export { copySchemaDir, createSchemaDatabase, schemaScripts } from './schema.js';
export { pipelineTables, type Query, snapshotTables } from './snapshot.js';
export {
  type EndpointBehaviour,
  instrumentationKey,
  loopbackOnlyModule,
  loopbackTelemetryEnv,
  startTelemetryEndpoint,
  type TelemetryEndpoint,
  type TrackEnvelope,
} from './telemetry-endpoint.js';
export { FIXED_NOW, line, validEvent } from './transactions.js';
