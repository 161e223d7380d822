import './styles.css';
import { ApiError, type Endpoints, getJson, type RangeJson, type StatusJson } from './api.js';
import { approvalVolumeChart, latencyChart, stackedChart } from './charts.js';
import { h, put } from './dom.js';
import { formatPeriod } from './format.js';
import {
  anomalyBands,
  panel,
  renderAnomalies,
  renderBreakdowns,
  renderDeadLetter,
  renderMerchants,
  renderSegments,
  renderTopMovers,
  renderTotals,
  showPanelEmpty,
  showPanelError,
} from './panels.js';

const ranges = [
  { name: '1h', label: '1 h', previous: 'previous hour' },
  { name: '6h', label: '6 h', previous: 'previous 6 h' },
  { name: '24h', label: '24 h', previous: 'previous 24 h' },
  { name: '7d', label: '7 d', previous: 'previous 7 days' },
] as const;

// ?refresh=<seconds> shortens the wait, for tests and wall screens.
const refreshSeconds = Number(new URL(window.location.href).searchParams.get('refresh'));
const LIVE_REFRESH_MS = refreshSeconds > 0 ? refreshSeconds * 1000 : 15_000;
const RETRY_MS = LIVE_REFRESH_MS;

interface Route {
  readonly merchantId: string | null;
  readonly range: string;
}

function currentRoute(): Route {
  const url = new URL(window.location.href);
  const match = /^\/merchants\/([^/]+)\/?$/.exec(url.pathname);
  const range = url.searchParams.get('range') ?? '24h';
  return {
    merchantId: match ? decodeURIComponent(match[1]!) : null,
    range: ranges.some((r) => r.name === range) ? range : '24h',
  };
}

function hrefFor(route: Route): string {
  const path = route.merchantId ? `/merchants/${encodeURIComponent(route.merchantId)}` : '/';
  const refresh = new URL(window.location.href).searchParams.get('refresh');
  return `${path}?range=${route.range}${refresh ? `&refresh=${encodeURIComponent(refresh)}` : ''}`;
}

function navigate(route: Route): void {
  const samePage = route.merchantId === currentRoute().merchantId;
  window.history.pushState(null, '', hrefFor(route));
  if (!samePage) window.scrollTo(0, 0);
  void load();
}

function link(route: Route, text: string, className = ''): HTMLElement {
  return h(
    'a',
    {
      href: hrefFor(route),
      class: className,
      onclick: (event: Event) => {
        const mouse = event as MouseEvent;
        if (mouse.ctrlKey || mouse.metaKey || mouse.shiftKey || mouse.button !== 0) return;
        event.preventDefault();
        navigate(route);
      },
    },
    text,
  );
}

const merchantLink = (id: string) =>
  link({ merchantId: id, range: currentRoute().range }, id, 'merchant-link');

let refreshTimer: number | undefined;
let generation = 0;

function scheduleReload(delayMs: number): void {
  window.clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => void load({ quiet: true }), delayMs);
}

function renderHeader(route: Route): void {
  const crumbs = document.getElementById('crumbs')!;
  put(
    crumbs,
    link({ merchantId: null, range: route.range }, 'Overview', route.merchantId ? '' : 'current'),
    route.merchantId ? h('span', { class: 'sep' }, '/') : null,
    route.merchantId ? h('span', { class: 'current' }, route.merchantId) : null,
  );
  const group = document.getElementById('ranges')!;
  put(
    group,
    h('legend', { class: 'visually-hidden' }, 'Time range'),
    ...ranges.map((r) =>
      h(
        'button',
        {
          type: 'button',
          class: r.name === route.range ? 'active' : '',
          'data-range': r.name,
          'aria-pressed': r.name === route.range ? 'true' : 'false',
          onclick: () => navigate({ ...currentRoute(), range: r.name }),
        },
        r.label,
      ),
    ),
  );
}

function renderStatus(status: StatusJson | null, range: RangeJson | null): void {
  const element = document.getElementById('status')!;
  if (!status || !range) {
    element.textContent = '';
    return;
  }
  put(
    element,
    status.live
      ? h(
          'span',
          { class: 'live', title: `A run is writing; the page refreshes every ${LIVE_REFRESH_MS / 1000} s` },
          'Live',
        )
      : h('span', { class: 'idle' }, 'Idle'),
    h('span', { class: 'muted' }, ` ${formatPeriod(range.from, range.to)} · ${range.grain} grain`),
  );
  element.title = status.source ? `Data: ${status.source}` : '';
}

function showBanner(kind: 'error' | 'info' | null, message = '', detail = ''): void {
  const banner = document.getElementById('banner')!;
  if (!kind) {
    banner.hidden = true;
    return;
  }
  banner.hidden = false;
  banner.className = `banner ${kind}`;
  put(banner, h('strong', {}, message), detail ? h('span', {}, ` ${detail}`) : null);
}

