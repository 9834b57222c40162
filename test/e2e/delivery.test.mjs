// Delivery to the Metrics API: batching, timers, auth, backoff, bounded memory, flush on exit and on
// signals, background worker on and off, cluster workers.
import { expect } from 'chai';
import { createServer } from 'node:net';
import http from 'node:http';
import { byPath, entryOf, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

const stats = async (app) => JSON.parse((await request(`${app.url}/__stats`)).body);

/** Polls until check() is truthy; fails with what it last saw at the deadline. */
async function waitFor(check, { timeout = 10_000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The app's counters once they satisfy done(): the worker reports them a few times a second. */
async function waitForStats(app, done, timeout = 10_000) {
  let last;
  try {
    await waitFor(async () => done((last = await stats(app))), { timeout });
  } catch {
    throw new Error(`counters never settled: ${JSON.stringify(last)}`);
  }
  return last;
}

describe('delivery', function () {
  let collector;
  beforeEach(async () => (collector = await startCollector()));
  afterEach(() => collector.close());

  it('sends a full batch at bufferLength, with Basic auth, gzip and the User-Agent', async () => {
    const app = await startApp('http-basic.cjs', { collector, env: { README_BUFFER_LENGTH: '5', README_FLUSH_INTERVAL: '60000' } });
    try {
      for (let i = 0; i < 5; i++) await request(`${app.url}/json?batch=${i}`);
      await waitForLogs(collector, 5);
      const post = collector.posts.find((p) => p.count > 0);
      expect(post.count).to.equal(5);
      expect(post.headers.authorization).to.equal(`Basic ${Buffer.from('rdme_test_key_1234:').toString('base64')}`);
      expect(post.headers['content-type']).to.equal('application/json');
      expect(post.headers['content-encoding']).to.equal('gzip');
      expect(post.headers['user-agent']).to.match(/^readme-metrics\/\d+\.\d+\.\d+/);
    } finally {
      await app.stop();
    }
  });

  for (const mode of ['true', 'false']) {
    it(`coalesces a burst into a few larger batches, still delivering every log (backgroundWorkerMode=${mode})`, async () => {
      const app = await startApp('http-basic.cjs', {
        collector,
        env: { README_BUFFER_LENGTH: '1', README_FLUSH_INTERVAL: '60000', README_BACKGROUND_WORKER_MODE: mode },
      });
      try {
        for (let i = 0; i < 40; i++) await request(`${app.url}/json?burst=${i}`);
        await waitForLogs(collector, 40, { filter: (log) => entryOf(log).request.url.includes('burst=') });
        const posts = collector.posts.filter((p) => p.count > 0);
        expect(posts.reduce((n, p) => n + p.count, 0)).to.equal(40);
        expect(posts.length).to.be.below(10);
      } finally {
        await app.stop();
      }
    });
  }

  // A call costs about a millisecond of the worker's CPU whatever it carries: at the defaults, steady
  // traffic goes out about once a second (flushInterval), not at every bufferLength logs.
  for (const mode of ['true', 'false']) {
    it(`sends steady traffic about once per flushInterval at the defaults, every log included (backgroundWorkerMode=${mode})`, async () => {
      const app = await startApp('http-basic.cjs', { collector, env: { README_FLUSH_INTERVAL: undefined, README_BACKGROUND_WORKER_MODE: mode } });
      try {
        const started = Date.now();
        let sent = 0;
        const client = async () => {
          while (Date.now() - started < 2_000) {
            await request(`${app.url}/json?steady=${sent++}`);
            await sleep(5);
          }
        };
        await Promise.all([client(), client(), client()]);
        const elapsed = Date.now() - started;
        await waitForLogs(collector, sent, { filter: (log) => entryOf(log).request.url.includes('steady='), timeout: 10_000 });
        const calls = collector.posts.filter((p) => p.count > 0).length;
        // With bufferLength 10 the first call goes at once, then one per second at most: over 2 s of
        // traffic (and whatever a slow machine adds), never the one call per 10 logs it would be otherwise.
        expect(sent).to.be.above(30);
        expect(calls).to.be.at.most(Math.ceil(elapsed / 1000) + 2);
      } finally {
        await app.stop();
      }
    });
  }

  it('sends a lone request on the default timer, within a few seconds', async () => {
    const app = await startApp('http-basic.cjs', { collector, env: { README_FLUSH_INTERVAL: undefined } });
    try {
      await request(`${app.url}/json?lone=1`);
      await waitForLogs(collector, 1, { timeout: 4_000 });
    } finally {
      await app.stop();
    }
  });

  for (const mode of ['true', 'false']) {
    it(`delivers the same logs with backgroundWorkerMode=${mode}`, async () => {
      const app = await startApp('http-basic.cjs', { collector, env: { README_BACKGROUND_WORKER_MODE: mode } });
      try {
        await request(`${app.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"mode":${mode}}` });
        const [log] = await waitForLogs(collector, 1, { filter: byPath('/echo') });
        expect(entryOf(log).request.postData.text).to.equal(`{"mode":${mode}}`);
      } finally {
        await app.stop();
      }
    });
  }

  it('flushes on beforeExit when the app ends on its own', async () => {
    const app = await startApp('oneshot.cjs', { collector, env: { README_FLUSH_INTERVAL: '60000' } });
    const { code } = await app.exited;
    expect(code).to.equal(0);
    const [log] = await waitForLogs(collector, 1, { timeout: 1000 });
    expect(entryOf(log).response.content.text).to.equal('once');
  });

  it('pauses after a 503 from the Metrics API and counts what failed', async () => {
    collector.setFailure(503);
    // /__stats unlogged: polling it must not add to the counts it reads.
    const app = await startApp('http-basic.cjs', { collector, env: { README_BUFFER_LENGTH: '1', README_IGNORE_PATHS: '/__stats' } });
    try {
      for (let i = 0; i < 5; i++) expect((await request(`${app.url}/json?fail=${i}`)).status).to.equal(200);
      // The worker starts, sends, hears the 503 and reports its counters on its own schedule (seconds on
      // a loaded machine, where a fixed 800 ms once saw no POST yet): wait until all five are accounted for.
      const s = await waitForStats(app, (c) => c.failed >= 1 && c.failed + c.pending === 5);
      await waitFor(() => app.stderr().includes('pausing for 15 s'), { what: 'the pause warning' });
      expect(collector.posts.filter((p) => p.status === 503)).to.have.length(1);
      // The refused batch holds what was queued when it went out (at least bufferLength); the rest
      // waits out the pause.
      expect(s.failed).to.be.at.least(1);
      expect(s.failed + s.pending).to.equal(5);
      expect(s.sent).to.equal(0);
    } finally {
      await app.stop();
    }
  });

  it('keeps memory bounded when the Metrics API refuses everything: drops are counted and reported once', async () => {
    collector.setFailure(401);
    const app = await startApp('http-basic.cjs', {
      collector,
      env: { README_MAX_QUEUE_ENTRIES: '20', README_BUFFER_LENGTH: '10', README_IGNORE_PATHS: '/__stats' },
    });
    try {
      // Once the worker has started (its first send was refused): until then what it has not read counts
      // against the same bound, and this test is about the queue itself. (getStats() counts a capture
      // as queued as soon as the app's thread hands it off, so `queued` no longer tells.)
      await request(`${app.url}/json?drop=first`);
      for (let i = 0; i < 50 && (await stats(app)).failed === 0; i++) await sleep(100);
      const statuses = [];
      for (let i = 0; i < 120; i++) statuses.push((await request(`${app.url}/json?drop=${i}`)).status);
      expect(statuses.every((s) => s === 200)).to.equal(true);
      await sleep(600);
      const s = await stats(app);
      expect(s.dropped).to.be.greaterThan(50);
      expect(s.pending).to.be.at.most(20);
      expect(s.dropped + s.failed + s.pending).to.equal(121);
      // Once a minute per reason; the total is the process's, whichever thread dropped.
      expect(app.stderr().match(/dropped \d+ log\(s\): the queue is full \(total dropped: \d+; sent without bodies: \d+\)/g)).to.have.length(1);
    } finally {
      await app.stop();
    }
  });

  it('keeps what waits for the background worker within the queue bounds when the app outruns it', async () => {
    // Large JSON bodies take the worker milliseconds each to redact and serialize, the app's thread
    // a fraction of that to copy: with a 4 MB queue, part of a fast burst cannot wait for the worker.
    const app = await startApp('http-basic.cjs', {
      collector,
      env: { README_MAX_QUEUE_BYTES: String(4 * 1024 * 1024), README_IGNORE_PATHS: '/__stats' },
    });
    try {
      const body = JSON.stringify({ rows: Array.from({ length: 1500 }, (_, i) => ({ id: i, password: `p${i}`, note: 'x'.repeat(40) })) });
      const send = () => request(`${app.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const answers = [];
      for (let wave = 0; wave < 8; wave++) answers.push(...(await Promise.all(Array.from({ length: 20 }, send))));
      expect(answers.every((a) => a.status === 200 && a.body.toString() === body)).to.equal(true);
      let s = await stats(app);
      for (let i = 0; i < 50 && s.sent + s.dropped + s.failed < answers.length; i++) {
        await sleep(100);
        s = await stats(app);
      }
      expect(s.sent + s.dropped + s.failed).to.equal(answers.length);
      expect(s.sent).to.be.greaterThan(0);
      expect(s.dropped).to.be.greaterThan(0);
      expect(app.stderr()).to.match(/dropped \d+ log\(s\): the background worker is behind/);
    } finally {
      await app.stop();
    }
  });

  it('on SIGTERM delivers the log of every request it served, then exits by the signal', async () => {
    const app = await startApp('http-basic.cjs', { collector, env: { README_FLUSH_INTERVAL: '60000', README_BUFFER_LENGTH: '100' } });
    const served = [];
    let stop = false;
    const traffic = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await request(`${app.url}/json?term=${i}`);
          if (r.status === 200) served.push(i);
        } catch {
          break;
        }
      }
    })();
    await sleep(300);
    app.proc.kill('SIGTERM');
    const { signal } = await app.exited;
    stop = true;
    await traffic;
    expect(signal).to.equal('SIGTERM');
    expect(served.length).to.be.greaterThan(5);
    const logged = new Set(collector.store.all().map((s) => new URL(entryOf(s.log).request.url).searchParams.get('term')));
    for (const i of served) expect(logged.has(String(i)), `log of request ${i}`).to.equal(true);
  });

  it('a dead Metrics API delays exit on SIGTERM by at most shutdownTimeout', async () => {
    // A server that accepts connections and never answers.
    const sockets = [];
    const hang = createServer((s) => sockets.push(s));
    await new Promise((r) => hang.listen(0, '127.0.0.1', r));
    const app = await startApp('http-basic.cjs', {
      env: { README_METRICS_SERVER: `http://127.0.0.1:${hang.address().port}`, README_API_KEY: 'k', README_SHUTDOWN_TIMEOUT: '1000', README_TIMEOUT: '30' },
    });
    try {
      for (let i = 0; i < 3; i++) await request(`${app.url}/json?dead=${i}`);
      await sleep(200);
      const t0 = Date.now();
      app.proc.kill('SIGTERM');
      const { signal } = await app.exited;
      expect(signal).to.equal('SIGTERM');
      expect(Date.now() - t0).to.be.below(4000);
    } finally {
      for (const s of sockets) s.destroy();
      hang.close();
    }
  });

  for (const how of ['on', 'once']) {
    it(`leaves exiting to the app when it handles SIGTERM itself (process.${how})`, async () => {
      // The app exits 1.5 s after the signal: our flush runs meanwhile, in a worker that starts with the
      // first log and under load (CI, three Node versions in a row) took longer than 300 ms to.
      const env = { APP_HANDLES_SIGTERM: '1500', README_FLUSH_INTERVAL: '60000', ...(how === 'once' ? { APP_SIGTERM_ONCE: '1' } : {}) };
      const app = await startApp('http-basic.cjs', { collector, env });
      await request(`${app.url}/json?own-handler=${how}`);
      app.proc.kill('SIGTERM');
      const { code, signal } = await app.exited;
      expect(signal).to.equal(null);
      expect(code).to.equal(0);
      expect(app.stdout()).to.include('app got SIGTERM');
      await waitForLogs(collector, 1, { timeout: 1000, filter: (l) => entryOf(l).request.url.includes(`own-handler=${how}`) });
    });
  }

  it('instruments every cluster worker; each request is logged exactly once', async () => {
    const port = await freePort();
    const app = await startApp('cluster.cjs', { collector, env: { PORT: String(port) } });
    try {
      const pids = new Set();
      for (let i = 0; i < 20; i++) {
        const r = await request(`http://127.0.0.1:${port}/c?i=${i}`);
        pids.add(JSON.parse(r.body).pid);
      }
      await waitForLogs(collector, 20);
      await sleep(500);
      const logs = collector.store.all().map((s) => s.log);
      expect(logs).to.have.length(20);
      expect(new Set(logs.map((l) => new URL(entryOf(l).request.url).searchParams.get('i'))).size).to.equal(20);
      expect(pids.size).to.equal(2);
    } finally {
      await app.stop();
    }
  });
});

describe('grouping', function () {
  let collector;
  before(async () => (collector = await startCollector()));
  after(() => collector.close());

  it('skips requests whose grouping function returns null and groups by its answer otherwise', async () => {
    const app = await startApp('/work/main/test/fixtures/apps/http-basic.cjs', { collector, cwd: new URL('../fixtures/configs/ts-async', import.meta.url).pathname });
    try {
      await request(`${app.url}/json?who=anon`);
      await request(`${app.url}/json?who=owlbert`, { headers: { 'x-api-key': 'key-owlbert-0001' } });
      await request(`${app.url}/json?who=stranger`, { headers: { 'x-api-key': 'stranger-key-7777' } });
      const logs = await waitForLogs(collector, 2, { filter: (l) => entryOf(l).request.url.includes('who=') });
      await sleep(300);
      const who = (l) => new URL(entryOf(l).request.url).searchParams.get('who');
      const all = collector.store.all().map((s) => s.log).filter((l) => who(l));
      expect(all.map(who).sort()).to.deep.equal(['owlbert', 'stranger']);
      const owl = logs.find((l) => who(l) === 'owlbert');
      expect(owl.group.label).to.equal('Owlbert');
      expect(owl.group.email).to.equal('owlbert@example.com');
      expect(owl.group.id).to.match(/^sha512-.+\?0001$/);
    } finally {
      await app.stop();
    }
  });

  it('a throwing grouping function never breaks the app and is reported once', async () => {
    const app = await startApp('/work/main/test/fixtures/apps/http-basic.cjs', { collector, cwd: new URL('../fixtures/configs/js-function', import.meta.url).pathname });
    try {
      for (let i = 0; i < 3; i++) expect((await request(`${app.url}/status?code=201&t=${i}`)).status).to.equal(201);
      await request(`${app.url}/json?fn=1`);
      const [log] = await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.url.includes('fn=1') });
      expect(log.group.label).to.equal('From function');
      expect(app.stderr().match(/groupingFunction threw/g)).to.have.length(1);
      expect(app.stderr()).to.include('grouping exploded');
      const s = await stats(app);
      expect(s.skipped).to.equal(3);
    } finally {
      await app.stop();
    }
  });

  it('logs callers the built-in finder cannot identify under one anonymous group', async () => {
    const app = await startApp('http-basic.cjs', { collector });
    try {
      await request(`${app.url}/status?code=401&anon=1`);
      await request(`${app.url}/json?anon=2&api_key=query-key-5555`);
      await request(`${app.url}/json?anon=3`, { headers: { authorization: `Basic ${Buffer.from('basic-user:pw').toString('base64')}` } });
      await request(`${app.url}/json?anon=4`, { headers: { 'X-Api-Key': 'header-key-6666' } });
      const logs = await waitForLogs(collector, 4, { filter: (l) => entryOf(l).request.url.includes('anon=') });
      const group = (n) => logs.find((l) => entryOf(l).request.url.includes(`anon=${n}`)).group;
      expect(group(1).label).to.equal('Anonymous');
      expect(group(1).id).to.match(/\?mous$/);
      expect(group(2).id).to.match(/\?5555$/);
      expect(group(3)).to.include({ label: 'Key ending in user' });
      expect(group(4).id).to.match(/\?6666$/);
    } finally {
      await app.stop();
    }
  });
});

// Keep an eye on accidental keep-alive sockets in this file's clients.
after(() => http.globalAgent.destroy());
