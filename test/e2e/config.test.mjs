// Options through the real preload: from the environment and from a .ts config file, filters,
// bad values that never take the app down, and the x-documentation-url base lookup.
import { expect } from 'chai';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { byPath, entryOf, FIXTURES, ROOT, request, sleep, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const APP = join(FIXTURES, 'apps', 'http-basic.cjs');
const configDir = (name) => join(FIXTURES, 'configs', name);
const run = promisify(execFile);

describe('config through the preload', function () {
  let collector;
  before(async () => (collector = await startCollector()));
  afterEach(() => collector.store.clear());
  after(() => collector.close());

  it('applies ignorePaths, allowedHttpHosts and development from a .ts file, and skips OPTIONS', async () => {
    const app = await startApp(APP, { collector, cwd: configDir('filters') });
    try {
      await request(`${app.url}/status?code=200`);
      await request(`${app.url}/healthz`);
      await request(`${app.url}/internal/x`);
      await request(`${app.url}/json`, { method: 'OPTIONS' });
      await request(`${app.url}/json?other-host=1`, { headers: { host: 'evil.example.com' } });
      await request(`${app.url}/json?kept=1`);
      const [log] = await waitForLogs(collector, 1);
      await sleep(400);
      expect(collector.store.all()).to.have.length(1);
      expect(entryOf(log).request.url).to.include('kept=1');
      expect(log.development).to.equal(true);
    } finally {
      await app.stop();
    }
  });

  it('environment variables override the file', async () => {
    const app = await startApp(APP, { collector, cwd: configDir('filters'), env: { README_DEVELOPMENT_MODE: 'false', README_IGNORE_PATHS: '/nothing' } });
    try {
      await request(`${app.url}/status?code=200`);
      const [log] = await waitForLogs(collector, 1);
      expect(log.development).to.equal(false);
    } finally {
      await app.stop();
    }
  });

  it('sampleRate 0 logs nothing; README_METRICS_ENABLED=false turns it off', async () => {
    for (const env of [{ README_SAMPLE_RATE: '0' }, { README_METRICS_ENABLED: 'false' }]) {
      const app = await startApp(APP, { collector, env });
      try {
        expect((await request(`${app.url}/json`)).status).to.equal(200);
        await sleep(400);
        expect(collector.store.all()).to.have.length(0);
      } finally {
        await app.stop();
      }
    }
  });

  it('bad values: one clear line naming the setting, and the app still serves and logs', async () => {
    const app = await startApp(APP, { collector, cwd: configDir('bad-values'), env: { README_TIMEOUT: 'soon', README_BUFFER_LENGTH: 'x' } });
    try {
      expect((await request(`${app.url}/json?bad=1`)).status).to.equal(200);
      await waitForLogs(collector, 1);
      const err = app.stderr();
      expect(err).to.include('readme-metrics: README_TIMEOUT must be a number of seconds > 0, got "soon"; using the default 3');
      expect(err).to.include('bufferLength in readme-metrics.config.mjs must be a whole number > 0, got "many"');
      expect(err).to.include('blacklist in readme-metrics.config.mjs is deprecated; use denylist');
    } finally {
      await app.stop();
    }
  });

  it('every environment variable bad at once: one line each, and the app still serves and logs', async () => {
    const bad = {
      README_BUFFER_LENGTH: 'x', README_DEVELOPMENT_MODE: 'maybe', README_BACKGROUND_WORKER_MODE: 'maybe', README_TIMEOUT: 'soon',
      README_BASE_LOG_URL: 'not a url', README_MAX_BODY_SIZE: '-1', README_FLUSH_INTERVAL: '0', README_SAMPLE_RATE: '2',
      README_DOCUMENTATION_URL_HEADER: 'maybe', README_DEFAULT_DENYLIST: 'maybe', README_TRUST_PROXY: 'maybe',
      README_MAX_QUEUE_ENTRIES: '0', README_MAX_QUEUE_BYTES: 'lots', README_SHUTDOWN_TIMEOUT: 'never', README_METRICS_ENABLED: 'maybe',
      README_API_URL: 'nope',
    };
    const app = await startApp(APP, { collector, env: bad });
    try {
      expect((await request(`${app.url}/json?allbad=1`)).status).to.equal(200);
      const [log] = await waitForLogs(collector, 1, { timeout: 5000 });
      expect(log.development).to.equal(false);
      const lines = app.stderr().trim().split('\n');
      for (const name of Object.keys(bad)) expect(lines.filter((l) => l.startsWith(`readme-metrics: ${name} must be`)), name).to.have.length(1);
      expect(lines).to.have.length(Object.keys(bad).length);
    } finally {
      await app.stop();
    }
  });

  it('a config file that throws: its file and line, instrumentation off, the app unaffected', async () => {
    const [app, plain] = await Promise.all([startApp(APP, { collector, cwd: configDir('broken') }), startApp(APP, { preload: 'none' })]);
    try {
      const [a, b] = await Promise.all([request(`${app.url}/json`), request(`${plain.url}/json`)]);
      expect(a.body.equals(b.body)).to.equal(true);
      await sleep(400);
      expect(collector.store.all()).to.have.length(0);
      expect(app.stderr()).to.match(/readme-metrics: could not load readme-metrics\.config\.ts:6: thisVariableDoesNotExist is not defined; instrumentation is off/);
      expect(app.stderr().trim().split('\n')).to.have.length(1);
    } finally {
      await Promise.all([app.stop(), plain.stop()]);
    }
  });

  it('no API key and no local collector: one warning, nothing sent', async () => {
    const app = await startApp(APP, { env: { README_API_KEY: undefined } });
    try {
      expect((await request(`${app.url}/json`)).status).to.equal(200);
      await sleep(200);
      expect(app.stderr().trim()).to.equal('readme-metrics: no README_API_KEY (or apiKey in the config file): nothing will be sent');
    } finally {
      await app.stop();
    }
  });

  /** The lookup runs in the worker, which starts with the first log and can be slow to under load: asks until a response has the header. */
  async function firstWithHeader(app) {
    for (let n = 1, deadline = Date.now() + 10_000; ; n++) {
      const res = await request(`${app.url}/json?n=${n}`);
      if (res.headers['x-documentation-url'] || Date.now() > deadline) return { res, n };
      await sleep(50);
    }
  }

  /**
   * A stand-in for ReadMe's API that answers the base URL lookup with `baseUrl` and records each
   * lookup, and the env that points an app at it, with a cache directory of its own.
   */
  async function readmeApi(baseUrl, cacheName) {
    const lookups = [];
    const api = http.createServer((req, res) => {
      lookups.push({ url: req.url, auth: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ baseUrl }));
    });
    await new Promise((r) => api.listen(0, '127.0.0.1', r));
    const env = { README_API_URL: `http://127.0.0.1:${api.address().port}`, README_METRICS_CACHE_DIR: join(ROOT, 'test-output', `${cacheName}-${Date.now()}`) };
    return { api, env, lookups };
  }

  it('looks the documentation base URL up once and adds x-documentation-url; documentationUrlHeader=false removes it', async () => {
    const { api, env, lookups } = await readmeApi('https://owl.readme.io/', 'cache');
    const app = await startApp(APP, { collector, env });
    try {
      const { res, n } = await firstWithHeader(app);
      const [log] = await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.url.endsWith(`?n=${n}`) });
      expect(res.headers['x-documentation-url']).to.equal(`https://owl.readme.io/logs/${log._id}`);
      expect(lookups).to.deep.equal([{ url: '/v1/', auth: `Basic ${Buffer.from('rdme_test_key_1234:').toString('base64')}` }]);
      // A restarted process reads the day-long cache instead of asking again.
      const again = await startApp(APP, { collector, env });
      const r2 = await request(`${again.url}/json?third=1`);
      expect(r2.headers['x-documentation-url']).to.match(/^https:\/\/owl\.readme\.io\/logs\//);
      expect(lookups).to.have.length(1);
      await again.stop();
      const off = await startApp(APP, { collector, env: { ...env, README_DOCUMENTATION_URL_HEADER: 'false' } });
      expect((await request(`${off.url}/json`)).headers).to.not.have.property('x-documentation-url');
      await off.stop();
    } finally {
      await app.stop();
      api.close();
    }
  });

  it('a base URL a header cannot carry is left out with one warning, and the requests are still logged', async () => {
    // The header is written into Node's header table without setHeader's checks, so the base is checked once.
    const { api, env } = await readmeApi('https://owl.readme.io/\u0001', 'cache-bad');
    const app = await startApp(APP, { collector, env });
    try {
      await request(`${app.url}/json?first=1`);
      // The lookup runs in the worker, which starts with the first log and can be slow to under load.
      for (const deadline = Date.now() + 10_000; !app.stderr().includes('\n') && Date.now() < deadline; ) await sleep(20);
      const res = await request(`${app.url}/json?second=1`);
      expect(res.status).to.equal(200);
      expect(res.headers).to.not.have.property('x-documentation-url');
      await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.url.includes('second=1') });
      expect(app.stderr().trim()).to.equal(
        'readme-metrics: the documentation base URL "https://owl.readme.io/\\u0001" cannot be sent in a header; x-documentation-url is left out',
      );
    } finally {
      await app.stop();
      api.close();
    }
  });

  it('a README_BASE_LOG_URL a header cannot carry is not replaced by a cached lookup', async () => {
    const { api, env } = await readmeApi('https://owl.readme.io/', 'cache-set');
    const looked = await startApp(APP, { collector, env });
    try {
      await firstWithHeader(looked);
    } finally {
      await looked.stop();
    }
    // The day-long cache now holds a usable base; the setting still wins, and is left out.
    const app = await startApp(APP, { collector, env: { ...env, README_BASE_LOG_URL: 'https://docs.example.com/\u0001' } });
    try {
      const res = await request(`${app.url}/json?set=1`);
      expect(res.headers).to.not.have.property('x-documentation-url');
      await waitForLogs(collector, 1, { filter: (l) => entryOf(l).request.url.includes('set=1') });
      expect(app.stderr()).to.include('cannot be sent in a header; x-documentation-url is left out');
    } finally {
      await app.stop();
      api.close();
    }
  });

  it('a failing lookup leaves the header out and never delays the response', async () => {
    const app = await startApp(APP, { collector, env: { README_API_URL: 'http://127.0.0.1:9', README_METRICS_CACHE_DIR: join(ROOT, 'test-output', `cache-none-${Date.now()}`) } });
    try {
      const res = await request(`${app.url}/json`);
      expect(res.status).to.equal(200);
      expect(res.headers).to.not.have.property('x-documentation-url');
      await waitForLogs(collector, 1, { filter: byPath('/json') });
    } finally {
      await app.stop();
    }
  });
});

