import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';

/** Writes lines as NDJSON, one per line. */
export async function writeLines(path: string, lines: Iterable<string>): Promise<number> {
  const out = createWriteStream(path);
  let count = 0;
  let chunk = '';
  for (const line of lines) {
    chunk += `${line}\n`;
    count++;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return count;
}

/**
 * Lines of an NDJSON file in batches, read as a consumer receives them: the process never holds
 * more than a chunk of input, so its peak memory is the pipeline's, not the input file's.
 */
export async function* readLineBatches(path: string, batchSize: number): AsyncGenerator<string[]> {
  let batch: string[] = [];
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      batch.push(text.slice(start, end));
      start = end + 1;
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
    rest = text.slice(start);
  }
  if (rest.length > 0) batch.push(rest);
  if (batch.length > 0) yield batch;
}

export async function readAllLines(path: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of readLineBatches(path, 10_000)) lines.push(...batch);
  return lines;
}
