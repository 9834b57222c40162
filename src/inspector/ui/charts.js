import { duration, h, s } from './dom.js';
import { latencyByEndpoint, percentile, timeline, topConsumers } from './stats.js';

const CLASSES = [
  { key: 2, label: '2xx' },
  { key: 3, label: '3xx' },
  { key: 4, label: '4xx' },
  { key: 5, label: '5xx' },
  { key: 0, label: 'other' },
];

/** The least a non-empty bar may measure, in px: narrower ones read as a stray line or not at all. */
const MIN_BAR_PX = 4;

const widthOf = (el) => Math.max(260, Math.floor(el.clientWidth || 360));

function niceMax(v) {
  if (v <= 5) return Math.max(1, v);
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * p).find((m) => m >= v);
}

const hhmmss = (t) => new Date(t).toTimeString().slice(0, 8);
const stepLabel = (ms) => (ms < 60_000 ? `${ms / 1000} s` : ms < 3_600_000 ? `${ms / 60_000} min` : `${ms / 3_600_000} h`);

function empty(el, text) {
  el.replaceChildren(h('p', { class: 'chart-empty' }, text));
}

/** Stacked bars: requests per time bucket, by status class. */
export function renderTimeline(el, rows) {
  el.dataset.total = String(rows.length);
  if (rows.length === 0) return empty(el, 'No requests yet');
  const { step, buckets, totals } = timeline(rows);
  const W = widthOf(el);
  const H = 150;
  const m = { l: 30, r: 6, t: 8, b: 20 };
  const plotW = W - m.l - m.r;
  const plotH = H - m.t - m.b;
  const max = niceMax(Math.max(...buckets.map((b) => b.total)));
  const slot = plotW / buckets.length;
  const barW = Math.max(MIN_BAR_PX, Math.min(28, slot * 0.78));
  const y = (v) => m.t + plotH - (v / max) * plotH;

  const grid = [0, max / 2, max].map((v) =>
    s('g', { class: 'grid' }, s('line', { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v) }), s('text', { x: m.l - 5, y: y(v) + 3, 'text-anchor': 'end' }, fmtCount(v))),
  );
  const bars = buckets.map((b, i) => {
    const x = m.l + i * slot + (slot - barW) / 2;
    // A bucket with one request next to a burst of hundreds would be a fraction of a pixel: every
    // non-empty bucket stands at least MIN_BAR_PX tall, its classes sharing that height by count.
    const barH = b.total ? Math.max(MIN_BAR_PX, (b.total / max) * plotH) : 0;
    let bottom = m.t + plotH;
    const parts = CLASSES.filter((c) => b[c.key] > 0).map((c) => {
      const height = (b[c.key] / b.total) * barH;
      bottom -= height;
      return s('rect', { class: `fill-${c.key}`, x, width: barW, y: bottom, height });
    });
    const detail = CLASSES.filter((c) => b[c.key] > 0).map((c) => `${c.label} ${b[c.key]}`).join(', ');
    return s('g', { class: 'bar', dataset: { total: b.total } }, s('title', {}, `${hhmmss(b.start)} (+${stepLabel(step)}): ${detail || 'none'}`), parts);
  });
  const axis = s(
    'g',
    { class: 'axis' },
    s('text', { x: m.l, y: H - 5 }, hhmmss(buckets[0].start)),
    buckets.length > 1 ? s('text', { x: W - m.r, y: H - 5, 'text-anchor': 'end' }, hhmmss(buckets[buckets.length - 1].start)) : null,
    s('text', { x: m.l + plotW / 2, y: H - 5, 'text-anchor': 'middle', class: 'muted' }, `per ${stepLabel(step)}`),
  );
  const legend = h(
    'ul',
    { class: 'legend' },
    CLASSES.filter((c) => c.key !== 0 || totals[0] > 0).map((c) =>
      h('li', { dataset: { class: c.label, count: totals[c.key] } }, h('i', { class: `swatch fill-${c.key}` }), `${c.label} `, h('b', {}, totals[c.key])),
    ),
  );
  el.replaceChildren(
    s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': `${rows.length} requests over time` }, grid, bars, axis),
    legend,
    headline(rows, totals),
  );
}

/** The numbers one looks for first: volume, error rate, typical and slow latency. */
function headline(rows, totals) {
  const times = rows.map((r) => r.time).sort((a, b) => a - b);
  const errors = totals[4] + totals[5];
  const kpi = (label, value, cls) => h('div', { class: `kpi ${cls || ''}`, dataset: { kpi: label } }, h('b', {}, value), h('span', {}, label));
  return h(
    'div',
    { class: 'kpis' },
    kpi('requests', String(rows.length)),
    kpi('errors', `${Math.round((errors / rows.length) * 100)}%`, errors ? 'bad' : ''),
    kpi('p50', duration(percentile(times, 50))),
    kpi('p95', duration(percentile(times, 95))),
  );
}

/**
 * Per endpoint, overlaid bars: p99 (light), p95, p50 (dark), on one logarithmic latency scale, so a
 * 2 ms endpoint beside a 2 s report is a readable bar, not a sliver.
 */
