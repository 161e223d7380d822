import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** COPY text format escapes: backslash first, then the characters COPY treats as delimiters. */
function copyText(line: string): string {
  return line.replace(/[\\\n\r\t]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t',
  );
}

/**
 * The floor any pipeline is compared with: the same raw lines COPYed into a one-column jsonb
 * table in one stream (chunks of `chunkLines`), one transaction, fsync on. Lines jsonb would
 * refuse (the malformed share) are left out before the clock starts. Returns rows/s.
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
