// Runs in its own process (pinned to the load CPU): an optional warmup, then the measured run.
// Prints a mark when the measured run starts, then one JSON line with the measured result.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

const spec = JSON.parse(process.argv[2]);

function run(duration) {
  return autocannon({
    url: spec.url,
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
    connections: spec.connections,
    pipelining: spec.pipelining,
    duration,
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
