// secretScan end to end: a real app under the preload receives secrets under keys nobody listed (a JSON
// field named `data`, a path segment, a query parameter `q`, a form field `note`, a text body, request and
// response headers) and echoes them; the collector must receive none of them, each replaced in place, while
// the client still gets every byte it sent. With README_SECRET_SCAN=false they are sent as they are.
import { expect } from 'chai';
import { SECRETS } from '../helpers/secret-corpus.mjs';
import { entryOf, request, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const R = (s) => `[REDACTED ${s.length}]`;
const S = SECRETS;
const JSON_BODY = JSON.stringify({ data: S['jwt-hs256'], nested: { note: `card ${S['card-visa-spaced']} please`, key: S['pem-rsa'] }, amount: 4200, id: 'f47ac10b-58cc-4372-a567-0e02b2c3d479' });
const TEXT_BODY = `deploy key follows\n${S['pem-openssh']}\nthanks`;
const FORM_BODY = `note=${encodeURIComponent(S['card-mastercard'])}&name=Owlbert&ref=${S['stripe-sk-live']}`;
const PATH = `/hooks/${S['github-ghp']}`;
const QUERY = `?q=${S['aws-akia']}&card=${S['card-amex-spaced'].replace(/ /g, '+')}&page=2`;
const HEADERS = { 'x-forwarded-token': `Bearer ${S['jwt-rs256-kid']}`, 'x-echo': S['slack-bot'], referer: `https://app.example/?k=${S['google-api-key']}` };

/** Every secret the exchanges carry. */
const SENT = ['jwt-hs256', 'card-visa-spaced', 'pem-rsa', 'pem-openssh', 'card-mastercard', 'stripe-sk-live', 'github-ghp', 'aws-akia', 'card-amex-spaced', 'jwt-rs256-kid', 'slack-bot', 'google-api-key'];

async function exercise(app, collector) {
  const sends = [
    { path: `${PATH}${QUERY}`, type: 'application/json', body: JSON_BODY },
    { path: '/text', type: 'text/plain; charset=utf-8', body: TEXT_BODY },
    { path: '/form', type: 'application/x-www-form-urlencoded', body: FORM_BODY },
  ];
  for (const { path, type, body } of sends) {
    const res = await request(`${app.url}${path}`, { method: 'POST', headers: { ...HEADERS, 'content-type': type }, body });
    // The app's own response is untouched: the client gets back every byte and header it sent.
    expect(res.body.toString()).to.equal(body);
    expect(res.headers['x-echo']).to.equal(S['slack-bot']);
  }
  const mine = (l) => new URL(entryOf(l).request.url).port === String(app.port);
  const logs = await waitForLogs(collector, sends.length, { filter: mine });
  const by = (p) => entryOf(logs.find((l) => new URL(entryOf(l).request.url).pathname.startsWith(p)));
  return { logs, json: by('/hooks/'), text: by('/text'), form: by('/form') };
}

/** What a reader of the log sees: the wire text, and URL pieces and bodies decoded. */
function visible(logs) {
  const out = [JSON.stringify(logs)];
  for (const l of logs) {
    const e = entryOf(l);
    const u = new URL(e.request.url);
    out.push(decodeURIComponent(u.pathname), ...u.searchParams.values(), e.request.postData?.text ?? '', e.response.content.text);
  }
  return out.join('\n');
}

describe('secretScan through the preload', function () {
  let collector;
  let onApp;
  let offApp;
  let on;
  let off;

  before(async () => {
    collector = await startCollector();
    [onApp, offApp] = await Promise.all([startApp('proto-echo.cjs', { collector }), startApp('proto-echo.cjs', { collector, env: { README_SECRET_SCAN: 'false' } })]);
    [on, off] = await Promise.all([exercise(onApp, collector), exercise(offApp, collector)]);
  });
  after(async () => {
    await Promise.all([onApp?.stop(), offApp?.stop()]);
    await collector?.close();
  });

  it('sends none of the secrets, in any encoding, by default', () => {
    const seen = visible(on.logs);
    for (const name of SENT) {
      const s = S[name];
      for (const form of new Set([s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), s.replace(/ /g, '+')])) {
        expect(seen.includes(form), `${name} as ${form.slice(0, 24)}...`).to.equal(false);
      }
    }
  });

  it('replaces each secret in place and keeps everything else as the app saw it', () => {
    const { json, text, form } = on;
    expect(new URL(json.request.url).pathname).to.equal(`/hooks/${encodeURIComponent(R(S['github-ghp']))}`);
    expect(Object.fromEntries(new URL(json.request.url).searchParams)).to.deep.equal({ q: R(S['aws-akia']), card: R(S['card-amex-spaced']), page: '2' });
    expect(json.request.queryString).to.deep.equal([
      { name: 'q', value: R(S['aws-akia']) },
      { name: 'card', value: R(S['card-amex-spaced']) },
      { name: 'page', value: '2' },
    ]);
    const expectedJson = JSON.stringify({ data: R(S['jwt-hs256']), nested: { note: `card ${R(S['card-visa-spaced'])} please`, key: R(S['pem-rsa']) }, amount: 4200, id: 'f47ac10b-58cc-4372-a567-0e02b2c3d479' });
    expect(json.request.postData.text).to.equal(expectedJson);
    expect(json.response.content.text).to.equal(expectedJson);
    const header = (list, name) => list.find((h) => h.name.toLowerCase() === name)?.value;
    expect(header(json.request.headers, 'x-forwarded-token')).to.equal(`Bearer ${R(S['jwt-rs256-kid'])}`);
    expect(header(json.request.headers, 'x-echo')).to.equal(R(S['slack-bot']));
    expect(header(json.response.headers, 'x-echo')).to.equal(R(S['slack-bot']));
    expect(header(json.request.headers, 'referer')).to.equal(`https://app.example/?k=${encodeURIComponent(R(S['google-api-key']))}`);
    expect(text.request.postData.text).to.equal(`deploy key follows\n${R(S['pem-openssh'])}\nthanks`);
    expect(text.response.content.text).to.equal(text.request.postData.text);
    expect(form.request.postData.params).to.deep.equal([
      { name: 'note', value: R(S['card-mastercard']) },
      { name: 'name', value: 'Owlbert' },
      { name: 'ref', value: R(S['stripe-sk-live']) },
    ]);
    expect(form.response.content.text).to.equal(`note=${encodeURIComponent(R(S['card-mastercard']))}&name=Owlbert&ref=${encodeURIComponent(R(S['stripe-sk-live']))}`);
  });

  it('sends every value as it is with README_SECRET_SCAN=false', () => {
    const { json, text, form } = off;
    expect(new URL(json.request.url).pathname).to.equal(PATH);
    expect(json.request.url.endsWith(QUERY)).to.equal(true);
    expect(json.request.postData.text).to.equal(JSON_BODY);
    expect(json.response.content.text).to.equal(JSON_BODY);
    expect(json.request.headers.find((h) => h.name === 'x-echo').value).to.equal(S['slack-bot']);
    expect(text.request.postData.text).to.equal(TEXT_BODY);
    expect(form.response.content.text).to.equal(FORM_BODY);
  });
});
