import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, counted: number, deadLettered: number): void;
  stop(): void;
}

export interface SendProgress {
  update(sent: number, batches: number): void;
  stop(): void;
}

function createBar(total: number, format: string, payload: Record<string, number>) {
  const bar = new cliProgress.SingleBar(
    {
      format,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 5_000,
      hideCursor: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { rate: 0, ...payload });
  const started = performance.now();
  const rate = (done: number) => Math.round(done / Math.max((performance.now() - started) / 1000, 1e-3));
  return { bar, rate };
}

/** A progress bar on a terminal; a line every few seconds otherwise (CI logs). */
export function createProgress(total: number, label: string): Progress {
  const { bar, rate } = createBar(
    total,
    `${label} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | counted {counted} | parked {parked} | eta {eta_formatted}`,
    { counted: 0, parked: 0 },
  );
  return {
    update(done, counted, deadLettered) {
      bar.update(done, { rate: rate(done), counted, parked: deadLettered });
    },
    stop: () => bar.stop(),
  };
}

/** The same bar for sinks that only send: events sent and batches. */
export function createSendProgress(total: number, label: string): SendProgress {
  const { bar, rate } = createBar(
    total,
    `${label} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | {batches} batches | eta {eta_formatted}`,
    { batches: 0 },
  );
  return {
    update(sent, batches) {
      bar.update(sent, { rate: rate(sent), batches });
    },
    stop: () => bar.stop(),
  };
}
