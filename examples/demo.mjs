// `npm run demo`: the example API under `readme-metrics dev`, a burst of traffic, then a request
// every couple of seconds so the dashboard stays live. Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTraffic, trickle } from './traffic.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'bin', 'readme-metrics.js');

// The Personalized Docs webhook's secret: ReadMe's, looked up with a real API key; made up here, as
// the demo plays ReadMe's part and signs a call itself.
const webhookSecret = randomBytes(16).toString('hex');

// cwd is this folder so the API finds readme-metrics.config.ts (its grouping function).
const dev = spawn(process.execPath, [bin, 'dev', '--quiet', '--', process.execPath, 'api.mjs'], {
  cwd: here,
  env: { ...process.env, README_WEBHOOK_SECRET: webhookSecret },
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
  const webhook = await personalizedDocs(base, 'owlbert@example.com');
  const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[22m` : s);
  console.log(`
  readme-metrics demo
  ───────────────────
  Dashboard     ${bold(dashboard)}   <- open this in your browser
  Example API   ${base}
  Sent 80 requests (${summary}); one more every 2 s.
  API coverage  examples/openapi.json against that traffic, on the dashboard
  Webhook       ${webhook}
  Press Ctrl-C to stop.
`);
  stopTrickle = trickle(base, { everyMs: 2000 });
}

/** What ReadMe does when a developer logs in to the docs: a signed POST of their email to /readme-webhook. */
async function personalizedDocs(base, email) {
  const body = JSON.stringify({ email });
  const t = Date.now();
  const v0 = createHmac('sha256', webhookSecret).update(`${t}.${body}`).digest('hex');
  try {
    const res = await fetch(`${base}/readme-webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'readme-signature': `t=${t},v0=${v0}` },
      body,
    });
    const user = await res.json();
    const keys = Array.isArray(user.keys) ? user.keys.length : 0;
    return `POST /readme-webhook for ${email}: ${res.status}, ${keys} key(s) (Personalized Docs, no route in the API)`;
  } catch (err) {
    return `POST /readme-webhook failed: ${err.message}`;
  }
}
