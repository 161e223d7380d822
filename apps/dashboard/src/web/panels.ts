import type {
  Anomaly,
  AnomalyReport,
  BreakdownRow,
  Breakdowns,
  CurrencyVolume,
  DeadLetterReport,
  DeclineReport,
  MerchantRow,
  PeriodTotals,
  SegmentReport,
  Summary,
} from '@paymetrics/reporting';
import type { Band } from './charts.js';
import { h, put } from './dom.js';
import {
  dash,
  formatAmount,
  formatCount,
  formatDateTime,
  formatMs,
  formatPercent,
  formatPoints,
  formatSignedPercent,
  formatTime,
  relativeChange,
} from './format.js';

/** A titled box the page fills when its data arrives; `body` is replaced on each render. */
export function panel(
  id: string,
  title: string,
  className = '',
): { root: HTMLElement; body: HTMLElement; note: HTMLElement } {
  const note = h('span', { class: 'panel-note' });
  const body = h('div', { class: 'panel-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const root = h(
    'section',
    { class: `panel ${className}`, 'data-panel': id },
    h('header', { class: 'panel-head' }, h('h2', {}, title), note),
    body,
  );
  return { root, body, note };
}

export function showPanelError(body: HTMLElement, message: string): void {
  put(body, h('div', { class: 'panel-error', role: 'alert' }, message));
}

export function showPanelEmpty(body: HTMLElement, message: string): void {
  put(body, h('p', { class: 'muted empty' }, message));
}

type Tone = 'good' | 'bad' | 'neutral';

function delta(text: string, tone: Tone, previousLabel: string): HTMLElement {
  return h('div', { class: `delta ${tone}` }, text, h('span', { class: 'muted' }, ` vs ${previousLabel}`));
}

/** Change of a count; `higherIsBetter` picks the colour. */
function countDelta(current: number, previous: number, higherIsBetter: boolean | null, label: string) {
  const change = relativeChange(current, previous);
  if (change === null)
    return h('div', { class: 'delta neutral' }, h('span', { class: 'muted' }, `no data in ${label}`));
  const tone: Tone =
    higherIsBetter === null || Math.abs(change) < 0.005
      ? 'neutral'
      : change > 0 === higherIsBetter
        ? 'good'
        : 'bad';
  return delta(formatSignedPercent(change), tone, label);
}

function kpi(
  name: string,
  label: string,
  value: string,
  raw: number | null,
  change: HTMLElement,
  extra?: HTMLElement,
) {
  return h(
    'div',
    { class: 'kpi', 'data-total': name, 'data-value': raw === null ? '' : String(raw) },
    h('div', { class: 'kpi-label' }, label),
    h('div', { class: 'kpi-value' }, value),
    change,
    extra,
  );
}

function volumeLines(volume: readonly CurrencyVolume[], limit: number): HTMLElement {
  const shown = volume.slice(0, limit);
  return h(
    'ul',
    { class: 'volume-list' },
    shown.map((v) =>
      h(
        'li',
        { 'data-currency': v.currency, 'data-amount-minor': v.amountMinor },
        h('span', { class: 'amount' }, formatAmount(v.amountMinor, v.currency)),
        h('span', { class: 'muted' }, ` ${formatCount(v.transactions)} txn`),
      ),
    ),
    volume.length > limit ? h('li', { class: 'muted' }, `+ ${volume.length - limit} more currencies`) : null,
  );
}

export function renderTotals(container: HTMLElement, summary: Summary, previousLabel: string): void {
  const { current: c, previous: p } = summary;
  const rateChange = (now: number | null, before: number | null, higherIsBetter: boolean) => {
    if (now === null || before === null)
      return h('div', { class: 'delta neutral' }, h('span', { class: 'muted' }, dash));
    const diff = now - before;
    const tone: Tone = Math.abs(diff) < 0.0005 ? 'neutral' : diff > 0 === higherIsBetter ? 'good' : 'bad';
    return delta(formatPoints(diff), tone, previousLabel);
  };
  const declineRate = (t: PeriodTotals) => (t.transactions > 0 ? t.declined / t.transactions : null);
  const errorRate = (t: PeriodTotals) => (t.transactions > 0 ? t.errors / t.transactions : null);
  const top = c.volume[0];
  put(
    container,
    kpi(
      'transactions',
      'Transactions',
      formatCount(c.transactions),
      c.transactions,
      countDelta(c.transactions, p.transactions, null, previousLabel),
    ),
    kpi(
      'approval-rate',
      'Approval rate',
      formatPercent(c.approvalRate),
      c.approvalRate,
      rateChange(c.approvalRate, p.approvalRate, true),
    ),
    kpi(
      'declines',
      'Declines',
      formatCount(c.declined),
      c.declined,
      countDelta(c.declined, p.declined, false, previousLabel),
      h('div', { class: 'kpi-sub muted' }, `${formatPercent(declineRate(c))} of transactions`),
    ),
    kpi(
      'errors',
      'Errors',
      formatCount(c.errors),
      c.errors,
      countDelta(c.errors, p.errors, false, previousLabel),
      h('div', { class: 'kpi-sub muted' }, `${formatPercent(errorRate(c))} of transactions`),
    ),
    h(
      'div',
      { class: 'kpi kpi-wide', 'data-total': 'volume', 'data-value': top ? top.amountMinor : '' },
      h(
        'div',
        { class: 'kpi-label' },
        'Volume',
        h(
          'span',
          { class: 'muted' },
          ` · ${c.volume.length} ${c.volume.length === 1 ? 'currency' : 'currencies'}`,
        ),
      ),
      top ? volumeLines(c.volume, 3) : h('div', { class: 'kpi-value' }, dash),
    ),
    kpi(
      'latency-p95',
      'p95 latency',
      formatMs(c.latencyP95Ms),
      c.latencyP95Ms,
      c.latencyP95Ms !== null && p.latencyP95Ms !== null
        ? countDelta(c.latencyP95Ms, p.latencyP95Ms, false, previousLabel)
        : h('div', { class: 'delta neutral' }, h('span', { class: 'muted' }, dash)),
    ),
    c.deadLettered === null
      ? null
      : kpi(
          'dead-lettered',
          'Dead-lettered',
          formatCount(c.deadLettered),
          c.deadLettered,
          countDelta(c.deadLettered, p.deadLettered ?? 0, false, previousLabel),
        ),
  );
}

export function anomalyBands(report: AnomalyReport | undefined): Band[] {
  return (report?.inRange ?? []).map((a) => ({
    fromMs: Date.parse(a.windowStart),
    toMs: Date.parse(a.windowEnd),
    severity: a.severity,
    label: a.metric,
  }));
}

function scopeText(scope: Record<string, string>): string {
  const entries = Object.entries(scope);
  return entries.length === 0
    ? 'all payments'
    : entries.map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', ');
}

