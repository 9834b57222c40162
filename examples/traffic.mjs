// Sends a realistic mix of requests to the example API: several consumers, successes, client errors,
// a 500, a login whose password is redacted, and the slow report.
//   node traffic.mjs http://127.0.0.1:3000 [count]
import { pathToFileURL } from 'node:url';
import { CONSUMERS } from './consumers.mjs';

const [OWL, ACME, HOBBY] = Object.keys(CONSUMERS);

/** Each scenario is one request: [weight, method, path, key, body]. */
const SCENARIOS = [
  [8, 'GET', '/v1/books', OWL],
  [5, 'GET', '/v1/books?q=data&limit=5', ACME],
  [4, 'GET', '/v1/books', HOBBY],
  [6, 'GET', '/v1/books/2', ACME],
  [3, 'GET', '/v1/books/4', HOBBY],
  [2, 'GET', '/v1/books/99', OWL],
  [3, 'POST', '/v1/login', undefined, { email: 'owlbert@example.com', password: 'correct horse battery staple' }],
  [2, 'POST', '/v1/login', undefined, { email: 'owlbert@example.com', password: 'hunter22' }],
  [2, 'POST', '/v1/books', OWL, { title: 'Release It!', author: 'Michael Nygard', price: 44 }],
  [1, 'POST', '/v1/books', ACME, { title: '', price: -3 }],
  [2, 'POST', '/v1/orders', ACME, { bookId: 1, quantity: 1, cardNumber: '4242424242424242' }],
  [1, 'POST', '/v1/orders', HOBBY, { bookId: 3, cardNumber: '4000000000000002' }],
  [2, 'GET', '/v1/reports/sales', OWL],
  [1, 'GET', '/v1/reports/sales', HOBBY],
  [1, 'DELETE', '/v1/books/4', ACME],
  [1, 'POST', '/v1/inventory/sync', OWL, {}],
  [1, 'GET', '/v1/books', 'stolen-key-000'],
  [1, 'GET', '/v1/books', undefined],
];

const TOTAL_WEIGHT = SCENARIOS.reduce((n, s) => n + s[0], 0);

function pick(random) {
  let r = random() * TOTAL_WEIGHT;
  for (const s of SCENARIOS) if ((r -= s[0]) < 0) return s;
  return SCENARIOS[0];
}

/** A small seeded generator, so a run is repeatable. */
function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function send(baseUrl, [, method, path, key, body]) {
  const headers = { 'user-agent': 'bookshop-demo-client/1.0', accept: 'application/json' };
  if (key) headers['x-api-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, baseUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Sends `count` requests, `concurrency` at a time. Every scenario is sent once first, so even a
 * short run shows each kind of request.
 */
export async function runTraffic(baseUrl, { count = 60, concurrency = 3, seed = 42, signal } = {}) {
  const random = mulberry32(seed);
  const queue = [...SCENARIOS, ...Array.from({ length: Math.max(0, count - SCENARIOS.length) }, () => pick(random))];
  const statuses = {};
  async function worker() {
    while (queue.length && !signal?.aborted) {
      const status = await send(baseUrl, queue.shift()).catch(() => 'error');
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

/** One random request now and then, so the dashboard keeps moving. */
export function trickle(baseUrl, { everyMs = 2000, seed = 7 } = {}) {
  const random = mulberry32(seed);
  const timer = setInterval(() => send(baseUrl, pick(random)).catch(() => {}), everyMs);
  return () => clearInterval(timer);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [baseUrl = 'http://127.0.0.1:3000', count = '60'] = process.argv.slice(2);
  const statuses = await runTraffic(baseUrl, { count: Number(count) });
  console.log(`sent ${count} requests to ${baseUrl}:`, statuses);
}
