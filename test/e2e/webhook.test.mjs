// ReadMe's Personalized Docs webhook answered by the preload, with the function in a config file and no
// code in the app: a stand-in ReadMe for the secret lookup, real HMAC signatures, real HTTP.
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { byPath, comparableHeaders, FIXTURES, request, startApp, startCollector, TEST_API_KEY, waitForLogs } from '../helpers/harness.mjs';
import { selfSignedCert } from '../helpers/tls.mjs';

const EXPRESS = join(FIXTURES, 'apps', 'webhook-express.cjs');
const RAW = join(FIXTURES, 'apps', 'webhook-http.cjs');
const CONFIG_DIR = join(FIXTURES, 'configs', 'webhook');
const SECRET = 'docs4dayz-project-secret';

const OWLBERT = {
  email: 'owlbert@example.com',
  name: 'Owlbert',
  keys: [
    { apiKey: 'owl-key-1234', name: 'Production', label: 'prod' },
    { apiKey: { user: 'owlbert', pass: 'hoot' }, name: 'Basic auth' },
  ],
  petstore_auth: 'default-key',
};

/** ReadMe's signature: t=<ms>,v0=<hex HMAC-SHA256(secret, "<t>.<body>")>. */
function sign(body, secret = SECRET, time = Date.now()) {
  return `t=${time},v0=${createHmac('sha256', secret).update(`${time}.${body}`).digest('hex')}`;
}

function callWebhook(app, { email = 'owlbert@example.com', body = JSON.stringify({ email }), signature = sign(body), path = '/readme-webhook', url = app.url, ca } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (signature !== null) headers['readme-signature'] = signature;
  return request(`${url}${path}`, { method: 'POST', headers, body, ca });
}

const json = (res) => JSON.parse(res.body.toString('utf8'));

/** The stand-in for ReadMe's `GET /v1/`: answers the project (with jwtSecret) to our key only, and counts. */
async function startReadMe({ status = 200 } = {}) {
  const calls = [];
  const server = http.createServer((req, res) => {
    calls.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
    const ok = req.headers.authorization === `Basic ${Buffer.from(`${TEST_API_KEY}:`).toString('base64')}`;
    if (req.url !== '/v1/' || !ok || status !== 200) {
      res.writeHead(ok ? status : 401, { 'content-type': 'application/json' });
      return res.end('{"error":"no"}');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ baseUrl: 'https://docs.example.com', jwtSecret: SECRET, subdomain: 'owlbert-api', name: 'Owlbert API' }));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, calls, close: () => new Promise((r) => server.close(r)) };
}

