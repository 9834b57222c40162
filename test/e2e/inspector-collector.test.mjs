// The local collector behind `readme-metrics dev`: the guard in front of every route (Host, same
// origin, session token), the ingestion contract (gzip, refusals that never crash it), the bounded
// store, persistence across restarts, and the dashboard's JSON API.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { ROOT, request, startCollector, TEST_API_KEY } from '../helpers/harness.mjs';

const TMP = join(ROOT, 'test-output', 'inspector-collector');
const basic = (key) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const AUTH = basic(TEST_API_KEY);
// The module itself, without the harness's test token: what `dev` and `inspect` start.
const collectorModule = createRequire(import.meta.url)(join(ROOT, 'dist', 'inspector', 'collector.js'));

function makeLog({ id = randomUUID(), method = 'GET', path = '/things', status = 200, label = 'Owlbert', reqBody, resBody = '{"ok":true}' } = {}) {
  const request = {
    method,
    url: `http://127.0.0.1:3000${path}`,
    httpVersion: 'HTTP/1.1',
    headers: [{ name: 'host', value: '127.0.0.1:3000' }],
    queryString: [],
    cookies: [],
    headersSize: -1,
    bodySize: -1,
  };
  if (reqBody !== undefined) request.postData = { mimeType: 'application/json', text: reqBody };
  return {
    _id: id,
    _version: 3,
    group: { id: 'sha512-abc?1234', label, email: 'owlbert@example.com' },
    clientIPAddress: '127.0.0.1',
    development: true,
    request: {
      log: {
        version: '1.2',
        creator: { name: 'readme-metrics (node)', version: '0.0.0', comment: 'test' },
        entries: [
          {
            pageref: `http://127.0.0.1:3000${path}`,
            startedDateTime: new Date().toISOString(),
            time: 12,
            request,
            response: {
              status,
              statusText: 'OK',
              httpVersion: 'HTTP/1.1',
              headers: [{ name: 'content-type', value: 'application/json' }],
              content: { text: resBody, size: resBody.length, mimeType: 'application/json' },
              redirectURL: '',
              cookies: [],
              headersSize: -1,
              bodySize: -1,
            },
            cache: {},
            timings: { wait: 0, receive: 12 },
          },
        ],
      },
    },
  };
}

function post(collector, body, { gzip = false, headers = {} } = {}) {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return request(`${collector.url}/v1/request`, {
    method: 'POST',
    headers: {
      authorization: AUTH,
      'content-type': 'application/json',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...headers,
    },
    body: gzip ? gzipSync(raw) : raw,
  });
}

const json = (res) => JSON.parse(res.body.toString('utf8'));

