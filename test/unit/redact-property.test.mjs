// Property: whatever the shape of the bodies, headers and queries, no denied value survives anywhere in
// the serialized log, and every other value is exactly what it was. Values are unique marker strings,
// so "survives" is a plain substring search over JSON.stringify(log).
import { expect } from 'chai';
import fc from 'fast-check';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createRedactor } = require('../../dist/redact/index.js');

const censor = (v) => (typeof v === 'string' ? `[REDACTED ${v.length}]` : '[REDACTED]');

// Keys the default denylist must catch (spelling variants included) and keys it must leave alone.
const DEFAULT_HITS = new Set(['password', 'Password', 'newPassword', 'accessToken', 'api-key', 'client_secret', 'Set-Cookie', 'Cookie', 'x-api-key', 'access_token', 'apiKey']);
const JSON_KEYS = ['id', 'name', 'data', 'items', 'meta', 'inner', 'code', 'rows', 'ssnx', 'pin', 'PIN', 'hidden', 'Hidden', 'max_tokens', 'page_token', 'password', 'Password', 'newPassword', 'accessToken', 'api-key', 'client_secret'];
const HEADER_NAMES = ['accept', 'x-trace', 'content-language', 'x-meta', 'Cookie', 'Set-Cookie', 'x-api-key', 'X-Req-Hush', 'x-req-hush', 'PIN', 'Hidden', 'password'];
const PARAM_NAMES = ['pin', 'PIN', 'hidden', 'page', 'q', 'id', 'name', 'x-req-hush', 'access_token', 'password', 'apiKey'];

/** A random JSON tree; string leaves are placeholders that get unique markers afterwards. */
const tree = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 5 }, tie('leaf'), tie('object'), tie('array')),
  leaf: fc.oneof(fc.string({ maxLength: 4 }).map((suffix) => ({ marker: suffix })), fc.integer(), fc.boolean(), fc.constant(null)),
  object: fc.dictionary(fc.constantFrom(...JSON_KEYS), tie('value'), { maxKeys: 6 }),
  array: fc.array(tie('value'), { maxLength: 4 }),
})).value;

const leaf = fc.string({ maxLength: 4 }).map((suffix) => ({ marker: suffix }));
/** Roots are objects, sometimes carrying the exact shapes the dot-path entries aim at. */
const root = fc.record(
  {
    rest: fc.dictionary(fc.constantFrom(...JSON_KEYS), tree, { maxKeys: 8 }),
    meta: fc.option(fc.record({ inner: fc.record({ code: tree, other: tree }), code: tree })),
    rows: fc.option(fc.array(fc.record({ ssnx: tree, id: tree }), { maxLength: 3 })),
  },
  { requiredKeys: ['rest'] },
).map(({ rest, meta, rows }) => ({ ...rest, ...(meta ? { meta } : {}), ...(rows ? { rows } : {}) }));

const world = fc.record({
  reqBody: root,
  resBody: root,
  formBody: fc.boolean(),
  indent: fc.constantFrom(0, 2, '\t'),
  reqHeaders: fc.array(fc.tuple(fc.constantFrom(...HEADER_NAMES), leaf), { maxLength: 8 }),
  resHeaders: fc.array(fc.tuple(fc.constantFrom(...HEADER_NAMES), leaf), { maxLength: 8 }),
  query: fc.array(fc.tuple(fc.constantFrom(...PARAM_NAMES), leaf), { maxLength: 8 }),
  form: fc.array(fc.tuple(fc.constantFrom(...PARAM_NAMES), leaf), { maxLength: 6 }),
});

