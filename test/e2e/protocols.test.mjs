// Faithful capture across protocols: node:https, HTTP/2 (compat and stream APIs, with and without
// allowHTTP1, cleartext), keep-alive, pipelining, chunked bodies, 100-continue, HEAD/204/304. Every
// case checks that the client sees exactly what it sees without the preload, and the HAR we log.
import { expect } from 'chai';
import http from 'node:http';
import http2 from 'node:http2';
import { byPath, comparableHeaders, entryOf, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';
import { comparableBytes, comparableH2Headers, h2connect, h2request, rawSocket } from '../helpers/proto-clients.mjs';
import { selfSignedCert } from '../helpers/tls.mjs';

const DOCS = { README_BASE_LOG_URL: 'https://docs.example.com' };
const onPort = (port) => (log) => new URL(entryOf(log).request.url).port === String(port);
const both = (...filters) => (log) => filters.every((f) => f(log));
const fromBase64 = (content) => (content.encoding === 'base64' ? Buffer.from(content.text, 'base64') : Buffer.from(content.text));

/** Waits for a marker request's log, then asserts nothing was logged for `path` on that app. */
async function expectNotLogged(collector, app, path, marker) {
  await marker();
  await waitForLogs(collector, 1, { filter: both(onPort(app.port), byPath('/json')) });
  await sleep(200);
  const logs = collector.store.all().map((s) => s.log).filter(both(onPort(app.port), byPath(path)));
  expect(logs, `${path} must not be logged`).to.have.length(0);
}

describe('protocols: the client sees the same bytes, the collector gets the HAR', function () {
  this.timeout(30_000);
  const tls = selfSignedCert();
  let collector;

  before(async () => {
    collector = await startCollector();
  });
  after(async () => {
    await collector?.close();
  });

  describe('node:https with a self-signed certificate', () => {
    let app;
    let plain;
    before(async function () {
      if (!tls) this.skip();
      [app, plain] = await Promise.all([
        startApp('proto-http1.cjs', { collector, env: { ...tls.env, ...DOCS } }),
        startApp('proto-http1.cjs', { preload: 'none', env: tls.env }),
      ]);
    });
    after(async () => Promise.all([app?.stop(), plain?.stop()]));

    it('GET and POST: identical answers, https URLs in the log', async () => {
      const body = JSON.stringify({ owl: 'hoot', n: [1, 2, 3] });
      for (const target of [app, plain]) target.https = `https://localhost:${target.port}`;
      const opts = { method: 'POST', headers: { 'content-type': 'application/json' }, body, ca: tls.ca };
      const [a, p] = await Promise.all([request(`${app.https}/echo`, opts), request(`${plain.https}/echo`, opts)]);
      expect(a.status).to.equal(p.status);
      expect(comparableHeaders(a.rawHeaders)).to.deep.equal(comparableHeaders(p.rawHeaders));
      expect(a.body.equals(p.body)).to.equal(true);
      expect(a.headers['x-documentation-url']).to.match(/^https:\/\/docs\.example\.com\/logs\//);
      const g = await request(`${app.https}/json?q=1`, { ca: tls.ca });
      expect(g.status).to.equal(200);

      const [post] = await waitForLogs(collector, 1, { filter: both(onPort(app.port), byPath('/echo', 'POST')) });
      const e = entryOf(post);
      expect(e.request.url).to.equal(`https://localhost:${app.port}/echo`);
      expect(e.request.httpVersion).to.equal('HTTP/1.1');
      expect(e.request.postData).to.deep.equal({ mimeType: 'application/json', text: body });
      expect(e.response.content).to.deep.equal({ text: body, size: body.length, mimeType: 'application/json' });
      const [get] = await waitForLogs(collector, 1, { filter: both(onPort(app.port), byPath('/json', 'GET')) });
      expect(entryOf(get).request.url).to.equal(`https://localhost:${app.port}/json?q=1`);
      expect(entryOf(get).response.content.text).to.equal(g.body.toString());
    });
  });

  describe('HTTP/1.1 on one connection and its corners', () => {
    let app;
    let plain;
    let appCc;
    let plainCc;
    before(async () => {
      [app, plain, appCc, plainCc] = await Promise.all([
        startApp('proto-http1.cjs', { collector, env: DOCS }),
        startApp('proto-http1.cjs', { preload: 'none' }),
        startApp('proto-http1.cjs', { collector, env: { ...DOCS, CHECK_CONTINUE: '1' } }),
        startApp('proto-http1.cjs', { preload: 'none', env: { CHECK_CONTINUE: '1' } }),
      ]);
    });
    after(async () => Promise.all([app, plain, appCc, plainCc].map((a) => a?.stop())));

    /** Runs the same raw conversation against both apps and returns the bytes each client got. */
    async function conversation(fn) {
      return Promise.all([fn(rawSocket(app.port), `127.0.0.1:${app.port}`), fn(rawSocket(plain.port), `127.0.0.1:${plain.port}`)]);
    }

    it('keep-alive: sequential requests share one socket', async () => {
      async function twoOnOneSocket(port) {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const sockets = new Set();
        const views = [];
        for (const path of ['/a', '/b']) {
          views.push(
            await new Promise((resolve, reject) => {
              http
                .get({ host: '127.0.0.1', port, path, agent }, (res) => {
                  sockets.add(res.socket);
                  const chunks = [];
                  res.on('data', (c) => chunks.push(c));
                  res.on('end', () => resolve({ status: res.statusCode, headers: comparableHeaders(res.rawHeaders), body: Buffer.concat(chunks).toString() }));
                })
                .on('error', reject);
            }),
          );
        }
        agent.destroy();
        return { views, sockets: sockets.size };
      }
      const [a, p] = await Promise.all([twoOnOneSocket(app.port), twoOnOneSocket(plain.port)]);
      expect(a).to.deep.equal(p);
      expect(a.sockets).to.equal(1);
      const logs = await waitForLogs(collector, 2, { filter: both(onPort(app.port), (l) => ['/a', '/b'].includes(new URL(entryOf(l).request.url).pathname)) });
      expect(logs.map((l) => entryOf(l).response.content.text).sort()).to.deep.equal(['first', 'second']);
    });

    it('pipelining: two requests written at once are answered in order, both logged', async () => {
      const [a, p] = await conversation((s, host) => {
        s.write(`GET /b?pipelined=1 HTTP/1.1\r\nHost: ${host}\r\n\r\nGET /a?pipelined=1 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        return s.closed;
      });
      expect(comparableBytes(a)).to.equal(comparableBytes(p));
      expect(a.toString().indexOf('second')).to.be.lessThan(a.toString().indexOf('first'));
      const logs = await waitForLogs(collector, 2, { filter: both(onPort(app.port), (l) => entryOf(l).request.url.includes('pipelined=1')) });
      const byUrl = Object.fromEntries(logs.map((l) => [new URL(entryOf(l).request.url).pathname, entryOf(l)]));
      expect(byUrl['/a'].response.content.text).to.equal('first');
      expect(byUrl['/b'].response.content.text).to.equal('second');
      expect(byUrl['/a'].request.url).to.equal(`http://127.0.0.1:${app.port}/a?pipelined=1`);
    });

    it('pipelining with bodies: each request body is logged with its own exchange', async () => {
      const bodies = ['{"pipelined":"first body"}', '{"pipelined":"second, longer body"}'];
      const [a, p] = await conversation((s, host) => {
        const post = (b, last) => `POST /echo-chunks?pipelined-body=${b.length} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\n${last ? 'Connection: close\r\n' : ''}\r\n${b}`;
        s.write(post(bodies[0], false) + post(bodies[1], true));
        return s.closed;
      });
      expect(comparableBytes(a)).to.equal(comparableBytes(p));
      const logs = await waitForLogs(collector, 2, { filter: both(onPort(app.port), (l) => entryOf(l).request.url.includes('pipelined-body=')) });
      const byLength = Object.fromEntries(logs.map((l) => [new URL(entryOf(l).request.url).searchParams.get('pipelined-body'), entryOf(l)]));
      for (const b of bodies) {
        expect(byLength[b.length].request.postData.text).to.equal(b);
        expect(byLength[b.length].response.content.text).to.equal(b);
      }
    });

    it('chunked request and chunked response: same framing, whole bodies logged', async () => {
      const pieces = ['{"part":1,', '"unicode":"dé',
        'jà vu",', '"end":true}'];
      const [a, p] = await conversation(async (s, host) => {
        s.write(`POST /echo-chunks HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`);
        for (const piece of pieces) {
          const b = Buffer.from(piece);
          s.write(`${b.length.toString(16)}\r\n`);
          s.write(b);
          s.write('\r\n');
          await sleep(10);
        }
        s.write('0\r\n\r\n');
        return s.closed;
      });
      expect(comparableBytes(a)).to.equal(comparableBytes(p));
      expect(a.toString()).to.match(/transfer-encoding: chunked/i);
      const whole = pieces.join('');
      const [log] = await waitForLogs(collector, 1, { filter: both(onPort(app.port), byPath('/echo-chunks', 'POST'), (l) => !entryOf(l).request.url.includes('pipelined-body=')) });
      const e = entryOf(log);
      expect(e.request.postData).to.deep.equal({ mimeType: 'application/json', text: whole });
      expect(e.response.content).to.deep.equal({ text: whole, size: Buffer.byteLength(whole), mimeType: 'application/json' });
    });

    for (const [label, withListener] of [
      ['without a checkContinue listener', false],
      ['with a checkContinue listener', true],
    ]) {
      it(`Expect: 100-continue ${label}`, async () => {
        const [target, baseline] = withListener ? [appCc, plainCc] : [app, plain];
        const body = `continued ${label}`;
        const talk = async (s, host) => {
          s.write(`POST /echo?cc=${withListener} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`);
          await s.waitFor('HTTP/1.1 100 Continue\r\n\r\n');
          s.write(body);
          return s.closed;
        };
        const [a, p] = await Promise.all([talk(rawSocket(target.port), `127.0.0.1:${target.port}`), talk(rawSocket(baseline.port), `127.0.0.1:${baseline.port}`)]);
        expect(comparableBytes(a)).to.equal(comparableBytes(p));
        expect(a.toString()).to.include(body);
        const [log] = await waitForLogs(collector, 1, { filter: both(onPort(target.port), byPath('/echo', 'POST')) });
        const e = entryOf(log);
        expect(e.request.postData).to.deep.equal({ mimeType: 'text/plain', text: body });
        expect(e.response.status).to.equal(200);
        expect(e.response.content.text).to.equal(body);
      });
    }

    it('HEAD, 204 and 304: identical answers, no body logged', async () => {
      const cases = [
        ['HEAD', '/json'],
        ['GET', '/status?code=204'],
        ['GET', '/status?code=304'],
      ];
      for (const [method, path] of cases) {
        const [a, p] = await Promise.all([request(`${app.url}${path}`, { method }), request(`${plain.url}${path}`, { method })]);
        expect(a.status, path).to.equal(p.status);
        expect(comparableHeaders(a.rawHeaders), path).to.deep.equal(comparableHeaders(p.rawHeaders));
        expect(a.body.length).to.equal(0);
      }
      for (const [method, path] of cases) {
        const [log] = await waitForLogs(collector, 1, { filter: both(onPort(app.port), (l) => entryOf(l).request.method === method && entryOf(l).request.url.endsWith(path)) });
        const { content, status } = entryOf(log).response;
        expect(content.text, path).to.equal('');
        expect(content.size, path).to.equal(0);
        expect(status).to.equal(method === 'HEAD' ? 200 : Number(path.slice(-3)));
      }
    });
  });

  for (const mode of ['compat', 'compat-h1', 'stream', 'h2c']) {
    describe(`HTTP/2 (${mode})`, () => {
      let app;
      let plain;
      let session;
      let plainSession;
      const scheme = mode === 'h2c' ? 'http' : 'https';
      const authority = () => `localhost:${app.port}`;

      before(async function () {
        if (!tls && mode !== 'h2c') this.skip();
        [app, plain] = await Promise.all([
          startApp('proto-h2.cjs', { collector, args: [mode], env: { ...tls?.env, ...DOCS } }),
          startApp('proto-h2.cjs', { preload: 'none', args: [mode], env: { ...tls?.env } }),
        ]);
        [session, plainSession] = await Promise.all([h2connect(`${scheme}://localhost:${app.port}`, tls?.ca), h2connect(`${scheme}://localhost:${plain.port}`, tls?.ca)]);
      });
      after(async () => {
        session?.close();
        plainSession?.close();
        await Promise.all([app?.stop(), plain?.stop()]);
      });

      async function same(headers, body) {
        const [a, p] = await Promise.all([h2request(session, headers, body), h2request(plainSession, headers, body)]);
        expect(a.status).to.equal(p.status);
        expect(comparableH2Headers(a.headers)).to.deep.equal(comparableH2Headers(p.headers));
        expect(a.body.equals(p.body)).to.equal(true);
        return a;
      }

      const forPath = (path, method) => both(onPort(app.port), byPath(path, method));
      const noPseudo = (headers) => expect(headers.filter((h) => h.name.startsWith(':'))).to.deep.equal([]);

      it('POST, GET and a streamed response: identical, logged as HTTP/2.0 on :authority', async () => {
        // A body first: the first stream of the process is the one whose prototype gets patched.
        const payload = Buffer.alloc(100_000, 'é');
        await same({ ':path': '/echo', ':method': 'POST', 'content-type': 'application/octet-stream' }, payload);
        const got = await same({ ':path': '/json?x=1', 'x-trace': 't-2' });
        expect(got.headers['x-documentation-url']).to.match(/^https:\/\/docs\.example\.com\/logs\//);
        await same({ ':path': '/chunks' });

        const [get] = await waitForLogs(collector, 1, { filter: forPath('/json', 'GET') });
        const e = entryOf(get);
        expect(e.request.url).to.equal(`${scheme}://${authority()}/json?x=1`);
        expect(e.request.httpVersion).to.equal('HTTP/2.0');
        expect(e.response.httpVersion).to.equal('HTTP/2.0');
        expect(e.request.queryString).to.deep.equal([{ name: 'x', value: '1' }]);
        expect(e.request.headers).to.deep.include({ name: 'x-trace', value: 't-2' });
        noPseudo(e.request.headers);
        noPseudo(e.response.headers);
        expect(e.response.status).to.equal(200);
        expect(e.response.headers).to.deep.include({ name: 'x-documentation-url', value: got.headers['x-documentation-url'] });
        expect(e.response.content).to.deep.equal({ text: got.body.toString(), size: got.body.length, mimeType: 'application/json' });
        expect(e).to.not.have.property('comment');

        const [post] = await waitForLogs(collector, 1, { filter: forPath('/echo', 'POST') });
        const pe = entryOf(post);
        expect(pe.request.postData.mimeType).to.equal('application/octet-stream');
        expect(fromBase64(pe.request.postData).equals(payload)).to.equal(true);
        expect(fromBase64(pe.response.content).equals(payload)).to.equal(true);
        expect(pe.response.content.size).to.equal(payload.length);
        expect(pe).to.not.have.property('comment');

        const [chunks] = await waitForLogs(collector, 1, { filter: forPath('/chunks', 'GET') });
        const ce = entryOf(chunks);
        expect(ce.response.content.text).to.equal('alpha,beta,gamma');
        expect(ce.response.headers.filter((h) => h.name === 'set-cookie')).to.have.length(2);
      });

      it('events reach the client one by one, before the next is sent', async () => {
        const events = (sess, port) =>
          new Promise((resolve, reject) => {
            const req = sess.request({ ':path': `/sse?id=${port}` });
            const seen = [];
            req.on('data', (c) => {
              seen.push(c.toString());
              if (seen.length === 1) h2request(sess, { ':path': `/sse-next?id=${port}` }).catch(reject);
            });
            req.on('end', () => resolve(seen));
            req.on('error', reject);
          });
        const [a, p] = await Promise.all([events(session, app.port), events(plainSession, plain.port)]);
        expect(a).to.deep.equal(['data: one\n\n', 'data: two\n\n']);
        expect(p).to.deep.equal(a);
        const [log] = await waitForLogs(collector, 1, { filter: forPath('/sse', 'GET') });
        expect(entryOf(log).response.content).to.deep.equal({ text: a.join(''), size: a.join('').length, mimeType: 'text/event-stream' });
      });

      it('HEAD, 204 and 304: identical, no body logged', async () => {
        const cases = [
          ['HEAD', '/json'],
          ['GET', '/status?code=204'],
          ['GET', '/status?code=304'],
        ];
        for (const [method, path] of cases) await same({ ':method': method, ':path': path });
        for (const [method, path] of cases) {
          const [log] = await waitForLogs(collector, 1, { filter: both(onPort(app.port), (l) => entryOf(l).request.method === method && entryOf(l).request.url.endsWith(path)) });
          const e = entryOf(log);
          expect(e.response.content.text).to.equal('');
          expect(e.response.content.size).to.equal(0);
          expect(e).to.not.have.property('comment');
        }
      });

      it('gRPC is left alone', async () => {
        await same({ ':method': 'POST', ':path': '/grpc', 'content-type': 'application/grpc+proto' }, Buffer.from([0, 0, 0, 0, 1, 7]));
        await expectNotLogged(collector, app, '/grpc', () => h2request(session, { ':path': '/json' }));
      });

      it('a stream the client cancels is logged as aborted with what was sent', async () => {
        await new Promise((resolve, reject) => {
          const req = session.request({ ':path': '/partial' });
          req.on('data', () => req.close(http2.constants.NGHTTP2_CANCEL));
          req.on('close', resolve);
          req.on('error', reject);
        });
        await new Promise((resolve) => {
          const req = session.request({ ':path': '/hang' });
          req.on('error', () => {});
          setTimeout(() => req.close(http2.constants.NGHTTP2_CANCEL), 100);
          req.on('close', resolve);
        });
        const [partial] = await waitForLogs(collector, 1, { filter: forPath('/partial', 'GET') });
        expect(entryOf(partial).comment).to.match(/^aborted/);
        expect(entryOf(partial).response.status).to.equal(200);
        expect(entryOf(partial).response.content.text).to.equal('first chunk');
        const [hang] = await waitForLogs(collector, 1, { filter: forPath('/hang', 'GET') });
        expect(entryOf(hang).comment).to.match(/^aborted/);
        expect(entryOf(hang).response.status).to.equal(499);
      });

      if (mode === 'compat-h1') {
        it('an HTTP/1.1 client on the allowHTTP1 server is logged as HTTP/1.1', async () => {
          const opts = { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'over h1', ca: tls.ca };
          const [a, p] = await Promise.all([request(`https://localhost:${app.port}/echo`, opts), request(`https://localhost:${plain.port}/echo`, opts)]);
          expect(a.status).to.equal(p.status);
          expect(comparableHeaders(a.rawHeaders)).to.deep.equal(comparableHeaders(p.rawHeaders));
          expect(a.body.toString()).to.equal('over h1');
          const [log] = await waitForLogs(collector, 1, { filter: both(forPath('/echo', 'POST'), (l) => entryOf(l).request.httpVersion === 'HTTP/1.1') });
          expect(entryOf(log).request.postData.text).to.equal('over h1');
          expect(entryOf(log).response.content.text).to.equal('over h1');
        });
      }
    });
  }
});
