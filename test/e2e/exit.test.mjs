// How a process ends, with the preload and without: on every exit path (natural end, process.exit,
// crashes, SIGTERM/SIGINT with or without the shutdown libraries apps really use) the exit code,
// signal and the app's own output are the same as without the preload, and the log of every request
// the app served reaches the collector, in worker mode and in-process mode alike.
import { expect } from 'chai';
import http from 'node:http';
import { createServer } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { entryOf, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const GROUPING_CONFIG = fileURLToPath(new URL('../fixtures/configs/grouping-slow', import.meta.url));

const VARIANTS = [
  { name: 'worker', preload: 'require', env: {} },
  { name: 'in-process', preload: 'require', env: { README_BACKGROUND_WORKER_MODE: 'false' } },
  { name: 'no preload', preload: 'none', env: {} },
];

// end: a GET /bye?how=... the app acts on after answering, or a signal sent once requests were served.
const CASES = [
  { id: 'natural', handler: 'none', end: 'close' },
  { id: 'exit-3', handler: 'none', end: 'exit&code=3' },
  { id: 'throw', handler: 'none', end: 'throw' },
  { id: 'reject', handler: 'none', end: 'reject' },
  { id: 'exit-now-6', handler: 'none', end: 'exit-now&code=6' },
  { id: 'throw-now', handler: 'none', end: 'throw-now' },
  { id: 'grace-throw', handler: 'close-with-grace', end: 'throw' },
  { id: 'exithook-exit-4', handler: 'exit-hook', end: 'exit&code=4' },
  { id: 'sigexit4-natural', handler: 'signal-exit4', end: 'close' },
  // exit-hook calls process.exit() from beforeExit, where our own flush has just started sending.
  { id: 'exithook-natural', handler: 'exit-hook', end: 'close' },
  { id: 'grace-exit-5', handler: 'close-with-grace', end: 'exit&code=5' },
  ...['none', 'signal-exit3', 'signal-exit4', 'close-with-grace', 'async-exit-hook', 'exit-hook', 'app-exits', 'app-prepends-once', 'server-close'].map((handler) => ({
    id: `term-${handler}`,
    handler,
    signal: 'SIGTERM',
  })),
  ...['none', 'signal-exit3', 'signal-exit4', 'exit-hook'].map((handler) => ({ id: `int-${handler}`, handler, signal: 'SIGINT' })),
];

const SERVED = 3;
// A deadline, not an expectation: on a loaded 2-core box a worker thread can take seconds to start.
const SHUTDOWN_TIMEOUT_MS = 10_000;
const HUNG_MS = SHUTDOWN_TIMEOUT_MS + 10_000;

/** What a test compares between runs: the app's own output, without the port or stack frames. */
const stdoutOf = (app) => app.stdout().replace(/^listening \d+\n/m, '');
const stderrOf = (app) =>
  app
    .stderr()
    .split('\n')
    .filter((l) => !/^\s+at /.test(l))
    .join('\n');

async function run(collector, c, variant) {
  const app = await startApp('exit-paths.mjs', {
    collector: variant.preload === 'none' ? undefined : collector,
    preload: variant.preload,
    // Nothing goes out on a timer or a full batch: what arrives was delivered by the exit path.
    env: {
      EXIT_HANDLER: c.handler,
      README_FLUSH_INTERVAL: '60000',
      README_BUFFER_LENGTH: '100',
      README_SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT_MS),
      ...variant.env,
    },
  });
  const tag = (i) => `case=${c.id}&v=${encodeURIComponent(variant.name)}&i=${i}`;
  const served = [];
  for (let i = 0; i < SERVED; i++) {
    if ((await request(`${app.url}/json?${tag(i)}`)).status === 200) served.push(tag(i));
  }
  const t0 = Date.now();
  if (c.end) {
    const query = `how=${c.end}&${tag('bye')}`;
    if ((await request(`${app.url}/bye?${query}`)).status === 200) served.push(query);
  } else {
    app.proc.kill(c.signal);
  }
  const hung = setTimeout(() => app.proc.kill('SIGKILL'), HUNG_MS);
  const { code, signal } = await app.exited;
  clearTimeout(hung);
  return { code, signal, ms: Date.now() - t0, stdout: stdoutOf(app), stderr: stderrOf(app), rawStderr: app.stderr(), served };
}