/** Replaces every placeholder with a unique marker; fixed width, so no marker contains another. */
function materialize(w) {
  let n = 0;
  const fill = (v) => {
    if (v && typeof v === 'object' && 'marker' in v && Object.keys(v).length === 1 && typeof v.marker === 'string') return `mk${String(n++).padStart(6, '0')}q${v.marker}`;
    if (Array.isArray(v)) return v.map(fill);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  return fill(w);
}

/** Every marker core in a value, for the leak search. */
function markersIn(v, out = []) {
  if (typeof v === 'string') {
    const m = /^mk\d{6}q/.exec(v);
    if (m) out.push(m[0]);
  } else if (Array.isArray(v)) v.forEach((x) => markersIn(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => markersIn(x, out));
  return out;
}

function buildLog(w) {
  const url = `http://api.test/p?${w.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
  const nv = (pairs) => pairs.map(([name, value]) => ({ name, value }));
  const request = {
    method: 'POST',
    url,
    httpVersion: 'HTTP/1.1',
    headers: nv(w.reqHeaders),
    queryString: [...new URLSearchParams(url.split('?')[1])].map(([name, value]) => ({ name, value })),
    cookies: [],
    headersSize: -1,
    bodySize: -1,
    postData: w.formBody
      ? { mimeType: 'application/x-www-form-urlencoded', params: nv(w.form) }
      : { mimeType: 'application/json', text: JSON.stringify(w.reqBody, null, w.indent) },
  };
  const response = {
    status: 200,
    statusText: 'OK',
    httpVersion: 'HTTP/1.1',
    headers: nv(w.resHeaders),
    content: { text: JSON.stringify(w.resBody, null, w.indent), size: 0, mimeType: 'application/vnd.test+json; charset=utf-8' },
    redirectURL: '',
    cookies: [],
    headersSize: -1,
    bodySize: -1,
  };
  const entry = { pageref: url, startedDateTime: new Date(0).toISOString(), time: 0, request, response, cache: {}, timings: { wait: 0, receive: 0 } };
  return { _id: 'x', _version: 3, group: { id: 'g' }, clientIPAddress: '127.0.0.1', development: false, request: { log: { version: '1.2', creator: { name: 'n', version: 'v', comment: 'c' }, entries: [entry] } } };
}

/**
 * The oracle: the expected value, written from the entry semantics, independently of the implementation.
 * judge(path) says 'redact', 'keep' (the subtree is kept; the default denylist still applies) or 'open'
 * (judge the children). Under an allowlist an 'open' leaf is not allowed, under a denylist it is kept.
 */
function expectedJson(value, judge, allow, path = []) {
  if (path.length > 0 && typeof path[path.length - 1] === 'string' && DEFAULT_HITS.has(path[path.length - 1])) return censor(value);
  const verdict = judge(path);
  if (verdict === 'redact') return censor(value);
  const container = value !== null && typeof value === 'object';
  if (verdict === 'open' && !container) return allow && path.length > 0 ? censor(value) : value;
  const next = verdict === 'keep' ? () => 'keep' : judge;
  if (Array.isArray(value)) return value.map((v, i) => expectedJson(v, next, allow, [...path, i]));
  if (container) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expectedJson(v, next, allow, [...path, k])]));
  return value;
}

function check(w, opts, judge, flat) {
  const allow = opts.allowlist !== undefined;
  const log = buildLog(w);
  createRedactor(opts)(log);
  const e = log.request.log.entries[0];
  const pairs = (list) => list.map(([name, value]) => ({ name, value: flat(name, false) ? censor(value) : value }));
  const headers = (list) => list.map(([name, value]) => ({ name, value: flat(name, true) ? censor(value) : value }));

  const expected = {
    reqHeaders: headers(w.reqHeaders),
    resHeaders: headers(w.resHeaders),
    query: pairs(w.query),
    reqBody: w.formBody ? pairs(w.form) : expectedJson(w.reqBody, judge, allow),
    resBody: expectedJson(w.resBody, judge, allow),
  };
  expect(e.request.headers).to.deep.equal(expected.reqHeaders);
  expect(e.response.headers).to.deep.equal(expected.resHeaders);
  expect(e.request.queryString).to.deep.equal(expected.query);
  const fromUrl = (u) => [...new URLSearchParams(u.split('?')[1])].map(([name, value]) => ({ name, value }));
  expect(fromUrl(e.request.url)).to.deep.equal(expected.query);
  expect(e.pageref).to.equal(e.request.url);
  expect(w.formBody ? e.request.postData.params : JSON.parse(e.request.postData.text)).to.deep.equal(expected.reqBody);
  expect(JSON.parse(e.response.content.text)).to.deep.equal(expected.resBody);

  // Nothing denied is left anywhere, and everything kept is still there.
  const serialized = JSON.stringify(log);
  const all = markersIn([w.reqHeaders, w.resHeaders, w.query, w.formBody ? w.form : w.reqBody, w.resBody]);
  const kept = new Set(markersIn(Object.values(expected)));
  for (const m of all) expect(serialized.includes(m), `${m} ${kept.has(m) ? 'kept' : 'denied'}`).to.equal(kept.has(m));
}

describe('redact: property-based', () => {
  it('a denylist (with the default one) leaks no denied value and changes no other', () => {
    const denylist = ['pin', '**.hidden', 'meta.inner.code', 'rows[].ssnx', 'X-Req-Hush'];
    const judge = (p) => {
      const last = p[p.length - 1];
      if (p.length === 1 && last === 'pin') return 'redact';
      if (last === 'hidden') return 'redact';
      if (p.length === 3 && p[0] === 'meta' && p[1] === 'inner' && last === 'code') return 'redact';
      if (p.length === 3 && p[0] === 'rows' && typeof p[1] === 'number' && last === 'ssnx') return 'redact';
      return 'open';
    };
    // Plain entries match headers case-insensitively and fields exactly; the default list ignores case.
    const HEADERS = new Set(['cookie', 'set-cookie', 'x-api-key', 'password', 'x-req-hush', 'pin', 'hidden']);
    const PARAMS = new Set(['access_token', 'password', 'apiKey', 'X-Req-Hush', 'pin', 'hidden']);
    const flat = (name, header) => (header ? HEADERS.has(name.toLowerCase()) : PARAMS.has(name));
    fc.assert(
      fc.property(world, (raw) => check(materialize(raw), { denylist, defaultDenylist: true }, judge, flat)),
      { numRuns: 300 },
    );
  });

  it('an allowlist (with the default denylist) keeps exactly the allowed values', () => {
    const allowlist = ['id', 'name', 'meta.inner', 'accept'];
    const judge = (p) => {
      if (p.length === 0) return 'open';
      if (p[0] === 'id' || p[0] === 'name') return 'keep';
      if (p[0] === 'meta' && p.length === 1) return 'open';
      if (p[0] === 'meta' && p[1] === 'inner') return 'keep';
      return 'redact';
    };
    const flat = (name, header) => (header ? name.toLowerCase() !== 'accept' : name !== 'id' && name !== 'name');
    fc.assert(
      fc.property(world, (raw) => check(materialize(raw), { allowlist, defaultDenylist: true }, judge, flat)),
      { numRuns: 300 },
    );
  });
});
