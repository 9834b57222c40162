// Redaction of what a naive logger never reads, end to end: real apps under the preload, real requests,
// a real collector. Secrets hold "SEKRET" and must not reach the collector in any encoding (plain,
// percent-encoded, base64, base64 of gzip, UTF-16); values holding "visible" must arrive intact.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import net from 'node:net';
import zlib from 'node:zlib';
import { byPath, entryOf, request, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';
import { h2connect, h2request } from '../helpers/proto-clients.mjs';

const R = (s) => `[REDACTED ${s.length}]`;
const mask = (v) => `sha512-${createHash('sha512').update(v).digest('base64')}?${v.slice(-4)}`;
const header = (list, name) => list.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);

/** Every way a string in the log could still carry a secret: as is, percent-encoded, or base64 of it (gzipped or not). */
function readings(s) {
  const out = [s];
  try {
    out.push(decodeURIComponent(s));
  } catch {}
  for (const m of s.matchAll(/[A-Za-z0-9+/_-]{12,}={0,2}/g)) {
    const bytes = Buffer.from(m[0], 'base64');
    out.push(bytes.toString('latin1'), bytes.toString('utf16le'));
    for (const undo of [zlib.gunzipSync, zlib.inflateSync, zlib.brotliDecompressSync]) {
      try {
        out.push(undo(bytes).toString('latin1'));
      } catch {}
    }
  }
  return out;
}