export function renderLatency(el, rows) {
  const stats = latencyByEndpoint(rows);
  el.dataset.endpoints = String(stats.length);
  if (stats.length === 0) return empty(el, 'No requests yet');
  const W = widthOf(el);
  const rowH = 34;
  const axisH = 18;
  const H = stats.length * rowH + 4 + axisH;
  const valueW = 118;
  const plotW = W - valueW - 4;
  const scale = logScale(stats.flatMap((r) => [r.p50, r.p95, r.p99]), plotW);
  const x = scale.x;
  const gridBottom = H - axisH + 2;
  // Decade labels need about 44 px each: on a narrow card, every second (or third) one.
  const every = Math.max(1, Math.ceil((scale.ticks.length * 44) / plotW));
  const axis = scale.ticks.map((t, i) =>
    s(
      'g',
      { class: 'grid', dataset: { tick: t } },
      s('line', { x1: x(t), x2: x(t), y1: 2, y2: gridBottom }),
      i % every === 0 ? s('text', { x: x(t), y: H - 4, 'text-anchor': i === 0 ? 'start' : 'middle' }, decade(t)) : null,
    ),
  );
  const rowsSvg = stats.map((r, i) => {
    const top = i * rowH + 2;
    return s(
      'g',
      { class: 'lat-row', dataset: { endpoint: r.endpoint, count: r.count, p50: r.p50, p95: r.p95, p99: r.p99 } },
      s('title', {}, `${r.endpoint}: ${r.count} requests, p50 ${duration(r.p50)}, p95 ${duration(r.p95)}, p99 ${duration(r.p99)}`),
      s('text', { class: 'lat-label', x: 0, y: top + 11 }, clip(r.endpoint, Math.floor(plotW / 6.6)), s('tspan', { class: 'muted' }, `  ×${r.count}`)),
      s('rect', { class: 'p99', x: 0, y: top + 16, width: x(r.p99), height: 12, rx: 2 }),
      s('rect', { class: 'p95', x: 0, y: top + 16, width: x(r.p95), height: 12, rx: 2 }),
      s('rect', { class: 'p50', x: 0, y: top + 16, width: x(r.p50), height: 12, rx: 2 }),
      s('text', { class: 'lat-values', x: W - 2, y: top + 26, 'text-anchor': 'end' }, `${ms(r.p50)} · ${ms(r.p95)} · ${ms(r.p99)}`),
    );
  });
  const legend = h(
    'ul',
    { class: 'legend' },
    ['p50', 'p95', 'p99'].map((p) => h('li', {}, h('i', { class: `swatch ${p}` }), p)),
    h('li', { class: 'muted' }, 'ms, log scale'),
  );
  el.replaceChildren(
    s(
      'svg',
      { class: 'chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'latency by endpoint, log scale', dataset: { scale: 'log', lo: scale.lo, hi: scale.hi } },
      axis,
      rowsSvg,
    ),
    legend,
  );
}

/**
 * Whole decades from one below the fastest value to the slowest (two at least); x() maps a latency
 * to a bar width, never below MIN_BAR_PX.
 */
function logScale(values, width) {
  const positive = values.filter((v) => v > 0);
  const lowest = positive.length ? Math.min(...positive) : 1;
  const highest = positive.length ? Math.max(...positive) : 1;
  const eLo = Math.max(-2, Math.ceil(Math.log10(lowest)) - 1);
  const eHi = Math.max(eLo + 2, Math.ceil(Math.log10(highest)));
  const lo = 10 ** eLo;
  const span = eHi - eLo;
  const x = (v) => (v <= lo ? MIN_BAR_PX : MIN_BAR_PX + ((width - MIN_BAR_PX) * Math.log10(v / lo)) / span);
  const ticks = Array.from({ length: span + 1 }, (_, i) => Number((10 ** (eLo + i)).toPrecision(1)));
  return { x, lo, hi: 10 ** eHi, ticks };
}

const decade = (v) => (v >= 1000 ? `${v / 1000} s` : `${v} ms`);

/** Requests per consumer, split by status class. */
export function renderConsumers(el, rows) {
  const top = topConsumers(rows);
  el.dataset.consumers = String(top.length);
  if (top.length === 0) return empty(el, 'No requests yet');
  const W = widthOf(el);
  const rowH = 30;
  const H = top.length * rowH + 4;
  const countW = 44;
  const plotW = W - countW;
  const max = Math.max(...top.map((c) => c.total));
  const rowsSvg = top.map((c, i) => {
    const y = i * rowH + 2;
    let x = 0;
    const barW = Math.max(MIN_BAR_PX, (c.total / max) * plotW);
    const parts = CLASSES.filter((k) => c[k.key] > 0).map((k) => {
      const w = (c[k.key] / c.total) * barW;
      const rect = s('rect', { class: `fill-${k.key}`, x, y: y + 15, width: w, height: 10 });
      x += w;
      return rect;
    });
    const split = CLASSES.filter((k) => c[k.key] > 0).map((k) => `${k.label} ${c[k.key]}`).join(', ');
    return s(
      'g',
      { class: 'consumer-row', dataset: { consumer: c.name, count: c.total } },
      s('title', {}, `${c.name}: ${c.total} requests (${split})`),
      s('text', { class: 'lat-label', x: 0, y: y + 11 }, clip(c.name, Math.floor(plotW / 6.6))),
      parts,
      s('text', { class: 'lat-values', x: W - 2, y: y + 24, 'text-anchor': 'end' }, String(c.total)),
    );
  });
  el.replaceChildren(s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'top consumers' }, rowsSvg));
}

const ms = (v) => (v >= 10_000 ? `${(v / 1000).toFixed(1)}s` : v < 10 && !Number.isInteger(v) ? v.toFixed(1) : String(Math.round(v)));
const clip = (text, n) => (text.length > n ? `${text.slice(0, Math.max(1, n - 1))}…` : text);
const fmtCount = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
