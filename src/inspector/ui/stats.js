import { consumerName, statusClass } from './dom.js';

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map((s) => s * 1000);

/** Requests per time bucket and status class; at most `maxBuckets` buckets of a round size. */
export function timeline(rows, maxBuckets = 40) {
  const times = rows.map((r) => Date.parse(r.startedDateTime)).filter((t) => !Number.isNaN(t));
  if (times.length === 0) return { step: 1000, buckets: [], totals: { 2: 0, 3: 0, 4: 0, 5: 0, 0: 0 } };
  const min = Math.min(...times);
  const max = Math.max(...times);
  const step = STEPS.find((s) => (max - min) / s < maxBuckets) ?? STEPS[STEPS.length - 1];
  const start = Math.floor(min / step) * step;
  const count = Math.floor((max - start) / step) + 1;
  const buckets = Array.from({ length: count }, (_, i) => ({ start: start + i * step, 2: 0, 3: 0, 4: 0, 5: 0, 0: 0, total: 0 }));
  const totals = { 2: 0, 3: 0, 4: 0, 5: 0, 0: 0 };
  for (const r of rows) {
    const t = Date.parse(r.startedDateTime);
    if (Number.isNaN(t)) continue;
    const b = buckets[Math.floor((t - start) / step)];
    const c = statusClass(r.status);
    const key = c >= 2 ? c : 0;
    b[key]++;
    b.total++;
    totals[key]++;
  }
  return { step, buckets, totals };
}

export const endpointOf = (r) => `${r.method} ${r.route || r.path.split('?')[0]}`;

/** p50/p95/p99 per endpoint, the busiest first. */
export function latencyByEndpoint(rows, limit = 8) {
  const groups = new Map();
  for (const r of rows) {
    const key = endpointOf(r);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r.time);
  }
  return [...groups.entries()]
    .map(([endpoint, times]) => {
      times.sort((a, b) => a - b);
      return { endpoint, count: times.length, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
    })
    .sort((a, b) => b.count - a.count || a.endpoint.localeCompare(b.endpoint))
    .slice(0, limit);
}

/** Requests per consumer, split by status class, the busiest first. */
export function topConsumers(rows, limit = 8) {
  const groups = new Map();
  for (const r of rows) {
    const key = r.consumer?.id ?? '';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { id: key, name: consumerName(r.consumer), total: 0, 2: 0, 3: 0, 4: 0, 5: 0, 0: 0 }));
    const c = statusClass(r.status);
    g[c >= 2 ? c : 0]++;
    g.total++;
  }
  return [...groups.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name)).slice(0, limit);
}