function metricValue(metric: string, value: number | null): string {
  if (value === null) return dash;
  if (metric.includes('rate') || metric.includes('share')) return formatPercent(value);
  if (metric.includes('latency')) return formatMs(value);
  return formatCount(Math.round(value));
}

function anomalyItem(a: Anomaly, merchantLink: (id: string) => HTMLElement | string): HTMLElement {
  const merchant = a.scope.merchant_id;
  return h(
    'li',
    { class: 'anomaly', 'data-anomaly': a.id },
    h('span', { class: `badge ${a.severity}` }, a.severity),
    h(
      'div',
      { class: 'anomaly-main' },
      h(
        'div',
        {},
        h('strong', {}, a.metric.replace(/_/g, ' ')),
        ' · ',
        merchant ? merchantLink(merchant) : scopeText(a.scope),
      ),
      h(
        'div',
        { class: 'muted' },
        `${formatDateTime(a.windowStart)} – ${formatTime(a.windowEnd)} · observed ${metricValue(a.metric, a.observed)}, expected ${metricValue(a.metric, a.expected)}`,
      ),
    ),
  );
}

export function renderAnomalies(
  body: HTMLElement,
  note: HTMLElement,
  report: AnomalyReport,
  merchantLink: (id: string) => HTMLElement | string,
): void {
  if (!report.available) {
    showPanelEmpty(body, 'No anomaly table in this database yet: run pnpm migrate, then pnpm detect.');
    return;
  }
  note.textContent = `${formatCount(report.open.length)} open`;
  if (report.open.length === 0) {
    showPanelEmpty(body, 'No open anomalies. pnpm detect examines new windows.');
    return;
  }
  put(
    body,
    h(
      'ul',
      { class: 'anomaly-list' },
      report.open.slice(0, 50).map((a) => anomalyItem(a, merchantLink)),
    ),
  );
}

