// Body shapes: compressed (decoded in the pipeline, up to the cap), binary, broken text, past the cap,
// server-sent events and long streams (never held back, logged when they end or the client leaves),
// and the exchanges that are not request/response at all (upgrade, CONNECT): untouched, not logged.
import { expect } from 'chai';
import http from 'node:http';
import zlib from 'node:zlib';
import { byPath, comparableHeaders, entryOf, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';
import { comparableBytes, rawSocket } from '../helpers/proto-clients.mjs';

// Odd on purpose: a cut through a two-byte character must still leave readable text.
const CAP = 65_535;
const ENV = { README_MAX_BODY_SIZE: String(CAP), README_BASE_LOG_URL: 'https://docs.example.com' };
const onPort = (port) => (log) => new URL(entryOf(log).request.url).port === String(port);
const both = (...filters) => (log) => filters.every((f) => f(log));
const bytesOf = (content) => Buffer.from(content.text, content.encoding === 'base64' ? 'base64' : 'utf8');
const DECODE = { gzip: zlib.gunzipSync, deflate: zlib.inflateSync, br: zlib.brotliDecompressSync };

async function sameAnswer(app, plain, path, opts = {}) {
  const [a, p] = await Promise.all([request(`${app.url}${path}`, opts), request(`${plain.url}${path}`, opts)]);
  expect(a.status, path).to.equal(p.status);
  expect(comparableHeaders(a.rawHeaders), path).to.deep.equal(comparableHeaders(p.rawHeaders));
  expect(a.body.equals(p.body), `${path} body`).to.equal(true);
  return a;
}

async function logOf(collector, app, path, method = 'GET', extra = () => true) {
  const [log] = await waitForLogs(collector, 1, { filter: both(onPort(app.port), byPath(path, method), extra) });
  return entryOf(log);
}

describe('bodies: what the log holds for every body shape', function () {
  this.timeout(30_000);
  let collector;

  before(async () => {
    collector = await startCollector();
  });
  after(async () => {
    await collector?.close();
  });

  for (const framework of ['express', 'fastify']) {
    describe(`compressed responses (${framework})`, () => {
      let app;
      let plain;
      before(async () => {
        [app, plain] = await Promise.all([
          startApp('proto-compress.cjs', { collector, args: [framework], env: ENV }),
          startApp('proto-compress.cjs', { preload: 'none', args: [framework] }),
        ]);
      });
      after(async () => Promise.all([app?.stop(), plain?.stop()]));

      for (const coding of ['gzip', 'deflate', 'br']) {
        it(`${coding}: the same compressed bytes reach the client, the log holds the decoded text`, async () => {
          const path = `/records?coding=${coding}`;
          const got = await sameAnswer(app, plain, path, { headers: { 'accept-encoding': coding } });
          expect(got.headers['content-encoding']).to.equal(coding);
          const text = DECODE[coding](got.body).toString('utf8');
          const e = await logOf(collector, app, '/records', 'GET', (l) => entryOf(l).request.url.endsWith(path));
          expect(e.response.headers.map((h) => [h.name.toLowerCase(), h.value])).to.deep.include(['content-encoding', coding]);
          expect(e.response.content).to.deep.equal({ text, size: Buffer.byteLength(text), mimeType: got.headers['content-type'] });
        });
      }

      it('a decoded body past the cap is cut at the cap and marked truncated', async () => {
        const path = '/records-large?coding=gzip';
        const got = await sameAnswer(app, plain, path, { headers: { 'accept-encoding': 'gzip' } });
        const full = zlib.gunzipSync(got.body);
        expect(full.length).to.be.greaterThan(CAP);
        const e = await logOf(collector, app, '/records-large');
        const kept = bytesOf(e.response.content);
        expect(e.response.content).to.not.have.property('encoding');
        expect(kept.length).to.be.within(CAP - 3, CAP);
        expect(kept.equals(full.subarray(0, kept.length))).to.equal(true);
        expect(e.response.content.comment).to.match(/^truncated/);
        // The decoded length is unknown past the cap: size is the compressed bytes sent, as the README says.
        expect(e.response.content.size).to.equal(got.body.length);
        expect(e.response.content.comment).to.match(new RegExp(`${got.body.length} bytes were sent \\(gzip\\)$`));
      });
    });
  }

  describe('node:http', () => {
    let app;
    let plain;
    before(async () => {
      [app, plain] = await Promise.all([startApp('proto-http1.cjs', { collector, env: ENV }), startApp('proto-http1.cjs', { preload: 'none' })]);
    });
    after(async () => Promise.all([app?.stop(), plain?.stop()]));

    for (const [path, mimeType] of [
      ['/png', 'image/png'],
      ['/protobuf', 'application/x-protobuf'],
      ['/octet', 'application/octet-stream'],
    ]) {
      it(`binary ${mimeType}: base64 with "encoding": "base64"`, async () => {
        const got = await sameAnswer(app, plain, path);
        const e = await logOf(collector, app, path);
        expect(e.response.content).to.deep.equal({ text: got.body.toString('base64'), size: got.body.length, mimeType, encoding: 'base64' });
      });
    }

    it('invalid UTF-8 in a JSON body: text the redactor can read, bad bytes replaced and a comment saying so', async () => {
      const got = await sameAnswer(app, plain, '/invalid-utf8');
      const e = await logOf(collector, app, '/invalid-utf8');
      expect(e.response.content).to.deep.equal({
        text: new TextDecoder().decode(got.body),
        size: got.body.length,
        mimeType: 'application/json; charset=utf-8',
        comment: 'not valid utf-8: undecodable bytes replaced with U+FFFD',
      });
      expect((await request(`${app.url}/json`)).status).to.equal(200);
    });

    it('a body past the cap: truncated, the real size in size, a comment saying so', async () => {
      const got = await sameAnswer(app, plain, '/big?n=100000');
      expect(got.body.length).to.equal(200_000);
      const e = await logOf(collector, app, '/big');
      const { content } = e.response;
      expect(content.size).to.equal(200_000);
      expect(content).to.not.have.property('encoding');
      // The cap falls inside a two-byte character: the text stops before it.
      expect(Buffer.byteLength(content.text)).to.equal(CAP - 1);
      expect(content.text).to.equal('é'.repeat((CAP - 1) / 2));
      expect(content.comment).to.equal(`truncated: ${CAP - 1} of 200000 bytes captured`);
      expect(e).to.not.have.property('comment');
    });

    it('server-sent events: each event reaches the client before the next is sent; logged at the end', async () => {
      const views = await Promise.all(
        [app, plain].map(
          (target) =>
            new Promise((resolve, reject) => {
              const id = `sse-${target.port}`;
              http
                .get(`${target.url}/sse?id=${id}`, (res) => {
                  const seen = [];
                  res.on('data', (c) => {
                    seen.push(c.toString());
                    // Only once the first event is here do we ask for the second.
                    if (seen.length === 1) request(`${target.url}/sse-next?id=${id}`).catch(reject);
                  });
                  res.on('end', () => resolve({ status: res.statusCode, headers: comparableHeaders(res.rawHeaders), seen }));
                })
                .on('error', reject);
            }),
        ),
      );
      expect(views[0]).to.deep.equal(views[1]);
      expect(views[0].seen).to.deep.equal(['event: tick\ndata: one\n\n', 'event: tick\ndata: two\n\n']);
      const e = await logOf(collector, app, '/sse');
      expect(e.response.content).to.deep.equal({ text: views[0].seen.join(''), size: views[0].seen.join('').length, mimeType: 'text/event-stream' });
      expect(e).to.not.have.property('comment');
    });

    it('server-sent events: a client that leaves is logged as aborted with what it was sent', async () => {
      await new Promise((resolve, reject) => {
        const req = http.get(`${app.url}/sse?id=leaver`, (res) => {
          res.once('data', () => req.destroy());
        });
        req.on('error', () => {});
        req.on('close', resolve);
        setTimeout(() => reject(new Error('no first event')), 5000).unref();
      });
      const e = await logOf(collector, app, '/sse', 'GET', (l) => entryOf(l).request.url.endsWith('id=leaver'));
      expect(e.comment).to.match(/^aborted/);
      expect(e.response.status).to.equal(200);
      expect(e.response.content.text).to.equal('event: tick\ndata: one\n\n');
    });

    it('a long streamed response: delivered whole, the log keeps only the cap', async () => {
      const got = await sameAnswer(app, plain, '/long?n=300&size=1024');
      expect(got.body.length).to.equal(300 * 1024);
      const e = await logOf(collector, app, '/long');
      expect(e.response.content.size).to.equal(300 * 1024);
      expect(e.response.content.text).to.equal(got.body.subarray(0, CAP).toString());
      expect(e.response.content.comment).to.match(/^truncated/);
    });

    it('upgrade and CONNECT: untouched and not logged', async () => {
      const talk = async (port, first, then) => {
        const s = rawSocket(port);
        s.write(first);
        await s.waitFor('\r\n\r\n');
        if (then) {
          s.write(then);
          await s.waitFor(then);
        }
        s.socket.end();
        return s.closed;
      };
      const upgrade = 'GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n';
      const [ua, up] = await Promise.all([talk(app.port, upgrade, 'ping over the upgraded socket'), talk(plain.port, upgrade, 'ping over the upgraded socket')]);
      expect(comparableBytes(ua)).to.equal(comparableBytes(up));
      expect(ua.toString()).to.match(/^HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*ping over the upgraded socket$/);

      const connect = 'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n';
      const [ca, cp] = await Promise.all([talk(app.port, connect), talk(plain.port, connect)]);
      expect(ca.toString()).to.equal(cp.toString());
      expect(ca.toString()).to.include('tunnel to example.test:443');

      await request(`${app.url}/json?marker=upgrade`);
      await logOf(collector, app, '/json', 'GET', (l) => entryOf(l).request.url.endsWith('marker=upgrade'));
      await sleep(200);
      const stray = collector.store
        .all()
        .map((s) => entryOf(s.log))
        .filter((e) => e.request.method === 'CONNECT' || e.request.url.includes('/upgrade'));
      expect(stray).to.deep.equal([]);
    });
  });
});
