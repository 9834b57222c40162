// A call whose answer arrived while the thread that sends it was blocked (an app's long synchronous
// job, backgroundWorkerMode false) is not abandoned as timed out when the thread gets back to it: the
// answer is read first, so the batch is not sent twice.
import { expect } from 'chai';
import { request, startApp, startCollector } from '../helpers/harness.mjs';
import { startStandIn, until } from '../helpers/stand-in.mjs';

const SERVED = 5;

describe('delivery: an answer that arrived while the app blocked its event loop', function () {
  let collector, standIn, app;
  afterEach(async () => {
    await app?.stop();
    await standIn?.close();
    await collector?.close();
  });

  it('is read, not taken for a timeout: the batch goes once (backgroundWorkerMode false)', async () => {
    collector = await startCollector();
    standIn = await startStandIn(collector, 'held');
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
