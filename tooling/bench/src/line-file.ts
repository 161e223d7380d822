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
 * Lines of an NDJSON file in batches, as bytes: the Function's trigger delivers each body as
 * the bytes sent (`dataType: 'binary'`), and the pipeline decodes them. The process never holds
 * more than a chunk of input beyond the batches in flight, so its peak memory is the
 * pipeline's, not the input file's. (Decoding the file to strings here instead cost about a
 * tenth of the measuring process's CPU, in UTF-8 decoding of whole chunks and line splitting.)
 */
export async function* readLineBatches(path: string, batchSize: number): AsyncGenerator<Uint8Array[]> {
  let batch: Uint8Array[] = [];
  let rest: Buffer | undefined;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = rest ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let end = bytes.indexOf(10); end !== -1; end = bytes.indexOf(10, start)) {
      batch.push(bytes.subarray(start, end));
      start = end + 1;
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
    rest = start < bytes.length ? bytes.subarray(start) : undefined;
  }
  if (rest) batch.push(rest);
  if (batch.length > 0) yield batch;
}

export async function readAllLines(path: string): Promise<Uint8Array[]> {
  const lines: Uint8Array[] = [];
  for await (const batch of readLineBatches(path, 10_000)) lines.push(...batch);
  return lines;
}
