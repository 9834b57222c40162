// Test harness: real collector, real app processes started with the preload, real HTTP.
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REGISTER = join(ROOT, 'register.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
const collectorModule = require(join(ROOT, 'dist', 'inspector', 'collector.js'));

/** The key startApp gives apps, and so the ingestion token the tests' collectors require. */
export const TEST_API_KEY = 'rdme_test_key_1234';

/** The real collector; like `readme-metrics dev`, it takes only logs sent with its token. */
export const startCollector = (opts = {}) => collectorModule.startCollector({ token: TEST_API_KEY, ...opts });

/**
 * Starts `node [--require|--import register.js] <file>`; the fixture prints `listening <port>`.
 * preload: 'require' | 'import' | 'none'; register: which register.js (default: this checkout's).
 */
export async function startApp(file, { preload = 'require', env = {}, collector, cwd, args = [], nodeArgs = [], register = REGISTER } = {}) {
  const path = file.startsWith('/') ? file : join(FIXTURES, 'apps', file);
  const flags = preload === 'require' ? ['--require', register] : preload === 'import' ? ['--import', register] : [];
  const childEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    README_METRICS_CACHE_DIR: join(ROOT, 'test-output', 'cache'),
    ...(collector
      ? { README_METRICS_SERVER: collector.url, README_API_KEY: TEST_API_KEY, README_FLUSH_INTERVAL: '100', README_API_URL: collector.url }
      : {}),
    ...env,
  };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const proc = spawn(process.execPath, [...nodeArgs, ...flags, path, ...args], {
    cwd: cwd ?? dirname(path),
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const port = await new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`app ${file} did not start:\n${stderr}`)), 15_000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = /listening (\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`app ${file} exited with ${code} before listening:\n${stderr}`));
    });
  });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    proc,
    exited,
    stderr: () => stderr,
    stdout: () => stdout,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** A raw HTTP request: exact status, raw headers and body bytes as the client saw them. */
export function request(url, { method = 'GET', headers = {}, body, agent = false, ca, timeout = 10_000 } = {}) {
  return new Promise((resolveRes, reject) => {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(u, { method, headers, agent, ca, rejectUnauthorized: !!ca, timeout }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolveRes({ status: res.statusCode, statusMessage: res.statusMessage, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** Waits until the collector holds at least n logs (or matching ones), then returns their log objects. */
export async function waitForLogs(collector, n = 1, { timeout = 8_000, filter = () => true } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const logs = collector.store.all().map((s) => s.log).filter(filter);
    if (logs.length >= n) return logs;
    if (Date.now() > deadline) throw new Error(`expected ${n} log(s), collector has ${logs.length}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The single HAR entry of a log. */
export const entryOf = (log) => log.request.log.entries[0];

/** Finds a log by request path (and method). */
export function byPath(path, method) {
  return (log) => {
    const e = entryOf(log);
    return new URL(e.request.url).pathname === path && (!method || e.request.method === method);
  };
}

/** Headers without the ones that legitimately differ between two runs. */
export function comparableHeaders(rawHeaders) {
  const out = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (name === 'date' || name === 'x-documentation-url') continue;
    out.push([name, name === 'keep-alive' ? rawHeaders[i + 1] : rawHeaders[i + 1]]);
  }
  return out;
}