describe('inspector collector', () => {
  let collector;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  describe('guard (in front of every route)', () => {
    // Every route the collector answers, each with a body where it takes one.
    const ROUTES = [
      ['GET', '/'],
      ['GET', '/logs/one'],
      ['GET', '/ui/main.js'],
      ['GET', '/favicon.ico'],
      ['GET', '/api/logs'],
      ['DELETE', '/api/logs'],
      ['GET', '/api/logs/one'],
      ['GET', '/api/summaries'],
      ['GET', '/api/info'],
      ['GET', '/api/search?q=owl'],
      ['GET', '/api/events'],
      ['GET', '/api/har'],
      ['POST', '/api/har', JSON.stringify({ ids: ['one'] })],
      ['POST', '/v1/request', JSON.stringify([makeLog({ id: 'forged' })])],
      ['GET', '/v1/request'],
      ['OPTIONS', '/v1/request'],
      ['GET', '/no-such-route'],
    ];
    const send = (method, path, body, headers) => {
      const all = { authorization: AUTH, 'content-type': 'application/json', ...headers };
      for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
      return request(`${collector.url}${path}`, { method, body, headers: all });
    };
    const ids = () => collector.store.all().map((s) => s.log._id);

    beforeEach(async () => {
      collector = await startCollector();
      expect((await post(collector, [makeLog({ id: 'one' })])).status).to.equal(202);
    });

    it('answers 421 on every route to a Host that is not its own (DNS rebinding), storing and clearing nothing', async () => {
      const foreign = ['attacker.example', `attacker.example:${collector.port}`, `127.0.0.2:${collector.port}`, `localhost:${collector.port + 1}`, `127.0.0.1`];
      for (const host of foreign) {
        for (const [method, path, body] of ROUTES) {
          const res = await send(method, path, body, { host });
          expect(res.status, `${method} ${path} Host: ${host}`).to.equal(421);
          expect(res.headers['content-type']).to.equal('text/plain; charset=utf-8');
          expect(res.body.toString()).to.match(/^unexpected Host header/);
          expect(res.body.length).to.be.below(200);
        }
      }
      // HTTP/1.0 lets a client leave Host out: refused as well.
      const raw = await new Promise((resolve, reject) => {
        let text = '';
        const socket = net.connect(collector.port, '127.0.0.1', () => socket.end('GET /api/logs HTTP/1.0\r\n\r\n'));
        socket.on('data', (d) => (text += d));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(raw).to.match(/^HTTP\/1\.1 421 /);
      expect(raw).not.to.include('"one"');
      expect(ids()).to.deep.equal(['one']);
    });

    it('answers 403 on every route to a cross-site Origin or Sec-Fetch-Site, storing and clearing nothing', async () => {
      const crossSite = [
        { 'sec-fetch-site': 'cross-site' },
        // An app's page on 127.0.0.1:3000 is same-site with the inspector: refused too.
        { 'sec-fetch-site': 'same-site' },
        { origin: 'http://attacker.example' },
        { origin: `http://127.0.0.1:${collector.port + 1}` },
        { origin: `https://127.0.0.1:${collector.port}` },
        { origin: 'null' },
        // An old browser without Fetch Metadata still sends Origin.
        { origin: 'http://localhost:3000', 'sec-fetch-site': undefined },
      ];
      for (const headers of crossSite) {
        for (const [method, path, body] of ROUTES) {
          const res = await send(method, path, body, headers);
          expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).to.equal(403);
          expect(res.headers['content-type']).to.equal('text/plain; charset=utf-8');
          expect(res.body.toString()).to.match(/^cross-site requests are refused/);
        }
      }
      expect(ids()).to.deep.equal(['one']);
    });

    it('serves its own origin, under each of its names, and requests with no browser headers', async () => {
      for (const name of ['127.0.0.1', 'localhost', '[::1]', 'LOCALHOST']) {
        const own = { host: `${name}:${collector.port}`, origin: `http://${name}:${collector.port}`, 'sec-fetch-site': 'same-origin' };
        expect((await send('GET', '/api/logs/one', undefined, own)).status, name).to.equal(200);
        expect((await send('POST', '/api/har', JSON.stringify({ ids: ['one'] }), own)).status, name).to.equal(200);
      }
      // Typed in the address bar, or a bookmark.
      expect((await send('GET', '/', undefined, { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' })).status).to.equal(200);
      expect((await send('POST', '/v1/request', JSON.stringify([makeLog({ id: 'two' })]), { origin: collector.url, 'sec-fetch-site': 'same-origin' })).status).to.equal(202);
      expect((await send('DELETE', '/api/logs', undefined, { origin: collector.url, 'sec-fetch-site': 'same-origin' })).status).to.equal(204);
      expect(ids()).to.deep.equal([]);
    });

    it('opens its page, and only its page, from a link on another site', async () => {
      const navigate = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-user': '?1' };
      for (const path of ['/', '/logs/one']) {
        const page = await send('GET', path, undefined, { ...navigate, 'sec-fetch-dest': 'document' });
        expect(page.status, path).to.equal(200);
        expect(page.headers['content-type']).to.match(/text\/html/);
        expect(page.headers['content-security-policy']).to.include("frame-ancestors 'none'");
      }
      expect((await send('GET', '/', undefined, { ...navigate, 'sec-fetch-dest': 'iframe' })).status).to.equal(403);
      expect((await send('GET', '/api/logs', undefined, { ...navigate, 'sec-fetch-dest': 'document' })).status).to.equal(403);
      expect((await send('POST', '/', undefined, { ...navigate, 'sec-fetch-dest': 'document' })).status).to.equal(403);
    });

    it('answers 401 to ingestion without its token, storing nothing', async () => {
      const wrong = [
        undefined,
        '',
        basic('rdme_some_other_key'),
        basic(`${TEST_API_KEY}x`),
        basic(TEST_API_KEY.slice(0, -1)),
        `Bearer ${TEST_API_KEY}`,
        `Basic ${TEST_API_KEY}`,
        'Basic',
      ];
      for (const authorization of wrong) {
        const res = await send('POST', '/v1/request', JSON.stringify([makeLog({ id: 'forged' })]), { authorization });
        expect(res.status, String(authorization)).to.equal(401);
        expect(res.headers['content-type']).to.equal('text/plain; charset=utf-8');
        expect(res.body.toString()).to.match(/^missing or wrong session token/);
      }
      // A Blob posted by a page has no Content-Type at all; with the token it would be taken, without it is not.
      const blob = await request(`${collector.url}/v1/request`, { method: 'POST', body: JSON.stringify([makeLog({ id: 'forged' })]) });
      expect(blob.status).to.equal(401);
      expect(ids()).to.deep.equal(['one']);
      expect(collector.postCounts).to.deep.equal({ total: wrong.length + 2, refused: wrong.length + 1 });
      // The token is the user part of Basic credentials, as every ReadMe SDK sends its key.
      expect((await send('POST', '/v1/request', JSON.stringify([makeLog({ id: 'two' })]), { authorization: `basic ${Buffer.from(`${TEST_API_KEY}:`).toString('base64')}` })).status).to.equal(202);
    });

    it('makes up a random token of its own when given none', async () => {
      const a = await collectorModule.startCollector();
      const b = await collectorModule.startCollector();
      try {
        expect(a.token).to.match(/^rdme_local_[0-9a-f]{32}$/);
        expect(b.token).to.match(/^rdme_local_[0-9a-f]{32}$/);
        expect(a.token).not.to.equal(b.token);
        const log = JSON.stringify([makeLog({ id: 'x' })]);
        const headers = (key) => ({ authorization: basic(key), 'content-type': 'application/json' });
        expect((await request(`${a.url}/v1/request`, { method: 'POST', body: log, headers: headers(TEST_API_KEY) })).status).to.equal(401);
        expect((await request(`${a.url}/v1/request`, { method: 'POST', body: log, headers: headers(b.token) })).status).to.equal(401);
        expect((await request(`${a.url}/v1/request`, { method: 'POST', body: log, headers: headers(a.token) })).status).to.equal(202);
        expect(a.store.size).to.equal(1);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  describe('ingestion (POST /v1/request)', () => {
    beforeEach(async () => {
      collector = await startCollector({ maxPayloadBytes: 64 * 1024 });
    });

    it('accepts a batch carrying its token as Basic auth, and keeps no Authorization with the logs', async () => {
      const logs = [makeLog({ id: 'a1' }), makeLog({ id: 'a2', status: 404 })];
      const res = await post(collector, logs);
      expect(res.status).to.equal(202);
      expect(json(res)).to.deep.equal({ accepted: 2 });
      expect(collector.store.size).to.equal(2);
      expect(collector.posts).to.have.length(1);
      expect(collector.posts[0]).to.include({ status: 202, count: 2 });
      // Neither in the store nor in anything served: the list, one log, the summaries, the HAR export.
      const b64 = AUTH.slice('Basic '.length);
      for (const what of [JSON.stringify(collector.store.all())].concat(
        await Promise.all(['/api/logs', '/api/logs/a1', '/api/summaries', '/api/har', '/api/search?q=owl'].map(async (p) => (await request(`${collector.url}${p}`)).body.toString())),
      )) {
        expect(what).to.include('a1');
        expect(what).not.to.include(TEST_API_KEY);
        expect(what).not.to.include(b64);
        expect(what.toLowerCase()).not.to.include('authorization');
      }
    });

    it('keeps only the recent posts in memory but counts them all', async () => {
      for (let i = 0; i < 2_100; i++) await post(collector, i % 3 === 0 ? '[42]' : [makeLog()], { gzip: i % 2 === 0 });
      expect(collector.postCounts).to.deep.equal({ total: 2_100, refused: 700 });
      expect(collector.posts.length).to.be.within(1_000, 2_000);
      expect(collector.posts.at(-1)).to.include({ status: 202, count: 1 });
    });

    it('accepts gzip bodies, as the SDK sends them', async () => {
      const res = await post(collector, [makeLog({ id: 'gz-1' })], { gzip: true });
      expect(res.status).to.equal(202);
      expect(collector.store.get('gz-1')?.log._id).to.equal('gz-1');
    });

    const refusals = [
      ['malformed JSON', '[{"_id": ', /malformed JSON/],
      ['a non-array', JSON.stringify({ _id: 'x' }), /expected a JSON array/],
      ['a log that is not an object', '[42]', /log 0: not an object/],
      ['a log without _id', JSON.stringify([{ ...makeLog(), _id: 7 }]), /log 0: _id must be a string/],
      ['a log without entries', JSON.stringify([makeLog(), { ...makeLog(), request: { log: { entries: [] } } }]), /log 1: request.log.entries/],
      ['an entry without a status', JSON.stringify([(() => { const l = makeLog(); delete l.request.log.entries[0].response.status; return l; })()]), /numeric status/],
    ];
    for (const [what, body, reason] of refusals) {
      it(`answers 400 with a reason to ${what}, and keeps serving`, async () => {
        const res = await post(collector, body);
        expect(res.status).to.equal(400);
        expect(json(res).error).to.match(reason);
        expect(collector.store.size).to.equal(0);
        expect((await post(collector, [makeLog()])).status).to.equal(202);
      });
    }

    it('answers 400 to a body that claims gzip but is not', async () => {
      const res = await post(collector, Buffer.from('not gzip'), { headers: { 'content-encoding': 'gzip' } });
      expect(res.status).to.equal(400);
      expect(json(res).error).to.match(/gzip/);
    });

    it('answers 415 to an unknown content-encoding', async () => {
      const res = await post(collector, [makeLog()], { headers: { 'content-encoding': 'br' } });
      expect(res.status).to.equal(415);
    });

    it('answers 415 to form and text bodies, which any web page could post to it', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await post(collector, [makeLog()], { headers: { 'content-type': type } });
        expect(res.status, type).to.equal(415);
        expect(json(res).error).to.include('application/json');
      }
      expect(collector.store.size).to.equal(0);
    });

    it('answers 413 to an oversized payload (declared, streamed, or once decompressed)', async () => {
      const big = JSON.stringify([makeLog({ resBody: 'x'.repeat(80 * 1024) })]);
      const declared = await post(collector, big);
      expect(declared.status).to.equal(413);

      const streamed = await new Promise((resolve, reject) => {
        const req = http.request(`${collector.url}/v1/request`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: AUTH } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', reject);
        // No content-length: chunked, so only counting the bytes catches it.
        req.write(big.slice(0, 40 * 1024));
        req.end(big.slice(40 * 1024));
      });
      expect(streamed).to.equal(413);

      const bomb = JSON.stringify([makeLog({ resBody: ' '.repeat(400 * 1024) })]);
      const decompressed = await post(collector, bomb, { gzip: true });
      expect(decompressed.status).to.equal(413);
      expect(collector.store.size).to.equal(0);
      expect((await post(collector, [makeLog()])).status).to.equal(202);
    });

    it('answers 405 to other methods on /v1/request', async () => {
      const res = await request(`${collector.url}/v1/request`);
      expect(res.status).to.equal(405);
    });

    it('still supports fault injection (setFailure)', async () => {
      collector.setFailure(503);
      expect((await post(collector, [makeLog()])).status).to.equal(503);
      collector.setFailure(undefined);
      expect((await post(collector, [makeLog()])).status).to.equal(202);
      expect(collector.posts.map((p) => p.status)).to.deep.equal([503, 202]);
    });
  });

  describe('bounded store', () => {
    it('keeps the newest maxEntries logs and counts the evicted', async () => {
      collector = await startCollector({ maxEntries: 5 });
      for (let i = 0; i < 3; i++) {
        await post(collector, [0, 1, 2, 3].map((j) => makeLog({ id: `log-${i * 4 + j}` })));
      }
      expect(collector.store.size).to.equal(5);
      expect(collector.store.evicted).to.equal(7);
      expect(collector.store.all().map((s) => s.log._id)).to.deep.equal(['log-7', 'log-8', 'log-9', 'log-10', 'log-11']);
      expect(collector.store.get('log-3')).to.equal(undefined);
      const summaries = json(await request(`${collector.url}/api/summaries`));
      expect(summaries.logs.map((l) => l.id)).to.deep.equal(['log-7', 'log-8', 'log-9', 'log-10', 'log-11']);
      expect(summaries.maxEntries).to.equal(5);
    });
    it('keeps one log per _id: a batch sent again after a timeout is counted as duplicates, not stored twice', async () => {
      collector = await startCollector();
      const batch = [makeLog({ id: 'again-1' }), makeLog({ id: 'again-2' })];
      const announced = [];
      collector.store.on('log', (s) => announced.push(s.log._id));
      expect((await post(collector, batch)).status).to.equal(202);
      expect((await post(collector, [batch[1], makeLog({ id: 'again-3' })])).status).to.equal(202);
      expect(collector.store.all().map((s) => s.log._id)).to.deep.equal(['again-1', 'again-2', 'again-3']);
      expect(announced).to.deep.equal(['again-1', 'again-2', 'again-3']);
      expect(collector.store.duplicates).to.equal(1);
      expect(json(await request(`${collector.url}/api/info`)).duplicates).to.equal(1);
    });
  });

  describe('persistence (JSON lines)', () => {
    const file = join(TMP, 'logs.jsonl');
    beforeEach(() => {
      rmSync(TMP, { recursive: true, force: true });
      mkdirSync(TMP, { recursive: true });
    });

    it('keeps history across a restart, without the Authorization header', async () => {
      collector = await startCollector({ persistFile: file });
      await post(collector, [makeLog({ id: 'a' }), makeLog({ id: 'b' })]);
      await post(collector, [makeLog({ id: 'c', status: 500 })]);
      await collector.close();
      expect(readFileSync(file, 'utf8')).not.to.include('rdme_test_key');

      collector = await startCollector({ persistFile: file });
      expect(collector.restored).to.equal(3);
      expect(collector.store.all().map((s) => s.log._id)).to.deep.equal(['a', 'b', 'c']);
      await post(collector, [makeLog({ id: 'd' })]);
      await collector.close();

      collector = await startCollector({ persistFile: file });
      expect(collector.store.all().map((s) => s.log._id)).to.deep.equal(['a', 'b', 'c', 'd']);
      const one = json(await request(`${collector.url}/api/logs/c`));
      expect(one.summary.status).to.equal(500);
    });

    it('stays bounded: compacted to the newest logs', async () => {
      collector = await startCollector({ persistFile: file, maxEntries: 4 });
      for (let i = 0; i < 25; i++) await post(collector, [makeLog({ id: `n${i}` })]);
      await collector.close();
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines.length).to.be.at.most(8);
      expect(JSON.parse(lines.at(-1)).log._id).to.equal('n24');

      collector = await startCollector({ persistFile: file, maxEntries: 4 });
      expect(collector.store.all().map((s) => s.log._id)).to.deep.equal(['n21', 'n22', 'n23', 'n24']);
    });

    it('stays bounded in bytes too', async () => {
      collector = await startCollector({ persistFile: file, maxEntries: 1000, maxFileBytes: 20 * 1024 });
      for (let i = 0; i < 30; i++) await post(collector, [makeLog({ id: `b${i}`, resBody: 'y'.repeat(2000) })]);
      await collector.close();
      expect(readFileSync(file).length).to.be.at.most(20 * 1024);
    });

    it('skips torn or invalid lines (a crash mid-write, a hand edit)', async () => {
      writeFileSync(file, `${JSON.stringify({ receivedAt: 1, log: makeLog({ id: 'good' }) })}\n{"receivedAt":2,"log":{"_id":"bad"}}\n`);
      appendFileSync(file, '{"receivedAt":3,"log":{"_id":"tor');
      collector = await startCollector({ persistFile: file });
      expect(collector.store.all().map((s) => s.log._id)).to.deep.equal(['good']);
    });

    it('empties the file on clear', async () => {
      collector = await startCollector({ persistFile: file });
      await post(collector, [makeLog()]);
      expect((await request(`${collector.url}/api/logs`, { method: 'DELETE' })).status).to.equal(204);
      await collector.close();
      expect(readFileSync(file, 'utf8')).to.equal('');
    });
  });

  describe('dashboard API', () => {
    beforeEach(async () => {
      collector = await startCollector();
      await post(collector, [
        makeLog({ id: 'one', method: 'POST', path: '/login', reqBody: '{"user":"owl","password":"[REDACTED 8]"}', resBody: '{"token":"zebra-crossing"}' }),
        makeLog({ id: 'two', path: '/books/2', status: 404 }),
      ]);
    });

    it('lists logs in the original format and one by id', async () => {
      const all = json(await request(`${collector.url}/api/logs`));
      expect(all.map((s) => s.log._id)).to.deep.equal(['one', 'two']);
      const one = json(await request(`${collector.url}/api/logs/one`));
      expect(one.log._id).to.equal('one');
      expect(one.summary).to.include({ method: 'POST', path: '/login', status: 200, time: 12 });
      expect(one.summary.consumer).to.deep.equal({ id: 'sha512-abc?1234', label: 'Owlbert', email: 'owlbert@example.com' });
      expect((await request(`${collector.url}/api/logs/nope`)).status).to.equal(404);
    });

    it('searches headers and bodies', async () => {
      expect(json(await request(`${collector.url}/api/search?q=ZEBRA`)).ids).to.deep.equal(['one']);
      expect(json(await request(`${collector.url}/api/search?q=nothing-like-it`)).ids).to.deep.equal([]);
    });

    it('exports a selection as one HAR 1.2 file', async () => {
      const res = await request(`${collector.url}/api/har`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: ['two', 'one', 'gone'] }) });
      expect(res.status).to.equal(200);
      expect(res.headers['content-disposition']).to.match(/attachment; filename="readme-metrics-.*\.har"/);
      const har = json(res);
      expect(har.log.version).to.equal('1.2');
      expect(har.log.creator.name).to.be.a('string');
      expect(har.log.pages).to.deep.equal([]);
      expect(har.log.entries).to.have.length(2);
      for (const e of har.log.entries) {
        expect(e).to.include.keys('startedDateTime', 'time', 'request', 'response', 'cache', 'timings');
        expect(e).not.to.have.property('pageref');
        expect(e.timings).to.include.keys('send', 'wait', 'receive');
        expect(e._readme.id).to.be.oneOf(['one', 'two']);
      }
      const all = json(await request(`${collector.url}/api/har`));
      expect(all.log.entries).to.have.length(2);
      const bad = await request(`${collector.url}/api/har`, { method: 'POST', body: '{"ids": 3}' });
      expect(bad.status).to.equal(400);
    });

    it('serves the UI, with /logs/<id> routed to it, and nothing outside its folder', async () => {
      const page = await request(`${collector.url}/logs/one`);
      expect(page.status).to.equal(200);
      expect(page.headers['content-type']).to.match(/text\/html/);
      expect(page.headers['content-security-policy']).to.include("script-src 'self'");
      expect(page.body.toString()).to.include('/ui/main.js');
      const js = await request(`${collector.url}/ui/main.js`);
      expect(js.headers['content-type']).to.match(/javascript/);
      expect((await request(`${collector.url}/ui/..%2f..%2f..%2fpackage.json`)).status).to.equal(404);
      expect((await request(`${collector.url}/ui/nope.js`)).status).to.equal(404);
    });


    it('streams a snapshot, then new logs, as server-sent events', async () => {
      const events = [];
      let resolveTwo;
      const gotTwo = new Promise((r) => (resolveTwo = r));
      const req = http.get(`${collector.url}/api/events`, (res) => {
        expect(res.headers['content-type']).to.match(/text\/event-stream/);
        let buf = '';
        res.on('data', (d) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n\n')) !== -1) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event) events.push({ event, data: JSON.parse(data) });
            if (events.length === 2) resolveTwo();
          }
        });
      });
      try {
        while (events.length === 0) await new Promise((r) => setTimeout(r, 10));
        expect(events[0].event).to.equal('snapshot');
        expect(events[0].data.logs.map((l) => l.id)).to.deep.equal(['one', 'two']);
        await post(collector, [makeLog({ id: 'three', status: 503 })]);
        await gotTwo;
        expect(events[1].event).to.equal('logs');
        expect(events[1].data.map((l) => [l.id, l.status])).to.deep.equal([['three', 503]]);
      } finally {
        req.destroy();
      }
    });
  });
});
