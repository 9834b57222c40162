// What one log costs the SDK's worker, stage by stage, on real captures, without the noise of a load
// test: the Express bench app runs under the preload (pipeline on its own thread, so its captures can be
// recorded), serves the bench's two scenarios (GET /json, POST /echo 1 KB), and the captures its pipeline
// received are the corpus. Then a Worker with the SDK worker's heap limits replays them through the
// pipeline and its stages, timing its own thread's CPU (/proc/thread-self) per log.
//   node benchmarks/worker-cost.mjs [--requests 600] [--logs 60000] [--runs 5]
// Sending is left out but gzip of each batch is in (level 1, batches of 100, as under load); the
// request itself is a few µs per batch. See benchmarks/README.md, "The worker's cost per log".
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { ROOT, APPS } from './lib/server.mjs';

const require = createRequire(import.meta.url);
const { ECHO_BODY } = require('./apps/payloads.cjs');
const { values } = parseArgs({ options: { requests: { type: 'string', default: '600' }, logs: { type: 'string', default: '60000' }, runs: { type: 'string', default: '5' } } });

/** Records what the in-process pipeline is handed (README_BACKGROUND_WORKER_MODE=false), then writes it on SIGTERM. */
const RECORDER = `
const { writeFileSync } = require('node:fs');
const { Pipeline } = require(${JSON.stringify(join(ROOT, 'dist', 'transport', 'pipeline.js'))});
const seen = [];
let settings;
const add = Pipeline.prototype.add;
Pipeline.prototype.add = function (raw) {
  settings ??= this.settings;
  seen.push(structuredClone(raw));
  return add.call(this, raw);
};
process.prependListener('SIGTERM', () => {
  const body = (b) => (b === null || typeof b === 'string' ? b : { bytes: Buffer.from(b).toString('base64') });
  writeFileSync(process.env.RECORD_TO, JSON.stringify({ settings, captures: seen.map((r) => ({ ...r, requestBody: body(r.requestBody), responseBody: body(r.responseBody) })) }));
});
`;

async function record(requests) {
  const dir = mkdtempSync(join(tmpdir(), 'worker-cost-'));
  const recorder = join(dir, 'recorder.cjs');
  const out = join(dir, 'captures.json');
  (await import('node:fs')).writeFileSync(recorder, RECORDER);
  const child = spawn(process.execPath, ['--require', recorder, '--require', join(ROOT, 'register.js'), join(APPS, 'express.cjs')], {
    cwd: APPS,
    // An API key, but a Metrics API nobody answers: sends fail, which the corpus does not care about.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', README_API_KEY: 'rdme_bench_key_1234', README_METRICS_SERVER: 'http://127.0.0.1:9', README_BACKGROUND_WORKER_MODE: 'false', README_DOCUMENTATION_URL_HEADER: 'false', RECORD_TO: out },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    let s = '';
    child.stdout.on('data', (d) => {
      s += d;
      const m = /listening (\d+)/.exec(s);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the app exited (${code})`)));
  });
  const headers = { 'x-api-key': 'owlbert-key-0001', accept: 'application/json' };
  for (let i = 0; i < requests; i++) {
    if (i % 2 === 0) await (await fetch(`http://127.0.0.1:${port}/json`, { headers })).text();
    else await (await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: ECHO_BODY })).text();
  }
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const recorded = JSON.parse(readFileSync(out, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  return recorded;
}

/** The replay, inside a Worker with the heap limits src/transport/sink.ts gives the SDK's worker. */
const REPLAY = `
const { workerData, parentPort } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { gzipSync } = require('node:zlib');
const dist = (m) => require(workerData.root + '/dist/' + m);
const { Pipeline } = dist('transport/pipeline.js');
const { buildLog } = dist('har/build.js');
const { findCaller } = dist('group/finder.js');
const { createRedactor } = dist('redact/index.js');
const { dropTotal } = dist('transport/drops.js');
const { settings, captures: all } = workerData.recorded;
const body = (b) => (b === null || typeof b === 'string' ? b : new Uint8Array(Buffer.from(b.bytes, 'base64')));
const captures = all.map((r) => ({ ...r, requestBody: body(r.requestBody), responseBody: body(r.responseBody) }));
const ticks = () => { const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
const redact = createRedactor(settings);
const BATCH = 100;
function pipelineRun(list, n) {
  const p = new Pipeline(settings, {}, false, dropTotal(false));
  p.kick = p.arm = p.kickSoon = () => {};
  for (let i = 0; i < n; i++) {
    p.add(list[i % list.length]);
    if ((i + 1) % BATCH === 0) gzipSync(p.queue.take(BATCH, false), { level: 1 });
  }
}
const stages = {
  build: (raw) => buildLog(raw, raw.group ?? findCaller(raw.requestHeaders, raw.url), settings),
  'build+redact': (raw) => { const l = buildLog(raw, raw.group ?? findCaller(raw.requestHeaders, raw.url), settings); redact(l); return l; },
  'build+redact+stringify': (raw) => { const l = buildLog(raw, raw.group ?? findCaller(raw.requestHeaders, raw.url), settings); redact(l); return JSON.stringify(l); },
};
function measure(fn) {
  fn(workerData.logs / 10); // warm-up
  const t0 = ticks();
  fn(workerData.logs);
  return ((ticks() - t0) * 10_000) / workerData.logs;
}
const out = {};
for (const [kind, list] of [['get', captures.filter((c) => c.method === 'GET')], ['post', captures.filter((c) => c.method === 'POST')]]) {
  out[kind] = { pipeline: measure((n) => pipelineRun(list, n)) };
  for (const [name, stage] of Object.entries(stages)) out[kind][name] = measure((n) => { let x; for (let i = 0; i < n; i++) x = stage(list[i % list.length]); return x; });
}
parentPort.postMessage(out);
`;

function replay(recorded, logs) {
  return new Promise((resolve, reject) => {
    const w = new Worker(REPLAY, { eval: true, workerData: { root: ROOT, recorded, logs }, resourceLimits: workerLimits(recorded.settings) });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

/** The SDK worker's resourceLimits, read from the built sink so the two cannot drift apart. */
function workerLimits(settings) {
  const src = readFileSync(join(ROOT, 'dist', 'transport', 'sink.js'), 'utf8');
  const young = Number(/maxYoungGenerationSizeMb: (\d+)/.exec(src)[1]);
  return { maxYoungGenerationSizeMb: young, maxOldGenerationSizeMb: Math.max(64, Math.ceil((settings.maxQueueBytes * 3) / (1024 * 1024)) + 32) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const recorded = await record(Number(values.requests));
console.log(`corpus: ${recorded.captures.length} captures (GET /json and POST /echo 1 KB, alternating) from the Express app under the preload`);
const runs = [];
for (let r = 0; r < Number(values.runs); r++) runs.push(await replay(recorded, Number(values.logs)));
console.log(`worker thread CPU µs per log, median of ${runs.length} runs of ${values.logs} logs (young generation ${workerLimits(recorded.settings).maxYoungGenerationSizeMb} MB)\n`);
console.log('stage                          GET     POST');
for (const stage of Object.keys(runs[0].get)) {
  console.log(`${stage.padEnd(26)} ${median(runs.map((x) => x.get[stage])).toFixed(1).padStart(7)}  ${median(runs.map((x) => x.post[stage])).toFixed(1).padStart(7)}`);
}