/** Runs fn over items, at most `limit` at a time. */
async function pool(items, limit, fn) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (queue.length) await fn(queue.shift());
    }),
  );
}

describe('exit paths', function () {
  this.timeout(180_000);
  let collector;
  const results = new Map();
  const urls = () => new Set(collector.store.all().map((s) => entryOf(s.log).request.url.split('?')[1]));

  before(async () => {
    collector = await startCollector();
    const runs = CASES.flatMap((c) => VARIANTS.map((v) => [c, v]));
    await pool(runs, 4, async ([c, v]) => {
      try {
        results.set(`${c.id}/${v.name}`, await run(collector, c, v));
      } catch (err) {
        results.set(`${c.id}/${v.name}`, { error: err });
      }
    });
  });
  after(() => collector?.close());

  for (const c of CASES) {
    it(`${c.id}: ${c.signal ?? `/bye?how=${c.end}`} with ${c.handler === 'none' ? 'no handler' : c.handler}`, async () => {
      const bare = results.get(`${c.id}/no preload`);
      if (bare.error) throw bare.error;
      expect(bare.ms, 'the app without the preload ended by itself').to.be.below(HUNG_MS);
      for (const v of VARIANTS.slice(0, 2)) {
        const r = results.get(`${c.id}/${v.name}`);
        if (r.error) throw r.error;
        const what = `${v.name} vs no preload`;
        expect({ code: r.code, signal: r.signal }, what).to.deep.equal({ code: bare.code, signal: bare.signal });
        expect(r.stdout, `stdout, ${what}`).to.equal(bare.stdout);
        expect(r.stderr, `stderr, ${what}`).to.equal(bare.stderr);
        expect(r.ms, `time to exit, ${v.name}`).to.be.below(bare.ms + SHUTDOWN_TIMEOUT_MS + 2_000);
        expect(r.served).to.have.length(c.end ? SERVED + 1 : SERVED);
        await waitForLogs(collector, r.served.length, { timeout: 3_000, filter: (l) => r.served.includes(entryOf(l).request.url.split('?')[1]) }).catch(() => {});
        const got = urls();
        for (const u of r.served) expect(got.has(u), `log of ${u} (${v.name}, exited after ${r.ms} ms; stderr: ${r.rawStderr})`).to.equal(true);
      }
    });
  }
});

