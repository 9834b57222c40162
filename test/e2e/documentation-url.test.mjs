// x-documentation-url from the first responses: the base URL lookup starts when the first server
// listens, not with the first log; a cached base is on the very first response.
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { ROOT, entryOf, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const KEY = 'rdme_test_key_1234';

/** A stand-in for ReadMe's API that answers the lookup and records when each one arrived. */
async function readmeApi(baseUrl) {
  const lookups = [];
  const api = http.createServer((req, res) => {
    lookups.push(Date.now());
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ baseUrl }));
  });
  await new Promise((r) => api.listen(0, '127.0.0.1', r));
  return { api, lookups, url: `http://127.0.0.1:${api.address().port}` };
}

const cacheDir = (name) => join(ROOT, 'test-output', `${name}-${process.pid}-${Date.now()}`);

describe('x-documentation-url from the first responses', function () {
  let collector;
  before(async () => {
    collector = await startCollector();
  });
  after(async () => {
    await collector?.close();
  });

  it('the lookup starts when the server listens, before any request, in worker mode', async () => {
    const { api, lookups, url } = await readmeApi('https://owl.readme.io');
    const app = await startApp('http-basic.cjs', { collector, env: { README_API_URL: url, README_METRICS_CACHE_DIR: cacheDir('early') } });
    try {
      // No request yet: the lookup must come on its own.
      for (const deadline = Date.now() + 10_000; lookups.length === 0 && Date.now() < deadline; ) await sleep(20);
      expect(lookups, 'lookups before any request').to.have.length(1);
      // Its answer crosses from the worker to the app's thread: the first responses after it carry the header.
      let res;
      for (const deadline = Date.now() + 5_000; Date.now() < deadline; await sleep(20)) {
        res = await request(`${app.url}/json?probe=1`);
        if (res.headers['x-documentation-url']) break;
      }
      expect(res.headers['x-documentation-url']).to.match(/^https:\/\/owl\.readme\.io\/logs\/[0-9a-f-]{36}$/);
      expect(lookups).to.have.length(1);
    } finally {
      await app.stop();
      api.close();
    }
  });

  it('a cached base URL is on the very first response, with no lookup', async () => {
    const { api, lookups, url } = await readmeApi('https://never.example.com');
    const dir = cacheDir('cached');
    // The cache file as base-url.ts writes it: one per API key and API URL, valid for a day.
    mkdirSync(dir, { recursive: true });
    const digest = createHash('sha256').update(`${url}\n${KEY}`).digest('hex').slice(0, 24);
    writeFileSync(join(dir, `base-url-${digest}.json`), JSON.stringify({ baseUrl: 'https://cached.readme.io', expires: Date.now() + 3_600_000 }));
    const app = await startApp('http-basic.cjs', { collector, env: { README_API_URL: url, README_METRICS_CACHE_DIR: dir } });
    try {
      const res = await request(`${app.url}/json?first=cached`);
      const [log] = await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.url.endsWith('?first=cached') });
      expect(res.headers['x-documentation-url']).to.equal(`https://cached.readme.io/logs/${log._id}`);
      expect(lookups).to.have.length(0);
    } finally {
      await app.stop();
      api.close();
    }
  });

  it('a process that never listens never starts the pipeline or looks anything up', async () => {
    const { api, lookups, url } = await readmeApi('https://owl.readme.io');
    const { spawn } = await import('node:child_process');
    try {
      const script = "setTimeout(() => console.log('done'), 300)";
      const child = spawn(process.execPath, ['--require', join(ROOT, 'register.js'), '-e', script], {
        env: { PATH: process.env.PATH, README_API_KEY: KEY, README_API_URL: url, README_METRICS_SERVER: collector.url, README_METRICS_CACHE_DIR: cacheDir('idle'), README_METRICS_DEBUG: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise((r) => child.on('exit', r));
      expect(code).to.equal(0);
      expect(stderr).to.not.include('starting the pipeline');
      expect(lookups).to.have.length(0);
    } finally {
      api.close();
    }
  });
});
