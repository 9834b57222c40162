// 10k clients that leave mid-response or mid-upload: each is logged as aborted with what was seen,
// and nothing stays behind (the app's heap after a full GC is flat).
import { expect } from 'chai';
import http from 'node:http';
import { entryOf, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const TOTAL = 10_000;
const WARMUP = 1_000;
const CONCURRENCY = 64;
const MB = 1024 * 1024;

/** One client that leaves: after the first bytes of the answer, or in the middle of its upload. */
function leave(port, i) {
  return new Promise((resolve) => {
    const upload = i % 2 === 1;
    const req = http.request({ host: '127.0.0.1', port, agent: false, method: upload ? 'POST' : 'GET', path: upload ? `/abort-upload?i=${i}` : `/abort-response?i=${i}`, headers: upload ? { 'content-type': 'text/plain', 'content-length': '100000' } : {} });
    req.on('response', (res) => {
      res.once('data', () => {
        if (upload) req.write('x'.repeat(1000));
        setImmediate(() => req.destroy());
      });
    });
    req.on('error', () => {});
    req.on('close', resolve);
    if (upload) req.flushHeaders();
    else req.end();
  });
}

async function run(port, from, count) {
  let next = from;
  const end = from + count;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < end) await leave(port, next++);
    }),
  );
}

async function heap(app) {
  const res = await request(`${app.url}/mem`);
  return JSON.parse(res.body.toString());
}

describe('abort soak: clients that leave leave nothing behind', function () {
  this.timeout(90_000);
  let collector;
  let app;

  before(async () => {
    collector = await startCollector({ maxEntries: 2_000 });
    app = await startApp('proto-abort-soak.cjs', { collector, nodeArgs: ['--expose-gc'], env: { README_BUFFER_LENGTH: '100' } });
  });
  after(async () => {
    await app?.stop();
    await collector?.close();
  });

  it(`${TOTAL} aborted exchanges: logged as aborted, heap flat`, async () => {
    await run(app.port, 0, WARMUP);
    await sleep(500);
    const before = await heap(app);
    await run(app.port, WARMUP, TOTAL);
    await sleep(1_000);
    const after = await heap(app);

    const growth = after.heapUsed - before.heapUsed;
    expect(growth, `heap grew by ${(growth / MB).toFixed(1)} MB`).to.be.lessThan(10 * MB);
    expect(app.proc.exitCode).to.equal(null);
    expect(app.stderr()).to.not.match(/internal error/);

    const aborted = await waitForLogs(collector, 100, { filter: (l) => /^aborted/.test(entryOf(l).comment ?? '') });
    const response = aborted.map(entryOf).find((e) => e.request.url.includes('/abort-response'));
    expect(response.response.status).to.equal(200);
    expect(response.response.content.text).to.equal('partial answer');
    const upload = aborted.map(entryOf).find((e) => e.request.url.includes('/abort-upload') && e.request.postData);
    expect(upload.request.postData.text).to.match(/^x+$/);
    expect(upload.request.postData.text.length).to.be.at.most(1000);
  });
});
