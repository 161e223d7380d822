import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatAxisTime, formatCount, formatDateTime, formatMs, formatPercent } from './format.js';

export interface Band {
  readonly fromMs: number;
  readonly toMs: number;
  readonly severity: string;
  readonly label: string;
}

export const palette = [
  '#2563eb',
  '#f59e0b',
  '#dc2626',
  '#7c3aed',
  '#0d9488',
  '#db2777',
  '#65a30d',
  '#94a3b8',
];

const axisStyle = {
  stroke: '#64748b',
  grid: { stroke: '#eef2f7', width: 1 },
  ticks: { stroke: '#e2e8f0', width: 1 },
  font: '11px system-ui, sans-serif',
};

const utc = (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC');

/** The time axis in UTC, 24-hour clock, with the date at midnight. */
const timeAxis: uPlot.Axis = {
  ...axisStyle,
  values: (_u, ticks) => ticks.map((t) => formatAxisTime(t * 1000)),
};

const timeSeries: uPlot.Series = {
  label: 'UTC',
  value: (_u, v) => (v === null || v === undefined ? '' : formatDateTime(v * 1000)),
};

/** Marks anomaly windows behind the series, red for critical and amber for warning. */
function bandsPlugin(bands: readonly Band[]): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        for (const band of bands) {
          const x0 = u.valToPos(band.fromMs / 1000, 'x', true);
          const x1 = u.valToPos(band.toMs / 1000, 'x', true);
          const color = band.severity === 'critical' ? '220, 38, 38' : '245, 158, 11';
          ctx.fillStyle = `rgba(${color}, 0.12)`;
          ctx.fillRect(x0, top, Math.max(x1 - x0, 2 * uPlot.pxRatio), height);
          ctx.fillStyle = `rgba(${color}, 0.9)`;
          ctx.fillRect(x0, top, Math.max(x1 - x0, 2 * uPlot.pxRatio), 4 * uPlot.pxRatio);
        }
        ctx.restore();
      },
    },
  };
}

/** What every chart shares: its height, UTC time on x, and a cursor that does not zoom. */
const timeChart: Pick<uPlot.Options, 'height' | 'tzDate' | 'cursor'> = {
  height: 230,
  tzDate: utc,
  cursor: { drag: { x: false, y: false } },
};

/** A count axis from zero to a tenth above the largest value (at least 1). */
const upFromZero: uPlot.Scale.Range = (_u, _min, max) => [0, Math.max(max, 1) * 1.1];

/** Creates the chart once its box has a width, and keeps it the width of its box. */
function mount(
  container: HTMLElement,
  options: Omit<uPlot.Options, 'width'>,
  data: uPlot.AlignedData,
): uPlot {
  container.replaceChildren();
  const width = Math.max(container.clientWidth, 300);
  const plot = new uPlot({ ...options, width } as uPlot.Options, data, container);
  const observer = new ResizeObserver(() => {
    const next = Math.max(container.clientWidth, 300);
    if (Math.abs(next - plot.width) > 1) plot.setSize({ width: next, height: options.height });
  });
  observer.observe(container);
  return plot;
}

/** Records what a chart holds, so a test (or a person with devtools) can see it rendered data. */
function describe(container: HTMLElement, series: ReadonlyArray<ReadonlyArray<number | null>>): void {
  const points = series.reduce((sum, values) => sum + values.filter((v) => v !== null && v !== 0).length, 0);
  container.dataset.points = String(points);
  container.dataset.series = String(series.length);
}

