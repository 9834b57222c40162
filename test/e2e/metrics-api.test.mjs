// A Metrics API that misbehaves for real (trickles, hangs, refuses large or gzip bodies, holds calls),
// grouping functions that answer late or never, and a queue under pressure: every wait is bounded,
// the app never notices, and every served request's log arrives or is counted.
import { expect } from 'chai';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { entryOf, request, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const stats = async (app) => JSON.parse((await request(`${app.url}/__stats`)).body);
const GROUPING_CONFIG = fileURLToPath(new URL('../fixtures/configs/grouping-slow', import.meta.url));
const IGNORE = { README_IGNORE_PATHS: '/__stats,/__flush' };

/** Polls until check() returns something truthy, or fails at the deadline with what it last saw. */
async function until(what, check, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Passes a POST on to the real collector, as it came, and answers what the collector answered. */
function forward(collector, headers, body) {
  return new Promise((resolve, reject) => {
    const pass = {};
    for (const name of ['authorization', 'content-type', 'content-encoding', 'user-agent']) if (headers[name]) pass[name] = headers[name];
    const req = http.request(`${collector.url}/v1/request`, { method: 'POST', headers: pass }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A Metrics API in front of the real collector. decide(post) answers each POST /v1/request:
 * 'forward', 'trickle' (headers, then a byte every 200 ms), 'hang' (headers, then nothing),
 * 'hold' (nothing until release()), or { status, body }.
 */
async function startGate(collector, decide) {
  const posts = [];
  const held = [];
  const sockets = new Set();
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const encoding = req.headers['content-encoding'];
    const json = encoding === 'gzip' ? gunzipSync(body) : body;
    const post = { encoding, bytes: body.length, count: JSON.parse(json.toString()).length, status: undefined };
    posts.push(post);
    const answer = async (action) => {
      if (action === 'forward') {
        const r = await forward(collector, req.headers, body);
        post.status = r.status;
        res.writeHead(r.status, { 'content-type': 'application/json' });
        return res.end(r.body);
      }
      if (action === 'trickle' || action === 'hang') {
        post.status = 'abandoned?';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        if (action === 'trickle') {
          const t = setInterval(() => res.write(' '), 200);
          res.on('close', () => clearInterval(t));
        }
        return;
      }
      if (action === 'hold') return held.push(() => answer('forward'));
      post.status = action.status;
      res.writeHead(action.status, { 'content-type': 'application/json' });
      res.end(action.body ?? '');
    };
    await answer(decide(post, req));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    posts,
    release: () => held.splice(0).forEach((go) => go()),
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(r);
      }),
  };
}

describe('a Metrics API that misbehaves', function () {
  let collector;
  let gate;
  beforeEach(async () => (collector = await startCollector()));
  afterEach(async () => {
    await gate?.close();
    gate = undefined;
    await collector.close();
  });

  // The worker by default; the app's own thread for the hang, where the timeout must not hold the app open.
  for (const [mode, background] of [['trickle', 'true'], ['hang', 'false']]) {
    it(`abandons a call that ${mode === 'trickle' ? 'trickles its answer' : 'hangs after the headers'} at timeout, counts it and warns (backgroundWorkerMode=${background})`, async () => {
      let misbehave = true;
      gate = await startGate(collector, () => (misbehave ? mode : 'forward'));
      const app = await startApp('flushable.cjs', {
        collector,
        env: { ...IGNORE, README_METRICS_SERVER: gate.url, README_TIMEOUT: '1', README_BUFFER_LENGTH: '1', README_BACKGROUND_WORKER_MODE: background },
      });
      try {
        const t0 = Date.now();
        expect((await request(`${app.url}/json?slow-api=1`)).status).to.equal(200);
        expect(Date.now() - t0).to.be.below(2000);
        // flush() does not wait for the call past its own deadline.
        const { tookMs } = JSON.parse((await request(`${app.url}/__flush?ms=300`)).body);
        expect(tookMs).to.be.below(1000);
        // Three attempts of at most 1 s each, with backoff between them.
        const s = await until('the log to be counted as failed', async () => ((await stats(app)).failed === 1 ? stats(app) : null), 15_000);
        expect(s.sent).to.equal(0);
        expect(gate.posts.length).to.equal(3);
        expect(app.stderr()).to.match(/could not send 1 log\(s\): no complete answer within 1 s/);
        misbehave = false;
        await request(`${app.url}/json?slow-api=2`);
        const [log] = await waitForLogs(collector, 1);
        expect(entryOf(log).request.url).to.include('slow-api=2');
      } finally {
        await app.stop();
      }
    });
  }

  it('splits a batch the Metrics API refuses as too large, and sends a log too large alone without its bodies', async () => {
    const LIMIT = 8 * 1024;
    gate = await startGate(collector, (post) => (post.bytes > LIMIT ? { status: 413, body: '{"error":"payload too large"}' } : 'forward'));
    const app = await startApp('flushable.cjs', {
      collector,
      env: { ...IGNORE, README_METRICS_SERVER: gate.url, README_BUFFER_LENGTH: '21', README_FLUSH_INTERVAL: '60000' },
    });
    try {
      // Hex of random bytes: about 1 KB gzipped per log (both bodies), so 20 of them need several posts.
      const noise = (n) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString('hex');
      const bodies = Array.from({ length: 20 }, (_, i) => JSON.stringify({ i, noise: noise(400) }));
      const post = (body, tag) => request(`${app.url}/echo?${tag}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      for (let i = 0; i < 20; i++) expect((await post(bodies[i], `small=${i}`)).body.toString()).to.equal(bodies[i]);
      const big = JSON.stringify({ big: noise(10_000) });
      expect((await post(big, 'big=1')).body.toString()).to.equal(big);
      const logs = await waitForLogs(collector, 21);
      const s = await until('the counters to catch up', async () => {
        const now = await stats(app);
        return now.sent + now.failed === 21 && now;
      });
      expect(s).to.include({ sent: 21, failed: 0, dropped: 0, shed: 1 });
      const small = logs.filter((l) => entryOf(l).request.url.includes('small='));
      expect(small.map((l) => JSON.parse(entryOf(l).request.postData.text).i).sort((a, b) => a - b)).to.deep.equal([...Array(20).keys()]);
      for (const l of small) expect(entryOf(l).response.content.text).to.have.length.above(800);
      const e = entryOf(logs.find((l) => entryOf(l).request.url.includes('big=1')));
      expect(e.request.postData).to.deep.equal({ mimeType: 'application/json', text: '', comment: e.request.postData.comment });
      expect(e.request.postData.comment).to.match(/too large \(HTTP 413\)/);
      expect(e.response.content).to.include({ text: '', size: big.length });
      expect(e.response.content.comment).to.match(/too large \(HTTP 413\)/);
      // Refused whole, then halves, down to posts that fit; never more logs accepted than sent.
      expect(gate.posts[0]).to.include({ count: 21, status: 413 });
      expect(gate.posts.filter((p) => p.status === 202).reduce((n, p) => n + p.count, 0)).to.equal(21);
      expect(app.stderr()).to.match(/sent 1 log\(s\) without their bodies: the Metrics API refused them as too large/);
    } finally {
      await app.stop();
    }
  });

  const refusals = {
    415: { status: 415, body: '{"error":"Unsupported Media Type"}' },
    400: { status: 400, body: '{"error":"Content-Encoding gzip is not supported"}' },
  };
  for (const [code, refusal] of Object.entries(refusals)) {
    const background = code === '415' ? 'true' : 'false';
    it(`falls back to plain JSON for good when the Metrics API refuses gzip with a ${code} (backgroundWorkerMode=${background})`, async () => {
      gate = await startGate(collector, (post) => (post.encoding === 'gzip' ? refusal : 'forward'));
      const app = await startApp('flushable.cjs', {
        collector,
        env: { ...IGNORE, README_METRICS_SERVER: gate.url, README_BUFFER_LENGTH: '1', README_BACKGROUND_WORKER_MODE: background },
      });
      try {
        for (let i = 0; i < 5; i++) {
          await request(`${app.url}/json?plain=${i}`);
          await waitForLogs(collector, i + 1);
        }
        const s = await until('the counters to catch up', async () => {
          const now = await stats(app);
          return now.sent === 5 && now;
        });
        expect(s).to.include({ failed: 0, dropped: 0 });
        // One gzip try, refused; everything after it plain.
        expect(gate.posts[0]).to.include({ encoding: 'gzip', status: Number(code) });
        expect(gate.posts.slice(1).every((p) => p.encoding === undefined && p.status === 202)).to.equal(true);
        expect(app.stderr().match(/refused a gzip body/g)).to.have.length(1);
      } finally {
        await app.stop();
      }
    });
  }

  it("compression: 'none' sends plain JSON from the first call", async () => {
    gate = await startGate(collector, () => 'forward');
    const app = await startApp('flushable.cjs', { collector, env: { ...IGNORE, README_METRICS_SERVER: gate.url, README_COMPRESSION: 'none' } });
    try {
      await request(`${app.url}/json?none=1`);
      await waitForLogs(collector, 1);
      expect(gate.posts.map((p) => p.encoding)).to.deep.equal([undefined]);
    } finally {
      await app.stop();
    }
  });

  it('past half the queue, keeps logs without their bodies; drops whole logs only at the bound; the counts add up', async () => {
    // The first call is held, so the queue fills behind it.
    let first = true;
    gate = await startGate(collector, () => (first ? ((first = false), 'hold') : 'forward'));
    const app = await startApp('flushable.cjs', {
      collector,
      env: { ...IGNORE, README_METRICS_SERVER: gate.url, README_TIMEOUT: '30', README_BUFFER_LENGTH: '1', README_MAX_QUEUE_ENTRIES: '20' },
    });
    try {
      const TOTAL = 80;
      for (let i = 0; i < TOTAL; i++) {
        const body = JSON.stringify({ i });
        const r = await request(`${app.url}/echo?shed=${i}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(r.body.toString()).to.equal(body);
      }
      await until('the first call to be held', () => gate.posts.length === 1);
      await until('every capture to be queued or dropped', async () => {
        const s = await stats(app);
        return s.queued + s.dropped === TOTAL;
      });
      gate.release();
      const s = await until('every queued log to be sent', async () => {
        const now = await stats(app);
        return now.sent === now.queued && now.pending === 0 && now;
      });
      const logs = await waitForLogs(collector, s.sent);
      expect(logs).to.have.length(s.sent);
      expect(s.sent + s.dropped).to.equal(TOTAL);
      expect(s.failed).to.equal(0);
      expect(s.shed).to.be.above(0);
      expect(s.dropped).to.be.above(0);
      const shed = logs.filter((l) => entryOf(l).request.postData.text === '');
      expect(shed).to.have.length(s.shed);
      for (const l of shed) {
        expect(entryOf(l).request.postData.comment).to.match(/queue was over half full/);
        expect(entryOf(l).response.content.comment).to.match(/queue was over half full/);
      }
      for (const l of logs.filter((l) => !shed.includes(l))) expect(JSON.parse(entryOf(l).request.postData.text)).to.have.property('i');
      const err = app.stderr();
      expect(err).to.match(/sent \d+ log\(s\) without their bodies: the queue is over half full \(total sent without bodies: \d+; dropped: \d+\)/);
      // Whole logs are dropped by the queue, or before it while a loaded worker is behind by as many.
      expect(err).to.match(/dropped \d+ log\(s\): (the queue is full|the background worker is behind) \(total dropped: \d+; sent without bodies: \d+\)/);
    } finally {
      await app.stop();
    }
  });
});

describe('a grouping function that answers late or never', function () {
  let collector;
  beforeEach(async () => (collector = await startCollector()));
  afterEach(() => collector.close());

  for (const delay of ['never', '1500']) {
    it(`${delay === 'never' ? 'never answers' : 'takes 1.5 s'}: the app is unaffected, the requests are skipped past groupingTimeout, once reported, and flush() keeps its deadline`, async () => {
      const app = await startApp('flushable.cjs', {
        collector,
        cwd: GROUPING_CONFIG,
        env: { ...IGNORE, GROUPING_DELAY: delay, README_GROUPING_TIMEOUT: '200' },
      });
      try {
        const t0 = Date.now();
        for (let i = 0; i < 20; i++) {
          const r = await request(`${app.url}/json?late=${i}`);
          expect(JSON.parse(r.body)).to.deep.equal({ ok: true, url: `/json?late=${i}` });
        }
        expect(Date.now() - t0).to.be.below(5000);
        // Before any of them expired, flush() waits for them, but not past its deadline.
        const { tookMs } = JSON.parse((await request(`${app.url}/__flush?ms=100`)).body);
        expect(tookMs).to.be.within(80, 1000);
        const s = await until('every request to be skipped', async () => {
          const now = await stats(app);
          return now.skipped === 20 && now;
        });
        expect(s).to.include({ queued: 0, dropped: 0 });
        const flushed = JSON.parse((await request(`${app.url}/__flush?ms=2000`)).body);
        expect(flushed.tookMs).to.be.below(1000);
        expect(app.stderr().match(/groupingFunction did not answer within 200 ms/g)).to.have.length(1);
        if (delay !== 'never') {
          // Their late answers change nothing.
          await new Promise((r) => setTimeout(r, 1600));
          expect(await stats(app)).to.include({ skipped: 20, queued: 0 });
          expect(collector.store.all()).to.have.length(0);
        }
      } finally {
        await app.stop();
      }
    });
  }

  it('captures waiting for it count against the queue bounds: beyond them they are dropped and counted', async () => {
    const app = await startApp('flushable.cjs', {
      collector,
      cwd: GROUPING_CONFIG,
      env: { ...IGNORE, GROUPING_DELAY: 'never', README_GROUPING_TIMEOUT: '2000', README_MAX_QUEUE_ENTRIES: '10' },
    });
    try {
      for (let i = 0; i < 30; i++) expect((await request(`${app.url}/json?waiting=${i}`)).status).to.equal(200);
      const s = await stats(app);
      expect(s.dropped).to.equal(20);
      expect(app.stderr()).to.match(/dropped \d+ log\(s\): too many requests wait for the grouping function/);
      const after = await until('the waiting ones to expire', async () => {
        const now = await stats(app);
        return now.skipped === 10 && now;
      });
      expect(after.dropped + after.skipped).to.equal(30);
    } finally {
      await app.stop();
    }
  });

  it('an app that ends on its own is not kept alive by an answer that never comes', async () => {
    const t0 = Date.now();
    const app = await startApp('oneshot.cjs', {
      collector,
      cwd: GROUPING_CONFIG,
      env: { GROUPING_DELAY: 'never', README_GROUPING_TIMEOUT: '10000', README_SHUTDOWN_TIMEOUT: '10000' },
    });
    const { code } = await app.exited;
    expect(code).to.equal(0);
    // Neither the grouping deadline nor shutdownTimeout (10 s each) held it.
    expect(Date.now() - t0).to.be.below(5000);
  });

  it('on SIGTERM, an answer that never comes delays exit by at most shutdownTimeout, and the app still ends by the signal', async () => {
    const app = await startApp('flushable.cjs', {
      collector,
      cwd: GROUPING_CONFIG,
      env: { ...IGNORE, GROUPING_DELAY: 'never', README_GROUPING_TIMEOUT: '30000', README_SHUTDOWN_TIMEOUT: '1000' },
    });
    // One answered (so there is something to deliver, and the SDK handles the signal), one never.
    await request(`${app.url}/json?term=1`, { headers: { 'x-grouping-delay': '0' } });
    await waitForLogs(collector, 1);
    await request(`${app.url}/json?term=2`);
    const t0 = Date.now();
    app.proc.kill('SIGTERM');
    const { signal } = await app.exited;
    expect(signal).to.equal('SIGTERM');
    expect(Date.now() - t0).to.be.within(900, 4000);
  });

  it('an answer within the deadline is logged as before', async () => {
    const app = await startApp('flushable.cjs', { collector, cwd: GROUPING_CONFIG, env: { ...IGNORE, GROUPING_DELAY: '20', README_GROUPING_TIMEOUT: '2000' } });
    try {
      await request(`${app.url}/json?prompt=1`);
      const [log] = await waitForLogs(collector, 1);
      expect(log.group).to.include({ label: 'Late' });
      expect((await stats(app)).skipped).to.equal(0);
    } finally {
      await app.stop();
    }
  });
});