describe('Personalized Docs webhook', function () {
  let collector;
  let readme;
  before(async () => {
    collector = await startCollector();
    readme = await startReadMe();
  });
  afterEach(() => collector.store.clear());
  after(async () => {
    await collector.close();
    await readme.close();
  });

  it('Express: answers a signed call with the developer, secret from the /v1/ lookup (once), not logged, the app untouched', async () => {
    const app = await startApp(EXPRESS, { collector, cwd: CONFIG_DIR, env: { README_API_URL: readme.url } });
    try {
      const res = await callWebhook(app);
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(json(res)).to.deep.equal(OWLBERT);
      const again = await callWebhook(app, { email: 'sync@example.com' });
      expect(json(again)).to.deep.equal({ email: 'sync@example.com', name: 'Sync', keys: [{ apiKey: 'sync-key-5678', name: 'Sync' }] });
      const lookups = readme.calls.filter((c) => c.url === '/v1/');
      expect(lookups.length).to.be.at.least(1);
      // The worker's base-URL lookup may ask too; the webhook itself asked once and cached the secret.
      expect(lookups.length).to.be.at.most(2);
      // Every other request is the app's, and logged as usual; the webhook calls are not logged.
      const hello = await request(`${app.url}/hello`);
      expect(json(hello)).to.deep.equal({ hello: 'world' });
      await waitForLogs(collector, 1, { filter: byPath('/hello') });
      expect(collector.store.all().map((s) => s.log).filter(byPath('/readme-webhook'))).to.have.length(0);
      // GET on the webhook path, and the dev pages without development: true, are the app's.
      expect(json(await request(`${app.url}/readme-webhook`))).to.include({ app: 'express', method: 'GET' });
      expect(json(await request(`${app.url}/readme-setup`))).to.include({ app: 'express', url: '/readme-setup' });
      expect(json(await request(`${app.url}/webhook-test?email=owlbert@example.com`))).to.include({ app: 'express' });
    } finally {
      await app.stop();
    }
  });

  it("raw node:http with README_WEBHOOK_SECRET: the official SDK's answers for every failure", async () => {
    // No API key and no lookup: the secret from the environment alone is enough.
    const app = await startApp(RAW, { cwd: CONFIG_DIR, env: { README_WEBHOOK_SECRET: SECRET, README_API_URL: 'http://127.0.0.1:9' } });
    try {
      expect(json(await callWebhook(app))).to.deep.equal(OWLBERT);
      const cases = [
        [{ signature: null }, 'Missing Signature'],
        [{ signature: sign(JSON.stringify({ email: 'owlbert@example.com' }), 'not-the-secret') }, 'Invalid Signature'],
        [{ signature: 'garbage' }, 'Invalid Signature'],
        [{ signature: sign(JSON.stringify({ email: 'owlbert@example.com' }), SECRET, Date.now() - 31 * 60 * 1000) }, 'Expired Signature'],
        [{ email: 'nobody@example.com' }, 'User with email nobody@example.com not found'],
        [{ email: 'boom@example.com' }, 'database is down'],
        [{ body: '{}' }, 'User with email undefined not found'],
        [{ body: 'email=owlbert@example.com' }, 'Invalid Body: expected JSON'],
      ];
      for (const [call, error] of cases) {
        const res = await callWebhook(app, call);
        expect(res.status, error).to.equal(400);
        expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
        expect(json(res), error).to.deep.equal({ error });
      }
      // ReadMe signs JSON.stringify(payload): a body re-spaced on the way still verifies, as with the official SDK.
      const pretty = await callWebhook(app, { body: '{ "email": "owlbert@example.com" }', signature: sign(JSON.stringify({ email: 'owlbert@example.com' })) });
      expect(pretty.status).to.equal(200);
      // An empty object is what the function returned: sent as it is (the self-test calls that EMPTY_USER).
      expect(json(await callWebhook(app, { email: 'empty@example.com' }))).to.deep.equal({});
      // Anything else reaches the app as usual.
      expect(json(await request(`${app.url}/other?x=1`, { method: 'POST', body: 'hi' }))).to.deep.equal({ app: 'http', method: 'POST', url: '/other?x=1', body: 'hi' });
      expect(app.stderr()).to.include('getUserByEmail threw (database is down)');
    } finally {
      await app.stop();
    }
  });

  it('without getUserByEmail, POST /readme-webhook reaches the app byte for byte as without the preload, and is logged', async () => {
    const body = JSON.stringify({ email: 'owlbert@example.com' });
    const runs = [
      { preload: 'none' },
      { preload: 'require' }, // test/fixtures/apps has no config file
      { preload: 'require', cwd: join(FIXTURES, 'configs', 'webhook-absent') }, // a config file without the function
    ];
    const answers = [];
    for (const { preload, cwd } of runs) {
      collector.store.clear();
      const app = await startApp(RAW, { preload, cwd, collector, env: { README_WEBHOOK_SECRET: SECRET } });
      try {
        // Right after listening: with a config file, this call waits for it to load, then goes to the app.
        const res = await callWebhook(app, { body });
        if (preload === 'require') await waitForLogs(collector, 1, { filter: byPath('/readme-webhook', 'POST') });
        const emit = json(await request(`${app.url}/__emit`));
        answers.push({ status: res.status, headers: comparableHeaders(res.rawHeaders), body: res.body.toString('utf8'), emit });
      } finally {
        await app.stop();
      }
    }
    expect(answers[1]).to.deep.equal(answers[0]);
    expect(answers[2]).to.deep.equal(answers[0]);
    expect(JSON.parse(answers[0].body)).to.deep.equal({ app: 'http', method: 'POST', url: '/readme-webhook', body });
  });

  it('with no secret to be had (the lookup refuses), the call is passed to the app, with one warning', async () => {
    const app = await startApp(RAW, { collector, cwd: CONFIG_DIR, env: { README_API_URL: readme.url, README_API_KEY: 'rdme_wrong_key' } });
    try {
      const body = JSON.stringify({ email: 'owlbert@example.com' });
      expect(json(await callWebhook(app, { body }))).to.deep.equal({ app: 'http', method: 'POST', url: '/readme-webhook', body });
      expect(app.stderr()).to.include('no webhook secret');
      // What the app's handler throws for a call handed on stays its own uncaught exception, unanswered by us.
      const thrown = request(`${app.url}/readme-webhook`, { method: 'POST', headers: { 'x-app-throws': '1' }, body }).catch((err) => err);
      for (const deadline = Date.now() + 8000; !app.stdout().includes('uncaught: the app threw'); ) {
        if (Date.now() > deadline) throw new Error(`the app's exception never reached it:\n${app.stdout()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      await app.stop();
      expect(await thrown).to.be.an('error');
    } finally {
      await app.stop();
    }
  });

  it('development: true serves /readme-setup (inline only) and /webhook-test, to this machine only', async () => {
    const app = await startApp(EXPRESS, { collector, cwd: CONFIG_DIR, env: { README_API_URL: readme.url, README_DEVELOPMENT_MODE: 'true' } });
    try {
      // A webhook call waits for the config file to load (the dev pages do not wait: a person opens them).
      expect((await callWebhook(app)).status).to.equal(200);
      const page = await request(`${app.url}/readme-setup`);
      expect(page.status).to.equal(200);
      expect(page.headers['content-type']).to.equal('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).to.include("default-src 'none'");
      const html = page.body.toString('utf8');
      expect(html).to.include('/readme-webhook').and.include('owlbert-api');
      // Nothing loads from elsewhere: no external script, stylesheet, image or font.
      expect(html).to.not.match(/<(script|link|img|iframe)[^>]+(src|href)=/i);
      expect(html).to.not.match(/@import|url\(/i);
      expect(html).to.not.include(SECRET);

      const ok = await request(`${app.url}/webhook-test?email=owlbert%40example.com`);
      expect(ok.status).to.equal(200);
      expect(json(ok)).to.deep.equal({ user: OWLBERT });
      expect(json(await request(`${app.url}/webhook-test?email=nobody%40example.com`))).to.deep.equal({
        webhookError: 'FAILED_VERIFY',
        error: 'User with email nobody@example.com not found',
      });
      expect(json(await request(`${app.url}/webhook-test?email=empty%40example.com`))).to.deep.equal({ webhookError: 'EMPTY_USER' });
      expect(json(await request(`${app.url}/webhook-test`))).to.deep.equal({ webhookError: 'FAILED_VERIFY', error: 'Missing required params' });
      // Through a proxy, the dev pages are the app's.
      const proxied = await request(`${app.url}/webhook-test?email=owlbert%40example.com`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(json(proxied)).to.include({ app: 'express' });
    } finally {
      await app.stop();
    }
  });

  it("leaves every other response byte for byte as the app sends it; a body over 100 KiB is refused 413", async () => {
    const answers = [];
    for (const preload of ['none', 'require']) {
      const app = await startApp(EXPRESS, { preload, cwd: CONFIG_DIR, env: { README_WEBHOOK_SECRET: SECRET } });
      try {
        if (preload === 'require') {
          expect((await callWebhook(app)).status).to.equal(200);
          const big = JSON.stringify({ email: 'owlbert@example.com', pad: 'x'.repeat(100 * 1024) });
          const res = await callWebhook(app, { body: big });
          expect(res.status).to.equal(413);
          expect(json(res)).to.deep.equal({ error: 'Payload Too Large' });
        }
        const got = [];
        for (const [path, opts] of [['/hello', {}], ['/readme-webhook', {}], ['/readme-webhook/', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }], ['/readme-setup', {}]]) {
          const res = await request(`${app.url}${path}`, opts);
          got.push({ path, status: res.status, headers: comparableHeaders(res.rawHeaders), body: res.body.toString('utf8') });
        }
        answers.push(got);
      } finally {
        await app.stop();
      }
    }
    expect(answers[1]).to.deep.equal(answers[0]);
  });

  it('https, --import and the emit capture path: answered, not logged; the self-test signs over TLS to its own socket', async function () {
    const tls = selfSignedCert();
    if (!tls) return this.skip();
    const app = await startApp(RAW, {
      preload: 'import',
      collector,
      cwd: CONFIG_DIR,
      env: { ...tls.env, README_API_URL: readme.url, README_METRICS_CAPTURE: 'emit', README_DEVELOPMENT_MODE: 'true' },
    });
    const url = `https://127.0.0.1:${app.port}`;
    try {
      const res = await callWebhook(app, { url, ca: tls.ca });
      expect(res.status).to.equal(200);
      expect(json(res)).to.deep.equal(OWLBERT);
      expect(json(await callWebhook(app, { url, ca: tls.ca, signature: null }))).to.deep.equal({ error: 'Missing Signature' });
      const test = await request(`${url}/webhook-test?email=sync%40example.com`, { ca: tls.ca });
      expect(json(test)).to.deep.equal({ user: { email: 'sync@example.com', name: 'Sync', keys: [{ apiKey: 'sync-key-5678', name: 'Sync' }] } });
      await request(`${url}/after`, { ca: tls.ca });
      await waitForLogs(collector, 1, { filter: byPath('/after') });
      const paths = collector.store.all().map((s) => new URL(s.log.request.log.entries[0].request.url).pathname);
      expect(paths).to.deep.equal(['/after']);
    } finally {
      await app.stop();
    }
  });

  it('Fastify, Koa, Hapi (ESM) and NestJS apps get the same answer, and keep serving their own routes', async function () {
    this.timeout(60_000); // four app starts on a loaded CI box
    for (const file of ['fastify5.cjs', 'koa.mjs', 'hapi.mjs', 'nest-fastify.cjs']) {
      const app = await startApp(join(FIXTURES, 'apps', file), { preload: file.endsWith('.mjs') ? 'import' : 'require', cwd: CONFIG_DIR, env: { README_WEBHOOK_SECRET: SECRET } });
      try {
        const res = await callWebhook(app);
        expect(res.status, file).to.equal(200);
        expect(json(res), file).to.deep.equal(OWLBERT);
        expect(json(await callWebhook(app, { signature: null })), file).to.deep.equal({ error: 'Missing Signature' });
        expect((await request(`${app.url}/users/7`)).status, file).to.equal(200);
      } finally {
        await app.stop();
      }
    }
  });
});
