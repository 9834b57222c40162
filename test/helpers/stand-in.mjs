// A Metrics API in front of the real collector for the at-least-once tests: every call is passed on
// (so the collector has stored a batch before its answer leaves), and the answer to the first POST
// /v1/request is held: until release() ('held'), or never, so the SDK's call times out ('never').
import http from 'node:http';
import { request } from './harness.mjs';

export async function startStandIn(collector, firstAnswer) {
  const batches = [];
  let release;
  const released = new Promise((resolve) => (release = resolve));
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const headers = {};
      for (const name of ['authorization', 'content-type', 'content-encoding', 'user-agent']) if (req.headers[name]) headers[name] = req.headers[name];
      const upstream = await request(`${collector.url}${req.url}`, { method: req.method, headers, body: body.length ? body : undefined });
      if (req.method === 'POST' && req.url === '/v1/request') {
        batches.push(body);
        if (batches.length === 1) {
          // 'never': held until the SDK gives up and closes the connection.
          if (firstAnswer === 'never') return;
          await released;
        }
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers['content-type'] ?? 'application/json' });
      res.end(upstream.body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    batches,
    release: () => release(),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

/** Polls check() every 25 ms until it is truthy, or fails naming what it waited for. */
export async function until(what, check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
