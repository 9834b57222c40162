// What a batch costs the worker between a log's JSON and the request body, per log, on real logs:
// the Express bench app under the preload serves mixed traffic, the logs its SDK sends to a local
// collector are the corpus, then each way of queueing and encoding them runs over that corpus.
//   node benchmarks/encode.mjs [--requests 1200] [--runs 5] [--logs 20000]
// `join`: the queue of strings joined per batch, then gzipped (before #24); `arena`: each log written
// once into the queue's reused buffer, the batch a slice of it (src/transport/log-queue.ts).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { startCountingCollector, sdkEnv } from './lib/collector.mjs';
import { pinningPlan } from './lib/cpu.mjs';
import { OUTPUT, ROOT, startServer } from './lib/server.mjs';

const require = createRequire(import.meta.url);
const { LogQueue } = require(join(ROOT, 'dist', 'transport', 'log-queue.js'));
const { values } = parseArgs({ options: { requests: { type: 'string', default: '1200' }, runs: { type: 'string', default: '5' }, logs: { type: 'string', default: '20000' } } });

/** A deterministic generator, so every run sees the same traffic. */
function random(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function jsonBody(rnd, bytes) {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'épsilon', '日本', 'user', 'order', 'total', 'id'];
  const body = {};
  let i = 0;
  while (JSON.stringify(body).length < bytes) body[`${words[i % words.length]}${i++}`] = rnd() < 0.5 ? Math.round(rnd() * 1e6) : words[Math.floor(rnd() * words.length)].repeat(1 + Math.floor(rnd() * 4));
  return JSON.stringify(body);
}

/** Mixed traffic: GETs with varied queries, POSTs of 50 B to 4 KB (some 16 KB), 404s, a few callers. */
async function corpus(requests) {
  const sink = await startCountingCollector({ maxEntries: requests + 100 });
  const plan = pinningPlan({ pin: false });
  const server = await startServer({ app: 'express.cjs', preload: true, env: sdkEnv(sink.collector.url, join(OUTPUT, 'cache')), plan });
  const rnd = random(24);
  try {
    for (let i = 0; i < requests; i++) {
      const r = rnd();
      const headers = { 'x-api-key': `key-${i % 7}`, 'user-agent': `client/${i % 3}`, accept: 'application/json' };
      if (r < 0.4) await fetch(`${server.url}/json?page=${i}&q=${encodeURIComponent(jsonBody(rnd, 20))}`, { headers });
      else if (r < 0.9) {
        const size = rnd() < 0.1 ? 16_384 : 50 + Math.floor(rnd() * 4_000);
        await fetch(`${server.url}/echo`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: jsonBody(rnd, size) });
      } else await fetch(`${server.url}/missing/${i}`, { headers });
    }
    const deadline = Date.now() + 20_000;
    while (sink.collector.store.all().length < requests && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return sink.collector.store.all().map((stored) => JSON.stringify(stored.log));
  } finally {
    await server.stop();
    await sink.collector.close();
  }
}

/** CPU µs per log and gzip bytes per log of one way of queueing `total` logs in batches of `size`. */
function measure(way, logs, total, size, level) {
  const queue = new LogQueue();
  let strings = [];
  let wire = 0;
  const before = process.cpuUsage();
  for (let i = 0; i < total; i++) {
    const json = logs[i % logs.length];
    if (way === 'join') strings.push(json);
    else queue.push(json, Infinity);
    if ((i + 1) % size !== 0) continue;
    if (way === 'join') {
      const body = `[${strings.join(',')}]`;
      strings = [];
      wire += level === null ? Buffer.from(body).length : gzipSync(body, { level }).length;
    } else {
      const body = queue.take(size, level === null);
      wire += level === null ? body.length : gzipSync(body, { level }).length;
    }
  }
  const used = process.cpuUsage(before);
  return { us: (used.user + used.system) / total, wire: wire / total };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const logs = await corpus(Number(values.requests));
const jsonBytes = logs.reduce((n, l) => n + Buffer.byteLength(l), 0) / logs.length;
console.log(`corpus: ${logs.length} logs from the Express app under the preload, ${jsonBytes.toFixed(0)} JSON bytes a log on average`);
console.log('CPU µs per log (user + system, median of runs) and bytes on the wire per log\n');
console.log('batch  level  join µs  arena µs  bytes/log');
const total = Number(values.logs);
for (const size of [10, 100, 500, 1000]) {
  for (const level of [null, 1, 3, 6]) {
    const runs = { join: [], arena: [], wire: 0 };
    for (let r = 0; r < Number(values.runs); r++) {
      // Alternating, so drift on a shared machine hits both alike.
      for (const way of r % 2 ? ['arena', 'join'] : ['join', 'arena']) {
        const m = measure(way, logs, total, size, level);
        runs[way].push(m.us);
        runs.wire = m.wire;
      }
    }
    console.log(`${String(size).padStart(5)}  ${String(level ?? 'none').padStart(5)}  ${median(runs.join).toFixed(2).padStart(7)}  ${median(runs.arena).toFixed(2).padStart(8)}  ${runs.wire.toFixed(0).padStart(9)}`);
  }
}
