// How a process ends, with the preload and without: on every exit path (natural end, process.exit,
// crashes, SIGTERM/SIGINT with or without the shutdown libraries apps really use) the exit code,
// signal and the app's own output are the same as without the preload, and the log of every request
// the app served reaches the collector, in worker mode and in-process mode alike.
import { expect } from 'chai';
import { entryOf, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

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
  { id: 'grace-throw', handler: 'close-with-grace', end: 'throw' },
  { id: 'exithook-exit-4', handler: 'exit-hook', end: 'exit&code=4' },
  { id: 'sigexit4-natural', handler: 'signal-exit4', end: 'close' },
  ...['none', 'signal-exit3', 'signal-exit4', 'close-with-grace', 'async-exit-hook', 'exit-hook', 'app-exits', 'server-close'].map((handler) => ({
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
