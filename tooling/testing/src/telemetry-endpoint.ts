import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { generate } from 'selfsigned';

/** One Application Insights envelope as the Azure Monitor exporter sends it (Breeze v2 track). */
export interface TrackEnvelope {
  readonly name: string;
  readonly iKey: string;
  readonly time: string;
  readonly tags?: Record<string, string>;
  readonly data: {
    readonly baseType: string;
    readonly baseData: {
      readonly name?: string;
      readonly id?: string;
      readonly metrics?: readonly {
        name: string;
        value: number;
        count?: number;
        min?: number;
        max?: number;
      }[];
      readonly properties?: Record<string, string>;
      readonly [key: string]: unknown;
    };
  };
}

/** How the endpoint answers: normally, with 500, or only after `delayMs`. */
export type EndpointBehaviour =
  | { readonly kind: 'ok' }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'slow'; readonly delayMs: number };

export interface TelemetryEndpoint {
  /** `https://127.0.0.1:PORT` (the Azure Monitor exporter upgrades http:// to https://). */
  readonly url: string;
  /** The endpoint's self-signed certificate, for a child's NODE_EXTRA_CA_CERTS. */
  readonly caFile: string;
  /** A connection string sending to this endpoint under a fresh instrumentation key. */
  connectionString(): string;
  /** Breeze envelopes received (under any key); `forKey` keeps one connection string's. */
  envelopes(forKey?: string): TrackEnvelope[];
  /** OTLP/HTTP JSON bodies received at /v1/metrics and /v1/traces. */
  readonly otlp: { readonly metrics: unknown[]; readonly traces: unknown[] };
  /** Requests received, by path. */
  readonly requests: string[];
  behave(behaviour: EndpointBehaviour): void;
  close(): Promise<void>;
}

/**
 * A loopback HTTPS server standing in for Application Insights' ingestion endpoint (and an OTLP
 * collector), so the real exporter runs in tests: `IngestionEndpoint=https://127.0.0.1:PORT/`.
 * HTTPS because the exporter rewrites an http:// endpoint to https://; a child process trusts
 * the throwaway certificate through NODE_EXTRA_CA_CERTS (`loopbackTelemetryEnv`).
 */
export async function startTelemetryEndpoint(): Promise<TelemetryEndpoint> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const dir = await mkdtemp(join(tmpdir(), 'paymetrics-telemetry-endpoint-'));
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, pems.cert);
  const received: TrackEnvelope[] = [];
  const otlp = { metrics: [] as unknown[], traces: [] as unknown[] };
  const requests: string[] = [];
  let behaviour: EndpointBehaviour = { kind: 'ok' };

  const server = createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
    void handle(request, response);
  });
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    requests.push(path);
    const current = behaviour;
    if (current.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, current.delayMs));
    if (current.kind === 'status') {
      response.writeHead(current.status, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    let body = Buffer.concat(chunks);
    if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const text = body.toString('utf8');
    if (path.endsWith('/track')) {
      // The exporter sends a JSON array; older senders newline-delimited JSON.
      const items: TrackEnvelope[] = text.trimStart().startsWith('[')
        ? JSON.parse(text)
        : text
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l));
      received.push(...items);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
      return;
    }
    if (path === '/v1/metrics') otlp.metrics.push(JSON.parse(text));
    if (path === '/v1/traces') otlp.traces.push(JSON.parse(text));
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    caFile,
    connectionString: () => `InstrumentationKey=${randomUUID()};IngestionEndpoint=${url}/`,
    envelopes: (forKey) =>
      forKey === undefined ? [...received] : received.filter((envelope) => envelope.iKey === forKey),
    otlp,
    requests,
    behave(next) {
      behaviour = next;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The instrumentation key of a connection string made by `connectionString()`. */
export function instrumentationKey(connectionString: string): string {
  return /InstrumentationKey=([^;]+)/.exec(connectionString)?.[1] ?? '';
}

/**
 * A module for `node --import` that refuses every connection that is not to loopback: the
 * exporter's side channels (IMDS resource probe, OneSettings, Statsbeat) must not leave the
 * machine in tests and benchmarks.
 */
export const loopbackOnlyModule = fileURLToPath(new URL('../loopback-only.mjs', import.meta.url));

/** Environment for a child process exporting to `endpoint` in a test: no traffic beyond loopback. */
export function loopbackTelemetryEnv(endpoint: TelemetryEndpoint): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: endpoint.caFile,
    // Every batch's trace (the distro's default samples 5 traces a second).
    OTEL_TRACES_SAMPLER: 'always_on',
    APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
    APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${loopbackOnlyModule}`.trim(),
  };
}
