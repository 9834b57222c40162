// The published package, as a user installs it: `npm pack`, `npm install <tarball> express@5` in a fresh
// app outside the repo, a TypeScript config file with an async grouping function, and the three ways to
// preload it. Packing and installing happen once; every case reuses that app.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryOf, request, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';
import { createFreshApp, installWarnings, packRepo, runNode } from '../helpers/tarball.mjs';

const mask = (v) => `sha512-${createHash('sha512').update(v).digest('base64')}?${v.slice(-4)}`;

const CONFIG_TS = `import type { IncomingMessage } from 'node:http';
import { defineConfig } from 'readme-metrics';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export default defineConfig({
  bufferLength: 1,
  async groupingFunction(req: IncomingMessage) {
    const customer = req.headers['x-customer-id'];
    if (typeof customer !== 'string') return null;
    await pause(1);
    return { apiKey: 'key-' + customer, label: 'Customer ' + customer, email: customer + '@example.com' };
  },
});
`;

const ROUTES = `app.use(express.json());
app.get('/users/:id', (req, res) => res.json({ id: req.params.id, query: req.query }));
app.post('/echo', (req, res) => res.status(201).json({ received: req.body }));
const server = app.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

const FILES = {
  'readme-metrics.config.ts': CONFIG_TS,
  'app.js': `'use strict';\nconst express = require('express');\nconst app = express();\n${ROUTES}`,
  'app.mjs': `import express from 'express';\nconst app = express();\n${ROUTES}`,
  'api.mjs': `import { defineConfig, flush, shutdown, getStats } from 'readme-metrics';
const config = { bufferLength: 2 };
console.log(JSON.stringify({
  types: [typeof defineConfig, typeof flush, typeof shutdown, typeof getStats],
  identity: defineConfig(config) === config,
  stats: getStats(),
  flushed: await flush(),
  shutdown: await shutdown(),
}));
`,
  'api.cjs': `'use strict';
