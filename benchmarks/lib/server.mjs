// Starts a fixture app in its own process (optionally with our preload) and waits for `listening <port>`.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWithin, track } from './children.mjs';
import { pinned } from './cpu.mjs';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(BENCH_DIR, '..');
export const APPS = join(BENCH_DIR, 'apps');
export const REGISTER = join(ROOT, 'register.js');
export const OUTPUT = join(ROOT, 'test-output', 'bench');

const START_TIMEOUT_MS = 15_000;

/**
 * app: file name under benchmarks/apps; preload: true for `--require register.js`, or the name of
 * another preload under benchmarks/apps;
 * env: extra environment (the child gets only PATH and HOME besides, so no stray README_* leaks in).
 */
export async function startServer({ app, preload, env = {}, plan }) {
  const preloadPath = typeof preload === 'string' ? join(APPS, preload) : REGISTER;
  const args = [...(preload ? ['--require', preloadPath] : []), join(APPS, app)];
  const cmd = pinned(plan, plan.serverCpu, args);
  const childEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', ...env };
  const child = track(cmd.file, cmd.args, { cwd: APPS, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => {
    if (stderr.length < 64 * 1024) stderr += d;
  });
  const port = await new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${app} did not start within ${START_TIMEOUT_MS} ms:\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /listening (\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${app} exited (${code ?? signal}) before listening:\n${stderr}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  child.stdout.resume();
  return {
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exitWithin(child, 5_000);
    },
  };
}

/** GET /__bench/served: how many bench requests the app answered, and the SDK's counters when loaded. */
export async function controlStats(server) {
  const res = await fetch(`${server.url}/__bench/served`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`control route answered ${res.status}`);
  return res.json();
}
