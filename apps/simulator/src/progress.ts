import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, counted: number, deadLettered: number): void;
  stop(): void;
}

/** A progress bar on a terminal; a line every few seconds otherwise (CI logs). */
export function createProgress(total: number, label: string): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | counted {counted} | parked {parked} | eta {eta_formatted}`,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 5_000,
      hideCursor: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  bar.start(total, 0, { rate: 0, counted: 0, parked: 0 });
  return {
    update(done, counted, deadLettered) {
      const seconds = (performance.now() - started) / 1000;
      bar.update(done, { rate: Math.round(done / Math.max(seconds, 1e-3)), counted, parked: deadLettered });
    },
    stop() {
      bar.stop();
    },
  };
}