const metrics = require('readme-metrics');
const config = { bufferLength: 2 };
metrics.flush().then((flushed) => console.log(JSON.stringify({
  types: [typeof metrics.defineConfig, typeof metrics.flush, typeof metrics.shutdown, typeof metrics.getStats],
  identity: metrics.defineConfig(config) === config,
  stats: metrics.getStats(),
  flushed,
})));
`,
};

describe('tarball: the packed package installed into a fresh app', function () {
  let pack;
  let fresh;
  let collector;

  before(async function () {
    this.timeout(600_000);
    pack = await packRepo();
    fresh = await createFreshApp([pack.tarball, 'express@5'], FILES);
    collector = await startCollector();
  });
  after(async () => {
    await collector?.close();
    await fresh?.cleanup();
    await pack?.cleanup();
  });

  it('ships the build, the preload, the ESM entry and the types, without sources or tests', () => {
    const root = join(fresh.dir, 'node_modules', 'readme-metrics');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.name).to.equal('readme-metrics');
    for (const file of ['register.js', 'index.mjs', 'dist/index.js', 'dist/index.d.ts', 'dist/register.js']) {
      expect(existsSync(join(root, file)), file).to.equal(true);
    }
    // Static assets may ship from src/, TypeScript sources and tests may not.
    const sources = existsSync(join(root, 'src')) ? readdirSync(join(root, 'src'), { recursive: true }).filter((f) => /\.[cm]?ts$/.test(f) && !f.endsWith('.d.ts')) : [];
    expect(sources, 'TypeScript sources').to.deep.equal([]);
    expect(existsSync(join(root, 'test')), 'test/').to.equal(false);
  });

  it('installs alone without a single npm warning: no install-time scripts, no engine mismatch', async function () {
    this.timeout(300_000);
    const pkg = JSON.parse(readFileSync(join(fresh.dir, 'node_modules', 'readme-metrics', 'package.json'), 'utf8'));
    // npm 11 warns about (and will refuse) any of these in a dependency, even one it would not run.
    const installTime = Object.keys(pkg.scripts ?? {}).filter((s) => /^(pre|post)?(install|prepare)$/.test(s));
    expect(installTime, 'install-time scripts').to.deep.equal([]);
    // Alone, so every warning is about the package or what it pulls in.
    expect(await installWarnings([pack.tarball])).to.deep.equal([]);
  });

  it('exposes defineConfig, flush, shutdown and getStats to ESM imports', async () => {
    const out = JSON.parse(await runNode(['api.mjs'], { cwd: fresh.dir }));
    expect(out.types).to.deep.equal(['function', 'function', 'function', 'function']);
    expect(out.identity).to.equal(true);
    for (const stats of [out.stats, out.flushed, out.shutdown]) expect(stats).to.be.an('object');
  });

  it('exposes the same API to require()', async () => {
    const out = JSON.parse(await runNode(['api.cjs'], { cwd: fresh.dir }));
    expect(out.types).to.deep.equal(['function', 'function', 'function', 'function']);
    expect(out.identity).to.equal(true);
    expect(out.stats).to.be.an('object');
    expect(out.flushed).to.be.an('object');
  });

  const RUNS = [
    { name: 'node --require readme-metrics/register app.js', file: 'app.js', nodeArgs: ['--require', 'readme-metrics/register'] },
    { name: 'node --import readme-metrics/register app.mjs', file: 'app.mjs', nodeArgs: ['--import', 'readme-metrics/register'] },
    { name: 'NODE_OPTIONS="--require readme-metrics/register" node app.js', file: 'app.js', env: { NODE_OPTIONS: '--require readme-metrics/register' } },
  ];

  for (const [i, run] of RUNS.entries()) {
    it(`${run.name}: contract-exact logs grouped by the config file's async grouping function`, async () => {
      const app = await startApp(join(fresh.dir, run.file), { preload: 'none', nodeArgs: run.nodeArgs ?? [], env: run.env, cwd: fresh.dir, collector });
      try {
        const customer = `c${i}x`;
        const ours = (l) => new URL(entryOf(l).request.url).port === String(app.port);
        // No customer header: the grouping function answers null and the request is not logged.
        const skipped = await request(`${app.url}/users/anonymous`);
        expect(skipped.status).to.equal(200);
        const auth = 'Bearer tarball-secret-9876';
        const got = await request(`${app.url}/users/42?plan=pro&tag=a&tag=b`, { headers: { 'x-customer-id': customer, authorization: auth } });
        const body = '{"hello":"world","n":[1,2]}';
        const posted = await request(`${app.url}/echo`, { method: 'POST', body, headers: { 'x-customer-id': customer, 'content-type': 'application/json' } });
        expect(posted.status).to.equal(201);

        const logs = await waitForLogs(collector, 2, { filter: ours });
        expect(logs).to.have.length(2);
        const group = { id: mask(`key-${customer}`), label: `Customer ${customer}`, email: `${customer}@example.com` };
        for (const log of logs) {
          expect(log.group).to.deep.equal(group);
          expect(log._version).to.equal(3);
          expect(log.request.log.creator.name).to.equal('readme-metrics (node)');
        }

        const get = entryOf(logs.find((l) => entryOf(l).request.method === 'GET'));
        expect(get.request.url).to.equal(`${app.url}/users/42?plan=pro&tag=a&tag=b`);
        expect(get.pageref).to.equal(`${app.url}/users/:id`);
        expect(get.request.queryString).to.deep.equal([
          { name: 'plan', value: 'pro' },
          { name: 'tag', value: 'a' },
          { name: 'tag', value: 'b' },
        ]);
        expect(get.request.headers).to.deep.include({ name: 'authorization', value: mask(auth) });
        expect(get.request).to.not.have.property('postData');
        expect(get.response).to.include({ status: 200, statusText: 'OK' });
        expect(get.response.content).to.deep.equal({ text: got.body.toString(), size: got.body.length, mimeType: got.headers['content-type'] });

        const post = entryOf(logs.find((l) => entryOf(l).request.method === 'POST'));
        expect(post.request.url).to.equal(`${app.url}/echo`);
        expect(post.pageref).to.equal(`${app.url}/echo`);
        expect(post.request.postData).to.deep.equal({ mimeType: 'application/json', text: body });
        expect(post.response).to.include({ status: 201, statusText: 'Created' });
        expect(post.response.content).to.deep.equal({ text: posted.body.toString(), size: posted.body.length, mimeType: posted.headers['content-type'] });
      } finally {
        await app.stop();
      }
      // Everything the app served has been flushed by now (SIGTERM flushes): the skipped one never arrived.
      const all = collector.store.all().map((s) => s.log);
      expect(all.filter((l) => new URL(entryOf(l).request.url).pathname === '/users/anonymous')).to.deep.equal([]);
    });
  }
});
