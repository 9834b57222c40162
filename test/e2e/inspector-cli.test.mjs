// `readme-metrics dev` and `readme-metrics inspect` as a user runs them: the real launcher, a real app
// (the example API) preloaded through NODE_OPTIONS, real HTTP, real signals.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { ROOT, request, startApp } from '../helpers/harness.mjs';

const BIN = join(ROOT, 'bin', 'readme-metrics.js');
const EXAMPLES = join(ROOT, 'examples');
const REGISTER = join(ROOT, 'register.js');
const TMP = join(ROOT, 'test-output', 'inspector-cli');
const OWL = 'owl-live-4f2a9c';
const USER_KEY = 'rdme_users_real_key_5c1e';
const TOKEN = /^rdme_local_[0-9a-f]{32}$/;

/** Runs the CLI; `waitFor(re, stream)` resolves with the first match in its output. */
function cli(args, { cwd = ROOT, env = {} } = {}) {
  const childEnv = { PATH: process.env.PATH, HOME: process.env.HOME, README_METRICS_CACHE_DIR: join(ROOT, 'test-output', 'cache'), ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const proc = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  proc.stdout.on('data', (d) => (out.stdout += d));
  proc.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    out,
    exited,
    async waitFor(re, stream = 'stderr', timeout = 15_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const m = re.exec(out[stream]);
        if (m) return m;
        if (proc.exitCode !== null || Date.now() > deadline) {
          throw new Error(`no ${re} in ${stream} (exit ${proc.exitCode}):\nstdout: ${out.stdout}\nstderr: ${out.stderr}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

const dashboardOf = async (run) => (await run.waitFor(/dashboard (http:\/\/127\.0\.0\.1:\d+)/))[1];

/** The KEY=value lines `inspect` prints (quoted for a POSIX shell where needed), once all are out. */
async function printedEnv(run) {
  // NODE_OPTIONS is the last line: the lines may arrive in more than one chunk.
  await run.waitFor(/^NODE_OPTIONS=.*\n/m, 'stdout');
  const unquote = (v) => (v.startsWith("'") ? v.slice(1, -1).replace(/'\\''/g, "'") : v);
  return Object.fromEntries(run.out.stdout.trim().split('\n').map((l) => /^(\w+)=(.*)$/.exec(l).slice(1)).map(([k, v]) => [k, unquote(v)]));
}

async function summaries(dashboard, n, timeout = 8_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const { logs } = JSON.parse((await request(`${dashboard}/api/summaries`)).body);
    if (logs.length >= n) return logs;
    if (Date.now() > deadline) throw new Error(`expected ${n} logs, the inspector has ${logs.length}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('readme-metrics CLI', () => {
  const running = [];
  const track = (run) => (running.push(run), run);
  // SIGTERM first: dev passes it on to its command and waits for it. A SIGKILL alone left the command
  // (the example API) running on its own after every run of the suite.
  afterEach(async () => {
    await Promise.all(
      running.splice(0).map(async (r) => {
        const stuck = setTimeout(() => r.stop('SIGKILL'), 5_000);
        await r.stop('SIGTERM');
        clearTimeout(stuck);
      }),
    );
  });

  describe('dev', () => {
    it('runs the example API preloaded, and its logs arrive in the inspector', async () => {
      const run = track(cli(['dev', '--port', '0', '--', process.execPath, 'api.mjs'], { cwd: EXAMPLES, env: { PORT: '0', README_API_KEY: USER_KEY } }));
      const dashboard = await dashboardOf(run);
      const api = `http://127.0.0.1:${(await run.waitFor(/listening (\d+)/, 'stdout'))[1]}`;

      const books = await request(`${api}/v1/books`, { headers: { 'x-api-key': OWL } });
      expect(books.status).to.equal(200);
      const login = await request(`${api}/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'owlbert@example.com', password: 'hunter22' }),
      });
      expect(login.status).to.equal(401);
      expect((await request(`${api}/v1/books/99`, { headers: { 'x-api-key': OWL } })).status).to.equal(404);
      expect((await request(`${api}/v1/inventory/sync`, { method: 'POST', headers: { 'x-api-key': OWL } })).status).to.equal(500);

      const logs = await summaries(dashboard, 4);
      expect(logs.map((l) => `${l.method} ${l.route ?? l.path} ${l.status}`)).to.deep.equal([
        'GET /v1/books 200',
        'POST /v1/login 401',
        'GET /v1/books/:id 404',
        'POST /v1/inventory/sync 500',
      ]);
      // The grouping function of examples/readme-metrics.config.ts (defineConfig from 'readme-metrics').
      expect(logs[0].consumer).to.include({ label: 'Owlbert Inc.', email: 'owlbert@example.com' });
      expect(logs[1].consumer.label).to.equal('Anonymous');
      expect(logs.every((l) => l.development)).to.equal(true);

      // x-documentation-url opens the log in the dashboard.
      const docUrl = books.headers['x-documentation-url'];
      expect(docUrl).to.equal(`${dashboard}/logs/${logs[0].id}`);
      const page = await request(docUrl);
      expect(page.status).to.equal(200);
      expect(page.body.toString()).to.include('readme-metrics inspector');
      const detail = JSON.parse((await request(`${dashboard}/api/logs/${logs[1].id}`)).body);
      expect(detail.log.request.log.entries[0].request.postData.text).to.include('"password":"[REDACTED 8]"');

      // One terminal line per request, linking to its log.
      await run.waitFor(new RegExp(`POST +/v1/inventory/sync 500 .*${dashboard}/logs/${logs[3].id}`));

      // The app sent with the session token, which no served log carries; nor the user's own key.
      const served = (await request(`${dashboard}/api/logs`)).body.toString();
      expect(JSON.parse(served)).to.have.length(4);
      expect(served).not.to.match(/rdme_local_|rdme_users_real_key|authorization/i);
      // The guard stands in front of this collector too.
      expect((await request(`${dashboard}/api/logs`, { headers: { host: 'attacker.example' } })).status).to.equal(421);
      expect((await request(`${dashboard}/api/logs`, { headers: { 'sec-fetch-site': 'cross-site' } })).status).to.equal(403);
      const forged = await request(`${dashboard}/v1/request`, { method: 'POST', body: '[]', headers: { authorization: `Basic ${Buffer.from(`${USER_KEY}:`).toString('base64')}` } });
      expect(forged.status).to.equal(401);

      // SIGTERM goes to the API, which shuts down cleanly: readme-metrics exits with its code.
      expect(await run.stop('SIGTERM')).to.deep.equal({ code: 0, signal: null });
      expect(run.out.stderr).not.to.match(/ended by/);
    });

    it('answers the webhook of a config file’s getUserByEmail with the session’s secret, asking ReadMe nothing', async () => {
      // examples/readme-metrics.config.ts defines getUserByEmail; no README_WEBHOOK_SECRET is set, and
      // the secret used to be looked up at ReadMe with the session token (refused: the webhook was the app's).
      const run = track(cli(['dev', '--port', '0', '--', process.execPath, 'api.mjs'], { cwd: EXAMPLES, env: { PORT: '0', README_API_KEY: USER_KEY, README_API_URL: 'http://127.0.0.1:9/unreachable' } }));
      const dashboard = await dashboardOf(run);
      const api = `http://127.0.0.1:${(await run.waitFor(/listening (\d+)/, 'stdout'))[1]}`;

      // The setup page's self-test signs a call as ReadMe would: verified, with the consumer's key.
      const test = await request(`${api}/webhook-test?email=owlbert%40example.com`);
      expect(test.status).to.equal(200);
      const answer = JSON.parse(test.body);
      expect(answer.webhookError, JSON.stringify(answer)).to.equal(undefined);
      expect(answer.user).to.include({ email: 'owlbert@example.com', name: 'Owlbert Inc.' });
      expect(answer.user.keys.map((k) => k.apiKey)).to.deep.equal([OWL]);
      // Unsigned, the official error; and the lookup hands its secret to the session's token only.
      const unsigned = await request(`${api}/readme-webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"owlbert@example.com"}' });
      expect([unsigned.status, JSON.parse(unsigned.body)]).to.deep.equal([400, { error: 'Missing Signature' }]);
      expect((await request(`${dashboard}/v1/`)).status).to.equal(401);
      expect((await request(`${dashboard}/v1/`, { headers: { authorization: `Basic ${Buffer.from(`${USER_KEY}:`).toString('base64')}` } })).status).to.equal(401);
      expect(run.out.stderr).not.to.include('no webhook secret');
    });

    it('gives the command the preload and the inspector environment, keeping the user’s but not their ReadMe key', async () => {
      const script = `console.log(JSON.stringify(process.env)); process.exit(3)`;
      const run = track(
        cli(['dev', '--port', '0', '--quiet', '--', process.execPath, '-e', script], {
          env: { NODE_OPTIONS: '--max-old-space-size=200', README_API_KEY: USER_KEY, MY_OWN_SETTING: 'kept' },
        }),
      );
      const dashboard = await dashboardOf(run);
      const printed = (await run.waitFor(/^(\{.*\})\n/m, 'stdout'))[1];
      const env = JSON.parse(printed);
      expect(env).to.include({
        NODE_OPTIONS: `--max-old-space-size=200 --require ${REGISTER}`,
        README_METRICS_SERVER: dashboard,
        README_BASE_LOG_URL: dashboard,
        README_DEVELOPMENT_MODE: 'true',
        README_BUFFER_LENGTH: '1',
        README_FLUSH_INTERVAL: '100',
        MY_OWN_SETTING: 'kept',
      });
      // The session token in its place, and the user's key nowhere in the command's environment.
      expect(env.README_API_KEY).to.match(TOKEN);
      expect(printed).not.to.include(USER_KEY);
      expect(await run.exited).to.deep.equal({ code: 3, signal: null });
    });

    it('makes a fresh session token for each run, whether or not the user has a key', async () => {
      const runs = [{}, { README_API_KEY: USER_KEY }].map((env) => track(cli(['dev', '--port', '0', '--', process.execPath, '-e', 'console.log(process.env.README_API_KEY)'], { env })));
      const keys = await Promise.all(runs.map(async (run) => (await run.waitFor(/^(\S+)\n/m, 'stdout'))[1]));
      for (const key of keys) expect(key).to.match(TOKEN);
      expect(keys[0]).not.to.equal(keys[1]);
      for (const run of runs) expect((await run.exited).code).to.equal(0);
    });

    for (const [signal, code] of [
      ['SIGINT', 7],
      ['SIGTERM', 9],
    ]) {
      it(`forwards ${signal} to the command and exits with its exit code`, async () => {
        const script = `process.on('${signal}', () => { console.log('child got ${signal}'); process.exit(${code}); }); console.log('ready'); setInterval(() => {}, 1000);`;
        const run = track(cli(['dev', '--port', '0', '--', process.execPath, '-e', script]));
        await run.waitFor(/^ready\n/m, 'stdout');
        run.proc.kill(signal);
        expect(await run.exited).to.deep.equal({ code, signal: null });
        expect(run.out.stdout).to.include(`child got ${signal}`);
      });
    }

    it('exits with 128 + n when the command dies of a signal', async () => {
      const run = track(cli(['dev', '--port', '0', '--', process.execPath, '-e', "process.kill(process.pid, 'SIGKILL')"]));
      expect((await run.exited).code).to.equal(137);
      expect(run.out.stderr).to.include('ended by SIGKILL');
    });

    it('exits 127 when the command does not exist', async () => {
      const run = track(cli(['dev', '--port', '0', '--', `no-such-command-${randomUUID()}`]));
      expect((await run.exited).code).to.equal(127);
      expect(run.out.stderr).to.include('command not found');
    });

    it('falls back to a free port when the one asked for is taken', async () => {
      const blocker = net.createServer();
      await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
      const taken = blocker.address().port;
      try {
        const run = track(cli(['dev', '--port', String(taken), '--', process.execPath, '-e', 'setTimeout(() => {}, 200)']));
        const dashboard = await dashboardOf(run);
        expect(run.out.stderr).to.include(`port ${taken} is in use`);
        expect(dashboard).not.to.include(`:${taken}`);
        expect((await run.exited).code).to.equal(0);
      } finally {
        blocker.close();
      }
    });
  });

  describe('inspect', () => {
    it('prints the environment that points an app at it, and collects that app’s logs', async () => {
      const run = track(cli(['inspect', '--port', '0'], { env: { README_API_KEY: USER_KEY } }));
      const dashboard = await dashboardOf(run);
      const env = await printedEnv(run);
      expect(env).to.include({ README_METRICS_SERVER: dashboard, README_BASE_LOG_URL: dashboard, README_DEVELOPMENT_MODE: 'true' });
      expect(env.NODE_OPTIONS).to.equal(`--require ${REGISTER}`);
      // The session token the collector requires, never the user's own key.
      expect(env.README_API_KEY).to.match(TOKEN);
      expect(run.out.stdout + run.out.stderr).not.to.include(USER_KEY);

      const appEnv = { ...env };
      delete appEnv.NODE_OPTIONS; // startApp preloads with --require itself
      const app = await startApp('http-basic.cjs', { env: appEnv });
      try {
        const res = await request(`${app.url}/json`);
        expect(res.headers['x-documentation-url']).to.match(new RegExp(`^${dashboard}/logs/`));
        const [log] = await summaries(dashboard, 1);
        expect(log).to.include({ method: 'GET', path: '/json', status: 200 });
      } finally {
        await app.stop();
      }
      expect(await run.stop('SIGINT')).to.deep.equal({ code: 0, signal: null });
    });

    it('keeps history in --store across restarts', async () => {
      rmSync(TMP, { recursive: true, force: true });
      mkdirSync(TMP, { recursive: true });
      const store = join(TMP, 'logs.jsonl');
      const first = track(cli(['inspect', '--port', '0', '--store', store]));
      const dashboard = await dashboardOf(first);
      const { README_API_KEY } = await printedEnv(first);
      const app = await startApp('http-basic.cjs', {
        env: { README_METRICS_SERVER: dashboard, README_API_KEY, README_FLUSH_INTERVAL: '100', README_BUFFER_LENGTH: '1' },
      });
      try {
        await request(`${app.url}/json`);
        await request(`${app.url}/status?code=418`);
        await summaries(dashboard, 2);
      } finally {
        await app.stop();
      }
      expect((await first.stop('SIGTERM')).code).to.equal(0);

      const second = track(cli(['inspect', '--port', '0', '--store', store]));
      const again = await dashboardOf(second);
      await second.waitFor(/\(2 restored\)/);
      const logs = await summaries(again, 2);
      expect(logs.map((l) => l.status)).to.deep.equal([200, 418]);
    });
  });

  describe('usage', () => {
    it('prints help for the CLI and each command', async () => {
      for (const [args, text] of [
        [['--help'], 'Usage: readme-metrics <command>'],
        [['dev', '--help'], 'Usage: readme-metrics dev [options] -- <command>'],
        [['inspect', '-h'], 'Usage: readme-metrics inspect'],
      ]) {
        const run = cli(args);
        expect((await run.exited).code, args.join(' ')).to.equal(0);
        expect(run.out.stdout).to.include(text);
      }
    });

    it('exits 2 on usage errors, naming the problem', async () => {
      for (const [args, text] of [
        [[], 'Usage: readme-metrics'],
        [['frobnicate'], 'unknown command frobnicate'],
        [['dev'], 'missing the command to run'],
        [['dev', '--port', 'eighty', '--', 'node'], '--port expects a port number'],
        [['dev', '--colour', '--', 'node'], 'unknown option --colour'],
      ]) {
        const run = cli(args);
        expect((await run.exited).code, args.join(' ')).to.equal(2);
        expect(run.out.stderr).to.include(text);
      }
    });

    it('routes check to dist/cli/check.js', async () => {
      const run = cli(['check', '--help']);
      await run.exited;
      expect(run.out.stderr).not.to.include('unknown command');
    });
  });
});
