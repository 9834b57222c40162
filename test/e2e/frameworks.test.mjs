// Every supported framework through the real preload, in CommonJS and ESM: contract-exact logs with the
// route template as pageref, and answers byte-identical to the same app started without us.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { comparableHeaders, entryOf, request, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';
import { installedPackage } from '../helpers/tarball.mjs';

const mask = (v) => `sha512-${createHash('sha512').update(v).digest('base64')}?${v.slice(-4)}`;

const EXPRESS = { user: '/users/:id', item: '/api/items/:itemId' };
const HAPI = { user: '/users/{id}', item: '/api/items/{itemId}' };

const FRAMEWORKS = [
  { name: 'Express 4', file: 'express4.cjs', ...EXPRESS },
  { name: 'Express 5', file: 'express5.cjs', ...EXPRESS },
  { name: 'Express 5 (ESM)', file: 'express5.mjs', ...EXPRESS },
  { name: 'Fastify 5', file: 'fastify5.cjs', ...EXPRESS, early: '/private/:thing' },
  { name: 'Fastify 4', file: 'fastify4.cjs', ...EXPRESS, early: '/private/:thing' },
  { name: 'Fastify 5 (ESM)', file: 'fastify5.mjs', ...EXPRESS, early: '/private/:thing' },
  { name: 'Koa + @koa/router', file: 'koa.cjs', ...EXPRESS },
  { name: 'Koa + @koa/router (ESM)', file: 'koa.mjs', ...EXPRESS },
  { name: 'Hapi', file: 'hapi.cjs', ...HAPI },
  { name: 'Hapi (ESM)', file: 'hapi.mjs', ...HAPI },
  { name: 'NestJS on Express', file: 'nest-express.cjs', ...EXPRESS },
  { name: 'NestJS on Fastify', file: 'nest-fastify.cjs', ...EXPRESS },
];

const TOKEN = 'secret-token-wxyz';
const AUTH = `Bearer ${TOKEN}`;

/** Header pairs exactly as the client received them, in order. */
function pairs(rawHeaders) {
  const out = [];
  for (let i = 0; i < rawHeaders.length; i += 2) out.push({ name: rawHeaders[i], value: rawHeaders[i + 1] });
  return out;
}

