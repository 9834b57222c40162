// secretScan's cost per log, in process: the redactor with and without it on realistic logs (a small GET,
// a 1 KB JSON echo, each with and without secrets), and the scan alone per KB of text. Not part of npm run
// bench (no app, no load): run `npm run build && node benchmarks/secret-scan.mjs [--rounds 7 --ms 300]`.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { createRedactor } = require('../dist/redact/index.js');
const { findSecrets } = require('../dist/redact/secrets.js');

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, ms: { type: 'string', default: '300' } } });
const ROUNDS = Number(flags.rounds);
const ROUND_MS = Number(flags.ms);

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ik93bGJlcnQiLCJpYXQiOjE1MTYyMzkwMjJ9.Z3Vlc3Mtd2hhdC10aGlzLWlzLW5vdC1hLXJlYWwtc2ln';

/** A 1 KB order document as APIs send them: ids, UUIDs, ISO dates, prices, prose. */
function orderJson(extra = {}) {
  const items = [];
  for (let i = 0; i < 4; i++) {
    items.push({ id: `0b9e4f2c-6a1d-4c3e-9f7a-${String(100000000000 + i * 7919)}`, sku: `SKU-${1000 + i}`, name: 'Reading glasses, tortoise shell', price: 1999 + i, qty: i + 1 });
  }
  const doc = { order_id: 'ord_8f3k2j1', created_at: '2026-12-06T21:12:32.000Z', customer: { name: 'Owlbert Reader', email: 'owlbert@example.com', phone: '+1 415-555-0123' }, items, ...extra, note: '' };
  doc.note = 'Please leave the package at the side door. '.repeat(20).slice(0, Math.max(0, 1024 - JSON.stringify(doc).length));
  return JSON.stringify(doc);
}

const REQUEST_HEADERS = [
  ['host', '127.0.0.1:3000'],
  ['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'],
  ['accept', 'application/json'],
  ['accept-encoding', 'gzip, deflate, br'],
  ['accept-language', 'en-US,en;q=0.9'],
  ['x-api-key', 'owlbert-key-0001'],
  ['x-request-id', 'f47ac10b-58cc-4372-a567-0e02b2c3d479'],
  ['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
  ['connection', 'keep-alive'],
];
const RESPONSE_HEADERS = [
  ['x-powered-by', 'Express'],
  ['content-type', 'application/json; charset=utf-8'],
  ['content-length', '65'],
  ['etag', 'W/"41-y8Lz0b3oVd5XkQx8xq2q3c0dN8Q"'],
  ['date', 'Sun, 06 Dec 2026 21:12:32 GMT'],
  ['connection', 'keep-alive'],
];

function log({ method = 'GET', path = '/json', reqHeaders = [], reqBody, resBody }) {
  const url = `http://127.0.0.1:3000${path}`;
  const q = path.indexOf('?');
  const nv = (list) => list.map(([name, value]) => ({ name, value }));
  return {
    _id: 'x',
    _version: 3,
    group: { id: 'g' },
    clientIPAddress: '127.0.0.1',
    development: false,
    request: {
      log: {
        version: '1.2',
        creator: { name: 'readme-metrics (node)', version: '0', comment: '' },
        entries: [
          {
            pageref: url,
            startedDateTime: '2026-12-06T21:12:32.000Z',
            time: 1,
            request: {
              method,
              url,
              httpVersion: 'HTTP/1.1',
              headers: nv([...REQUEST_HEADERS, ...reqHeaders]),
              queryString: q === -1 ? [] : [...new URLSearchParams(path.slice(q + 1))].map(([name, value]) => ({ name, value })),
              cookies: [],
              headersSize: -1,
              bodySize: -1,
              ...(reqBody ? { postData: { mimeType: 'application/json', text: reqBody } } : {}),
            },
            response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: nv(RESPONSE_HEADERS), content: { text: resBody, size: resBody.length, mimeType: 'application/json; charset=utf-8' }, redirectURL: '', cookies: [], headersSize: -1, bodySize: -1 },
            cache: {},
            timings: { wait: 0, receive: 1 },
          },
        ],
      },
    },
  };
}

const SMALL = '{"id":42,"name":"Owlbert","active":true,"tags":["api","metrics"]}';
const LOGS = {
  'GET small JSON': () => log({ resBody: SMALL }),
  'GET small JSON, JWT in a header and an AWS key in the query': () =>
    log({ path: '/json?q=AKIAIOSFODNN7EXAMPLE', reqHeaders: [['x-upstream-auth', `Bearer ${JWT}`]], resBody: SMALL }),
  'POST 1 KB JSON echo': () => log({ method: 'POST', path: '/echo', reqBody: orderJson(), resBody: orderJson() }),
  'POST 1 KB JSON echo, a JWT and a card in both bodies': () => {
    const body = orderJson({ data: JWT, card: '4111 1111 1111 1111' });
    return log({ method: 'POST', path: '/echo', reqBody: body, resBody: body });
  },
};

/**
 * ns per call: the fastest of many short batches. On a shared, loaded machine the minimum is what the code
 * costs when it gets the CPU; a mean or median measures the neighbours. The argument is prepared outside
 * the timed region (a fresh log each call, since redaction works in place).
 */
function measure(fn, prepare) {
  let best = Infinity;
  const until = Date.now() + ROUNDS * ROUND_MS;
  const args = new Array(BATCH);
  while (Date.now() < until) {
    for (let i = 0; i < BATCH; i++) args[i] = prepare();
    const t = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) fn(args[i]);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / BATCH);
  }
  return best;
}
const BATCH = 50;

const withScan = createRedactor({ defaultDenylist: true, secretScan: true });
const without = createRedactor({ defaultDenylist: true, secretScan: false });

console.log(`node ${process.version}, fastest batch of ${BATCH} calls over ${(ROUNDS * ROUND_MS) / 1000} s per cell\n`);
console.log('| log | redactor without secretScan (µs) | with (µs) | secretScan costs (µs) |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, make] of Object.entries(LOGS)) {
  const a = measure(without, make) / 1000;
  const b = measure(withScan, make) / 1000;
  console.log(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b - a).toFixed(2)} |`);
}

const TEXTS = {
  'English prose': 'Please leave the package at the side door, thanks! '.repeat(21).slice(0, 1024),
  'the 1 KB order JSON above': orderJson(),
  "bench's echo body ('x' x 960)": JSON.stringify({ user: { id: 7, email: 'owlbert@example.com' }, items: [1, 2, 3], note: 'x'.repeat(960) }).slice(0, 1024),
  'UUID-heavy JSON (24 UUIDs)': JSON.stringify(Array.from({ length: 24 }, (_, i) => `${(0x1a2b3c4d + i * 7919).toString(16)}-58cc-4372-a567-0e02b2c3d479`)).slice(0, 1024),
};
console.log('\n| 1 KB of | findSecrets (µs) |');
console.log('| --- | ---: |');
for (const [name, text] of Object.entries(TEXTS)) console.log(`| ${name} | ${(measure(findSecrets, () => text) / 1000).toFixed(3)} |`);
