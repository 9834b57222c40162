// The zero-code core through the real preload: node:http apps in CJS and ESM, every body kind,
// grouping, masking, the fallback path, backpressure, aborts, and answers identical to an app without us.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { byPath, comparableHeaders, entryOf, FIXTURES, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const mask = (v) => `sha512-${createHash('sha512').update(v).digest('base64')}?${v.slice(-4)}`;

function multipart(boundary, parts) {
  const chunks = [];
  for (const p of parts) {
    chunks.push(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.fileName ? `; filename="${p.fileName}"` : ''}\r\n`);
    if (p.type) chunks.push(`Content-Type: ${p.type}\r\n`);
    chunks.push(`\r\n`, p.value, '\r\n');
  }
  chunks.push(`--${boundary}--\r\n`);
  return Buffer.concat(chunks.map((c) => (Buffer.isBuffer(c) ? c : Buffer.from(c))));
}

describe('core: node:http through the preload', function () {
  let collector;
  let app;
  let plain;

  before(async () => {
    collector = await startCollector();
    [app, plain] = await Promise.all([
      startApp('http-basic.cjs', { collector, env: { README_BASE_LOG_URL: 'https://docs.example.com' } }),
      startApp('http-basic.cjs', { preload: 'none' }),
    ]);
  });
  after(async () => {
    await Promise.all([app?.stop(), plain?.stop()]);
    await collector?.close();
  });

  it('logs a GET with its query as a contract-exact HAR log', async () => {
    const res = await request(`${app.url}/json?a=1&b=two&b=three`, { headers: { authorization: 'Bearer secret-token-abcd', 'x-trace': 't1' } });
    expect(res.status).to.equal(200);
    const [log] = await waitForLogs(collector, 1, { filter: byPath('/json', 'GET') });
    expect(log._version).to.equal(3);
    expect(log._id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.headers['x-documentation-url']).to.equal(`https://docs.example.com/logs/${log._id}`);
    expect(log.group).to.deep.equal({ id: mask('secret-token-abcd'), label: 'Key ending in abcd' });
    expect(log.clientIPAddress).to.equal('127.0.0.1');
    expect(log.development).to.equal(false);
    const { creator, version, entries } = log.request.log;
    expect(version).to.equal('1.2');
    expect(creator.name).to.equal('readme-metrics (node)');
    // As ReadMe's own SDK (readmeio's construct-payload) writes it: the Node version without its "v".
    expect(creator.comment).to.equal(`${process.arch}-${process.platform}${(await import('node:os')).release()}/${process.versions.node}`);
    const e = entries[0];
    expect(e.request.method).to.equal('GET');
    expect(e.request.url).to.equal(`http://127.0.0.1:${app.port}/json?a=1&b=two&b=three`);
    expect(e.pageref).to.equal(e.request.url);
    expect(e.request.httpVersion).to.equal('HTTP/1.1');
    expect(e.request.queryString).to.deep.equal([
      { name: 'a', value: '1' },
      { name: 'b', value: 'two' },
      { name: 'b', value: 'three' },
    ]);
    expect(e.request.headers).to.deep.include({ name: 'authorization', value: mask('Bearer secret-token-abcd') });
    expect(e.request.headers).to.deep.include({ name: 'x-trace', value: 't1' });
    expect(e.request).to.not.have.property('postData');
    expect(e.request).to.include({ headersSize: -1, bodySize: -1 });
    expect(e.request.cookies).to.deep.equal([]);
    expect(e.response).to.include({ status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', redirectURL: '', headersSize: -1, bodySize: -1 });
    expect(e.response.content).to.deep.equal({ text: res.body.toString(), size: res.body.length, mimeType: 'application/json' });
    expect(e.response.headers).to.deep.include({ name: 'content-type', value: 'application/json' });
    expect(e.response.headers.map((h) => h.name.toLowerCase())).to.include.members(['date', 'content-length', 'x-documentation-url']);
    expect(new Date(e.startedDateTime).toISOString()).to.equal(e.startedDateTime);
    expect(e.time).to.be.a('number').at.least(0);
    expect(e.timings).to.deep.equal({ wait: 0, receive: e.time });
    expect(e.cache).to.deep.equal({});
  });

  const bodies = [
    ['application/json', '{"name":"owl","n":1}', (pd) => expect(pd).to.deep.equal({ mimeType: 'application/json', text: '{"name":"owl","n":1}' })],
    ['application/vnd.api+json; charset=utf-8', '{"data":[1,2]}', (pd) => expect(pd).to.deep.equal({ mimeType: 'application/vnd.api+json; charset=utf-8', text: '{"data":[1,2]}' })],
    ['text/plain', 'hello there', (pd) => expect(pd).to.deep.equal({ mimeType: 'text/plain', text: 'hello there' })],
    [
      'application/x-www-form-urlencoded',
      'a=1&b=hello+world&c=%E2%9C%93',
      (pd) =>
        expect(pd).to.deep.equal({
          mimeType: 'application/x-www-form-urlencoded',
          params: [
            { name: 'a', value: '1' },
            { name: 'b', value: 'hello world' },
            { name: 'c', value: '✓' },
          ],
        }),
    ],
    [undefined, 'no type at all', (pd) => expect(pd).to.deep.equal({ mimeType: '', text: 'no type at all' })],
  ];
  for (const [type, body, check] of bodies) {
    it(`logs a POST body of type ${type ?? '(none)'} and echoes it unchanged`, async () => {
      const marker = `m${Math.random().toString(36).slice(2)}`;
      const headers = type ? { 'content-type': type, 'x-marker': marker } : { 'x-marker': marker };
      const res = await request(`${app.url}/echo`, { method: 'POST', headers, body });
      expect(res.body.toString()).to.equal(body);
      const [log] = await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.headers.some((h) => h.value === marker) });
      const e = entryOf(log);
      check(e.request.postData);
      const c = e.response.content;
      expect(c.encoding === 'base64' ? Buffer.from(c.text, 'base64').toString() : c.text).to.equal(body);
      expect(c.size).to.equal(Buffer.byteLength(body));
    });
  }

  it('logs multipart fields as params and files as data URLs', async () => {
    const boundary = 'XyZ123boundary';
    const body = multipart(boundary, [
      { name: 'title', value: 'A photo' },
      { name: 'photo', fileName: 'owl.png', type: 'image/png', value: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
    ]);
    await request(`${app.url}/echo`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-marker': 'multi' }, body });
    const [log] = await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.headers.some((h) => h.value === 'multi') });
    expect(entryOf(log).request.postData).to.deep.equal({
      mimeType: `multipart/form-data; boundary=${boundary}`,
      params: [
        { name: 'title', value: 'A photo' },
        { name: 'photo', fileName: 'owl.png', contentType: 'image/png', value: 'data:image/png;name=owl.png;base64,iVBORw==' },
      ],
    });
  });

  for (const path of ['/echo-late', '/echo-read', '/pipe']) {
    it(`captures the request body however the app reads it (${path})`, async () => {
      const body = 'x'.repeat(100_000);
      const res = await request(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
      expect(res.body.length).to.equal(body.length);
      const [log] = await waitForLogs(collector, 1, { filter: byPath(path, 'POST') });
      expect(entryOf(log).request.postData.text).to.equal(body);
      expect(entryOf(log).response.content.size).to.equal(body.length);
    });
  }

  it('logs headers passed only to writeHead, the custom status text and every write', async () => {
    const res = await request(`${app.url}/writehead`);
    expect(res.status).to.equal(201);
    const [log] = await waitForLogs(collector, 1, { filter: byPath('/writehead') });
    const e = entryOf(log);
    expect(e.response.status).to.equal(201);
    expect(e.response.statusText).to.equal('Made');
    expect(e.response.headers).to.deep.include({ name: 'x-custom', value: 'yes' });
    expect(e.response.content).to.deep.equal({ text: 'part one, part two', size: 18, mimeType: 'text/plain; charset=utf-8' });
  });

  it('sends binary bodies base64 and decodes compressed ones', async () => {
    const png = await request(`${app.url}/binary`);
    await request(`${app.url}/gzip`);
    const [binary] = await waitForLogs(collector, 1, { filter: byPath('/binary') });
    expect(entryOf(binary).response.content).to.deep.equal({ text: png.body.toString('base64'), encoding: 'base64', size: png.body.length, mimeType: 'image/png' });
    const [gz] = await waitForLogs(collector, 1, { filter: byPath('/gzip') });
    expect(entryOf(gz).response.content.text).to.equal('{"compressed":true}');
  });

  it('keeps write() backpressure exactly as without the preload', async () => {
    const [a, b] = await Promise.all([request(`${app.url}/backpressure`), request(`${plain.url}/backpressure`)]);
    const results = (r) => JSON.parse(r.body.toString().split('\n').pop());
    expect(results(a)).to.deep.equal(results(b));
    expect(results(a)).to.include(false);
    expect(a.body.equals(b.body)).to.equal(true);
  });

  it('adds no property to the request object, on a fresh connection or a kept-alive one', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        const opts = { method: 'POST', body: 'abc', agent };
        const [a, b] = await Promise.all([request(`${app.url}/own-keys`, opts), request(`${plain.url}/own-keys`, opts)]);
        expect(JSON.parse(a.body.toString()), `request ${i}`).to.deep.equal(JSON.parse(b.body.toString()));
      }
    } finally {
      agent.destroy();
    }
  });

  it('answers byte-identically with and without the preload (but for x-documentation-url)', async () => {
    const cases = [
      ['/json?q=1', {}],
      ['/writehead', {}],
      ['/binary', {}],
      ['/gzip', {}],
      ['/status?code=204', {}],
      ['/status?code=418', {}],
      ['/missing', {}],
      ['/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":[1,2,3]}' }],
      ['/json', { method: 'HEAD' }],
    ];
    for (const [path, opts] of cases) {
      const [a, b] = await Promise.all([request(`${app.url}${path}`, opts), request(`${plain.url}${path}`, opts)]);
      expect(a.status, path).to.equal(b.status);
      expect(a.statusMessage, path).to.equal(b.statusMessage);
      expect(comparableHeaders(a.rawHeaders), path).to.deep.equal(comparableHeaders(b.rawHeaders));
      expect(a.body.equals(b.body), path).to.equal(true);
    }
  });

  it('logs HEAD and 204 without a body', async () => {
    await request(`${app.url}/json?head=1`, { method: 'HEAD' });
    const [log] = await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.method === 'HEAD' });
    expect(entryOf(log).response.content).to.deep.equal({ text: '', size: 0, mimeType: 'application/json' });
  });

  it('logs an aborted request, marked as such', async () => {
    await new Promise((resolve) => {
      const req = http.get(`${app.url}/hang`);
      req.on('error', () => resolve());
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 150);
    });
    const [log] = await waitForLogs(collector, 1, { filter: byPath('/hang') });
    const e = entryOf(log);
    expect(e.comment).to.match(/^aborted/);
    expect(e.response.status).to.equal(499);
    expect(e.time).to.be.at.least(100);
  });

  it('truncates bodies beyond the cap and records the real size', async () => {
    const capped = await startApp('http-basic.cjs', { collector, env: { README_MAX_BODY_SIZE: '1000' } });
    try {
      const res = await request(`${capped.url}/large?n=5000`);
      expect(res.body.length).to.equal(5000);
      const [log] = await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.url.includes('n=5000') });
      const c = entryOf(log).response.content;
      expect(c.text).to.equal('x'.repeat(1000));
      expect(c.size).to.equal(5000);
      expect(c.comment).to.equal('truncated: 1000 of 5000 bytes captured');
    } finally {
      await capped.stop();
    }
  });
});

