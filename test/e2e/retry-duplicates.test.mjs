// A call to the Metrics API that times out after the batch arrived is sent again: delivery is
// at-least-once. The second copy is the same batch, byte for byte (same _ids), counted once in
// getStats(), and the local collector keeps one log per _id.
import { expect } from 'chai';
import { gunzipSync } from 'node:zlib';
import { request, startApp, startCollector } from '../helpers/harness.mjs';
import { startStandIn, until } from '../helpers/stand-in.mjs';

const SERVED = 5;

const idsOf = (body) => JSON.parse((body[0] === 0x1f ? gunzipSync(body) : body).toString()).map((log) => log._id);

describe('delivery: a call that timed out after its batch arrived', function () {
  let collector, standIn, app;
  afterEach(async () => {
    await app?.stop();
    await standIn?.close();
    await collector?.close();
  });

  for (const background of ['true', 'false']) {
    it(`is sent again, the same batch; the collector keeps one copy and getStats() counts it once (backgroundWorkerMode ${background})`, async () => {
      collector = await startCollector();
      standIn = await startStandIn(collector, 'never');
      app = await startApp('http-basic.cjs', {
        collector: standIn,
        // Only the API's requests are logged, so reading getStats() (Host 127.0.0.1) adds nothing.
        env: { README_TIMEOUT: '0.5', README_BACKGROUND_WORKER_MODE: background, README_BASE_LOG_URL: 'http://127.0.0.1/docs', README_ALLOWED_HTTP_HOSTS: 'api.test' },
      });
      for (let i = 0; i < SERVED; i++) expect((await request(`${app.url}/json?i=${i}`, { headers: { host: 'api.test' } })).status).to.equal(200);

      await until('the first batch sent again', () => standIn.batches.length >= 2);
      const first = idsOf(standIn.batches[0]);
      expect(first.length).to.be.greaterThan(0);
      // The retry is the same request body (encoded once), so the same logs with the same _ids.
      expect(standIn.batches[1].equals(standIn.batches[0])).to.equal(true);
      await until(`${SERVED} logs`, () => collector.store.size >= SERVED);

      const received = standIn.batches.flatMap(idsOf);
      expect(received.length).to.equal(SERVED + first.length);
      expect(new Set(received).size).to.equal(SERVED);
      expect(collector.store.size).to.equal(SERVED);
      expect(collector.store.duplicates).to.equal(first.length);
      // The worker reports its counters a few times a second: read until the retry's success is in them.
      let stats;
      await until('getStats() to count the batches sent', async () => (stats = JSON.parse((await request(`${app.url}/__stats`)).body)).sent >= SERVED);
      expect(stats).to.include({ queued: SERVED, sent: SERVED, failed: 0, dropped: 0, shed: 0, pending: 0 });
    });
  }
});
