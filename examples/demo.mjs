// `npm run demo`: the example API under `readme-metrics dev`, a burst of traffic, then a request
// every couple of seconds so the dashboard stays live. Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTraffic, trickle } from './traffic.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'bin', 'readme-metrics.js');

// cwd is this folder so the API finds readme-metrics.config.ts (its grouping function).
const dev = spawn(process.execPath, [bin, 'dev', '--quiet', '--', process.execPath, 'api.mjs'], {
  cwd: here,
  stdio: ['inherit', 'pipe', 'pipe'],
});

let dashboard;
let api;
let stopTrickle = () => {};
let out = '';
let err = '';
dev.stdout.on('data', (d) => {
  process.stdout.write(d);
  out += d;
  api ??= /listening (\d+)/.exec(out)?.[1];
  maybeStart();
});
dev.stderr.on('data', (d) => {
  process.stderr.write(d);
  err += d;
  // Piped, so readme-metrics prints no colour codes around the URL.
  dashboard ??= /dashboard (http:\/\/\S+)/.exec(err)?.[1];
  maybeStart();
});
dev.on('exit', (code, signal) => {
  stopTrickle();
  process.exit(code ?? (signal ? 130 : 0));
});

// Ctrl-C reaches readme-metrics and the API by itself; a signal sent to this process alone is passed on.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopTrickle();
    setTimeout(() => dev.kill('SIGTERM'), process.stdin.isTTY && signal === 'SIGINT' ? 4000 : 0).unref();
  });
}

let started = false;
async function maybeStart() {
  if (started || !dashboard || !api) return;
  started = true;
  const base = `http://127.0.0.1:${api}`;
  const statuses = await runTraffic(base, { count: 80, concurrency: 4 });
  const summary = Object.entries(statuses)
    .sort()
    .map(([status, n]) => `${n}×${status}`)
    .join(' ');
  const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[22m` : s);
  console.log(`
  readme-metrics demo
  ───────────────────
  Dashboard     ${bold(dashboard)}   <- open this in your browser
  Example API   ${base}
  Sent 80 requests (${summary}); one more every 2 s.
  API coverage  examples/openapi.json against that traffic, on the dashboard
  Press Ctrl-C to stop.
`);
  stopTrickle = trickle(base, { everyMs: 2000 });
}
