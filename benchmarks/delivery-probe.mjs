// `node benchmarks/delivery-probe.mjs [--rate 1500,3000] [--duration 10] [--collector own|beside]`:
// does every served request's log arrive once at a fixed rate? The local collector runs in its own
// process (own) or in this one, beside autocannon (beside); node:http GET /json under the preload;
// after the load, the app's counters, then SIGTERM. One line per rate: served, logs stored
// (unique _ids), second copies, the SDK's counters and its stderr. Never block this event loop while
// the collector is in it (no execFileSync): its answers would time out and be sent again.
import { fork, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/server.mjs';

const require = createRequire(import.meta.url);
const KEY = 'rdme_probe_key_1234';
const collectorModule = join(ROOT, 'dist', 'inspector', 'collector.js');

if (process.argv[2] === '--collector-child') {
  const c = await require(collectorModule).startCollector({ token: KEY, dashboard: false, maxEntries: 10_000_000 });
  process.on('message', (m) => (m === 'count' ? process.send(counts(c)) : c.close().then(() => process.exit(0))));
  process.send({ url: c.url });
} else {
  const { values } = parseArgs({ options: { rate: { type: 'string', default: '1500,3000' }, duration: { type: 'string', default: '10' }, collector: { type: 'string', default: 'own' } } });
  for (const rate of values.rate.split(',').map(Number)) console.log(JSON.stringify(await probe(rate, Number(values.duration), values.collector)));
}

function counts(c) {
  return { stored: c.store.size, duplicates: c.store.duplicates, posts: c.postCounts.total, refused: c.postCounts.refused };
}

async function startCollector(where) {
  if (where !== 'own') {
    const c = await require(collectorModule).startCollector({ token: KEY, dashboard: false, maxEntries: 10_000_000 });
    return { url: c.url, count: async () => counts(c), close: () => c.close() };
  }
  const child = fork(new URL(import.meta.url).pathname, ['--collector-child'], { stdio: 'inherit' });
  const { url } = await new Promise((resolve) => child.once('message', resolve));
  const count = () => new Promise((resolve) => (child.once('message', resolve), child.send('count')));
  return { url, count, close: () => new Promise((resolve) => (child.once('exit', resolve), child.send('close'))) };
}

async function probe(rate, duration, where) {
  const collector = await startCollector(where);
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, README_METRICS_SERVER: collector.url, README_API_URL: collector.url, README_API_KEY: KEY, README_METRICS_CACHE_DIR: join(ROOT, 'test-output', 'cache') };
  const app = spawn(process.execPath, ['--require', join(ROOT, 'register.js'), join(ROOT, 'test', 'fixtures', 'apps', 'http-basic.cjs')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = () => app.exitCode === null && app.signalCode === null && app.kill('SIGKILL');
  process.once('exit', kill);
  let stderr = '';
  app.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => app.once('exit', resolve));
  try {
    const port = await new Promise((resolve, reject) => {
      let out = '';
      app.stdout.on('data', (d) => (out += d) && /listening (\d+)/.test(out) && resolve(Number(/listening (\d+)/.exec(out)[1])));
      app.once('exit', () => reject(new Error(`the app exited before listening:\n${stderr}`)));
    });
    const result = await require('autocannon')({ url: `http://127.0.0.1:${port}/json`, connections: 10, duration, overallRate: rate });
    // A moment for the last batches (one flushInterval), then the counters: that read is a request too,
    // logged after it answers, hence the + 1 below.
    await sleep(1500);
    const stats = await (await fetch(`http://127.0.0.1:${port}/__stats`)).json();
    app.kill('SIGTERM');
    await exited;
    // The last answers are in once the app is gone; the count only has to stop moving.
    let count = await collector.count();
    for (let last = -1; count.stored !== last; await sleep(500)) [last, count] = [count.stored, await collector.count()];
    const served = stats.queued + stats.dropped + stats.skipped + 1;
    const warnings = stderr.split('\n').filter((l) => l.startsWith('readme-metrics:'));
    return { rate, duration, collector: where, answered: result.requests.total, served, ...count, lost: served - count.stored, sdk: stats, warnings };
  } finally {
    kill();
    await collector.close();
  }
}
