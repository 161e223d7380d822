import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { percentile } from './stats.js';

/** COPY text format escapes: backslash first, then the characters COPY treats as delimiters. */
function copyText(line: string): string {
  return line.replace(/[\\\n\r\t]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t',
  );
}

/**
 * The raw-ingest floor, not like-for-like with the pipeline (no parsing, no index, one
 * transaction for the whole run): the same raw lines COPYed into a one-column jsonb table in
 * one stream (chunks of `chunkLines`), fsync on. Lines jsonb would refuse (the malformed
 * share) are left out and the rows prepared before the clock starts. Returns rows/s.
 */
export async function measureCopyBaseline(
  url: string,
  lines: readonly string[],
  chunkLines = 5_000,
): Promise<number> {
  const rows = lines.filter(isJsonObjectText).map((line) => `${copyText(line)}\n`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE raw_events (body jsonb NOT NULL)');
    const started = performance.now();
    const stream = client.query(copyFrom('COPY raw_events (body) FROM STDIN'));
    const finished = once(stream, 'finish');
    for (let offset = 0; offset < rows.length; offset += chunkLines) {
      if (!stream.write(rows.slice(offset, offset + chunkLines).join(''))) await once(stream, 'drain');
    }
    stream.end();
    await finished;
    const elapsed = performance.now() - started;
    return (rows.length / elapsed) * 1000;
  } finally {
    await client.end();
  }
}

function isJsonObjectText(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * The dedupe floor: the least the database must do per event to remember its eventId. The
 * batches' eventIds COPYed into a uuid-keyed table, one transaction per batch of `batchSize`
 * lines, as the pipeline commits (ids extracted before the clock starts). Returns rows/s and
 * the p95 of a batch's transaction.
 */
export async function measureDedupeFloor(
  url: string,
  lines: readonly string[],
  batchSize: number,
): Promise<{ rowsPerSecond: number; batchP95Ms: number }> {
  const batches: string[] = [];
  // Each id once over the whole run: a repeat would be a unique violation, not a dedupe.
  const seen = new Set<string>();
  for (let offset = 0; offset < lines.length; offset += batchSize) {
    let text = '';
    for (const line of lines.slice(offset, offset + batchSize)) {
      const id = eventIdOf(line);
      if (id && !seen.has(id)) {
        seen.add(id);
        text += `${id}\n`;
      }
    }
    batches.push(text);
  }
  const rows = seen.size;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE seen_event_ids (event_id uuid PRIMARY KEY)');
    const batchMs: number[] = [];
    const started = performance.now();
    for (const text of batches) {
      const batchStarted = performance.now();
      await client.query('BEGIN');
      const stream = client.query(copyFrom('COPY seen_event_ids (event_id) FROM STDIN'));
      const finished = once(stream, 'finish');
      stream.end(text);
      await finished;
      await client.query('COMMIT');
      batchMs.push(performance.now() - batchStarted);
    }
    const elapsed = performance.now() - started;
    return { rowsPerSecond: (rows / elapsed) * 1000, batchP95Ms: percentile(batchMs, 95) };
  } finally {
    await client.end();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function eventIdOf(line: string): string | undefined {
  try {
    const id: unknown = (JSON.parse(line) as { eventId?: unknown } | null)?.eventId;
    return typeof id === 'string' && UUID.test(id) ? id.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
