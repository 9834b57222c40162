// A request body is whole or says it is not: what a handler never read is captured as Node drains it
// after the response (a connection that goes on), or marked incomplete with the size the client
// declared (a connection Node closes first); so is an upload the client left. The app's answer is the
// same either way.
import { expect } from 'chai';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { entryOf, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';
import { h2connect } from '../helpers/proto-clients.mjs';
import { selfSignedCert } from '../helpers/tls.mjs';

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
      expect(pd.comment).to.equal(`incomplete (the rest did not arrive in time): ${Buffer.byteLength(pd.text)} of ${SIZE} bytes captured`);
      expect(Buffer.byteLength(pd.text)).to.be.below(SIZE);
    }
  }

  it('on a keep-alive connection: the answer and the next request as usual, the whole body as Node drains it', async () => {
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
      // Node drains it on a connection that goes on: the capture waits for it, and it is whole.
      const pd = entryOf(log).request.postData;
      expect(pd.comment, 'comment').to.equal(undefined);
      expect(pd.text).to.equal(BODY);
      const [second] = await waitForLogs(collector, 1, { filter: tagged('keep-alive-2') });
      expect(entryOf(second).request.postData).to.deep.equal({ mimeType: 'application/json', text: '{}' });
    } finally {
      agent.destroy();
    }
  });

  it('a listener the app adds after the response sees what it would without us; the log has the whole body', async () => {
    const plain = await startApp('unread-body.cjs', { preload: 'none' });
    try {
      // The client fixes what Node has buffered when it dumps the body: the head and the first part in one
      // write, the rest only once the answer is in (sent at once, the amount varies with TCP timing).
      const FIRST = 16_000;
      const post = (a) => new Promise((resolve, reject) => {
        const socket = net.connect(Number(new URL(a.url).port), '127.0.0.1');
        const head = `POST /late HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${SIZE}\r\nx-test-case: late\r\n\r\n`;
        let answer = '';
        socket.on('error', reject);
        socket.on('data', (chunk) => {
          answer += chunk;
          if (!answer.endsWith('\r\n\r\nok')) return;
          socket.end(BODY.slice(FIRST));
          resolve(answer);
        });
        socket.write(head + BODY.slice(0, FIRST));
      });
      const answers = await Promise.all([app, plain].map(post));
      for (const answer of answers) expect(answer).to.match(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nok$/);
      const late = (a) => /late \d+\n/.exec(a.stdout())?.[0];
      for (const deadline = Date.now() + 5_000; !(late(app) && late(plain)) && Date.now() < deadline; ) await sleep(20);
      // Node hands it what was buffered before the dump, and drops the rest.
      expect(late(plain)).to.equal(`late ${FIRST}\n`);
      expect(late(app)).to.equal(late(plain));
      const [log] = await waitForLogs(collector, 1, { filter: tagged('late') });
      expect(entryOf(log).request.postData.text).to.equal(BODY);
    } finally {
      await plain.stop();
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

  for (const mode of ['h2c', 'stream']) {
    it(`HTTP/2 (${mode}): an upload the client cancels is marked incomplete, with what arrived`, async function () {
      const tls = mode === 'h2c' ? undefined : selfSignedCert();
      if (mode !== 'h2c' && !tls) this.skip();
      const h2app = await startApp('proto-h2.cjs', { collector, args: [mode], env: { ...tls?.env } });
      const session = await h2connect(`${mode === 'h2c' ? 'http' : 'https'}://localhost:${h2app.port}`, tls?.ca);
      try {
        await new Promise((resolve, reject) => {
          const req = session.request({ ':method': 'POST', ':path': '/upload', 'content-type': 'application/json', 'content-length': String(SIZE), 'x-test-case': `h2-${mode}` });
          req.on('data', () => req.close(http2.constants.NGHTTP2_CANCEL));
          req.on('close', resolve);
          req.on('error', reject);
          req.write(BODY.slice(0, 10_000));
        });
        const [log] = await waitForLogs(collector, 1, { filter: tagged(`h2-${mode}`) });
        const e = entryOf(log);
        expect(e.comment).to.match(/^aborted/);
        const captured = Buffer.byteLength(e.request.postData.text);
        expect(captured).to.be.within(1, 10_000);
        expect(e.request.postData.comment).to.equal(`incomplete (the client left): ${captured} of ${SIZE} bytes captured`);
      } finally {
        session.close();
        await h2app.stop();
      }
    });
  }
});
