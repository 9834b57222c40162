// Aborted means the client left before the response was complete. A file piped to the response and
// received whole is complete even when the client closes its socket at once, before Node's 'finish'
// (the stream may not even have called end() yet); a client that leaves mid-body is aborted.
import { expect } from 'chai';
import http from 'node:http';
import { entryOf, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const N = 40;

/** GET that reads the whole body, then destroys the socket at once, as curl or a browser tab may. */
function getThenClose(url, tag) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { 'x-test-case': tag } }, (res) => {
      let n = 0;
      res.on('data', (c) => (n += c.length));
      res.on('end', () => {
        res.socket?.destroy();
        resolve(n);
      });
    });
    req.on('error', reject);
  });
}

/** GET that leaves after the first chunk of the body. */
function getThenLeave(url, tag) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { 'x-test-case': tag } }, (res) => {
      res.once('data', (c) => {
        req.destroy();
        resolve(c.length);
      });
    });
    req.on('error', reject);
  });
}

const tagged = (prefix) => (l) => entryOf(l).request.headers.some((h) => h.name === 'x-test-case' && h.value.startsWith(prefix));

describe('aborted: only when the client left before the response was complete', function () {
  let collector;
  let app;
  before(async () => {
    collector = await startCollector();
    app = await startApp('piped-file.cjs', { collector, env: { README_BUFFER_LENGTH: '20' } });
  });
  after(async () => {
    await app?.stop();
    await collector?.close();
  });

  for (const path of ['/file', '/pipeline']) {
    it(`${path === '/file' ? 'fs.createReadStream().pipe(res)' : 'stream.pipeline(file, res)'}: ${N} whole responses, none aborted`, async () => {
      for (let i = 0; i < N; i++) expect(await getThenClose(app.url + path, `${path}-${i}`)).to.equal(300_000);
      const logs = await waitForLogs(collector, N, { filter: tagged(`${path}-`) });
      const aborted = logs.map(entryOf).filter((e) => /^aborted/.test(e.comment ?? ''));
      expect(aborted.length, 'logged as aborted').to.equal(0);
      for (const e of logs.map(entryOf)) {
        expect(e.response.status).to.equal(200);
        expect(e.response.content.size).to.equal(300_000);
      }
    });
  }

  it('a client that leaves mid-body is logged as aborted, with what was sent', async () => {
    expect(await getThenLeave(`${app.url}/drip`, 'drip-1')).to.be.greaterThan(0);
    const [log] = await waitForLogs(collector, 1, { filter: tagged('drip-'), timeout: 10_000 });
    const e = entryOf(log);
    expect(e.comment).to.match(/^aborted/);
    expect(e.response.status).to.equal(200);
    expect(e.response.content.size).to.be.within(1000, 99_999);
  });
});