function query(route: Route, range: RangeJson): string {
  const params = new URLSearchParams({ range: route.range, to: range.to });
  return params.toString();
}

/** Fetches one panel's data and renders it, or puts the server's message in the panel. */
async function fill<K extends keyof Endpoints>(
  path: string,
  body: HTMLElement,
  render: (data: Endpoints[K]) => void,
): Promise<Endpoints[K] | undefined> {
  try {
    const { data } = await getJson<Endpoints[K]>(path);
    render(data);
    return data;
  } catch (error) {
    showPanelError(body, error instanceof ApiError ? error.message : 'This panel could not be drawn.');
    if (!(error instanceof ApiError)) console.error(error);
    return undefined;
  }
}

async function load(options: { quiet?: boolean } = {}): Promise<void> {
  const mine = ++generation;
  window.clearTimeout(refreshTimer);
  // Set before the first await, so nobody waiting for "ready" mistakes the previous page for this one.
  document.body.dataset.state = 'loading';
  const route = currentRoute();
  renderHeader(route);
  const page = document.getElementById('page')!;
  let status: StatusJson;
  let range: RangeJson;
  try {
    ({ data: status, range } = await getJson<StatusJson>(`/api/status?range=${route.range}`));
  } catch (error) {
    if (mine !== generation) return;
    const message = error instanceof ApiError ? error.message : 'The dashboard could not load.';
    showBanner('error', message, `Retrying in ${RETRY_MS / 1000} s.`);
    renderStatus(null, null);
    if (!options.quiet || page.querySelector('.loading')) {
      put(
        page,
        h(
          'div',
          { class: 'empty-state', 'data-state': 'error' },
          h('h1', {}, 'No data to show'),
          h('p', {}, message),
        ),
      );
    }
    document.body.dataset.state = 'error';
    scheduleReload(RETRY_MS);
    return;
  }
  if (mine !== generation) return;
  showBanner(null);
  renderStatus(status, range);
  if (status.empty) {
    document.body.dataset.state = 'empty';
    put(
      page,
      h(
        'div',
        { class: 'empty-state', 'data-state': 'empty' },
        h('h1', {}, 'No payments counted yet'),
        h('p', {}, 'The database is reachable and migrated, but no transaction has been counted.'),
        h(
          'p',
          {},
          'Run ',
          h('code', {}, 'pnpm start'),
          ' for a demo scenario, or ',
          h('code', {}, 'pnpm simulate --sink local'),
          `; this page checks again every ${RETRY_MS / 1000} s.`,
        ),
      ),
    );
    scheduleReload(RETRY_MS);
    return;
  }
  const rangeInfo = ranges.find((r) => r.name === route.range) ?? ranges[2];
  const q = query(route, range);
  const previousLabel = rangeInfo.previous;
  const merchant = route.merchantId;
  const m = merchant ? `&merchant=${encodeURIComponent(merchant)}` : '';

  const totals = h(
    'section',
    { class: 'kpis', 'data-panel': 'totals' },
    h('p', { class: 'muted' }, 'Loading…'),
  );
  const approval = panel('approval-volume', 'Approval rate and volume', 'span-8');
  const anomalies = panel('anomalies', merchant ? 'Anomalies of this merchant' : 'Open anomalies', 'span-4');
  const declines = panel('declines', 'Decline codes', 'span-6');
  const latency = panel('latency', 'Processor latency (DDSketch, 1% error)', 'span-6');
  const movers = panel('top-movers', 'Decline codes: top movers', 'span-4');
  const breakdowns = panel('breakdowns', 'Breakdowns', 'span-8');
  const merchants = panel('merchants', 'Merchants', 'span-8');
  const deadLetter = panel('dead-letter', 'Dead-letter queue', 'span-12');
  const segments = panel('segments', 'Merchant segments', 'span-4');
  const merchantHead = merchant
    ? h(
        'div',
        { class: 'merchant-head span-12', 'data-merchant-page': merchant },
        h('h1', {}, merchant),
        h('span', { class: 'tag', id: 'merchant-segment' }),
        link({ merchantId: null, range: route.range }, '← all merchants', 'back'),
      )
    : null;
  const charts = [approval, declines, latency];
  for (const chart of charts) chart.body.classList.add('chart');

  const grid = h(
    'div',
    { class: 'grid12' },
    merchantHead,
    h('div', { class: 'span-12' }, totals),
    approval.root,
    anomalies.root,
    declines.root,
    latency.root,
    movers.root,
    breakdowns.root,
    merchant ? null : merchants.root,
    merchant ? null : segments.root,
    merchant ? null : deadLetter.root,
  );
  if (!options.quiet || page.dataset.route !== hrefFor(route)) {
    put(page, grid);
  } else {
    // A refresh swaps the page in one go, so charts do not flicker through "Loading…".
    grid.style.display = 'none';
    page.append(grid);
  }
  page.dataset.route = hrefFor(route);
  document.body.dataset.state = 'loading';

  const anomalyData = fill<'anomalies'>(`/api/anomalies?${q}${m}`, anomalies.body, (data) =>
    renderAnomalies(anomalies.body, anomalies.note, data, merchantLink),
  );
  const work: Promise<unknown>[] = [anomalyData];
  work.push(
    fill<'summary'>(`/api/summary?${q}${m}`, totals, (data) => {
      if (data.current.transactions === 0 && data.previous.transactions === 0) {
        showPanelEmpty(
          totals,
          merchant ? 'This merchant has no payments in this range.' : 'No payments in this range.',
        );
      } else {
        renderTotals(totals, data, previousLabel);
      }
    }),
  );
  const series = getJson<Endpoints['timeseries']>(`/api/timeseries?${q}${m}`);
  const declineData = getJson<Endpoints['declines']>(`/api/declines?${q}${m}`);
  const afterGrid = (fn: () => void) => () => requestAnimationFrame(fn);
  work.push(
    Promise.allSettled([series, anomalyData]).then(async ([result, bands]) => {
      if (result.status === 'rejected') {
        showPanelError(
          approval.body,
          result.reason instanceof ApiError ? result.reason.message : 'Chart failed.',
        );
        showPanelError(
          latency.body,
          result.reason instanceof ApiError ? result.reason.message : 'Chart failed.',
        );
        return;
      }
      const { data } = result.value;
      const b = anomalyBands(bands.status === 'fulfilled' ? bands.value : undefined);
      await new Promise<void>((resolve) =>
        afterGrid(() => {
          approvalVolumeChart(approval.body, data.bucketStartsMs, data.transactions, data.approvalRate, b);
          latencyChart(
            latency.body,
            data.bucketStartsMs,
            [
              { label: 'p50', values: data.latencyP50Ms },
              { label: 'p95', values: data.latencyP95Ms },
              { label: 'p99', values: data.latencyP99Ms },
            ],
            b,
          );
          approval.note.textContent =
            b.length > 0 ? `${b.length} ${b.length === 1 ? 'anomaly' : 'anomalies'} marked` : '';
          resolve();
        })(),
      );
    }),
  );
  work.push(
    Promise.allSettled([declineData, anomalyData]).then(async ([result, bands]) => {
      if (result.status === 'rejected') {
        const message = result.reason instanceof ApiError ? result.reason.message : 'Chart failed.';
        showPanelError(declines.body, message);
        showPanelError(movers.body, message);
        return;
      }
      const { data } = result.value;
      renderTopMovers(movers.body, data);
      if (data.series.length === 0) {
        declines.body.classList.remove('chart');
        showPanelEmpty(declines.body, 'No declines in this range.');
        return;
      }
      declines.note.textContent = `${data.codes.length} codes`;
      const b = anomalyBands(bands.status === 'fulfilled' ? bands.value : undefined);
      await new Promise<void>((resolve) =>
        afterGrid(() => {
          stackedChart(
            declines.body,
            data.bucketStartsMs,
            data.series.map((s) => ({ label: s.code, values: s.counts })),
            b,
          );
          resolve();
        })(),
      );
    }),
  );
  work.push(
    fill<'breakdowns'>(`/api/breakdowns?${q}${m}`, breakdowns.body, (data) =>
      renderBreakdowns(breakdowns.body, data),
    ),
  );
  if (merchant) {
    work.push(
      fill<'merchant'>(`/api/merchants/${encodeURIComponent(merchant)}?${q}`, h('div'), (data) => {
        const tag = document.getElementById('merchant-segment');
        if (tag) tag.textContent = data?.segment ?? 'no segment';
      }),
    );
  } else {
    work.push(
      fill<'merchants'>(`/api/merchants?${q}`, merchants.body, (data) =>
        renderMerchants(merchants.body, merchants.note, data, merchantLink),
      ),
      fill<'dead-letter'>(`/api/dead-letter?${q}`, deadLetter.body, (data) =>
        renderDeadLetter(deadLetter.body, deadLetter.note, data),
      ),
      fill<'segments'>(`/api/segments?${q}`, segments.body, (data) =>
        renderSegments(segments.body, segments.note, data, merchantLink),
      ),
    );
  }
  await Promise.allSettled(work);
  if (mine !== generation) {
    grid.remove();
    return;
  }
  if (grid.style.display === 'none') {
    for (const old of [...page.children]) if (old !== grid) old.remove();
    grid.style.display = '';
  }
  document.body.dataset.state = 'ready';
  if (status.live) scheduleReload(LIVE_REFRESH_MS);
}

window.addEventListener('popstate', () => void load());
void load();