describe('core: ESM apps, --import, the fallback path', function () {
  let collector;
  before(async () => (collector = await startCollector()));
  after(() => collector.close());

  for (const preload of ['require', 'import']) {
    it(`observes an ESM app loaded with --${preload}`, async () => {
      const app = await startApp('http-basic.mjs', { collector, preload });
      try {
        const res = await request(`${app.url}/esm-${preload}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"esm":1}' });
        expect(JSON.parse(res.body)).to.deep.equal({ esm: true, method: 'POST', received: 9 });
        const [log] = await waitForLogs(collector, 1, { filter: byPath(`/esm-${preload}`) });
        expect(entryOf(log).request.postData.text).to.equal('{"esm":1}');
      } finally {
        await app.stop();
      }
    });
  }

  it('observes through Server.prototype.emit when the channel is not used, exactly once per request', async () => {
    const app = await startApp('http-basic.cjs', { collector, env: { README_METRICS_CAPTURE: 'emit', README_METRICS_DEBUG: '1' } });
    try {
      for (let i = 0; i < 3; i++) await request(`${app.url}/json?fallback=${i}`);
      const logs = await waitForLogs(collector, 3, { filter: (l) => entryOf(l).request.url.includes('fallback=') });
      await sleep(300);
      expect(collector.store.all().filter((s) => entryOf(s.log).request.url.includes('fallback='))).to.have.length(3);
      expect(new Set(logs.map((l) => l._id)).size).to.equal(3);
      expect(app.stderr()).to.include('Server.prototype.emit');
    } finally {
      await app.stop();
    }
  });

  it('honours x-forwarded-proto/host; takes the client IP from x-forwarded-for only with trustProxy', async () => {
    const headers = { 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'api.example.com', 'x-forwarded-for': '203.0.113.7, 10.0.0.1' };
    for (const trust of ['false', 'true']) {
      const app = await startApp('http-basic.cjs', { collector, env: { README_TRUST_PROXY: trust } });
      try {
        await request(`${app.url}/json?proxy=${trust}`, { headers });
        const [log] = await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.url.includes(`proxy=${trust}`) });
        expect(entryOf(log).request.url).to.equal(`https://api.example.com/json?proxy=${trust}`);
        expect(log.clientIPAddress).to.equal(trust === 'true' ? '203.0.113.7' : '127.0.0.1');
      } finally {
        await app.stop();
      }
    }
  });

  it('works through NODE_OPTIONS too', async () => {
    const app = await startApp('http-basic.cjs', { collector, preload: 'none', env: { NODE_OPTIONS: `--require ${join(FIXTURES, '..', '..', 'register.js')}` } });
    try {
      await request(`${app.url}/json?via=node-options`);
      await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.url.includes('via=node-options') });
    } finally {
      await app.stop();
    }
  });
});
