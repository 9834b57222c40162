// A call whose answer arrived while the thread that sends it was blocked (an app's long synchronous
// job, backgroundWorkerMode false) is not abandoned as timed out when the thread gets back to it: the
// answer is read first, so the batch is not sent twice.
import { expect } from 'chai';
import http from 'node:http';
import { request, startApp, startCollector } from '../helpers/harness.mjs';

const SERVED = 5;

/** In front of the real collector: the answer to the first POST /v1/request waits for release(). */
async function startHeldFirstAnswer(collector) {
  const batches = [];
  let release;
  const released = new Promise((resolve) => (release = resolve));
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const headers = {};
      for (const name of ['authorization', 'content-type', 'content-encoding', 'user-agent']) if (req.headers[name]) headers[name] = req.headers[name];
      const upstream = await request(`${collector.url}${req.url}`, { method: req.method, headers, body: body.length ? body : undefined });
      if (req.method === 'POST' && req.url === '/v1/request') {
        batches.push(body);
        if (batches.length === 1) await released;
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers['content-type'] ?? 'application/json' });
      res.end(upstream.body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    batches,
    release: () => release(),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

async function until(what, check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('delivery: an answer that arrived while the app blocked its event loop', function () {
  let collector, standIn, app;
  afterEach(async () => {
    await app?.stop();
    await standIn?.close();
    await collector?.close();
  });

  it('is read, not taken for a timeout: the batch goes once (backgroundWorkerMode false)', async () => {
    collector = await startCollector();
    standIn = await startHeldFirstAnswer(collector);
    app = await startApp('blocking.cjs', {
      collector: standIn,
      env: { README_TIMEOUT: '0.5', README_BACKGROUND_WORKER_MODE: 'false', README_BASE_LOG_URL: 'http://127.0.0.1/docs', README_ALLOWED_HTTP_HOSTS: 'api.test' },
    });
    for (let i = 0; i < SERVED; i++) expect((await request(`${app.url}/json?i=${i}`, { headers: { host: 'api.test' } })).status).to.equal(200);
    await until('the first batch', () => standIn.batches.length === 1);

    // The app blocks its loop past the call's deadline; the answer arrives meanwhile.
    const blocked = request(`${app.url}/block?ms=1500`);
    await until('the app to block', () => app.stdout().includes('blocking'));
    standIn.release();
    expect((await blocked).status).to.equal(200);

    let stats;
    await until('getStats() to count the batch sent', async () => (stats = JSON.parse((await request(`${app.url}/__stats`)).body)).sent + stats.failed >= SERVED);
    expect(stats).to.include({ sent: SERVED, failed: 0 });
    expect(standIn.batches.length).to.equal(1);
    expect(collector.store.size).to.equal(SERVED);
    expect(collector.store.duplicates).to.equal(0);
  });
});
