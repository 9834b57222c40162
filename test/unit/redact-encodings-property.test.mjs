// Property: whatever place a listed key's value sits in (headers, cookies, query, fragment, Location and
// Link URLs, form, multipart, JSON at any depth) and however its body is encoded (charset, content
// coding, truncation at any byte), the built and redacted log holds no trace of it in any reading
// (plain, percent-decoded, base64 of it, compressed or not), and, when nothing was cut, every value of
// a key not listed is still there. The real builder (src/har) and redactor (src/redact) run on raw
// captures, as the pipeline runs them.
import { expect } from 'chai';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';

const require = createRequire(import.meta.url);
const { buildLog } = require('../../dist/har/build.js');
const { createRedactor } = require('../../dist/redact/index.js');

/** Every secret starts with this: a surviving "§" in plain text, or "§Z§" in a decoding, is a leak. */
const MARK = '\u00a7Z\u00a7';
const KEPT = /ok\d{6}x/g;

const HARMLESS = ['id', 'name', 'page', 'code', 'state', 'max_tokens', 'page_token', 'author', 'q', 'theme', 'note'];
const CONFIGS = {
  // The default list on, and the user's entries at any depth.
  defaults: {
    opts: { denylist: ['**.pin', '**.sess', 'x-hush'], defaultDenylist: true, secretScan: false },
    fields: ['pin', 'sess', 'password', 'access_token', 'client_secret', 'authorization', 'githubAccessToken', 'Private-Token'],
    headers: ['x-hush', 'X-Hush', 'Private-Token', 'X-Amz-Security-Token', 'password', 'sess'],
    allCookies: true,
  },
  // The default list off: what is not listed (access_token, Private-Token...) must be kept.
  listed: {
    opts: { denylist: ['**.pin', '**.sess', 'x-hush', '**.password'], defaultDenylist: false, secretScan: false },
    fields: ['pin', 'sess', 'password'],
    headers: ['x-hush', 'X-Hush', 'password', 'pin'],
    harmless: ['access_token', 'client_secret', 'authorization', 'Private-Token'],
    allCookies: false,
  },
};

const ALPHA = [...'abcXYZ019-_. '];
const JSON_ALPHA = [...ALPHA, '"', '\\', '\u00e9', '/', '&', '=', '#', '?', ';'];
const value = (alphabet) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: 0, maxLength: 8 });

function arbitraries(cfg) {
  const names = [...cfg.fields, ...HARMLESS, ...(cfg.harmless ?? [])];
  // Not `authorization`: the builder masks that header whatever the lists say (the contract).
  const headerNames = [...cfg.headers, 'x-trace', 'accept-language', 'x-page', ...(cfg.harmless ?? []).filter((h) => h !== 'authorization')];
  const pairs = (pool, alphabet, max = 5) => fc.array(fc.tuple(fc.constantFrom(...pool), value(alphabet)), { maxLength: max });
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', maxDepth: 4 }, tie('leaf'), tie('object'), tie('array')),
    leaf: fc.oneof(value(JSON_ALPHA).map((s) => ({ s })), fc.integer(), fc.constant(null)),
    object: fc.array(fc.tuple(fc.constantFrom(...names), tie('node')), { maxLength: 5 }),
    array: fc.array(tie('node'), { maxLength: 3 }).map((items) => ({ items })),
  })).node;
  const body = fc.oneof(
    fc.record({ kind: fc.constant('json'), tree: fc.array(fc.tuple(fc.constantFrom(...names), tree), { maxLength: 6 }) }),
    fc.record({ kind: fc.constant('form'), pairs: pairs(names, JSON_ALPHA, 6) }),
    fc.record({ kind: fc.constant('multipart'), pairs: pairs(names, JSON_ALPHA, 4), json: fc.array(fc.tuple(fc.constantFrom(...names), value(JSON_ALPHA)), { maxLength: 3 }) }),
  );
  const encoding = fc.record({
    charset: fc.constantFrom('utf-8', 'none', 'iso-8859-1', 'windows-1252', 'utf-16le', 'utf-16le-bom', 'utf-16be', 'utf-16-sniffed', 'x-bogus', 'utf-16-as-utf-8', 'utf-8-as-utf-16'),
    // x-custom: a coding the SDK cannot undo (gzip bytes under another name), so the body must be withheld.
    coding: fc.constantFrom('none', 'none', 'gzip', 'deflate', 'br', 'x-custom'),
    cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 3 }),
  });
  return fc.record({
    reqHeaders: pairs(headerNames, ALPHA),
    resHeaders: pairs(headerNames, ALPHA),
    cookies: pairs([...names, 'sid'], ALPHA.filter((c) => c !== ' '), 4),
    setCookies: pairs([...names, 'sid'], ALPHA.filter((c) => c !== ' '), 3),
    query: pairs(names, JSON_ALPHA),
    fragment: pairs(names, JSON_ALPHA, 3),
    location: pairs(names, JSON_ALPHA, 3),
    reqBody: body,
    resBody: body.filter((b) => b.kind !== 'multipart'),
    reqEncoding: encoding,
    resEncoding: encoding,
  });
}