function expectNoSecret(logs) {
  const strings = [];
  const walk = (v) => {
    if (typeof v === 'string') strings.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(logs);
  for (const s of strings) for (const r of readings(s)) expect(r, `a secret leaks in ${s.slice(0, 200)}`).to.not.include('SEKRET');
}

let collector;
const mine = (app) => (l) => new URL(entryOf(l).request.url).port === String(app.port);
async function logOf(app, path, method = 'GET') {
  const [log] = await waitForLogs(collector, 1, { filter: (l) => mine(app)(l) && byPath(path, method)(l) });
  return log;
}

describe('redaction of every encoding and place', function () {
  let app; // default denylist on, no user lists
  let bare; // default denylist off, no lists: only the finder's credentials are protected
  let session; // README_DENYLIST=session, default list off

  before(async () => {
    collector = await startCollector();
    [app, bare, session] = await Promise.all([
      startApp('redact-encodings.cjs', { collector }),
      startApp('redact-encodings.cjs', { collector, env: { README_DEFAULT_DENYLIST: 'false' } }),
      startApp('redact-encodings.cjs', { collector, env: { README_DENYLIST: 'session', README_DEFAULT_DENYLIST: 'false' } }),
    ]);
  });
  after(async () => {
    await Promise.all([app?.stop(), bare?.stop(), session?.stop()]);
    await collector?.close();
  });

  describe('credentials the built-in finder reads leave only masked, whatever the lists say', () => {
    const KEY = 'sk_live_51HSEKRETbasicuser4f2a';

    it('Basic auth with the key as the user (curl -u key:): label "Key ending in", id masked, key nowhere', async () => {
      await request(`${bare.url}/basic-user`, { headers: { authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` } });
      const log = await logOf(bare, '/basic-user');
      expect(log.group).to.deep.equal({ id: mask(KEY), label: 'Key ending in 4f2a' });
      expectNoSecret(log);
    });

    it('Basic auth with the key as the password (curl -u :key)', async () => {
      const key = 'pw-SEKRET-9z9z';
      await request(`${bare.url}/basic-password`, { headers: { authorization: `Basic ${Buffer.from(`:${key}`).toString('base64')}` } });
      const log = await logOf(bare, '/basic-password');
      expect(log.group).to.deep.equal({ id: mask(key), label: 'Key ending in 9z9z' });
      expectNoSecret(log);
    });

    it('key headers, Proxy-Authorization and api_key/apiKey parameters are masked in headers, url, queryString and pageref', async () => {
      await request(`${bare.url}/key-places?api_key=q-SEKRET-1111&apiKey=q-SEKRET-2222&page=visible-page`, {
        headers: { 'x-api-key': 'h-SEKRET-3333', 'x-goog-api-key': 'h-SEKRET-4444', 'proxy-authorization': 'Basic cHJveHk6U0VLUkVU', referer: 'https://app.example/?api_key=r-SEKRET-5555' },
      });
      const log = await logOf(bare, '/key-places');
      const e = entryOf(log);
      expect(log.group).to.deep.equal({ id: mask('h-SEKRET-3333'), label: 'Key ending in 3333' });
      expect(header(e.request.headers, 'x-api-key')).to.deep.equal([mask('h-SEKRET-3333')]);
      expect(header(e.request.headers, 'x-goog-api-key')).to.deep.equal([mask('h-SEKRET-4444')]);
      expect(header(e.request.headers, 'proxy-authorization')).to.deep.equal([mask('Basic cHJveHk6U0VLUkVU')]);
      expect(e.request.queryString).to.deep.equal([
        { name: 'api_key', value: mask('q-SEKRET-1111') },
        { name: 'apiKey', value: mask('q-SEKRET-2222') },
        { name: 'page', value: 'visible-page' },
      ]);
      expect(new URL(e.request.url).searchParams.get('apiKey')).to.equal(mask('q-SEKRET-2222'));
      expect(new URL(e.pageref).searchParams.get('api_key')).to.equal(mask('q-SEKRET-1111'));
      expect(new URL(header(e.request.headers, 'referer')[0]).searchParams.get('api_key')).to.equal(mask('r-SEKRET-5555'));
      expectNoSecret(log);
    });
  });

  describe('bodies are redacted as the app and the client read them, whatever their encoding', () => {
    const json = (obj) => JSON.stringify(obj);
    const latin1 = (s) => Buffer.from(s, 'latin1');
    const utf16le = (s, bom = true) => Buffer.concat([Buffer.from(bom ? [0xff, 0xfe] : []), Buffer.from(s, 'utf16le')]);
    const utf16be = (s) => {
      const b = Buffer.from(s, 'utf16le');
      for (let i = 0; i < b.length; i += 2) [b[i], b[i + 1]] = [b[i + 1], b[i]];
      return b;
    };
    const BODY = { password: 'req-SEKRET-pw-\u00e9', nested: { access_token: 'req-SEKRET-token' }, ok: 'req-visible-\u00e9' };
    const EXPECTED = { password: R(BODY.password), nested: { access_token: R(BODY.nested.access_token) }, ok: BODY.ok };
    const cases = [
      ['charset=iso-8859-1', 'application/json; charset=iso-8859-1', {}, latin1(json(BODY))],
      ['charset=windows-1252', 'application/json; charset=windows-1252', {}, latin1(json(BODY))],
      ['UTF-16LE with a BOM, no charset', 'application/json', {}, utf16le(json(BODY))],
      ['UTF-16LE without a BOM (RFC 4627 detection)', 'application/json', {}, utf16le(json(BODY), false)],
      ['charset=utf-16be', 'application/json; charset=utf-16be', {}, utf16be(json(BODY))],
      ['Content-Encoding: gzip', 'application/json', { 'content-encoding': 'gzip' }, zlib.gzipSync(json(BODY))],
      ['Content-Encoding: deflate', 'application/json', { 'content-encoding': 'deflate' }, zlib.deflateSync(json(BODY))],
      ['Content-Encoding: br', 'application/json', { 'content-encoding': 'br' }, zlib.brotliCompressSync(json(BODY))],
      ['gzip of Latin-1', 'application/json; charset=latin1', { 'content-encoding': 'gzip' }, zlib.gzipSync(latin1(json(BODY)))],
    ];
    for (const [name, type, extra, body] of cases) {
      it(`request JSON, ${name}: decoded, redacted, sent as text`, async () => {
        const path = `/req-${name.replace(/\W+/g, '-')}`;
        await request(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': type, ...extra }, body });
        const log = await logOf(app, path, 'POST');
        const pd = entryOf(log).request.postData;
        expect(pd).to.not.have.property('encoding');
        expect(JSON.parse(pd.text)).to.deep.equal(EXPECTED);
        expectNoSecret(log);
      });
    }

    it('request JSON in Shift_JIS (a multi-byte charset TextDecoder knows): decoded, redacted, sent as text', async () => {
      const NIHON = Buffer.from([0x93, 0xfa, 0x96, 0x7b]); // 日本
      const body = Buffer.concat([Buffer.from('{"password":"req-SEKRET-sjis-'), NIHON, Buffer.from('","ok":"req-visible-'), NIHON, Buffer.from('"}')]);
      await request(`${app.url}/req-sjis`, { method: 'POST', headers: { 'content-type': 'application/json; charset=Shift_JIS' }, body });
      const log = await logOf(app, '/req-sjis', 'POST');
      expect(JSON.parse(entryOf(log).request.postData.text)).to.deep.equal({ password: R('req-SEKRET-sjis-\u65e5\u672c'), ok: 'req-visible-\u65e5\u672c' });
      expectNoSecret(log);
    });

    it('request JSON declared UTF-8 with one Latin-1 byte: the bad byte replaced, the rest redacted, a comment says so', async () => {
      const body = Buffer.concat([Buffer.from('{"password":"req-SEKRET-one","note":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
      await request(`${app.url}/req-one-byte`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body });
      const log = await logOf(app, '/req-one-byte', 'POST');
      const pd = entryOf(log).request.postData;
      expect(JSON.parse(pd.text)).to.deep.equal({ password: R('req-SEKRET-one'), note: 'caf\ufffd' });
      expect(pd.comment).to.equal('not valid utf-8: undecodable bytes replaced with U+FFFD');
      expectNoSecret(log);
    });

    it('a gzip form and a gzip multipart request: decoded, then parsed and redacted', async () => {
      await request(`${app.url}/req-gzip-form`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' },
        body: zlib.gzipSync('password=req-SEKRET-form&ok=req-visible-form'),
      });
      const mp = '--B\r\nContent-Disposition: form-data; name="password"\r\n\r\nreq-SEKRET-mp\r\n--B\r\nContent-Disposition: form-data; name="ok"\r\n\r\nreq-visible-mp\r\n--B--\r\n';
      await request(`${app.url}/req-gzip-multipart`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=B', 'content-encoding': 'gzip' }, body: zlib.gzipSync(mp) });
      const form = await logOf(app, '/req-gzip-form', 'POST');
      expect(entryOf(form).request.postData.params).to.deep.equal([
        { name: 'password', value: R('req-SEKRET-form') },
        { name: 'ok', value: 'req-visible-form' },
      ]);
      const multipart = await logOf(app, '/req-gzip-multipart', 'POST');
      expect(entryOf(multipart).request.postData.params).to.deep.equal([
        { name: 'password', value: R('req-SEKRET-mp') },
        { name: 'ok', value: 'req-visible-mp' },
      ]);
      expectNoSecret([form, multipart]);
    });

    it('JSON inside a form field, a multipart field and a multipart JSON file is redacted like a body', async () => {
      const payload = json({ token: 'req-SEKRET-payload', ok: 'req-visible-payload' });
      await request(`${app.url}/req-form-json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `payload=${encodeURIComponent(payload)}` });
      const mp = [
        `--B\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${json({ password: 'req-SEKRET-field', ok: 'req-visible-field' })}\r\n`,
        `--B\r\nContent-Disposition: form-data; name="doc"; filename="doc.json"\r\nContent-Type: application/json\r\n\r\n${json({ client_secret: 'req-SEKRET-file' })}\r\n`,
        '--B--\r\n',
      ].join('');
      await request(`${app.url}/req-mp-json`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=B' }, body: mp });
      const form = await logOf(app, '/req-form-json', 'POST');
      expect(JSON.parse(entryOf(form).request.postData.params[0].value)).to.deep.equal({ token: R('req-SEKRET-payload'), ok: 'req-visible-payload' });
      const multipart = await logOf(app, '/req-mp-json', 'POST');
      const [field, file] = entryOf(multipart).request.postData.params;
      expect(JSON.parse(field.value)).to.deep.equal({ password: R('req-SEKRET-field'), ok: 'req-visible-field' });
      expect(JSON.parse(Buffer.from(file.value.split(',')[1], 'base64').toString())).to.deep.equal({ client_secret: R('req-SEKRET-file') });
      expectNoSecret([form, multipart]);
    });

    it('a body whose coding or charset cannot be undone is withheld with a comment, never sent encoded', async () => {
      await request(`${app.url}/req-unknown-coding`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'x-custom' }, body: zlib.gzipSync('{"password":"req-SEKRET-x"}') });
      await request(`${app.url}/req-corrupt-gzip`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: Buffer.from('{"password":"req-SEKRET-notgzip"}') });
      await request(`${app.url}/req-bogus-charset`, { method: 'POST', headers: { 'content-type': 'application/json; charset=x-bogus' }, body: '{"password":"req-SEKRET-cs"}' });
      const logs = await Promise.all(['/req-unknown-coding', '/req-corrupt-gzip', '/req-bogus-charset'].map((p) => logOf(app, p, 'POST')));
      const [coding, corrupt, charset] = logs.map((l) => entryOf(l).request.postData);
      expect(coding).to.deep.equal({ mimeType: 'application/json', text: '', comment: 'withheld: the body could not be decoded (Content-Encoding: x-custom)' });
      expect(corrupt).to.deep.equal({ mimeType: 'application/json', text: '', comment: 'withheld: the body could not be decoded (Content-Encoding: gzip)' });
      expect(charset).to.deep.equal({ mimeType: 'application/json; charset=x-bogus', text: '', comment: 'withheld: the body\'s charset "x-bogus" cannot be decoded here' });
      expectNoSecret(logs);
    });

    it('JSON whose bytes are not in the charset it claims (UTF-16 sent as UTF-8, UTF-8 sent as UTF-16) is withheld', async () => {
      const body = json({ password: 'req-SEKRET-mislabel' });
      await request(`${app.url}/req-utf16-as-utf8`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: utf16le(body, false) });
      await request(`${app.url}/req-utf8-as-utf16`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-16le' }, body: Buffer.from(body) });
      const logs = await Promise.all(['/req-utf16-as-utf8', '/req-utf8-as-utf16'].map((p) => logOf(app, p, 'POST')));
      const [nul, garbled] = logs.map((l) => entryOf(l).request.postData);
      expect(nul).to.deep.equal({ mimeType: 'application/json; charset=utf-8', text: '', comment: 'withheld: the body holds NUL characters, so it is not in the charset it claims' });
      expect(garbled).to.deep.equal({ mimeType: 'application/json; charset=utf-16le', text: '', comment: 'withheld: the body does not read as JSON in utf-16le' });
      expectNoSecret(logs);
    });

    for (const [coding, compress] of [
      ['gzip', zlib.gzipSync],
      ['br', (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } })],
    ]) {
      it(`a ${coding} bomb (64 MB of spaces) costs a bounded inflate: at most maxBodySize decoded bytes are kept, the app is answered`, async () => {
        const bomb = compress(Buffer.alloc(64 * 1024 * 1024, 0x20));
        const path = `/req-bomb-${coding}`;
        const started = Date.now();
        const res = await request(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': coding }, body: bomb });
        expect(res.status).to.equal(200);
        const log = await logOf(app, path, 'POST');
        const pd = entryOf(log).request.postData;
        // How much is kept depends on the decode budget (time): never more than the cap, always marked.
        expect(pd.text.length).to.be.at.most(256 * 1024);
        expect(pd.text.trim()).to.equal('');
        expect(pd.comment).to.match(new RegExp(`^truncated: the first \\d+ bytes of the decoded body are kept; ${bomb.length} bytes were sent \\(${coding}\\)$`));
        expect(Date.now() - started, 'generous bound').to.be.below(15_000);
      });
    }

    for (const [path, expected] of [
      ['/latin1-json', { password: R('resp-SEKRET-latin1-\u00e9'), ok: 'resp-visible-\u00e9' }],
      ['/utf16-json', { access_token: R('resp-SEKRET-utf16'), ok: 'resp-visible-utf16' }],
      ['/one-latin1-byte', { password: R('resp-SEKRET-onebyte'), note: 'caf\ufffd', ok: 'resp-visible-onebyte' }],
      ['/gzip-json', { client_secret: R('resp-SEKRET-gzip'), ok: 'resp-visible-gzip' }],
    ]) {
      it(`response ${path}: decoded, redacted, sent as text`, async () => {
        expect((await request(`${app.url}${path}`)).status).to.equal(200);
        const log = await logOf(app, path);
        const content = entryOf(log).response.content;
        expect(content).to.not.have.property('encoding');
        expect(JSON.parse(content.text)).to.deep.equal(expected);
        expectNoSecret(log);
      });
    }

    it('responses whose coding or charset cannot be undone are withheld with a comment', async () => {
      await request(`${app.url}/unknown-coding`);
      await request(`${app.url}/bogus-charset`);
      const logs = await Promise.all(['/unknown-coding', '/bogus-charset'].map((p) => logOf(app, p)));
      const [coding, charset] = logs.map((l) => entryOf(l).response.content);
      expect(coding.text).to.equal('');
      expect(coding.comment).to.equal('withheld: the body could not be decoded (Content-Encoding: x-custom)');
      expect(charset.text).to.equal('');
      expect(charset.comment).to.equal('withheld: the body\'s charset "x-bogus" cannot be decoded here');
      expectNoSecret(logs);
    });
  });

  describe('cookies', () => {
    it('a listed cookie is redacted by name in the Cookie and Set-Cookie headers and in HAR cookies; others are kept', async () => {
      await request(`${session.url}/cookies`, { headers: { cookie: 'session=req-SEKRET-session; theme=req-visible-theme' } });
      const log = await logOf(session, '/cookies');
      const e = entryOf(log);
      expect(header(e.request.headers, 'cookie')).to.deep.equal([`session=${R('req-SEKRET-session')}; theme=req-visible-theme`]);
      expect(e.request.cookies).to.deep.equal([
        { name: 'session', value: R('req-SEKRET-session') },
        { name: 'theme', value: 'req-visible-theme' },
      ]);
      expect(header(e.response.headers, 'set-cookie')).to.deep.equal([
        `session=${R('resp-SEKRET-cookie')}; Path=/; Domain=example.com; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly; Secure`,
        'theme=resp-visible-theme',
      ]);
      expect(e.response.cookies).to.deep.equal([
        { name: 'session', value: R('resp-SEKRET-cookie'), path: '/', domain: 'example.com', expires: '2026-10-21T07:28:00.000Z', httpOnly: true, secure: true },
        { name: 'theme', value: 'resp-visible-theme' },
      ]);
      expectNoSecret(log);
    });

    it('with the default list, the Cookie and Set-Cookie headers and every HAR cookie value are redacted', async () => {
      await request(`${app.url}/cookies`, { headers: { cookie: 'sid=req-SEKRET-sid; theme=req-SEKRET-theme' } });
      const log = await logOf(app, '/cookies');
      const e = entryOf(log);
      expect(header(e.request.headers, 'cookie')).to.deep.equal([R('sid=req-SEKRET-sid; theme=req-SEKRET-theme')]);
      expect(e.request.cookies.map((c) => c.name)).to.deep.equal(['sid', 'theme']);
      expect(e.response.cookies.map((c) => [c.name, c.path])).to.deep.equal([
        ['session', '/'],
        ['theme', undefined],
      ]);
      for (const c of [...e.request.cookies, ...e.response.cookies]) expect(c.value).to.match(/^\[REDACTED \d+\]$/);
      // Only the whole header is redacted: the visible theme cookie goes with it.
      expect(JSON.stringify(log)).to.not.include('resp-visible-theme');
      expectNoSecret(log);
    });
  });

  describe('URLs everywhere', () => {
    it('fragment parameters (OAuth implicit flow, hash routes), Link and Refresh URLs are redacted like queries', async () => {
      await request(`${app.url}/implicit-flow`);
      const log = await logOf(app, '/implicit-flow');
      const e = entryOf(log);
      const location = `https://client.example/cb#access_token=${encodeURIComponent(R('resp-SEKRET-fragment'))}&state=resp-visible-state`;
      expect(header(e.response.headers, 'location')).to.deep.equal([location]);
      expect(e.response.redirectURL).to.equal(location);
      expect(header(e.response.headers, 'content-location')).to.deep.equal([`/cb?x=resp-visible-x#/done?id_token=${encodeURIComponent(R('resp-SEKRET-hash-route'))}`]);
      expect(header(e.response.headers, 'link')).to.deep.equal([
        `<https://api.example/items?page=2&token=${encodeURIComponent(R('resp-SEKRET-link'))}>; rel="next", <https://api.example/items?page=resp-visible-page>; rel="prev"`,
      ]);
      expect(header(e.response.headers, 'refresh')).to.deep.equal([`5; url=/next?access_token=${encodeURIComponent(R('resp-SEKRET-refresh'))}&ok=resp-visible-refresh`]);
      expectNoSecret(log);
    });

    it('a request URL with a fragment (sent raw) has its fragment parameters redacted in url and pageref', async () => {
      // Clients strip the fragment; a raw request line keeps it, as a misbehaving client would send it.
      await new Promise((resolve, reject) => {
        const socket = net.connect(app.port, '127.0.0.1', () => {
          socket.end(`GET /raw-fragment?ok=visible#access_token=req-SEKRET-frag HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\nConnection: close\r\n\r\n`);
        });
        socket.on('data', () => {});
        socket.on('end', resolve);
        socket.on('error', reject);
      });
      const [log] = await waitForLogs(collector, 1, { filter: (l) => mine(app)(l) && entryOf(l).request.url.includes('/raw-fragment') });
      expect(entryOf(log).request.url).to.match(/#access_token=%5BREDACTED%2015%5D$/);
      expect(entryOf(log).pageref).to.equal(entryOf(log).request.url);
      expectNoSecret(log);
    });

    for (const forwarded of ['h?', 'h/x#', 'a b', 'evil.example@h', '']) {
      it(`X-Forwarded-Host ${JSON.stringify(forwarded)} is ignored when it is not host[:port]: the query is still redacted`, async () => {
        const path = `/fwd-${Buffer.from(forwarded).toString('hex')}`;
        await request(`${app.url}${path}?token=req-SEKRET-fwd&ok=visible`, { headers: { 'x-forwarded-host': forwarded } });
        const log = await logOf(app, path);
        const e = entryOf(log);
        expect(new URL(e.request.url).host).to.equal(`127.0.0.1:${app.port}`);
        expect(new URL(e.request.url).searchParams.get('token')).to.equal(R('req-SEKRET-fwd'));
        expect(new URL(e.pageref).searchParams.get('token')).to.equal(R('req-SEKRET-fwd'));
        expectNoSecret(log);
      });
    }

    it('over HTTP/2 (h2c) too: a malformed X-Forwarded-Host is ignored and the query redacted', async () => {
      const h2 = await startApp('proto-h2.cjs', { collector, args: ['h2c'] });
      try {
        const session = await h2connect(h2.url);
        await h2request(session, { ':method': 'GET', ':path': '/json?token=req-SEKRET-h2&ok=visible', 'x-forwarded-host': 'h?' });
        session.close();
        const [log] = await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.url.includes('req-SEKRET-h2') || entryOf(l).request.url.includes(`:${h2.port}/json`) });
        const e = entryOf(log);
        expect(new URL(e.request.url).host).to.equal(`127.0.0.1:${h2.port}`);
        expect(new URL(e.request.url).searchParams.get('token')).to.equal(R('req-SEKRET-h2'));
        expectNoSecret(log);
      } finally {
        await h2.stop();
      }
    });

    it('a well-formed X-Forwarded-Host (with a port) is still honoured', async () => {
      await request(`${app.url}/fwd-ok`, { headers: { 'x-forwarded-host': 'api.example.com:8443', 'x-forwarded-proto': 'https' } });
      const [log] = await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.url === 'https://api.example.com:8443/fwd-ok' });
      expect(log).to.not.equal(undefined);
    });
  });

  describe('the default list', () => {
    it('covers provider token headers, a JSON `authorization` key, and leaves common harmless keys alone', async () => {
      const headers = {
        'private-token': 'h-SEKRET-gitlab',
        'x-amz-security-token': 'h-SEKRET-amz',
        'x-shopify-access-token': 'h-SEKRET-shopify',
        'ocp-apim-subscription-key': 'h-SEKRET-azure',
        'x-vault-token': 'h-SEKRET-vault',
        'content-type': 'application/json',
      };
      const body = {
        authorization: 'Bearer b-SEKRET-auth',
        githubAccessToken: 'b-SEKRET-gh',
        oauth_token: 'b-SEKRET-oauth1',
        code_verifier: 'b-SEKRET-pkce',
        code: 'visible-code',
        state: 'visible-state',
        page_token: 'visible-page-token',
        max_tokens: 'visible-max-tokens',
        author: 'visible-author',
        tokens_used: 'visible-tokens-used',
      };
      await request(`${app.url}/defaults?X-Amz-Signature=q-SEKRET-sig&X-Amz-Credential=visible-cred&code=visible-qcode`, { method: 'POST', headers, body: JSON.stringify(body) });
      const log = await logOf(app, '/defaults', 'POST');
      const e = entryOf(log);
      for (const name of ['private-token', 'x-amz-security-token', 'x-shopify-access-token', 'ocp-apim-subscription-key', 'x-vault-token']) {
        expect(header(e.request.headers, name), name).to.deep.equal([R(headers[name])]);
      }
      const sent = JSON.parse(e.request.postData.text);
      for (const [k, v] of Object.entries(body)) expect(sent[k], k).to.equal(v.startsWith('visible') ? v : R(v));
      expect(e.request.queryString).to.deep.equal([
        { name: 'X-Amz-Signature', value: R('q-SEKRET-sig') },
        { name: 'X-Amz-Credential', value: 'visible-cred' },
        { name: 'code', value: 'visible-qcode' },
      ]);
      expectNoSecret(log);
    });
  });
});
