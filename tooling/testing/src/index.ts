export { createTestDatabase, type TestDatabase, testServerUrl } from './databases.js';
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
  readPaymentMetrics,
  referenceAggregation,
  type ReferenceOptions,
  type ReferenceResult,
  withClient,
} from './reference-aggregation.js';
export { createSchemaDatabase, schemaScripts } from './schema.js';
