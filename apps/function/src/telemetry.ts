import { app, type LogLevel } from '@azure/functions';
import { context as otelContext, propagation } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import { readTelemetrySettings } from '@paymetrics/runtime';
import { type DatabaseGauges, readGaugeCounts, registerDatabaseGauges } from '@paymetrics/telemetry';
import { startTelemetryExport, type TelemetryExport } from '@paymetrics/telemetry-export';
import type { Kysely } from 'kysely';
import pg from 'pg';

/**
 * OpenTelemetry in the Functions worker, as Microsoft's guidance for Node.js v4 describes it
 * (docs/observability.md, "The Function"): host.json sets `telemetryMode: OpenTelemetry`; the
 * worker exports its own telemetry and tells the host so (`WorkerOpenTelemetryEnabled`), so the
 * host stops sending worker logs on its behalf (the duplicate-telemetry trap); `context.log`
 * lines are forwarded as OpenTelemetry logs; each invocation runs in the host's trace context.
 * This is what `@azure/functions-opentelemetry-instrumentation` does, done here against the
 * distro's own OpenTelemetry versions (that package pins @opentelemetry/instrumentation 0.52).
 * Imported first by index.ts: `app.setup` must run before any function is registered.
 */
export const telemetry: TelemetryExport = await startTelemetryExport({
  destination: readTelemetrySettings(process.env),
  pg,
});

if (telemetry.kind !== 'none') {
  app.setup({ capabilities: { WorkerOpenTelemetryEnabled: true } });

  const logger = logs.getLogger('@paymetrics/function');
  app.hook.log((log) => {
    logger.emit({ body: log.message, severityNumber: severity[log.level], severityText: log.level });
  });

  app.hook.preInvocation((invocation) => {
    const traceContext = invocation.invocationContext.traceContext;
    if (!traceContext?.traceParent) return;
    const parent = propagation.extract(otelContext.active(), {
      traceparent: traceContext.traceParent,
      ...(traceContext.traceState ? { tracestate: traceContext.traceState } : {}),
    });
    invocation.functionHandler = otelContext.bind(parent, invocation.functionHandler);
  });

  // The distro exports every 60 s, and a timer's instance may be frozen or recycled right
  // after its run: a timer run ends only once its telemetry is out.
  app.hook.postInvocation(async (invocation) => {
    if (invocation.invocationContext.options.trigger.type !== 'timerTrigger') return;
    await gauges?.refresh();
    await telemetry.flush();
  });

  app.hook.appTerminate(async () => {
    gauges?.stop();
    await telemetry.shutdown();
  });
}

let gauges: DatabaseGauges | undefined;

/** Starts the database gauges once the runtime has a database (first invocation). */
// biome-ignore lint/suspicious/noExplicitAny: the gauges read two tables by raw SQL
export function observeDatabase(db: Kysely<any>): void {
  if (telemetry.kind === 'none' || gauges) return;
  gauges = registerDatabaseGauges({ read: () => readGaugeCounts(db) });
}

const severity: Record<LogLevel, SeverityNumber> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  information: SeverityNumber.INFO,
  warning: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  critical: SeverityNumber.FATAL,
  none: SeverityNumber.UNSPECIFIED,
};
