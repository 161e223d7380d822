import { DiagLogLevel, diag, metrics, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';

/**
 * Where telemetry goes, as `@paymetrics/runtime`'s `readTelemetrySettings` (or `readSettings`'s
 * `telemetry`) reads it from APPLICATIONINSIGHTS_CONNECTION_STRING (Azure Monitor's distro; wins)
 * or OTEL_EXPORTER_OTLP_ENDPOINT (OTLP over HTTP (JSON) to `<endpoint>/v1/traces` and `/v1/metrics`).
 */
export type TelemetryDestination =
  | { readonly kind: 'none' }
  | { readonly kind: 'azure-monitor'; readonly connectionString: { reveal(): string } }
  | { readonly kind: 'otlp'; readonly endpoint: string };

export interface TelemetryExportOptions {
  /** `service.name` (cloud role name in Application Insights); leave it out in Azure, where it is detected. */
  readonly serviceName?: string | undefined;
  readonly destination: TelemetryDestination;
  /**
   * OTLP only: how often metrics are exported while running (default 60 s, as the distro, whose
   * interval only OTEL_METRIC_EXPORT_INTERVAL sets); exit and flush() export at once anyway.
   */
  readonly metricExportIntervalMs?: number | undefined;
  /**
   * The `pg` module the app uses, instrumented explicitly: an ESM app imports it before
   * telemetry starts and a bundle never `require`s it, so the distro's require hook would miss it.
   */
  readonly pg?: PgModule | undefined;
}

/** The parts of `pg` that are patched: its Client, and its Pool's base class (pg-pool). */
export interface PgModule {
  readonly Client: unknown;
  readonly Pool: unknown;
}

export type TelemetryExportKind = 'azure-monitor' | 'otlp' | 'none';

export interface TelemetryExport {
  readonly kind: TelemetryExportKind;
  /** Exports what is buffered now (a timer's run ends with it); gives up after `timeoutMs`. */
  flush(timeoutMs?: number): Promise<void>;
  /**
   * Flushes and stops exporting; gives up after `timeoutMs`. Idempotent. Resolves to false when
   * it gave up: a request to an endpoint that never answers may then keep the process alive,
   * so a program that is done should exit (`exitWhenStuck`).
   */
  shutdown(timeoutMs?: number): Promise<boolean>;
}

const DEFAULT_FLUSH_TIMEOUT_MS = 5_000;

/**
 * Starts exporting this process's telemetry: to Application Insights through Azure Monitor's
 * OpenTelemetry distro when a connection string is given, else over OTLP when an endpoint is
 * given, else nowhere (the instruments stay no-ops and cost nothing). Call once, first thing.
 * An unreachable, slow or failing endpoint never throws here or at flush: exporting is
 * best-effort, bounded by the timeouts, and the pipeline never waits for it.
 */
export async function startTelemetryExport(options: TelemetryExportOptions): Promise<TelemetryExport> {
  // The SDK's own errors (an endpoint that is down) go to stderr once, not per export.
  diag.setLogger(
    {
      error: () => undefined,
      warn: () => undefined,
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.NONE,
  );
  const { destination } = options;
  if (destination.kind === 'azure-monitor') {
    return startAzureMonitor(options, destination.connectionString.reveal());
  }
  if (destination.kind === 'otlp') return startOtlp(options, destination.endpoint);
  return { kind: 'none', flush: async () => undefined, shutdown: async () => true };
}

async function startAzureMonitor(
  options: TelemetryExportOptions,
  connectionString: string,
): Promise<TelemetryExport> {
  // Loaded only when exporting: the SDK is a large module graph a run without telemetry never needs.
  const { shutdownAzureMonitor, useAzureMonitor } = await import('@azure/monitor-opentelemetry');
  const { resources } = await import('@opentelemetry/sdk-node');
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    // Live Metrics streams to a second endpoint every second; the alerts read customMetrics.
    enableLiveMetrics: false,
    enablePerformanceCounters: false,
    instrumentationOptions: {
      // Instrumented explicitly below when the app hands its pg module over.
      postgreSql: { enabled: options.pg === undefined },
      http: { enabled: false },
      azureSdk: { enabled: true },
    },
    // On Azure the platform detectors name the service (the Function app's name).
    ...(options.serviceName
      ? { resource: resources.resourceFromAttributes({ 'service.name': options.serviceName }) }
      : {}),
  });
  await instrumentPg(options.pg);
  let stopping: Promise<boolean> | undefined;
  return {
    kind: 'azure-monitor',
    flush: async (timeoutMs) => {
      await bounded(flushGlobalProviders(), timeoutMs);
    },
    shutdown(timeoutMs) {
      stopping ??= bounded(shutdownAzureMonitor(), timeoutMs);
      return stopping;
    },
  };
}

async function startOtlp(options: TelemetryExportOptions, endpoint: string): Promise<TelemetryExport> {
  const [
    { NodeSDK, metrics: sdkMetrics },
    { OTLPTraceExporter },
    { OTLPMetricExporter },
    { PgInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/exporter-metrics-otlp-http'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const base = endpoint.replace(/\/+$/, '');
  const sdk = new NodeSDK({
    ...(options.serviceName ? { serviceName: options.serviceName } : {}),
    traceExporter: new OTLPTraceExporter({ url: `${base}/v1/traces` }),
    metricReaders: [
      new sdkMetrics.PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics` }),
        exportIntervalMillis: options.metricExportIntervalMs ?? 60_000,
      }),
    ],
    instrumentations: options.pg ? [] : [new PgInstrumentation({ requireParentSpan: true })],
    autoDetectResources: false,
  });
  sdk.start();
  await instrumentPg(options.pg);
  let stopping: Promise<boolean> | undefined;
  return {
    kind: 'otlp',
    flush: async (timeoutMs) => {
      await bounded(flushGlobalProviders(), timeoutMs);
    },
    shutdown(timeoutMs) {
      stopping ??= bounded(sdk.shutdown(), timeoutMs);
      return stopping;
    },
  };
}

/** Patches the app's pg module in place (Client.query, Pool.connect), as the require hook would. */
async function instrumentPg(pg: PgModule | undefined): Promise<void> {
  if (!pg) return;
  const [{ registerInstrumentations }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const instrumentation = new PgInstrumentation({ requireParentSpan: true });
  registerInstrumentations({ instrumentations: [instrumentation] });
  for (const definition of instrumentation.getModuleDefinitions()) {
    // pg.Pool extends pg-pool's Pool: the hook patches that base class.
    if (definition.name === 'pg') definition.patch?.(pg);
    if (definition.name === 'pg-pool') definition.patch?.(Object.getPrototypeOf(pg.Pool));
  }
}

interface Flushable {
  forceFlush?: () => Promise<void>;
  getDelegate?: () => Flushable;
}

/** forceFlush of the registered meter, tracer and logger providers (the distro exposes no flush). */
async function flushGlobalProviders(): Promise<void> {
  const tracer = trace.getTracerProvider() as Flushable;
  const providers = [metrics.getMeterProvider(), tracer.getDelegate?.() ?? tracer, logs.getLoggerProvider()];
  await Promise.allSettled(providers.map((provider) => (provider as Flushable).forceFlush?.()));
}

/** Waits for `work` at most `timeoutMs`: true when it settled. Never rejects (telemetry must not fail the program). */
async function bounded(work: Promise<unknown>, timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  const settled = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    timeout,
  ]);
  clearTimeout(timer);
  return settled;
}
