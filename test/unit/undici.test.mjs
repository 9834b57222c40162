// The Metrics API client loads only undici's Agent and request() (src/transport/undici.ts), and undici's
// whole index when those internal paths are gone. Both ways send the same request to a real server.
import { expect } from 'chai';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { loadUndici } = require('../../dist/transport/undici.js');
const withoutInternals = (id) => {
  if (id.startsWith('undici/lib/')) throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
  return require(id);
};

describe('undici: only the parts the client uses', () => {
  let server;
  let origin;
  const seen = [];

  before(async () => {
    server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks).toString() });
        if (req.url.startsWith('/hang')) return;
        res.writeHead(202, { 'content-type': 'text/plain' }).end('accepted');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${server.address().port}`;
  });

  after(() => server.closeAllConnections() || server.close());

  it('loads the Agent and request() alone from the installed undici (an upgrade that moves them fails here)', () => {
    const loaded = [];
    const parts = loadUndici((id) => (loaded.push(id), require(id)));
    expect(parts.lean).to.equal(true);
    expect(loaded).to.not.include('undici');
  });

  it("falls back to undici's index when the internal paths are gone", () => {
    expect(loadUndici(withoutInternals).lean).to.equal(false);
    // A module that loads but is not what we expect counts as gone too.
    expect(loadUndici((id) => (id.startsWith('undici/lib/') ? {} : require(id))).lean).to.equal(false);
  });

  for (const [name, load] of [['alone', undefined], ['from the index', withoutInternals]]) {
    it(`sends a request and reads its answer, and gives up at its signal (${name})`, async () => {
      const { Agent, request } = loadUndici(load);
      const agent = new Agent({ connections: 1 });
      try {
        seen.length = 0;
        const res = await request(agent, { origin, path: '/v1/request?x=1', method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from('[{"a":1}]') });
        expect(res.statusCode).to.equal(202);
        expect(await res.body.text()).to.equal('accepted');
        expect(seen).to.deep.equal([{ method: 'POST', url: '/v1/request?x=1', type: 'application/json', body: '[{"a":1}]' }]);

        const hung = request(agent, { origin, path: '/hang', method: 'POST', body: 'x', signal: AbortSignal.timeout(200) });
        const err = await hung.then(() => null, (e) => e);
        expect(err?.name).to.be.oneOf(['TimeoutError', 'AbortError']);
      } finally {
        await agent.destroy();
      }
    });
  }
});
