// A request body is whole or says it is not: what a handler never read is marked incomplete with the
// size the client declared (Node discards it without handing it to push()), and so is an upload the
// client left. The app's answer is the same either way.
import { expect } from 'chai';
import http from 'node:http';
import { entryOf, request, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const SIZE = 100_000;
// Valid JSON of exactly SIZE bytes: a capture cut short is not valid JSON.
const BODY = JSON.stringify({ data: 'x'.repeat(SIZE - 11) });

const tagged = (tag) => (l) => entryOf(l).request.headers.some((h) => h.name === 'x-test-case' && h.value === tag);

describe('request bodies the app never read whole', function () {
  let collector;
  let app;
  before(async () => {
    expect(Buffer.byteLength(BODY)).to.equal(SIZE);
    collector = await startCollector();
    app = await startApp('unread-body.cjs', { collector });
  });
  after(async () => {
    await app?.stop();
    await collector?.close();
  });

  /** Whole and valid, or marked incomplete with what it holds and the size the client declared. */
  function expectWholeOrMarked(pd) {
    if (pd.comment === undefined) {
      expect(pd.text.length).to.equal(SIZE);
      expect(JSON.parse(pd.text).data.length).to.equal(SIZE - 11);
    } else {
      expect(pd.comment).to.equal(`incomplete (the app had not read it all when the response ended): ${Buffer.byteLength(pd.text)} of ${SIZE} bytes captured`);
      expect(Buffer.byteLength(pd.text)).to.be.below(SIZE);
    }
  }

  it('on a keep-alive connection: the answer and the next request as usual, the body whole or marked', async () => {
    const agent = new http.Agent({ keepAlive: true });
    try {
      const headers = { 'content-type': 'application/json', 'x-test-case': 'keep-alive' };
      const res = await request(`${app.url}/ignore`, { method: 'POST', body: BODY, headers, agent });
      expect(res.status).to.equal(200);
      expect(res.body.toString()).to.equal('ok');
      // Node drains the rest, and the connection serves its next request.
      const next = await request(`${app.url}/ignore`, { method: 'POST', body: '{}', headers: { ...headers, 'x-test-case': 'keep-alive-2' }, agent });
      expect(next.body.toString()).to.equal('ok');
      const [log] = await waitForLogs(collector, 1, { filter: tagged('keep-alive') });
      expectWholeOrMarked(entryOf(log).request.postData);
      const [second] = await waitForLogs(collector, 1, { filter: tagged('keep-alive-2') });
      expect(entryOf(second).request.postData).to.deep.equal({ mimeType: 'application/json', text: '{}' });
    } finally {
      agent.destroy();
    }
  });

  it('on a closing connection: the body whole or marked', async () => {
    const headers = { 'content-type': 'application/json', 'x-test-case': 'close', connection: 'close' };
    const res = await request(`${app.url}/ignore`, { method: 'POST', body: BODY, headers }).catch((err) => ({ err }));
    // The client may see a reset while still sending: Node closes the connection it said it would.
    if (!res.err) expect(res.body.toString()).to.equal('ok');
    const [log] = await waitForLogs(collector, 1, { filter: tagged('close') });
    const e = entryOf(log);
    expect(e.response.status).to.equal(200);
    expect(e.comment).to.equal(undefined);
    expectWholeOrMarked(e.request.postData);
  });

  it('an upload the client leaves is marked incomplete, with what arrived', async () => {
    await new Promise((resolve, reject) => {
      const req = http.request(`${app.url}/upload`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(SIZE), 'x-test-case': 'left' },
      });
      req.on('response', (res) => res.once('data', () => {
        req.destroy();
        resolve();
      }));
      req.on('error', (err) => (err.code === 'ECONNRESET' ? resolve() : reject(err)));
      req.write(BODY.slice(0, 10_000));
    });
    const [log] = await waitForLogs(collector, 1, { filter: tagged('left') });
    const e = entryOf(log);
    expect(e.comment).to.match(/^aborted/);
    const captured = Buffer.byteLength(e.request.postData.text);
    expect(captured).to.be.within(1, 10_000);
    expect(e.request.postData.comment).to.equal(`incomplete (the client left): ${captured} of ${SIZE} bytes captured`);
  });
});