describe('exit paths, the edges', function () {
  this.timeout(60_000);
  let collector;
  before(async () => (collector = await startCollector()));
  after(() => collector.close());

  it('requests an async groupingFunction has not identified at process.exit() are counted and said, the rest logged', async () => {
    await Promise.all(
      VARIANTS.slice(0, 2).map(async (v) => {
        const app = await startApp('exit-paths.mjs', { collector, cwd: GROUPING_CONFIG, env: { GROUPING_DELAY: '0', README_GROUPING_TIMEOUT: '10000', ...v.env } });
        const tag = `unidentified=${encodeURIComponent(v.name)}`;
        await request(`${app.url}/json?${tag}&i=known`);
        await request(`${app.url}/json?${tag}&i=waits`, { headers: { 'x-grouping-delay': 'never' } });
        await request(`${app.url}/bye?how=exit&code=7&${tag}&i=bye`);
        const { code, signal } = await app.exited;
        expect({ code, signal }, v.name).to.deep.equal({ code: 7, signal: null });
        expect(app.stderr(), v.name).to.equal(
          'readme-metrics: dropped 1 log(s): groupingFunction had not answered when the process exited (total dropped: 1; sent without bodies: 0)\n',
        );
        const logs = await waitForLogs(collector, 2, { filter: (l) => entryOf(l).request.url.includes(tag) });
        expect(logs.map((l) => new URL(entryOf(l).request.url).searchParams.get('i')).sort(), v.name).to.deep.equal(['bye', 'known']);
      }),
    );
  });

  it('an app whose SIGTERM handler keeps running keeps running, and keeps logging', async () => {
    await Promise.all(
      VARIANTS.map(async (v) => {
        const app = await startApp('exit-paths.mjs', {
          collector: v.preload === 'none' ? undefined : collector,
          preload: v.preload,
          env: { EXIT_HANDLER: 'app-keeps', ...v.env },
        });
        try {
          const tag = `keeps=${encodeURIComponent(v.name)}`;
          await request(`${app.url}/json?${tag}&i=before`);
          app.proc.kill('SIGTERM');
          const deadline = Date.now() + 10_000;
          while (!app.stdout().includes('keeps serving') && Date.now() < deadline) await sleep(20);
          expect(app.stdout()).to.include('app got SIGTERM, keeps serving');
          expect((await request(`${app.url}/json?${tag}&i=after`)).status).to.equal(200);
          if (v.preload !== 'none') await waitForLogs(collector, 2, { filter: (l) => entryOf(l).request.url.includes(tag) });
          expect(app.proc.exitCode, v.name).to.equal(null);
          expect(app.proc.signalCode, v.name).to.equal(null);
        } finally {
          await app.stop('SIGKILL');
        }
      }),
    );
  });

  it('a Metrics API that never answers delays process.exit() by at most shutdownTimeout, exit code unchanged', async () => {
    const sockets = [];
    const hang = createServer((sock) => sockets.push(sock));
    await new Promise((r) => hang.listen(0, '127.0.0.1', r));
    try {
      await Promise.all(
        VARIANTS.slice(0, 2).map(async (v) => {
          const app = await startApp('exit-paths.mjs', {
            env: {
              README_METRICS_SERVER: `http://127.0.0.1:${hang.address().port}`,
              README_API_URL: `http://127.0.0.1:${hang.address().port}`,
              README_API_KEY: 'k',
              README_SHUTDOWN_TIMEOUT: '1000',
              README_TIMEOUT: '30',
              README_FLUSH_INTERVAL: '60000',
              ...v.env,
            },
          });
          await request(`${app.url}/json`);
          const t0 = Date.now();
          await request(`${app.url}/bye?how=exit&code=7`);
          const { code, signal } = await app.exited;
          expect({ code, signal }, v.name).to.deep.equal({ code: 7, signal: null });
          expect(Date.now() - t0, v.name).to.be.below(4_000);
          expect(app.stderr(), v.name).to.equal('');
        }),
      );
    } finally {
      for (const sock of sockets) sock.destroy();
      hang.close();
    }
  });
});