/** Fills in values: a listed name's value is a secret (so is everything under it), any other a unique kept marker. */
function materialize(w, cfg) {
  let n = 0;
  const listedField = (k) => cfg.fields.includes(k);
  const listedHeader = (k) => cfg.headers.some((h) => h.toLowerCase() === k.toLowerCase());
  const fill = (secret, s) => (secret ? `${MARK}${s}` : `ok${String(n++).padStart(6, '0')}x`);
  const flat = (list, listed) => list.map(([k, s]) => [k, fill(listed(k), s)]);
  const node = (v, secret) => {
    if (v && typeof v === 'object' && 's' in v) return fill(secret, v.s);
    if (v && typeof v === 'object' && 'items' in v) return v.items.map((x) => node(x, secret));
    if (Array.isArray(v)) return v.map(([k, x]) => [k, node(x, secret || listedField(k))]);
    return v;
  };
  const body = (b) => {
    if (b.kind === 'json') return { kind: 'json', tree: node(b.tree, false) };
    if (b.kind === 'form') return { kind: 'form', pairs: flat(b.pairs, listedField) };
    return { kind: 'multipart', pairs: flat(b.pairs, listedField), json: flat(b.json, listedField) };
  };
  return {
    ...w,
    reqHeaders: flat(w.reqHeaders, listedHeader),
    resHeaders: flat(w.resHeaders, listedHeader),
    cookies: flat(w.cookies, (k) => cfg.allCookies || listedField(k)),
    setCookies: flat(w.setCookies, (k) => cfg.allCookies || listedField(k)),
    query: flat(w.query, listedField),
    fragment: flat(w.fragment, listedField),
    location: flat(w.location, listedField),
    reqBody: body(w.reqBody),
    resBody: body(w.resBody),
  };
}

