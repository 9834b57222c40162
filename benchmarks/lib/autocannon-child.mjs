// Runs in its own process (pinned to the load CPU): an optional warmup, then the measured run.
// Prints a mark when the measured run starts, then one JSON line with the measured result, then with
// spec.rate one line with the latency at that fixed rate.
import { createRequire } from 'node:module';
import { realtimeSelf } from './cpu.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

const spec = JSON.parse(process.argv[2]);

function run(duration, overallRate, connections = spec.connections) {
  return autocannon({
    url: spec.url,
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
    connections,
    pipelining: spec.pipelining,
    duration,
    overallRate,
    timeout: 10,
  });
}

if (spec.warmup > 0) await run(spec.warmup);
// The parent pins threads and reads their CPU time at this mark.
process.stdout.write(`${JSON.stringify({ phase: 'measuring' })}\n`);
const r = await run(spec.duration);
process.stdout.write(
  `${JSON.stringify({
    duration: r.duration,
    rps: r.requests.average,
    sent: r.requests.sent,
    answered: r.requests.total,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latency: { mean: r.latency.mean, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
  })}\n`,
);
// At full load p99 is mostly the queue in front of a saturated event loop; at a fixed rate the app
// keeps up, so what the SDK adds to each request shows on its own. autocannon's histogram keeps whole
// milliseconds; the targets are in tenths, so the fixed-rate percentiles come from each response's
// own time.
if (spec.rate > 0) {
  // A quiet moment first: what the SDKs still hold from the full-load run is sent, so this run sees
  // each app in its steady state at this rate, not draining a backlog.
  await new Promise((resolve) => setTimeout(resolve, spec.rateSettle * 1000));
  // Clients stand on other machines: nothing of the app's may delay them. Sharing a core with the
  // app's other threads, autocannon at normal priority waits behind them (the SDK's worker compresses
  // a batch in 1-2 ms), and that wait counts as the SDK's latency: measured on Express GET, +1 to +2
  // ms at p99 that were not the app's. The collector shares the core too. Only now: under full load
  // a real-time autocannon would starve the app's other threads, whose CPU time that run measures.
  const priority = spec.realtime && realtimeSelf() ? 'real-time' : 'normal';
  const times = [];
  // One connection: each request meets an app that is otherwise idle, so the time added is the SDK's
  // own, not a queue of other connections' requests (autocannon fires all connections on one tick).
  const instance = run(spec.rateDuration, spec.rate, 1);
  instance.on('response', (client, statusCode, bytes, ms) => {
    if (statusCode >= 200 && statusCode < 300) times.push(ms);
  });
  const f = await instance;
  times.sort((a, b) => a - b);
  const at = (q) => (times.length ? Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] * 100) / 100 : null);
  process.stdout.write(
    `${JSON.stringify({
      fixed: {
        rate: spec.rate,
        priority,
        rps: f.requests.average,
        answered: f.requests.total,
        bad: f.non2xx + f.errors,
        latency: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) },
      },
    })}\n`,
  );
}