describe('exit paths, impatience', function () {
  this.timeout(30_000);

  it('a second SIGINT while the SDK delivers ends the process at once, by SIGINT', async () => {
    const sockets = [];
    const hang = createServer((sock) => sockets.push(sock));
    await new Promise((r) => hang.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${hang.address().port}`;
    try {
      const app = await startApp('exit-paths.mjs', {
        env: { README_METRICS_SERVER: url, README_API_URL: url, README_API_KEY: 'k', README_SHUTDOWN_TIMEOUT: '20000', README_TIMEOUT: '30', README_METRICS_DEBUG: '1' },
      });
      await request(`${app.url}/json`);
      app.proc.kill('SIGINT');
      const deadline = Date.now() + 10_000;
      while (!app.stderr().includes('SIGINT: flushing before exit') && Date.now() < deadline) await sleep(20);
      // A second press, not the first one passed on again: those come within a second (signal-echo.test.mjs).
      await sleep(1_100);
      const t0 = Date.now();
      app.proc.kill('SIGINT');
      const { code, signal } = await app.exited;
      expect({ code, signal }).to.deep.equal({ code: null, signal: 'SIGINT' });
      expect(Date.now() - t0).to.be.below(5_000);
    } finally {
      for (const sock of sockets) sock.destroy();
      hang.close();
    }
  });
});

describe('exit paths, a send in flight', function () {
  this.timeout(30_000);

  it('in-process mode: a batch whose send was under way at process.exit() is sent again on exit', async () => {
    // A Metrics API that holds the first batch without answering, then answers the rest.
    const posts = [];
    const held = [];
    const api = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (req.url !== '/v1/request') return res.end('{}');
        const body = Buffer.concat(chunks);
        const logs = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString());
        posts.push(logs);
        if (posts.length === 1) return held.push(res);
        res.end('{}');
      });
    });
    await new Promise((r) => api.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${api.address().port}`;
    try {
      const app = await startApp('exit-paths.mjs', {
        env: { README_METRICS_SERVER: url, README_API_URL: url, README_API_KEY: 'k', README_BACKGROUND_WORKER_MODE: 'false', README_BUFFER_LENGTH: '1' },
      });
      await request(`${app.url}/json?inflight=first`);
      const deadline = Date.now() + 10_000;
      while (posts.length === 0 && Date.now() < deadline) await sleep(20);
      expect(posts, 'the first batch reached the API').to.have.length(1);
      await request(`${app.url}/bye?how=exit&code=0&inflight=bye`);
      const { code, signal } = await app.exited;
      expect({ code, signal }).to.deep.equal({ code: 0, signal: null });
      const answered = posts.slice(1).flat().map((log) => entryOf(log).request.url);
      expect(answered.some((u) => u.includes('inflight=first')), JSON.stringify(answered)).to.equal(true);
      expect(answered.some((u) => u.includes('inflight=bye')), JSON.stringify(answered)).to.equal(true);
    } finally {
      for (const res of held) res.destroy();
      api.close();
    }
  });
});

describe('getStats', function () {
  this.timeout(30_000);
  let collector;
  before(async () => (collector = await startCollector()));
  after(() => collector.close());

  for (const mode of ['true', 'false']) {
    it(`is current at once, never goes back, and survives shutdown() (backgroundWorkerMode=${mode})`, async () => {
      const app = await startApp('stats-app.cjs', {
        collector,
        env: { README_BACKGROUND_WORKER_MODE: mode, README_IGNORE_PATHS: '/__stats,/__shutdown', README_FLUSH_INTERVAL: '200' },
      });
      const stats = async () => JSON.parse((await request(`${app.url}/__stats`)).body);
      try {
        for (let i = 0; i < 5; i++) await request(`${app.url}/json?stats=${mode}-${i}`);
        // Right after the responses: what the app's thread captured shows, whatever the worker is doing.
        const first = await stats();
        expect(first.queued, JSON.stringify(first)).to.equal(5);
        expect(first.sent + first.pending + first.failed + first.dropped).to.equal(5);
        // Sent as the timer fires; every reading on the way is at least the one before.
        const readings = [first];
        const deadline = Date.now() + 10_000;
        while (readings.at(-1).sent < 5 && Date.now() < deadline) {
          await sleep(20);
          readings.push(await stats());
        }
        for (let i = 1; i < readings.length; i++) {
          for (const k of ['queued', 'sent', 'dropped', 'failed', 'skipped']) {
            expect(readings[i][k], `${k} at reading ${i}`).to.be.at.least(readings[i - 1][k]);
          }
        }
        expect(readings.at(-1)).to.include({ queued: 5, sent: 5, pending: 0 });
        await request(`${app.url}/json?stats=${mode}-last`);
        const { returned, after } = JSON.parse((await request(`${app.url}/__shutdown`)).body);
        expect(returned).to.include({ queued: 6, sent: 6, pending: 0 });
        expect(after).to.deep.equal(returned);
        expect(await stats()).to.deep.equal(returned);
      } finally {
        await app.stop();
      }
    });
  }
});
