// A small bookshop API on plain node:http (no dependencies), to try readme-metrics on:
//   node ../bin/readme-metrics.js dev -- node api.mjs      (from this folder)
// Every /v1 route needs an API key (see consumers.mjs) in `x-api-key`.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { setRoute } from 'readme-metrics';
import { apiKeyOf, CONSUMERS } from './consumers.mjs';

const books = new Map(
  [
    { id: 1, title: 'The Pragmatic Programmer', author: 'Hunt & Thomas', price: 42.5, stock: 7 },
    { id: 2, title: 'Designing Data-Intensive Applications', author: 'Martin Kleppmann', price: 55, stock: 3 },
    { id: 3, title: 'Working Effectively with Legacy Code', author: 'Michael Feathers', price: 47.99, stock: 0 },
    { id: 4, title: 'HTTP: The Definitive Guide', author: 'Gourley & Totty', price: 39.9, stock: 12 },
  ].map((b) => [b.id, b]),
);
let nextId = 5;

// Plain node:http has no router to tell readme-metrics the route template (Express, Fastify, Koa and
// Hapi do): setRoute makes the dashboard group /v1/books/2 and /v1/books/3 as /v1/books/:id.

const routes = [
  ['GET', '/health', () => [200, { ok: true }]],
  ['POST', '/v1/login', login],
  ['GET', '/v1/books', listBooks],
  ['POST', '/v1/books', createBook],
  ['GET', '/v1/books/:id', getBook],
  ['DELETE', '/v1/books/:id', deleteBook],
  ['POST', '/v1/orders', createOrder],
  ['GET', '/v1/reports/sales', salesReport],
  ['POST', '/v1/inventory/sync', syncInventory],
].map(([method, template, handler]) => ({
  method,
  template,
  handler,
  pattern: new RegExp(`^${template.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`),
}));

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const candidates = routes.filter((r) => r.pattern.test(url.pathname));
  const route = candidates.find((r) => r.method === req.method);
  try {
    if (!route) {
      if (candidates.length) return send(res, 405, { error: 'method not allowed' }, { allow: candidates.map((r) => r.method).join(', ') });
      return send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
    }
    setRoute(req, route.template);
    const consumer = CONSUMERS[apiKeyOf(req)];
    if (route.template.startsWith('/v1/') && route.template !== '/v1/login' && !consumer) {
      return send(res, 401, { error: 'missing or unknown API key', hint: 'send x-api-key' }, { 'www-authenticate': 'ApiKey' });
    }
    const params = route.pattern.exec(url.pathname).groups ?? {};
    const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : undefined;
    const [status, payload, headers] = await route.handler({ req, url, params, body, consumer });
    send(res, status, payload, headers);
  } catch (err) {
    if (err instanceof BadRequest) return send(res, 400, { error: err.message });
    send(res, 500, { error: 'internal error', requestId: randomUUID() });
  }
});

function login({ body }) {
  if (!body?.email || !body?.password) return [422, { error: 'email and password are required' }];
  if (body.password !== 'correct horse battery staple') return [401, { error: 'wrong email or password' }];
  return [200, { token: `tok_${randomUUID().replace(/-/g, '')}`, expiresIn: 3600 }];
}

function listBooks({ url }) {
  const q = (url.searchParams.get('q') ?? '').toLowerCase();
  const limit = Math.min(50, Number(url.searchParams.get('limit') ?? 20) || 20);
  const items = [...books.values()].filter((b) => !q || b.title.toLowerCase().includes(q) || b.author.toLowerCase().includes(q));
  return [200, { items: items.slice(0, limit), total: items.length }];
}

function getBook({ params }) {
  const book = books.get(Number(params.id));
  return book ? [200, book] : [404, { error: `book ${params.id} not found` }];
}

function createBook({ body }) {
  const problems = [];
  if (typeof body?.title !== 'string' || !body.title.trim()) problems.push('title is required');
  if (typeof body?.price !== 'number' || body.price <= 0) problems.push('price must be a positive number');
  if (problems.length) return [422, { error: 'validation failed', problems }];
  const book = { id: nextId++, title: body.title, author: body.author ?? 'unknown', price: body.price, stock: body.stock ?? 0 };
  books.set(book.id, book);
  return [201, book, { location: `/v1/books/${book.id}` }];
}

function deleteBook({ params, consumer }) {
  if (consumer.plan !== 'enterprise') return [403, { error: `the ${consumer.plan} plan cannot delete books` }];
  if (!books.delete(Number(params.id))) return [404, { error: `book ${params.id} not found` }];
  return [204];
}

function createOrder({ body }) {
  const book = books.get(Number(body?.bookId));
  if (!book) return [422, { error: 'bookId must name a book' }];
  if (book.stock <= 0) return [409, { error: `"${book.title}" is out of stock` }];
  if (!/^\d{12,19}$/.test(String(body.cardNumber ?? ''))) return [402, { error: 'payment declined' }];
  book.stock--;
  return [201, { orderId: randomUUID(), bookId: book.id, total: book.price, cardLast4: String(body.cardNumber).slice(-4) }];
}

async function salesReport({ consumer }) {
  if (consumer.plan === 'free') return [429, { error: 'reports are limited on the free plan' }, { 'retry-after': '60' }];
  // The slow endpoint: an expensive aggregate.
  await new Promise((r) => setTimeout(r, 300 + Math.random() * 600));
  return [200, { period: 'last-30-days', orders: 1284, revenue: 58213.4, topBook: books.get(2)?.title }];
}

function syncInventory() {
  // The broken endpoint: its upstream is down.
  throw new Error('inventory service timed out');
}

class BadRequest extends Error {}

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('body is not valid JSON');
  }
}

function send(res, status, payload, headers = {}) {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  res.writeHead(status, body ? { 'content-type': 'application/json; charset=utf-8', ...headers } : headers);
  res.end(body);
}

const wanted = process.env.PORT === undefined ? 3000 : Number(process.env.PORT);
server.on('error', (err) => {
  // The default port is only a preference: take any free one rather than fail.
  if (err.code === 'EADDRINUSE' && process.env.PORT === undefined) server.listen(0, '127.0.0.1');
  else throw err;
});
server.on('listening', () => {
  const { port } = server.address();
  console.log(`listening ${port}`);
  console.log(`Example API on http://127.0.0.1:${port} (try: curl -H 'x-api-key: owl-live-4f2a9c' http://127.0.0.1:${port}/v1/books)`);
});
server.listen(wanted, '127.0.0.1');
// Stop accepting requests and let the process end by itself, so readme-metrics sends what is left.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 3000).unref();
  });
}
