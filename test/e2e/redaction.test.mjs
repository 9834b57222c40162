// Redaction end to end: real apps under the preload with README_DENYLIST / README_ALLOWLIST, real requests
// carrying secrets in headers, cookies, query, form, multipart and JSON, on both sides; the collector must
// receive every key but none of the secrets. Secrets are unique "req-..." / "resp-..." markers.
import { expect } from 'chai';
import { byPath, entryOf, request, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const R = (s) => `[REDACTED ${s.length}]`;
const header = (list, name) => list.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);

const JSON_BODY = JSON.stringify({
  ok: 'req-visible-json',
  pin: 'req-body-pin-6',
  password: 'req-body-password-7',
  user: { pin: 'req-user-pin-8', secret: 'req-user-secret-9', name: 'req-visible-name' },
});
const FORM_BODY = 'ok=req-visible-form&pin=req-form-pin-10&client_secret=req-form-secret-11';
const FILE = 'req-mp-file-13';
const BOUNDARY = 'RdmeBoundary42';
const MULTIPART_BODY = [
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="pin"\r\n\r\nreq-mp-pin-12\r\n`,
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nreq-visible-title\r\n`,
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="keyfile"; filename="id.pem"\r\nContent-Type: text/plain\r\n\r\n${FILE}\r\n`,
  `--${BOUNDARY}--\r\n`,
].join('');

/** Sends the same four exchanges to an app: JSON, form, multipart, redirect. */
async function exercise(app) {
  const secretHeaders = { 'x-req-hush': 'req-hush-3', cookie: 'sid=req-cookie-4', 'x-api-key': 'req-api-key-5', authorization: 'Bearer req-auth-abcd', 'x-visible': 'req-visible-header' };
  await request(`${app.url}/json?pin=req-query-pin-1&access_token=req-query-token-2&ok=req-visible-query`, {
    method: 'POST',
    headers: { ...secretHeaders, 'content-type': 'application/json' },
    body: JSON_BODY,
  });
  await request(`${app.url}/form`, { method: 'POST', headers: { ...secretHeaders, 'content-type': 'application/x-www-form-urlencoded' }, body: FORM_BODY });
  await request(`${app.url}/multipart`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body: MULTIPART_BODY });
  const redirect = await request(`${app.url}/redirect?token=req-redirect-token-14`);
  expect(redirect.headers.location, 'the app still answers with its own Location').to.include('resp-location-12');
  const mine = (l) => new URL(entryOf(l).request.url).port === String(app.port);
  return waitForLogs(collector, 4, { filter: mine });
}

/** Every marker the test and the fixture put on the wire. */
const MARKERS = [
  ...['req-query-pin-1', 'req-query-token-2', 'req-hush-3', 'req-cookie-4', 'req-api-key-5', 'req-auth-abcd', 'req-body-pin-6', 'req-body-password-7', 'req-user-pin-8', 'req-user-secret-9'],
  ...['req-form-pin-10', 'req-form-secret-11', 'req-mp-pin-12', FILE, Buffer.from(FILE).toString('base64'), 'req-redirect-token-14'],
  ...['resp-hush-header-1', 'resp-api-key-2', 'resp-cookie-3', 'resp-cookie-4', 'resp-pin-5', 'resp-token-6', 'resp-user-pin-7', 'resp-password-8', 'resp-refresh-9'],
  ...['resp-form-pin-10', 'resp-form-password-11', 'resp-location-12'],
  ...['req-visible-query', 'req-visible-header', 'req-visible-json', 'req-visible-name', 'req-visible-form', 'req-visible-title'],
  ...['resp-visible-header', 'resp-visible-json', 'resp-visible-name', 'resp-visible-id', 'resp-visible-form', 'resp-visible-location'],
];

function expectOnly(logs, kept) {
  const text = JSON.stringify(logs);
  for (const m of MARKERS) expect(text.includes(m), `${m} should be ${kept.includes(m) ? 'kept' : 'redacted'}`).to.equal(kept.includes(m));
}

let collector;

describe('redaction through the preload', function () {
  let denyApp;
  let allowApp;
  let denyLogs;
  let allowLogs;

  before(async () => {
    collector = await startCollector();
    [denyApp, allowApp] = await Promise.all([
      startApp('redact-secrets.cjs', { collector, env: { README_DENYLIST: 'x-req-hush,x-resp-hush,pin,user.pin,keyfile' } }),
      // The denylist is unset here, so the allowlist applies.
      startApp('redact-secrets.cjs', { collector, env: { README_ALLOWLIST: 'ok,x-visible,content-type,title' } }),
    ]);
    [denyLogs, allowLogs] = await Promise.all([exercise(denyApp), exercise(allowApp)]);
  });
  after(async () => {
    await Promise.all([denyApp?.stop(), allowApp?.stop()]);
    await collector?.close();
  });

  describe('README_DENYLIST (with the default denylist)', () => {
    it('sends no denied or default-denied value anywhere, and every other value', () => {
      expectOnly(denyLogs, MARKERS.filter((m) => m.includes('visible')));
    });

    it('keeps the keys, with the length of each redacted value, on request and response', () => {
      const e = entryOf(denyLogs.find(byPath('/json', 'POST')));
      expect(header(e.request.headers, 'x-req-hush')).to.deep.equal([R('req-hush-3')]);
      expect(header(e.request.headers, 'cookie')).to.deep.equal([R('sid=req-cookie-4')]);
      expect(header(e.request.headers, 'x-api-key')).to.deep.equal([R('req-api-key-5')]);
      expect(header(e.request.headers, 'authorization')[0]).to.match(/^sha512-.+\?abcd$/);
      expect(header(e.response.headers, 'x-resp-hush')).to.deep.equal([R('resp-hush-header-1')]);
      expect(header(e.response.headers, 'set-cookie')).to.deep.equal([R('sid=resp-cookie-3; HttpOnly'), R('theme=resp-cookie-4')]);
      expect(e.request.queryString).to.deep.equal([
        { name: 'pin', value: R('req-query-pin-1') },
        { name: 'access_token', value: R('req-query-token-2') },
        { name: 'ok', value: 'req-visible-query' },
      ]);
      expect(new URL(e.request.url).searchParams.get('pin')).to.equal(R('req-query-pin-1'));
      expect(JSON.parse(e.request.postData.text)).to.deep.equal({
        ok: 'req-visible-json',
        pin: R('req-body-pin-6'),
        password: R('req-body-password-7'),
        user: { pin: R('req-user-pin-8'), secret: R('req-user-secret-9'), name: 'req-visible-name' },
      });
      expect(JSON.parse(e.response.content.text)).to.deep.equal({
        ok: 'resp-visible-json',
        pin: R('resp-pin-5'),
        token: R('resp-token-6'),
        user: { pin: R('resp-user-pin-7'), password: R('resp-password-8'), name: 'resp-visible-name' },
        sessions: [{ refresh_token: R('resp-refresh-9'), id: 'resp-visible-id' }],
      });
    });

    it('redacts form fields, multipart fields and files, and redirect URLs', () => {
      const form = entryOf(denyLogs.find(byPath('/form', 'POST')));
      expect(form.request.postData.params).to.deep.equal([
        { name: 'ok', value: 'req-visible-form' },
        { name: 'pin', value: R('req-form-pin-10') },
        { name: 'client_secret', value: R('req-form-secret-11') },
      ]);
      expect(new URLSearchParams(form.response.content.text).get('password')).to.equal(R('resp-form-password-11'));
      const mp = entryOf(denyLogs.find(byPath('/multipart', 'POST')));
      expect(mp.request.postData.params).to.deep.equal([
        { name: 'pin', value: R('req-mp-pin-12') },
        { name: 'title', value: 'req-visible-title' },
        { name: 'keyfile', fileName: 'id.pem', contentType: 'text/plain', value: R(`data:text/plain;name=id.pem;base64,${Buffer.from(FILE).toString('base64')}`) },
      ]);
      const redirect = entryOf(denyLogs.find(byPath('/redirect', 'GET')));
      expect(new URL(redirect.request.url).searchParams.get('token')).to.equal(R('req-redirect-token-14'));
      expect(redirect.response.redirectURL).to.equal(`/next?access_token=${encodeURIComponent(R('resp-location-12'))}&ok=resp-visible-location`);
      expect(header(redirect.response.headers, 'location')).to.deep.equal([redirect.response.redirectURL]);
    });
  });

  describe('README_ALLOWLIST (with the default denylist)', () => {
    it('sends only the allowed values', () => {
      expectOnly(allowLogs, [
        'req-visible-query',
        'req-visible-header',
        'req-visible-json',
        'req-visible-form',
        'req-visible-title',
        'resp-visible-header',
        'resp-visible-json',
        'resp-visible-form',
        'resp-visible-location',
      ]);
    });

    it('keeps every key, redacting the values that are not allowed', () => {
      const e = entryOf(allowLogs.find(byPath('/json', 'POST')));
      expect(header(e.request.headers, 'content-type')).to.deep.equal(['application/json']);
      expect(header(e.request.headers, 'host')[0]).to.match(/^\[REDACTED \d+\]$/);
      expect(JSON.parse(e.request.postData.text)).to.deep.equal({ ok: 'req-visible-json', pin: R('req-body-pin-6'), password: R('req-body-password-7'), user: '[REDACTED]' });
      expect(Object.keys(JSON.parse(e.response.content.text))).to.deep.equal(['ok', 'pin', 'token', 'user', 'sessions']);
    });
  });
});
