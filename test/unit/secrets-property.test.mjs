// Properties of secretScan through the whole redactor: a secret of any format, put anywhere a log carries
// values (a JSON body at any depth, a text body, a query value, a path segment, a header), never survives;
// and data with no secret in it (random JSON, ids, hashes, base64, dates, the near-miss corpus) is never
// changed by a single byte.
import { expect } from 'chai';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { NEAR_MISSES, SECRETS } from '../helpers/secret-corpus.mjs';

const require = createRequire(import.meta.url);
const { createRedactor } = require('../../dist/redact/index.js');

const redact = createRedactor({ defaultDenylist: false, secretScan: true });
const WORDS = ['alpha', 'order', 'note', 'the', 'id', 'ok', 'value', 'Owlbert', 'reads', 'docs', '42', 'x'];
/** Characters that end a word, so the secret stands as a token of its own. */
const SEPARATORS = [' ', ',', ';', '=', ':', '(', ')', '\n', '\t', '"', "'", '<', '>', '[', ']'];

const secret = fc.constantFrom(...Object.values(SECRETS));
const words = fc.array(fc.constantFrom(...WORDS), { maxLength: 4 }).map((w) => w.join(' '));
/** A secret inside a sentence: words, a separator, the secret, a separator, words starting with a letter. */
const inText = fc
  .record({ before: words, s1: fc.constantFrom(...SEPARATORS), secret, s2: fc.constantFrom(...SEPARATORS), after: words, bare: fc.boolean() })
  .map(({ before, s1, secret: s, s2, after, bare }) => ({ secret: s, text: bare ? s : `${before}${s1}${s}${s2}a${after}` }));

/** A random JSON tree with one string leaf replaced by `value`. */
const jsonWith = (value) =>
  fc.record({ tree: fc.jsonValue({ maxDepth: 3 }), path: fc.array(fc.constantFrom('data', 'items', 'meta', 'x'), { maxLength: 4 }), indent: fc.constantFrom(0, 2, '\t') }).map(({ tree, path, indent }) => {
    let doc = value;
    for (const key of path.reverse()) doc = key === 'items' ? [tree, doc] : { [key]: doc, other: tree };
    return JSON.stringify(doc, null, indent);
  });

function makeLog({ path = '/p', query = [], headers = [], reqText, reqType = 'application/json', resText = '{}', resType = 'application/json' } = {}) {
  const qs = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const url = `http://api.test${path}${qs ? `?${qs}` : ''}`;
  return {
    _id: 'x',
    _version: 3,
    group: { id: 'g' },
    clientIPAddress: '127.0.0.1',
    development: false,
    request: {
      log: {
        version: '1.2',
        creator: { name: 'n', version: 'v', comment: 'c' },
        entries: [
          {
            pageref: url,
            startedDateTime: new Date(0).toISOString(),
            time: 0,
            request: { method: 'POST', url, httpVersion: 'HTTP/1.1', headers: headers.map(([name, value]) => ({ name, value })), queryString: query.map(([name, value]) => ({ name, value })), cookies: [], headersSize: -1, bodySize: -1, ...(reqText === undefined ? {} : { postData: { mimeType: reqType, text: reqText } }) },
            response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [], content: { text: resText, size: 0, mimeType: resType }, redirectURL: '', cookies: [], headersSize: -1, bodySize: -1 },
            cache: {},
            timings: { wait: 0, receive: 0 },
          },
        ],
      },
    },
  };
}

/** Every string a reader of the log could see: values, decoded JSON bodies, decoded URL pieces. */
function visible(log) {
  const e = log.request.log.entries[0];
  const out = [JSON.stringify(log)];
  for (const u of [e.request.url, e.pageref]) {
    const parsed = new URL(u);
    out.push(...parsed.pathname.split('/').map((p) => decodeURIComponent(p)), ...[...parsed.searchParams.values()]);
  }
  const strings = (v) => (typeof v === 'string' ? out.push(v) : v && typeof v === 'object' ? Object.values(v).forEach(strings) : undefined);
  for (const text of [e.request.postData?.text, e.response.content.text]) {
    if (text === undefined) continue;
    out.push(text);
    try {
      strings(JSON.parse(text));
    } catch {}
  }
  for (const h of e.request.headers) out.push(h.value);
  for (const q of e.request.queryString) out.push(q.value);
  return out;
}

const leaks = (log, s) => visible(log).some((v) => v.includes(s));

describe('secretScan properties', () => {
  it('no secret survives in a JSON body, at any depth, request or response', () => {
    fc.assert(
      fc.property(inText.chain(({ secret: s, text }) => jsonWith(text).map((body) => ({ s, body }))), ({ s, body }) => {
        const log = makeLog({ reqText: body, resText: body, resType: 'application/problem+json' });
        redact(log);
        expect(leaks(log, s), body).to.equal(false);
        JSON.parse(log.request.log.entries[0].response.content.text); // still JSON
      }),
      { numRuns: 300 },
    );
  });

  it('no secret survives in a text body, a query value, a path segment or a header', () => {
    fc.assert(
      fc.property(inText, fc.constantFrom('body', 'query', 'path', 'header'), ({ secret: s, text }, place) => {
        const log = makeLog({
          reqText: place === 'body' ? text : undefined,
          reqType: 'text/plain',
          query: place === 'query' ? [['q', text]] : [],
          path: place === 'path' ? `/hooks/${encodeURIComponent(text)}/run` : '/p',
          headers: place === 'header' ? [['X-Forwarded-Token', text]] : [],
        });
        redact(log);
        expect(leaks(log, s), `${place}: ${JSON.stringify(text)}`).to.equal(false);
      }),
      { numRuns: 400 },
    );
  });

  it('changes nothing in data without secrets: random JSON, ids, hashes, base64, dates, near-misses', () => {
    const harmless = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.uuid(),
      fc.stringMatching(/^[0-9a-f]{32,64}$/),
      fc.base64String({ maxLength: 120 }),
      fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString()),
      fc.bigInt({ min: 0n, max: 999_999_999_999n }).map(String),
      fc.constantFrom(...NEAR_MISSES),
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.array(harmless, { maxLength: 6 }), (tree, values) => {
        const body = JSON.stringify({ tree, values });
        const text = values.join(' ');
        const make = () =>
          makeLog({
            reqText: body,
            resText: text,
            resType: 'text/plain',
            query: values.map((v, i) => [`k${i}`, v]),
            path: `/${values.map((v) => encodeURIComponent(v)).join('/')}`,
            headers: values.map((v, i) => [`x-h${i}`, v]),
          });
        const log = make();
        redact(log);
        expect(log).to.deep.equal(make());
      }),
      { numRuns: 300 },
    );
  });
});