const enc = (pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/** JSON text from the generated tree (objects are lists of pairs so keys may repeat). */
function jsonText(v) {
  if (Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string')) return `{${v.map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  return JSON.stringify(v);
}

function bodyBytes(b, e) {
  if (b.kind === 'multipart') {
    const parts = b.pairs.map(([k, v]) => `--XyZ\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    if (b.json.length) parts.push(`--XyZ\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n${jsonText(b.json)}\r\n`);
    return { type: 'multipart/form-data; boundary=XyZ', bytes: Buffer.from(`${parts.join('')}--XyZ--\r\n`) };
  }
  const text = b.kind === 'json' ? jsonText(b.tree) : enc(b.pairs);
  const base = b.kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  let bytes;
  let type = base;
  switch (e.charset) {
    case 'utf-8':
      type = `${base}; charset=utf-8`;
      bytes = Buffer.from(text);
      break;
    case 'none':
      bytes = Buffer.from(text);
      break;
    case 'utf-16-as-utf-8':
      // Mislabelled: JSON must then be withheld (NULs); forms too.
      type = `${base}; charset=utf-8`;
      bytes = Buffer.from(text, 'utf16le');
      break;
    case 'utf-8-as-utf-16':
      type = `${base}; charset=utf-16le`;
      bytes = Buffer.from(text);
      break;
    case 'x-bogus':
      // Multipart carries no charset parameter, so there it is plain UTF-8.
      type = `${base}; charset=x-bogus`;
      bytes = Buffer.from(text);
      break;
    case 'iso-8859-1':
    case 'windows-1252':
      type = `${base}; charset=${e.charset}`;
      bytes = Buffer.from(text, 'latin1');
      break;
    case 'utf-16le':
      type = `${base}; charset=utf-16le`;
      bytes = Buffer.from(text, 'utf16le');
      break;
    case 'utf-16le-bom':
      bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      break;
    case 'utf-16-sniffed':
      // RFC 4627 detection needs JSON; a form in UTF-16 must say so.
      type = b.kind === 'json' ? base : `${base}; charset=utf-16le`;
      bytes = Buffer.from(text, 'utf16le');
      break;
    default: {
      type = `${base}; charset=utf-16be`;
      bytes = Buffer.from(text, 'utf16le');
      for (let i = 0; i + 1 < bytes.length; i += 2) [bytes[i], bytes[i + 1]] = [bytes[i + 1], bytes[i]];
    }
  }
  return { type, bytes };
}

const CODERS = { gzip: zlib.gzipSync, 'x-custom': zlib.gzipSync, deflate: zlib.deflateSync, br: (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }) };

/** The captured wire bytes: encoded, compressed, and maybe cut at the cap. */
function wire(b, e) {
  const { type, bytes } = bodyBytes(b, e);
  const sent = e.coding === 'none' ? bytes : CODERS[e.coding](bytes);
  const cut = e.cut === null || sent.length === 0 ? sent.length : Math.floor(e.cut * sent.length);
  const lost = cut < sent.length || e.coding === 'x-custom' || (['x-bogus', 'utf-16-as-utf-8', 'utf-8-as-utf-16'].includes(e.charset) && b.kind !== 'multipart');
  return { type, coding: e.coding, body: sent.subarray(0, cut), size: sent.length, truncated: cut < sent.length, lost };
}

function capture(w) {
  const req = wire(w.reqBody, w.reqEncoding);
  const res = wire(w.resBody, w.resEncoding);
  const frag = w.fragment.length ? `#${enc(w.fragment)}` : '';
  const requestHeaders = ['Host', 'api.test', 'Content-Type', req.type];
  if (req.coding !== 'none') requestHeaders.push('Content-Encoding', req.coding);
  for (const [k, v] of w.reqHeaders) requestHeaders.push(k, v);
  if (w.cookies.length) requestHeaders.push('Cookie', w.cookies.map(([k, v]) => `${k}=${v}`).join('; '));
  const responseHeaders = { 'content-type': res.type };
  if (res.coding !== 'none') responseHeaders['content-encoding'] = res.coding;
  for (const [k, v] of w.resHeaders) (responseHeaders[k] ??= []).push(v);
  if (w.setCookies.length) responseHeaders['set-cookie'] = w.setCookies.map(([k, v]) => `${k}=${v}; Path=/; HttpOnly`);
  if (w.location.length) {
    responseHeaders.location = `https://client.example/cb#${enc(w.location)}`;
    responseHeaders.link = `<https://api.example/next?${enc(w.location)}>; rel="next"`;
  }
  return {
    raw: {
      id: 'x',
      startedDateTime: 0,
      durationMs: 1,
      method: 'POST',
      url: `/p/x?${enc(w.query)}${frag}`,
      httpVersion: '1.1',
      requestHeaders,
      remoteAddress: '127.0.0.1',
      encrypted: false,
      requestBody: req.body,
      requestBodySize: req.size,
      requestBodyTruncated: req.truncated,
      statusCode: 302,
      statusMessage: 'Found',
      responseHeaderBlock: null,
      responseHeaders,
      responseBody: res.body,
      responseBodySize: res.size,
      responseBodyTruncated: res.truncated,
      aborted: false,
      route: undefined,
      group: { apiKey: 'caller-key', label: 'Owlbert' },
    },
    // Cut or withheld: kept values may be gone with the rest, so only leaks are checked.
    cut: req.lost || res.lost,
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4}){3,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DATA_URL = /^data:[^,]*;base64,(.*)$/s;

/** The byte forms a base64 string could hide a secret in: as is, or compressed (told by its header). */
function unpacked(bytes) {
  const forms = [bytes];
  const undo = [zlib.brotliDecompressSync];
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) undo.push(zlib.gunzipSync);
  if ((bytes[0] & 0x0f) === 8 && ((bytes[0] << 8) | bytes[1]) % 31 === 0) undo.push(zlib.inflateSync);
  for (const u of undo) {
    try {
      forms.push(u(bytes));
    } catch {}
  }
  return forms;
}

/** Every reading of a string a leak could hide in: percent-decoded, and base64 (whole, or a data URL's). */
function readings(s) {
  // Text decoded in the wrong charset can be encoded back to the bytes that were sent; forms percent-encode.
  const out = [Buffer.from(s, 'utf16le').toString('utf8'), Buffer.from(s, 'latin1').toString('utf8')];
  for (const t of [s, ...out]) {
    if (!t.includes('%')) continue;
    try {
      out.push(decodeURIComponent(t));
    } catch {
      out.push(t.replace(/%[0-9a-f]{2}/gi, (h) => String.fromCharCode(parseInt(h.slice(1), 16))));
    }
  }
  const b64 = BASE64.test(s) ? s : DATA_URL.exec(s)?.[1];
  if (b64 !== undefined) for (const f of unpacked(Buffer.from(b64, 'base64'))) out.push(f.toString('latin1'), f.toString('utf8'), f.toString('utf16le'));
  return out;
}

function strings(v, out = []) {
  if (typeof v === 'string') out.push(v);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

let cases = 0;

async function check(w, cfg, redact) {
  cases++;
  const { raw, cut } = capture(w);
  const log = await buildLog(raw, raw.group, { development: false, trustProxy: false, maxBodySize: 1 << 20 });
  redact(log);
  const all = strings(log);
  for (const s of all) {
    // A plain "§" can only come from a secret; in a decoding, the three-character mark.
    if (s.includes('\u00a7')) throw new Error(`leak: ${s}`);
    for (const r of readings(s)) if (r.includes(MARK)) throw new Error(`leak in a reading of ${s}`);
  }
  if (cut) return;
  const expected = JSON.stringify(w).match(KEPT) ?? [];
  const found = new Set(all.flatMap((s) => [s, ...readings(s)].flatMap((r) => r.match(KEPT) ?? [])));
  for (const m of expected) if (!found.has(m)) throw new Error(`over-redacted: ${m}`);
}

describe('redact: property-based, every place and every encoding, through the real builder', function () {
  this.timeout(60_000);
  for (const [name, cfg] of Object.entries(CONFIGS)) {
    it(`${name}: no listed value in any reading, every other value kept (5,000 cases)`, async () => {
      const redact = createRedactor(cfg.opts);
      await fc.assert(
        fc.asyncProperty(arbitraries(cfg), (w) => check(materialize(w, cfg), cfg, redact)),
        { numRuns: Number(process.env.PROPERTY_RUNS ?? 5_000) },
      );
    });
  }
  after(() => {
    if (process.env.PROPERTY_RUNS === undefined) expect(cases).to.be.at.least(10_000);
  });
});
