import type {
  AnomalyReport,
  Breakdowns,
  DeadLetterReport,
  DeclineReport,
  MerchantRow,
  SegmentReport,
  Summary,
  TimeSeries,
} from '@paymetrics/reporting';

export interface RangeJson {
  readonly name: string;
  readonly grain: string;
  readonly from: string;
  readonly to: string;
  readonly previousFrom: string;
}

export interface StatusJson {
  readonly dataEnd: string | null;
  readonly live: boolean;
  readonly lastCommitAt: string | null;
  readonly empty: boolean;
  readonly source: string | null;
  readonly analytics: { readonly rollups: boolean; readonly anomalies: boolean; readonly segments: boolean };
}

export interface Endpoints {
  status: StatusJson;
  summary: Summary;
  timeseries: TimeSeries;
  declines: DeclineReport;
  breakdowns: Breakdowns;
  anomalies: AnomalyReport;
  merchants: MerchantRow[];
  merchant: MerchantRow | null;
  'dead-letter': DeadLetterReport;
  segments: SegmentReport;
}

/** An answer the server gave instead of data: its message is meant for the page. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export async function getJson<T>(path: string): Promise<{ range: RangeJson; data: T }> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' } });
  } catch {
    throw new ApiError(
      'server_unreachable',
      'The dashboard server is not answering. Is pnpm dashboard still running?',
    );
  }
  const body = (await response.json().catch(() => null)) as
    | { range: RangeJson; data: T }
    | { error?: string; message?: string }
    | null;
  if (!response.ok || body === null || !('data' in body)) {
    const failure = (body ?? {}) as { error?: string; message?: string };
    throw new ApiError(
      failure.error ?? `http_${response.status}`,
      failure.message ?? `The server answered ${response.status}.`,
    );
  }
  return body;
}