export function approvalVolumeChart(
  container: HTMLElement,
  bucketsMs: readonly number[],
  transactions: readonly number[],
  approvalRate: ReadonlyArray<number | null>,
  bands: readonly Band[],
): uPlot {
  const x = bucketsMs.map((ms) => ms / 1000);
  describe(container, [transactions, approvalRate]);
  const bars = uPlot.paths.bars!({ size: [0.7, 40], align: 1 });
  return mount(
    container,
    {
      ...timeChart,
      legend: { live: true },
      scales: {
        x: { time: true },
        pct: {
          range: (_u, min) => [Number.isFinite(min) ? Math.max(0, Math.floor((min - 0.05) * 10) / 10) : 0, 1],
        },
        txn: { range: upFromZero },
      },
      series: [
        timeSeries,
        {
          label: 'Transactions',
          scale: 'txn',
          stroke: '#93c5fd',
          fill: 'rgba(147, 197, 253, 0.55)',
          paths: bars,
          points: { show: false },
          value: (_u, v) => formatCount(v),
        },
        {
          label: 'Approval rate',
          scale: 'pct',
          stroke: '#16a34a',
          width: 2,
          spanGaps: false,
          points: { show: false },
          value: (_u, v) => formatPercent(v),
        },
      ],
      axes: [
        timeAxis,
        { ...axisStyle, scale: 'txn', size: 56, values: (_u, ticks) => ticks.map((t) => formatCount(t)) },
        {
          ...axisStyle,
          scale: 'pct',
          side: 1,
          size: 52,
          grid: { show: false },
          values: (_u, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`),
        },
      ],
      plugins: [bandsPlugin(bands)],
    },
    [x, [...transactions], approvalRate.map((v) => v)] as uPlot.AlignedData,
  );
}

/** Stacked areas: each code is drawn as the running total from the bottom, the top code first. */
export function stackedChart(
  container: HTMLElement,
  bucketsMs: readonly number[],
  series: ReadonlyArray<{ readonly label: string; readonly values: readonly number[] }>,
  bands: readonly Band[],
): uPlot {
  const x = bucketsMs.map((ms) => ms / 1000);
  describe(
    container,
    series.map((s) => s.values),
  );
  const running: number[][] = [];
  series.forEach((s, i) => {
    running.push(s.values.map((v, j) => v + (i > 0 ? running[i - 1]![j]! : 0)));
  });
  const order = series.map((_, i) => i).reverse();
  return mount(
    container,
    {
      ...timeChart,
      scales: { x: { time: true }, y: { range: upFromZero } },
      series: [
        timeSeries,
        ...order.map((i) => ({
          label: series[i]!.label,
          stroke: palette[i % palette.length]!,
          fill: palette[i % palette.length]!,
          width: 1,
          points: { show: false },
          value: (_u: uPlot, _v: number | null, _s: number, index: number | null) =>
            index === null ? '' : formatCount(series[i]!.values[index] ?? 0),
        })),
      ],
      axes: [timeAxis, { ...axisStyle, size: 56, values: (_u, ticks) => ticks.map((t) => formatCount(t)) }],
      plugins: [bandsPlugin(bands)],
    },
    [x, ...order.map((i) => running[i]!)] as uPlot.AlignedData,
  );
}

export function latencyChart(
  container: HTMLElement,
  bucketsMs: readonly number[],
  quantiles: ReadonlyArray<{ readonly label: string; readonly values: ReadonlyArray<number | null> }>,
  bands: readonly Band[],
): uPlot {
  const x = bucketsMs.map((ms) => ms / 1000);
  describe(
    container,
    quantiles.map((q) => q.values),
  );
  const colors = ['#0d9488', '#f59e0b', '#dc2626'];
  return mount(
    container,
    {
      ...timeChart,
      scales: { x: { time: true }, y: { range: upFromZero } },
      series: [
        timeSeries,
        ...quantiles.map((q, i) => ({
          label: q.label,
          stroke: colors[i % colors.length]!,
          width: 2,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => formatMs(v),
        })),
      ],
      axes: [timeAxis, { ...axisStyle, size: 72, values: (_u, ticks) => ticks.map((t) => formatMs(t)) }],
      plugins: [bandsPlugin(bands)],
    },
    [x, ...quantiles.map((q) => [...q.values])] as uPlot.AlignedData,
  );
}
