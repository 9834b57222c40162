// The openapi option through the real preload: a router-less node:http app gets the definition's
// path templates as pageref, Express keeps its own (which agree), and a broken file costs one warning.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { entryOf, FIXTURES, request, ROOT, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const DIR = join(FIXTURES, 'openapi');
const APP = join(DIR, 'bookshop.cjs');

// [method, path sent, template the definition gives (undefined: not documented)]. Undocumented calls
// carry a query string, which a template never has, so a full-URL pageref is told from a template.
const CALLS = [
  ['GET', '/v1/books?limit=2', '/v1/books'],
  ['POST', '/v1/books', '/v1/books'],
  ['GET', '/v1/books/1', '/v1/books/:id'],
  ['GET', '/v1/books/2', '/v1/books/:id'],
  ['DELETE', '/v1/books/2', '/v1/books/:id'],
  ['GET', '/v1/books/search?q=owl', '/v1/books/search'],
  ['GET', '/v1/books/7/reviews/3', '/v1/books/:bookId/reviews/:reviewId'],
  ['GET', '/v1/authors/ursula', '/v1/authors/:name'],
  ['GET', '/v1/internal/stats?x=1', undefined],
  ['GET', '/health?probe=1', undefined],
];

/** Sends every call in order; returns each log's pageref after its origin (undefined: the full URL), by method + path. */
async function pagerefs(app, collector) {
  for (const [method, path] of CALLS) {
    const res = await request(`${app.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    expect(res.status).to.be.below(300);
  }
  const logs = await waitForLogs(collector, CALLS.length);
  const out = {};
  for (const log of logs) {
    const e = entryOf(log);
    const u = new URL(e.request.url);
    expect(e.pageref.startsWith(u.origin)).to.equal(true);
    const key = `${e.request.method} ${u.pathname}${u.search}`;
    out[key] = e.pageref === e.request.url && u.search ? undefined : e.pageref.slice(u.origin.length);
  }
  return out;
}

describe('openapi: endpoint templates from the API definition', function () {
  let collector;
  before(async () => (collector = await startCollector()));
  afterEach(() => collector.store.clear());
  after(() => collector.close());

  const expected = Object.fromEntries(CALLS.map(([m, p, t]) => [`${m} ${p}`, t]));

  it('a raw node:http app with openapi.json in its directory sends the templates (servers with a variable as base path)', async () => {
    const app = await startApp(APP, { collector, cwd: join(DIR, 'v3') });
    try {
      expect(await pagerefs(app, collector)).to.deep.equal(expected);
      expect(app.stderr()).to.equal('');
    } finally {
      await app.stop();
    }
  });

  it('README_OPENAPI names a Swagger 2 YAML file (basePath) relative to the working directory', async () => {
    const app = await startApp(APP, { collector, cwd: join(DIR, 'none'), env: { README_OPENAPI: '../swagger/bookshop.yaml' } });
    try {
      expect(await pagerefs(app, collector)).to.deep.equal(expected);
      expect(app.stderr()).to.equal('');
    } finally {
      await app.stop();
    }
  });

  it('backgroundWorkerMode false: the same templates, built on the app thread', async () => {
    const app = await startApp(APP, { collector, cwd: join(DIR, 'v3'), env: { README_BACKGROUND_WORKER_MODE: 'false' } });
    try {
      expect(await pagerefs(app, collector)).to.deep.equal(expected);
      expect(app.stderr()).to.equal('');
    } finally {
      await app.stop();
    }
  });

  it("Express: the framework's template wins, and equals the definition's wherever the names agree", async () => {
    const app = await startApp(APP, { collector, cwd: join(DIR, 'v3'), args: ['express'] });
    try {
      const got = await pagerefs(app, collector);
      for (const [key, template] of Object.entries(expected)) {
        if (key === 'GET /v1/authors/ursula') expect(got[key], key).to.equal('/v1/authors/:authorName');
        else if (template) expect(got[key], key).to.equal(template);
      }
      // Express knows the routes the definition leaves out.
      expect(got['GET /v1/internal/stats?x=1']).to.equal('/v1/internal/stats');
    } finally {
      await app.stop();
    }
  });

  it('a broken definition: one warning naming the file, the app answers as ever and logs flow with full URLs', async () => {
    const app = await startApp(APP, { collector, cwd: join(DIR, 'broken') });
    try {
      const got = await pagerefs(app, collector);
      for (const [key, template] of Object.entries(got)) expect(template, key).to.equal(key.includes('?') ? undefined : key.split(' ')[1]);
      const lines = app.stderr().trim().split('\n');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.include(join(DIR, 'broken', 'openapi.json'));
      expect(lines[0]).to.match(/^readme-metrics: could not use the OpenAPI definition .*; endpoints are logged by their full URL$/);
    } finally {
      await app.stop();
    }
  });

  it('README_OPENAPI naming a missing file: one warning, logs still flow', async () => {
    const app = await startApp(APP, { collector, cwd: join(DIR, 'none'), env: { README_OPENAPI: 'nope.json' } });
    try {
      const got = await pagerefs(app, collector);
      for (const [key, template] of Object.entries(got)) expect(template, key).to.equal(key.includes('?') ? undefined : key.split(' ')[1]);
      expect(app.stderr()).to.include(join(DIR, 'none', 'nope.json')).and.include('ENOENT');
      expect(app.stderr().trim().split('\n')).to.have.length(1);
    } finally {
      await app.stop();
    }
  });
});

describe('openapi: the inspector API behind its guard', function () {
  let collector;
  const { DefinitionSource } = createRequire(import.meta.url)('../../dist/openapi/index.js');
  before(async () => (collector = await startCollector({ definition: new DefinitionSource(undefined, join(DIR, 'v3')) })));
  after(() => collector.close());

  it('/api/coverage compares the definition with what arrived; other origins and hosts are refused', async () => {
    const app = await startApp(APP, { collector, cwd: join(DIR, 'v3') });
    try {
      await pagerefs(app, collector);
    } finally {
      await app.stop();
    }
    const res = await request(`${collector.url}/api/coverage`);
    expect(res.status).to.equal(200);
    const report = JSON.parse(res.body);
    expect(report.definition).to.equal(join(DIR, 'v3', 'openapi.json'));
    expect(report.neverCalled).to.deep.equal([]);
    expect(report.undocumented.map((u) => `${u.method} ${u.endpoint}`)).to.have.members(['GET /v1/internal/stats', 'GET /health']);
    const byOp = Object.fromEntries(report.operations.map((o) => [`${o.method} ${o.path}`, o]));
    expect(byOp['GET /books/{id}'].calls).to.equal(2);
    // DELETE answers 204, which the definition documents; POST answers 201, documented too.
    expect(byOp['DELETE /books/{id}'].undocumentedStatuses).to.deep.equal([]);

    for (const path of ['/api/coverage', '/api/openapi']) {
      expect((await request(`${collector.url}${path}`, { headers: { host: 'evil.example.com' } })).status, path).to.equal(421);
      expect((await request(`${collector.url}${path}`, { headers: { origin: 'http://evil.example.com' } })).status, path).to.equal(403);
    }
  });
});

describe('openapi: the inspector reads the definition again when it changes', function () {
  const { DefinitionSource } = createRequire(import.meta.url)('../../dist/openapi/index.js');
  let dir;
  let collector;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'readme-metrics-openapi-'));
    collector = await startCollector({ definition: new DefinitionSource(undefined, dir) });
  });
  after(async () => {
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const report = async () => JSON.parse((await request(`${collector.url}/api/coverage`)).body);
  const doc = (paths) => JSON.stringify({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths });
  const op = { get: { responses: { 200: { description: 'ok' } } } };

  it('appears, grows, breaks and comes back without restarting the inspector', async () => {
    expect(await report()).to.deep.include({ definition: null, operations: [] });
    writeFileSync(join(dir, 'openapi.json'), doc({ '/a': op }));
    expect((await report()).neverCalled).to.deep.equal([{ method: 'GET', path: '/a' }]);
    writeFileSync(join(dir, 'openapi.json'), doc({ '/a': op, '/bb/{id}': op }));
    expect((await report()).neverCalled).to.deep.equal([
      { method: 'GET', path: '/a' },
      { method: 'GET', path: '/bb/{id}' },
    ]);
    writeFileSync(join(dir, 'openapi.json'), '{"openapi": "3.0.3", "paths": {');
    const broken = await report();
    expect(broken.definition).to.equal(join(dir, 'openapi.json'));
    expect(broken.error).to.be.a('string').and.not.equal('');
    expect(broken.operations).to.deep.equal([]);
    writeFileSync(join(dir, 'openapi.json'), doc({ '/c': op }));
    const fixed = await report();
    expect(fixed.error).to.equal(undefined);
    expect(fixed.neverCalled).to.deep.equal([{ method: 'GET', path: '/c' }]);
  });
});

describe('openapi: readme-metrics check', function () {
  const check = (cwd, args = []) =>
    promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'readme-metrics.js'), 'check', '--no-send', ...args], {
      cwd,
      env: { PATH: process.env.PATH, README_API_KEY: 'rdme_check_0000' },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (err) => ({ code: err.code, stdout: err.stdout }),
    );

  it('names the definition it found and the template the sample path gets', async () => {
    const { code, stdout } = await check(join(DIR, 'v3'), ['--path', '/v1/books/3']);
    expect(stdout).to.include(`✔ OpenAPI definition: ${join(DIR, 'v3', 'openapi.json')} (7 operations)`);
    expect(stdout).to.include('GET /v1/books/3 → /v1/books/:id');
    expect(code).to.equal(0);
  });

  it('fails on a broken definition, naming it', async () => {
    const { code, stdout } = await check(join(DIR, 'broken'));
    expect(stdout).to.include(`✖ could not use the OpenAPI definition ${join(DIR, 'broken', 'openapi.json')}`);
    expect(code).to.equal(1);
  });
});
