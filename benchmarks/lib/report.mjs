// Turns per-round measurements into one row per scenario and variant, and prints the table.
import { mb } from './memory.mjs';

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

const sum = (values) => values.reduce((a, b) => a + (b ?? 0), 0);
const round = (x, digits = 2) => (x === null || x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** rounds: [{ scenario, variant, round, result | error }] -> one summary per scenario x variant. */
export function summarize(rounds, scenarios, variants) {
  const rows = [];
  for (const scenario of scenarios) {
    const byVariant = new Map();
    for (const variant of variants) {
      const forRow = rounds.filter((r) => r.scenario === scenario.name && r.variant === variant.name);
      const mine = forRow.filter((r) => !r.sideBySide);
      const paired = forRow.filter((r) => r.sideBySide && r.result);
      const ok = mine.filter((r) => r.result).map((r) => r.result);
      const served = sum(ok.map((r) => r.served));
      const delivered = ok.every((r) => r.delivered === null) ? null : sum(ok.map((r) => r.delivered));
      const row = {
        scenario: scenario.name,
        variant: variant.name,
        title: variant.title,
        baseline: variant.baseline ?? null,
        rounds: ok.length,
        failedRounds: mine.filter((r) => r.error).map((r) => r.error),
        rps: round(median(ok.map((r) => r.rps)), 0),
        rpsPerRound: ok.map((r) => round(r.rps, 0)),
        p50: median(ok.map((r) => r.p50)),
        p99: median(ok.map((r) => r.p99)),
        rate: ok.find((r) => r.fixed)?.fixed.rate ?? null,
        rateP50: median(ok.map((r) => r.fixed?.latency.p50)),
        rateP99: median(ok.map((r) => r.fixed?.latency.p99)),
        loopUs: round(median(ok.map((r) => r.loopUs)), 1),
        otherUs: round(median(ok.map((r) => r.otherUs)), 1),
        peakRssMB: mb(ok.length ? Math.max(...ok.map((r) => r.peakRss ?? 0)) || null : null),
        served,
        delivered,
        deliveredPct: delivered === null || !served ? null : round((100 * delivered) / served, 2),
        // Of those delivered, the logs the SDK sent without their bodies (its queue past half full).
        shed: ok.some((r) => r.sdk) ? sum(ok.map((r) => r.sdk?.shed ?? 0)) : null,
        badResponses: sum(ok.map((r) => r.non2xx + r.errors + r.timeouts)),
        sdk: ok.length ? ok[ok.length - 1].sdk : null,
        ratio: null,
        sameCoreRatio: paired.length ? round(median(paired.map((r) => r.result.ratio)), 3) : null,
        sameCorePerRound: paired.map((r) => round(r.result.ratio, 3)),
        p99Added: null,
        rateP99Added: null,
        addedUs: null,
      };
      byVariant.set(variant.name, row);
      rows.push(row);
    }
    for (const row of byVariant.values()) {
      const base = row.baseline && byVariant.get(row.baseline);
      if (!base) continue;
      if (base.rps && row.rps !== null) row.ratio = round(row.rps / base.rps, 3);
      if (base.p99 !== null && row.p99 !== null) row.p99Added = round(row.p99 - base.p99, 2);
      if (base.rateP99 !== null && row.rateP99 !== null) row.rateP99Added = round(row.rateP99 - base.rateP99, 2);
      // What a log costs in all: CPU of every thread of the app per request, over the baseline's.
      if ([row.loopUs, row.otherUs, base.loopUs, base.otherUs].every((x) => x !== null)) row.addedUs = round(row.loopUs + row.otherUs - base.loopUs - base.otherUs, 1);
    }
  }
  return rows;
}

const COLUMNS = [
  ['scenario', (r) => r.scenario, 'l'],
  ['variant', (r) => r.variant, 'l'],
  ['req/s', (r) => fmt(r.rps, 0)],
  ['vs base', (r) => (r.ratio === null ? (r.baseline ? '?' : 'base') : `${fmt(r.ratio * 100, 1)}%`)],
  ['same core', (r) => (r.sameCoreRatio === null ? '' : `${fmt(r.sameCoreRatio * 100, 1)}%`)],
  ['p50 ms', (r) => fmt(r.p50, 1)],
  ['p99 ms', (r) => fmt(r.p99, 1)],
  ['+p99 ms', (r) => (r.p99Added === null ? (r.baseline ? '?' : '') : signed(r.p99Added))],
  ['p50/p99 ms @rate', (r) => (r.rateP99 === null ? '-' : `${fmt(r.rateP50, 1)}/${fmt(r.rateP99, 1)}`)],
  ['+p99 @rate', (r) => (r.rateP99Added === null ? (r.baseline && r.rate ? '?' : '') : signed(r.rateP99Added))],
  ['loop µs/req', (r) => fmt(r.loopUs, 1)],
  ['other µs/req', (r) => fmt(r.otherUs, 1)],
  ['µs/log', (r) => (r.addedUs === null ? (r.baseline ? '?' : '') : signed(r.addedUs))],
  ['peak RSS MB', (r) => fmt(r.peakRssMB, 1)],
  ['logs delivered', (r) => (r.deliveredPct === null ? '' : `${fmt(r.deliveredPct, 2)}% (${r.delivered}/${r.served})`)],
  ['w/o bodies', (r) => (r.shed === null ? '' : String(r.shed))],
  ['bad resp', (r) => String(r.badResponses)],
  ['rounds', (r) => (r.failedRounds.length ? `${r.rounds} (+${r.failedRounds.length} failed)` : String(r.rounds))],
];

function fmt(x, digits) {
  return x === null || x === undefined ? '-' : x.toFixed(digits);
}

function signed(x) {
  return `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
}

export function formatTable(rows) {
  const cells = rows.map((r) => COLUMNS.map(([, get]) => get(r)));
  const widths = COLUMNS.map(([name], i) => Math.max(name.length, ...cells.map((c) => c[i].length)));
  const line = (values) =>
    values.map((v, i) => (COLUMNS[i][2] === 'l' ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(COLUMNS.map(([name]) => name)), line(widths.map((w) => '-'.repeat(w)))];
  let previous;
  for (let i = 0; i < rows.length; i++) {
    if (previous !== undefined && rows[i].scenario !== previous) out.push('');
    previous = rows[i].scenario;
    out.push(line(cells[i]));
  }
  return out.join('\n');
}