export function renderTopMovers(body: HTMLElement, report: DeclineReport): void {
  if (report.codes.length === 0) {
    showPanelEmpty(body, 'No declines in this range.');
    return;
  }
  const rows = report.topMovers.map((c) => {
    const shift = (c.currentShare ?? 0) - (c.previousShare ?? 0);
    return h(
      'tr',
      { 'data-code': c.code },
      h('td', { class: 'code' }, c.code),
      h('td', { class: 'num' }, formatCount(c.current)),
      h('td', { class: 'num' }, formatPercent(c.currentShare)),
      h(
        'td',
        { class: `num ${shift > 0.0005 ? 'bad' : shift < -0.0005 ? 'good' : ''}` },
        formatPoints(shift),
      ),
      h('td', { class: 'num muted' }, formatCount(c.previous)),
    );
  });
  put(
    body,
    h(
      'table',
      { class: 'grid' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Code'),
          h('th', { class: 'num' }, 'Declines'),
          h('th', { class: 'num' }, 'Share'),
          h('th', { class: 'num' }, 'Share change'),
          h('th', { class: 'num' }, 'Before'),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

const dimensionTitles: Record<keyof Breakdowns, string> = {
  country: 'Country',
  card_brand: 'Card brand',
  payment_method: 'Payment method',
  channel: 'Channel',
};

function breakdownTable(dimension: keyof Breakdowns, rows: readonly BreakdownRow[]): HTMLElement {
  const shown = rows.slice(0, 8);
  return h(
    'div',
    { class: 'breakdown', 'data-breakdown': dimension },
    h('h3', {}, dimensionTitles[dimension]),
    h(
      'table',
      { class: 'grid compact' },
      h(
        'tbody',
        {},
        shown.map((r) =>
          h(
            'tr',
            { 'data-value': r.value, 'data-transactions': String(r.transactions) },
            h('td', {}, r.value === 'none' ? h('span', { class: 'muted' }, 'none') : r.value),
            h(
              'td',
              { class: 'bar-cell' },
              h('span', { class: 'bar', style: `width:${Math.round((r.share ?? 0) * 100)}%` }),
              h('span', { class: 'bar-label' }, formatPercent(r.share)),
            ),
            h('td', { class: 'num' }, formatCount(r.transactions)),
            h('td', { class: 'num', title: 'approval rate' }, formatPercent(r.approvalRate)),
          ),
        ),
      ),
    ),
    rows.length > shown.length
      ? h('div', { class: 'muted small' }, `+ ${rows.length - shown.length} more`)
      : null,
  );
}

export function renderBreakdowns(body: HTMLElement, breakdowns: Breakdowns): void {
  if (breakdowns.country.length === 0) {
    showPanelEmpty(body, 'No payments in this range.');
    return;
  }
  put(
    body,
    h(
      'div',
      { class: 'breakdowns' },
      (Object.keys(dimensionTitles) as (keyof Breakdowns)[]).map((d) => breakdownTable(d, breakdowns[d])),
    ),
  );
}

type SortKey =
  | 'merchantId'
  | 'transactions'
  | 'volume'
  | 'approvalRate'
  | 'latencyP95Ms'
  | 'segment'
  | 'openAnomalies';

export function renderMerchants(
  body: HTMLElement,
  note: HTMLElement,
  merchants: readonly MerchantRow[],
  merchantLink: (id: string) => HTMLElement,
): void {
  note.textContent = `${formatCount(merchants.length)} merchants`;
  if (merchants.length === 0) {
    showPanelEmpty(body, 'No merchants with payments in this range.');
    return;
  }
  let sortKey: SortKey = 'transactions';
  let descending = true;
  let filter = '';
  const columns: ReadonlyArray<{ key: SortKey; label: string; numeric: boolean }> = [
    { key: 'merchantId', label: 'Merchant', numeric: false },
    { key: 'transactions', label: 'Transactions', numeric: true },
    { key: 'volume', label: 'Volume', numeric: true },
    { key: 'approvalRate', label: 'Approval rate', numeric: true },
    { key: 'latencyP95Ms', label: 'p95 latency', numeric: true },
    { key: 'segment', label: 'Segment', numeric: false },
    { key: 'openAnomalies', label: 'Open anomalies', numeric: true },
  ];
  const sortValue = (m: MerchantRow, key: SortKey): number | string | null => {
    if (key === 'volume') return m.volume[0] ? m.volume[0].transactions : 0;
    return m[key];
  };
  const tbody = h('tbody');
  const head = h('tr');
  const search = h('input', {
    type: 'search',
    class: 'search',
    placeholder: 'Filter merchants…',
    'aria-label': 'Filter merchants',
  }) as HTMLInputElement;
  search.addEventListener('input', () => {
    filter = search.value.trim().toLowerCase();
    draw();
  });
  const draw = () => {
    put(
      head,
      ...columns.map((c) =>
        h(
          'th',
          {
            class: `${c.numeric ? 'num ' : ''}sortable${c.key === sortKey ? ` sorted ${descending ? 'desc' : 'asc'}` : ''}`,
            'data-sort': c.key,
            onclick: () => {
              descending = c.key === sortKey ? !descending : c.numeric;
              sortKey = c.key;
              draw();
            },
          },
          c.label,
        ),
      ),
    );
    const rows = merchants
      .filter(
        (m) =>
          filter === '' || m.merchantId.toLowerCase().includes(filter) || (m.segment ?? '').includes(filter),
      )
      .sort((a, b) => {
        const x = sortValue(a, sortKey);
        const y = sortValue(b, sortKey);
        // A merchant without payments in the range has no rate: last, whichever the direction.
        if (x === null || y === null) {
          return (x === null ? 1 : 0) - (y === null ? 1 : 0) || a.merchantId.localeCompare(b.merchantId);
        }
        const order =
          typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y) : Number(x) - Number(y);
        return (descending ? -order : order) || a.merchantId.localeCompare(b.merchantId);
      });
    put(
      tbody,
      ...rows.map((m) => {
        const shift =
          m.approvalRate !== null && m.previousApprovalRate !== null
            ? m.approvalRate - m.previousApprovalRate
            : null;
        return h(
          'tr',
          { 'data-merchant': m.merchantId },
          h('td', {}, merchantLink(m.merchantId)),
          h('td', { class: 'num' }, formatCount(m.transactions)),
          h(
            'td',
            { class: 'num' },
            m.volume[0] ? formatAmount(m.volume[0].amountMinor, m.volume[0].currency) : dash,
            m.volume.length > 1 ? h('span', { class: 'muted small' }, ` +${m.volume.length - 1}`) : null,
          ),
          h(
            'td',
            { class: 'num' },
            formatPercent(m.approvalRate),
            shift !== null && Math.abs(shift) >= 0.001
              ? h('span', { class: `small ${shift > 0 ? 'good' : 'bad'}` }, ` ${formatPoints(shift)}`)
              : null,
          ),
          h('td', { class: 'num' }, formatMs(m.latencyP95Ms)),
          h(
            'td',
            {},
            m.segment ? h('span', { class: 'tag' }, m.segment) : h('span', { class: 'muted' }, dash),
          ),
          h(
            'td',
            { class: 'num' },
            m.openAnomalies > 0
              ? h('span', { class: 'badge critical' }, String(m.openAnomalies))
              : h('span', { class: 'muted' }, '0'),
          ),
        );
      }),
    );
  };
  draw();
  put(
    body,
    search,
    h('div', { class: 'table-scroll' }, h('table', { class: 'grid merchants' }, h('thead', {}, head), tbody)),
  );
}

export function renderDeadLetter(body: HTMLElement, note: HTMLElement, report: DeadLetterReport): void {
  const waiting = report.byStatus.pending + report.byStatus.retrying;
  note.textContent = `${formatCount(waiting)} waiting · ${formatCount(report.byStatus.resolved)} resolved · ${formatCount(report.byStatus.discarded)} discarded`;
  if (report.codes.length === 0) {
    showPanelEmpty(body, 'The dead-letter queue is empty: every event was counted.');
    return;
  }
  const sample = h('div', { class: 'sample' });
  const showSample = (code: string) => {
    const entry = report.codes.find((c) => c.code === code);
    for (const row of body.querySelectorAll('tr[data-code]'))
      row.classList.toggle('selected', row.getAttribute('data-code') === code);
    if (!entry?.sample) {
      put(sample, h('p', { class: 'muted' }, 'No sample.'));
      return;
    }
    const s = entry.sample;
    put(
      sample,
      h(
        'div',
        { class: 'sample-head' },
        h('strong', {}, code),
        h('span', { class: 'muted' }, ` · item ${s.id} · ${formatDateTime(s.failedAt)}`),
      ),
      h('div', { class: 'sample-message' }, s.message),
      s.payload !== null
        ? h('pre', { class: 'payload', 'data-sample': code }, s.payload, s.truncated ? '\n…' : '')
        : h('p', { class: 'muted' }, `Payload stored in the archive: ${s.payloadRef ?? dash}`),
      h(
        'div',
        { class: 'muted small' },
        s.encoding === 'base64' ? 'Not UTF-8 text: shown base64-encoded, as stored. ' : '',
        'As stored: PAN-like digit runs are masked.',
      ),
    );
  };
  const rows = report.codes.map((c) =>
    h(
      'tr',
      { 'data-code': c.code, class: 'clickable', onclick: () => showSample(c.code) },
      h('td', { class: 'code' }, c.code),
      h('td', { class: 'muted' }, c.stage),
      h('td', { class: 'num' }, formatCount(c.byStatus.pending)),
      h('td', { class: 'num' }, formatCount(c.byStatus.retrying)),
      h('td', { class: 'num' }, formatCount(c.byStatus.resolved)),
      h('td', { class: 'num' }, formatCount(c.byStatus.discarded)),
      h('td', { class: 'num strong' }, formatCount(c.total)),
      h('td', { class: 'num muted' }, formatCount(c.inRange)),
    ),
  );
  put(
    body,
    h(
      'div',
      { class: 'dlq' },
      h(
        'table',
        { class: 'grid' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Code'),
            h('th', {}, 'Stage'),
            h('th', { class: 'num' }, 'Pending'),
            h('th', { class: 'num' }, 'Retrying'),
            h('th', { class: 'num' }, 'Resolved'),
            h('th', { class: 'num' }, 'Discarded'),
            h('th', { class: 'num' }, 'Total'),
            h('th', { class: 'num' }, 'In range'),
          ),
        ),
        h('tbody', {}, rows),
      ),
      sample,
    ),
  );
  showSample(report.codes[0]!.code);
}

export function renderSegments(
  body: HTMLElement,
  note: HTMLElement,
  report: SegmentReport,
  merchantLink: (id: string) => HTMLElement,
): void {
  if (!report.available) {
    showPanelEmpty(body, 'No segment table in this database yet: run pnpm migrate, then pnpm segment.');
    return;
  }
  if (report.segments.length === 0) {
    showPanelEmpty(body, 'Merchants are not segmented yet: run pnpm segment.');
    return;
  }
  note.textContent = `as of ${report.asOf}`;
  const total = report.segments.reduce((sum, s) => sum + s.merchants, 0);
  put(
    body,
    h(
      'ul',
      { class: 'segment-list' },
      report.segments.map((s) =>
        h(
          'li',
          { 'data-segment': s.segment },
          h(
            'div',
            { class: 'segment-head' },
            h('span', { class: 'tag' }, s.segment),
            h('span', { class: 'num' }, `${formatCount(s.merchants)} merchants`),
          ),
          h(
            'div',
            { class: 'bar-track' },
            h('span', { class: 'bar', style: `width:${Math.round((s.merchants / total) * 100)}%` }),
          ),
          h(
            'div',
            { class: 'small muted examples' },
            s.examples.map((id, i) => [i > 0 ? ', ' : '', merchantLink(id)]),
          ),
        ),
      ),
    ),
  );
}
