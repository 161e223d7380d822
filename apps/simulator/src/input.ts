import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** A replayable NDJSON input: its content hash names the source, its line numbers are positions. */
export interface ReplayInput {
  readonly source: string;
  readonly lineCount: number;
  /** Each line's bytes as in the file (without the newline), so invalid UTF-8 reaches the pipeline as it is. */
  lines(): AsyncIterable<Uint8Array>;
}

function sourceName(hash: string): string {
  return `file:sha256:${hash.slice(0, 32)}`;
}

/** Splits a byte stream on LF (dropping a CR before it); the newline after the last line ends no extra line. */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    let buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
    let newline = buffer.indexOf(10);
    while (newline !== -1) {
      const end = newline > 0 && buffer[newline - 1] === 13 ? newline - 1 : newline;
      yield buffer.subarray(0, end);
      buffer = buffer.subarray(newline + 1);
      newline = buffer.indexOf(10);
    }
    pending = buffer;
  }
  if (pending.length > 0) yield pending;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function openReplayInput(path: string): Promise<ReplayInput> {
  if (path === '-') {
    const content = await readAll(process.stdin);
    const lines: Uint8Array[] = [];
    for await (const line of splitLines([content])) {
      lines.push(line);
    }
    return {
      source: sourceName(createHash('sha256').update(content).digest('hex')),
      lineCount: lines.length,
      async *lines() {
        yield* lines;
      },
    };
  }
  // Two passes over a file: hash and count first, then stream the lines, so memory stays flat.
  const hash = createHash('sha256');
  let lineCount = 0;
  let lastByte = 10;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    // indexOf scans natively; a byte-by-byte loop took seconds on a 400,000-line file.
    for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, at + 1)) lineCount++;
    if (buffer.length > 0) lastByte = buffer[buffer.length - 1]!;
  }
  if (lastByte !== 10) lineCount++;
  return {
    source: sourceName(hash.digest('hex')),
    lineCount,
    lines: () => splitLines(createReadStream(path)),
  };
}
