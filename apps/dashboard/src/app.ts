import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import {
  type DataStatus,
  type ReportFilter,
  type ReportingDatabase,
  type ReportRange,
  readAnomalies,
  readBreakdowns,
  readDataStatus,
  readDeadLetter,
  readDeclines,
  readMerchants,
  readSegments,
  readSummary,
  readTimeSeries,
  resolveRange,
} from '@paymetrics/reporting';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { classifyQueryFailure } from './query-failure.js';

export interface DashboardAppOptions {
  readonly db: ReportingDatabase;
  /** The built front end (index.html and assets); the API works without it. */
  readonly webDir?: string | undefined;
  /** Reported in messages about a cancelled query. */
  readonly statementTimeoutInMs: number;
  /** What the page shows as the data source. */
  readonly description?: string | undefined;
  readonly logger?: boolean | undefined;
}

interface RangeQuery {
  range?: string;
  to?: string;
  merchant?: string;
}

/** A report handler gets the range (resolved against the newest data) and the merchant filter. */
type Report = (context: {
  readonly range: ReportRange;
  readonly status: DataStatus;
  readonly filter: ReportFilter;
}) => Promise<unknown>;

/** The JSON API and the page. Every read goes through @paymetrics/reporting; the server only translates. */
export async function buildDashboardApp(options: DashboardAppOptions): Promise<FastifyInstance> {
  const { db } = options;
  const app = Fastify({ logger: options.logger ?? false });

  app.setErrorHandler((error, request, reply) => {
    const failure = classifyQueryFailure(error, options.statementTimeoutInMs);
    if (failure.status >= 500) request.log.error({ err: error }, failure.message);
    reply.status(failure.status).send({ error: failure.error, message: failure.message });
  });

  app.get('/healthz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(db);
      return { status: 'ok', database: 'ok' };
    } catch (error) {
      const failure = classifyQueryFailure(error, options.statementTimeoutInMs);
      return reply
        .status(503)
        .send({ status: 'unavailable', database: failure.error, message: failure.message });
    }
  });

  const report = (path: string, read: Report) =>
    app.get(
      path,
      async (request: FastifyRequest<{ Querystring: RangeQuery; Params: { id?: string } }>, reply) => {
        const query = request.query;
        const to = query.to ? new Date(query.to) : undefined;
        if (to && Number.isNaN(to.getTime())) {
          return reply.status(400).send({ error: 'bad_request', message: 'to must be an ISO 8601 time' });
        }
        const status = await readDataStatus(db);
        const range = resolveRange(query.range, status, to);
        const merchantId = request.params.id ?? query.merchant;
        const data = await read({ range, status, filter: merchantId ? { merchantId } : {} });
        return { range: rangeJson(range), data };
      },
    );

  app.get('/api/status', async (request: FastifyRequest<{ Querystring: RangeQuery }>) => {
    const status = await readDataStatus(db);
    const range = resolveRange(request.query.range, status);
    return {
      range: rangeJson(range),
      data: {
        ...status,
        source: options.description ?? null,
        empty: status.dataEnd === null,
      },
    };
  });
  report('/api/summary', ({ range, filter }) => readSummary(db, range, filter));
  report('/api/timeseries', ({ range, filter }) => readTimeSeries(db, range, filter));
  report('/api/declines', ({ range, filter }) => readDeclines(db, range, filter));
  report('/api/breakdowns', ({ range, filter }) => readBreakdowns(db, range, filter));
  report('/api/anomalies', ({ range, filter }) => readAnomalies(db, range, filter));
  report('/api/merchants', ({ range }) => readMerchants(db, range));
  report('/api/merchants/:id', async ({ range, filter }) => {
    const [row] = await readMerchants(db, range, filter);
    return row ?? null;
  });
  report('/api/dead-letter', ({ range }) => readDeadLetter(db, range));
  report('/api/segments', ({ range }) => readSegments(db, range));

  app.get('/api/*', async (_request, reply) =>
    reply.status(404).send({ error: 'not_found', message: 'no such API endpoint' }),
  );

  const webDir = options.webDir;
  if (webDir && existsSync(`${webDir}/index.html`)) {
    await app.register(fastifyStatic, { root: webDir, index: 'index.html', maxAge: '1h', immutable: false });
    // Page routes (/, /merchants/<id>) are the single page's; it reads its route from the URL.
    app.setNotFoundHandler((request, reply) => {
      if (request.method !== 'GET' || request.url.startsWith('/api/')) {
        return reply.status(404).send({ error: 'not_found', message: 'not found' });
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  }
  return app;
}

function rangeJson(range: ReportRange) {
  return {
    name: range.name,
    grain: range.grain,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    previousFrom: range.previousFrom.toISOString(),
  };
}