describe('readme-metrics check', function () {
  let collector;
  // The collector takes only logs sent with its token: here, the key check is given.
  before(async () => (collector = await startCollector({ token: 'rdme_check_9876' })));
  after(() => collector.close());
  const bin = join(ROOT, 'bin', 'readme-metrics.js');

  it('prints the resolved settings, the caller of a sample request, sends a test log and exits 0', async () => {
    const { stdout } = await run(process.execPath, [bin, 'check', '--header', 'x-api-key: key-owlbert-0001'], {
      cwd: configDir('ts-async'),
      env: { PATH: process.env.PATH, README_API_KEY: 'rdme_check_9876', README_METRICS_SERVER: collector.url },
    });
    expect(stdout).to.include('readme-metrics.config.ts');
    expect(stdout).to.match(/apiKey\s+••••••••9876\s+\(env, README_API_KEY\)/);
    expect(stdout).to.not.include('rdme_check_9876');
    expect(stdout).to.include('"label":"Owlbert"');
    expect(stdout).to.include('All good.');
    const [log] = await waitForLogs(collector, 1);
    expect(log.development).to.equal(true);
    expect(log.group.label).to.equal('Owlbert');
  });

  it('says where the webhook of getUserByEmail gets its signing secret', async () => {
    const check = (env) => run(process.execPath, [bin, 'check', '--no-send'], { cwd: configDir('webhook'), env: { PATH: process.env.PATH, ...env } }).then((r) => r.stdout);
    const line = (stdout) => stdout.split('\n').find((l) => l.startsWith('• webhook:'));
    expect(line(await check({ README_API_KEY: 'rdme_check_9876' }))).to.equal(
      "• webhook: POST /readme-webhook answered by getUserByEmail, signed with the project's secret, looked up at https://dash.readme.com/api with apiKey at the first call (or set README_WEBHOOK_SECRET)",
    );
    expect(line(await check({ README_API_KEY: 'rdme_check_9876', README_WEBHOOK_SECRET: 'whsec_x', README_WEBHOOK_PATH: '/hooks/readme' }))).to.equal(
      '• webhook: POST /hooks/readme answered by getUserByEmail, signed with webhookSecret',
    );
    const noKey = await run(process.execPath, [bin, 'check', '--no-send'], { cwd: configDir('webhook'), env: { PATH: process.env.PATH } }).catch((e) => e);
    expect(line(noKey.stdout)).to.include('no secret to check signatures: set README_WEBHOOK_SECRET');
    // Without getUserByEmail, nothing is said about a webhook.
    const plain = await run(process.execPath, [bin, 'check', '--no-send'], { cwd: configDir('ts-async'), env: { PATH: process.env.PATH, README_API_KEY: 'k' } });
    expect(line(plain.stdout)).to.equal(undefined);
  });

  it('exits non-zero and says why when the key is missing or the server refuses', async () => {
    const err = await run(process.execPath, [bin, 'check'], { env: { PATH: process.env.PATH, README_METRICS_SERVER: collector.url }, cwd: ROOT }).catch((e) => e);
    expect(err.code).to.equal(1);
    expect(err.stdout).to.include('no apiKey');
    collector.setFailure(401);
    const err2 = await run(process.execPath, [bin, 'check'], { env: { PATH: process.env.PATH, README_API_KEY: 'k', README_METRICS_SERVER: collector.url }, cwd: ROOT }).catch((e) => e);
    collector.setFailure(undefined);
    expect(err2.code).to.equal(1);
    expect(err2.stdout).to.include('answered HTTP 401');
  });
});