describe('frameworks: route templates and identical answers through the preload', function () {
  let collector;
  let register;

  before(async function () {
    // Every framework app preloads the packed package, installed the way users install it.
    this.timeout(300_000);
    collector = await startCollector();
    ({ register } = await installedPackage());
  });
  after(async () => {
    await collector?.close();
  });

  for (const fw of FRAMEWORKS) {
    describe(fw.name, function () {
      let app;
      let plain;

      before(async () => {
        const preload = fw.file.endsWith('.mjs') ? 'import' : 'require';
        [app, plain] = await Promise.all([startApp(fw.file, { preload, collector, register }), startApp(fw.file, { preload: 'none' })]);
      });
      after(async () => {
        await Promise.all([app?.stop(), plain?.stop()]);
      });

      let sent = 0;

      /** Sends the same request to both instances, checks the answers match, returns the log of ours. */
      async function exchange(method, path, { body, headers = {} } = {}) {
        // A per-request header finds the log even when what it records is wrong, so failures say what it recorded.
        const tag = `${fw.file}-${++sent}`;
        const opts = { method, body, headers: { authorization: AUTH, 'x-test-case': tag, ...headers } };
        const [res, res0] = await Promise.all([request(app.url + path, opts), request(plain.url + path, opts)]);
        expect(res.status, 'status').to.equal(res0.status);
        expect(res.statusMessage, 'status message').to.equal(res0.statusMessage);
        expect(comparableHeaders(res.rawHeaders), 'headers').to.deep.equal(comparableHeaders(res0.rawHeaders));
        expect(res.body.equals(res0.body), 'body').to.equal(true);
        const [log] = await waitForLogs(collector, 1, {
          filter: (l) => entryOf(l).request.headers.some((h) => h.name === 'x-test-case' && h.value === tag),
        });
        return { res, log, e: entryOf(log) };
      }

      function expectCommon({ res, log, e }, method, path) {
        expect(log._version).to.equal(3);
        expect(log.group).to.deep.equal({ id: mask(TOKEN), label: `Key ending in ${TOKEN.slice(-4)}` });
        expect(log.clientIPAddress).to.equal('127.0.0.1');
        expect(log.development).to.equal(false);
        expect(e.request.method).to.equal(method);
        expect(e.request.url).to.equal(`${app.url}${path}`);
        expect(e.request.httpVersion).to.equal('HTTP/1.1');
        expect(e.request.headers).to.deep.include({ name: 'authorization', value: mask(AUTH) });
        expect(e.request).to.include({ headersSize: -1, bodySize: -1 });
        expect(e.response).to.include({ status: res.status, statusText: res.statusMessage, httpVersion: 'HTTP/1.1', redirectURL: '' });
        expect(e.response.headers).to.deep.equal(pairs(res.rawHeaders));
        expect(e.response.content).to.deep.equal({ text: res.body.toString('utf8'), size: res.body.length, mimeType: res.headers['content-type'] });
        expect(e.timings).to.deep.equal({ wait: 0, receive: e.time });
      }

      it('GET with a query: route template as pageref, query string, masked Authorization', async () => {
        const path = '/users/42?verbose=true&tag=a&tag=b';
        const got = await exchange('GET', path);
        expect(got.res.status).to.equal(200);
        expect(JSON.parse(got.res.body)).to.deep.include({ id: '42', query: { verbose: 'true', tag: ['a', 'b'] } });
        expectCommon(got, 'GET', path);
        expect(got.e.pageref).to.equal(`${app.url}${fw.user}`);
        expect(got.e.request.queryString).to.deep.equal([
          { name: 'verbose', value: 'true' },
          { name: 'tag', value: 'a' },
          { name: 'tag', value: 'b' },
        ]);
        expect(got.e.request).to.not.have.property('postData');
        expect(got.e.response.content.mimeType).to.match(/^application\/json/);
      });

      it('POST JSON: postData as sent, the echoed body as response content', async () => {
        const text = '{"name":"owlbert","tags":["a","b"],"n":1}';
        const got = await exchange('POST', '/echo', { body: text, headers: { 'content-type': 'application/json' } });
        expect(got.res.status).to.equal(201);
        expect(JSON.parse(got.res.body)).to.deep.equal({ received: JSON.parse(text) });
        expectCommon(got, 'POST', '/echo');
        expect(got.e.pageref).to.equal(`${app.url}/echo`);
        expect(got.e.request.queryString).to.deep.equal([]);
        expect(got.e.request.postData).to.deep.equal({ mimeType: 'application/json', text });
        expect(got.e.response.statusText).to.equal('Created');
      });

      it('a handler that throws: the framework\'s 500 is logged as sent', async () => {
        const got = await exchange('GET', '/boom');
        expect(got.res.status).to.equal(500);
        expectCommon(got, 'GET', '/boom');
        expect(got.e.pageref).to.equal(`${app.url}/boom`);
        expect(got.e.response.statusText).to.equal('Internal Server Error');
      });

      it('a route under a prefix or mounted router keeps its full template', async () => {
        const got = await exchange('GET', '/api/items/7');
        expect(JSON.parse(got.res.body)).to.deep.equal({ item: '7' });
        expectCommon(got, 'GET', '/api/items/7');
        expect(got.e.pageref).to.equal(`${app.url}${fw.item}`);
      });

      if (fw.early) {
        it('a hook that answers before the handler still logs the route template', async () => {
          const got = await exchange('GET', '/private/secret?x=1');
          expect(got.res.status).to.equal(401);
          expectCommon(got, 'GET', '/private/secret?x=1');
          expect(got.e.pageref).to.equal(`${app.url}${fw.early}`);
        });
      }

      it('an unmatched path has no template: pageref is the full URL', async () => {
        const got = await exchange('GET', '/no/such/route?x=1');
        expect(got.res.status).to.equal(404);
        expectCommon(got, 'GET', '/no/such/route?x=1');
        expect(got.e.pageref).to.equal(`${app.url}/no/such/route?x=1`);
      });
    });
  }
});
