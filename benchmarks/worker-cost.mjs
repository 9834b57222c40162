// What one log costs the SDK's worker, without the noise of a load test (on this shared machine the
// same load test moves by 20-30% between runs; these move by a few percent).
//   node benchmarks/worker-cost.mjs [--requests 600] [--logs 60000] [--runs 5]
//   node benchmarks/worker-cost.mjs --against <commit> [--rate 3000] [--rounds 10] [--turn 1]
// The corpus: the Express bench app runs under the preload (in-process mode, so the captures its
// pipeline is handed can be recorded) and serves the bench's two scenarios, GET /json and POST /echo
// 1 KB, alternating. Then:
// - alone: a Worker with the SDK worker's heap limits replays the corpus through the pipeline and its
//   stages (sending left out, gzip of each batch of 100 in), timing its own thread's CPU per log;
// - --against <commit>: that commit is compiled into test-output/bench/, and the two builds are compared
//   in one process, taking turns, so whatever the machine does hits both alike: the pipeline alone
//   (medians of rounds of 30k logs, and whether both write the same bytes), then the real WorkerSink of
//   each (the app thread's packing and hand-off, the worker, its sends to a local collector) fed the
//   corpus at --rate captures a second for turns of --turn seconds, each ended by a flush, so every log's
//   send counts; the worker thread's CPU per log from /proc (ns resolution).
// See benchmarks/README.md, "The worker's cost per log".
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { APPS, OUTPUT, ROOT } from './lib/server.mjs';

const require = createRequire(import.meta.url);
const { ECHO_BODY } = require('./apps/payloads.cjs');
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '600' },
    logs: { type: 'string', default: '60000' },
    runs: { type: 'string', default: '5' },
    against: { type: 'string' },
    rate: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '10' },
    turn: { type: 'string', default: '1' },
  },
});

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
  writeFileSync(recorder, RECORDER);
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

/** Shared by both replays: a thread's CPU time in ms (ns resolution), a median, and the replayer. */
const REPLAY_COMMON = `
const { readFileSync } = require('node:fs');
const { gzipSync } = require('node:zlib');
const cpuMs = (task = 'thread-self') => Number(readFileSync('/proc/' + task + '/schedstat', 'utf8').split(' ')[0]) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/**
 * A pipeline that never sends: its queue is taken and gzipped by batches of 100, as under load. The
 * captures reach it as they reach the worker, unpacked from hand-offs of 64 (packed once, before): each
 * log's strings are fresh, as in the worker, not the same objects again, whose hashes V8 would have
 * cached (a replay of the same objects flattered Map lookups by name).
 */
function replayer(dist, settings) {
  const { Pipeline } = require(dist + '/transport/pipeline.js');
  const { dropTotal } = require(dist + '/transport/drops.js');
  const { CaptureBatch, unpack } = require(dist + '/transport/handoff.js');
  const packed = new Map();
  const handoffs = (list) => {
    if (packed.has(list)) return packed.get(list);
    const out = [];
    for (let at = 0; at < list.length; at += 64) {
      const batch = new CaptureBatch();
      for (const raw of list.slice(at, at + 64)) batch.add(raw);
      out.push(batch.take().message);
    }
    packed.set(list, out);
    return out;
  };
  // drain false: the logs stay queued, to compare what two builds wrote.
  return (list, n, drain = true) => {
    const p = new Pipeline(settings, {}, false, dropTotal(false));
    p.kick = p.arm = p.kickSoon = () => {};
    const batches = handoffs(list);
    let i = 0;
    for (let b = 0; i < n; b++) {
      for (const raw of unpack(batches[b % batches.length])) {
        p.add(raw);
        if (++i % 100 === 0 && drain) gzipSync(p.queue.take(100, false), { level: 1 });
        if (i === n) break;
      }
    }
    return p;
  };
}
`;

/** The stage table, inside a Worker with the heap limits src/transport/sink.ts gives the SDK's worker. */
const STAGES = `${REPLAY_COMMON}
const { workerData, parentPort } = require('node:worker_threads');
const dist = workerData.root + '/dist';
const { buildLog } = require(dist + '/har/build.js');
const { findCaller } = require(dist + '/group/finder.js');
const { createRedactor } = require(dist + '/redact/index.js');
const { settings, captures } = workerData;
const redact = createRedactor(settings);
const pipeline = replayer(dist, settings);
const built = (raw) => buildLog(raw, raw.group ?? findCaller(raw.requestHeaders, raw.url), settings);
const stages = {
  build: built,
  'build+redact': (raw) => { const l = built(raw); redact(l); return l; },
  'build+redact+stringify': (raw) => { const l = built(raw); redact(l); return JSON.stringify(l); },
};
function measure(fn) {
  fn(workerData.logs / 10); // warm-up
  const t0 = cpuMs();
  fn(workerData.logs);
  return ((cpuMs() - t0) * 1000) / workerData.logs;
}
const out = {};
for (const [kind, list] of [['get', captures.filter((c) => c.method === 'GET')], ['post', captures.filter((c) => c.method === 'POST')]]) {
  out[kind] = { pipeline: measure((n) => pipeline(list, n)) };
  for (const [name, stage] of Object.entries(stages)) out[kind][name] = measure((n) => { let x; for (let i = 0; i < n; i++) x = stage(list[i % list.length]); return x; });
}
parentPort.postMessage(out);
`;

/** Pipeline A/B: both builds in one thread, taking turns. */
const PIPELINE_AB = `${REPLAY_COMMON}
const { workerData, parentPort } = require('node:worker_threads');
const { settings, captures } = workerData;
const builds = { base: replayer(workerData.base, settings), head: replayer(workerData.head, settings) };
const out = {};
for (const method of ['GET', 'POST']) {
  const list = captures.filter((c) => c.method === method);
  const us = { base: [], head: [] };
  // The creator's version comes from the package.json beside each build: the one thing allowed to differ.
  const bytes = (which) => builds[which](list, list.length, false).queue.take(list.length, true).toString().replace(/"version":"[^"]*"/g, '');
  const same = bytes('base') === bytes('head');
  for (let r = 0; r < workerData.rounds; r++) {
    for (const which of r % 2 ? ['head', 'base'] : ['base', 'head']) {
      const t0 = cpuMs();
      builds[which](list, 30000);
      us[which].push(((cpuMs() - t0) * 1000) / 30000);
    }
  }
  out[method] = { base: median(us.base), head: median(us.head), same };
}
parentPort.postMessage(out);
`;

function inWorker(source, workerData, resourceLimits) {
  return new Promise((resolve, reject) => {
    const w = new Worker(source, { eval: true, workerData, resourceLimits });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

/** The SDK worker's own heap limits (src/transport/sink.ts), so the replay cannot drift from them. */
const { workerResourceLimits } = require(join(ROOT, 'dist', 'transport', 'sink.js'));

/** The recorded captures as the pipeline takes them: binary bodies as bytes again. */
function decoded(recorded) {
  const body = (b) => (b === null || typeof b === 'string' ? b : new Uint8Array(Buffer.from(b.bytes, 'base64')));
  return recorded.captures.map((r) => ({ ...r, requestBody: body(r.requestBody), responseBody: body(r.responseBody) }));
}

/** Compiles `commit` into test-output/bench/base-<commit>/dist (with its package.json beside it). */
function buildCommit(commit) {
  const sha = execFileSync('git', ['rev-parse', '--short', commit], { cwd: ROOT, encoding: 'utf8' }).trim();
  const home = join(OUTPUT, `base-${sha}`);
  if (existsSync(join(home, 'dist', 'transport', 'sink.js'))) return { sha, dist: join(home, 'dist') };
  const tree = mkdtempSync(join(tmpdir(), 'worker-cost-base-'));
  try {
    execFileSync('git', ['worktree', 'add', '--detach', tree, sha], { cwd: ROOT, stdio: 'ignore' });
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(tree, 'tsconfig.json'), '--outDir', join(home, 'dist'), '--incremental', 'false'], { stdio: 'inherit' });
    cpSync(join(tree, 'package.json'), join(home, 'package.json'));
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: ROOT, stdio: 'ignore' });
  }
  return { sha, dist: join(home, 'dist') };
}

/**
 * The real WorkerSink of each build, fed the corpus in turns of `turnMs` at `rate` captures a second,
 * to a local collector, each turn ended by a flush (so a turn pays for sending every log it fed); the CPU of each one's worker thread (the busiest thread it started) per log.
 */
async function sinkAB(settings, captures, builds, method, rate, rounds, turnMs) {
  const { startCollector } = require(join(ROOT, 'dist', 'inspector', 'collector.js'));
  const collector = await startCollector({ host: '127.0.0.1', maxEntries: 10, token: 'rdme_bench_key_1234' });
  const list = captures.filter((c) => c.method === method);
  const tasks = () => new Set(readdirSync('/proc/self/task'));
  const cpu = (task) => {
    try {
      return Number(readFileSync(`/proc/self/task/${task}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      return 0;
    }
  };
  const sinks = {};
  for (const [name, dist] of Object.entries(builds)) {
    const before = tasks();
    const { createSink } = require(join(dist, 'transport', 'sink.js'));
    const sink = createSink({ ...settings, metricsServer: collector.url, apiKey: 'rdme_bench_key_1234', documentationUrlHeader: false }, { onBaseUrl() {} }, true);
    sink.submit({ ...list[0] });
    await new Promise((r) => setTimeout(r, 1500));
    sinks[name] = { sink, threads: [...tasks()].filter((t) => !before.has(t)), us: [] };
  }
  let next = 0;
  const feed = (sink) =>
    new Promise((resolve) => {
      let n = 0;
      const end = Date.now() + turnMs;
      const timer = setInterval(() => {
        for (let k = 0; k < rate / 100; k++, n++) sink.submit({ ...list[next++ % list.length] });
        if (Date.now() >= end) {
          clearInterval(timer);
          resolve(n);
        }
      }, 10);
    });
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 ? ['head', 'base'] : ['base', 'head']) {
      const s = sinks[name];
      const before = s.threads.map(cpu);
      const n = await feed(s.sink);
      await s.sink.flush(2000); // its last sends
      s.us.push((Math.max(...s.threads.map((t, k) => cpu(t) - before[k])) * 1000) / n);
    }
  }
  await Promise.all(Object.values(sinks).map((s) => s.sink.flush(2000).then(() => s.sink.close())));
  await collector.close();
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return { base: median(sinks.base.us), head: median(sinks.head.us) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const recorded = await record(Number(values.requests));
const { settings } = recorded;
const captures = decoded(recorded);
console.log(`corpus: ${recorded.captures.length} captures (GET /json and POST /echo 1 KB, alternating) from the Express app under the preload`);

if (values.against) {
  const base = buildCommit(values.against);
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const rounds = Number(values.rounds);
  console.log(`\nbase ${base.sha} against head ${head} (dist/), CPU µs per log, medians of ${rounds} turns each\n`);
  const pipe = await inWorker(PIPELINE_AB, { settings, captures, base: base.dist, head: join(ROOT, 'dist'), rounds }, workerResourceLimits(settings));
  console.log('                                  base     head   same bytes');
  for (const m of ['GET', 'POST']) console.log(`pipeline alone, ${m.padEnd(4)}            ${pipe[m].base.toFixed(1).padStart(6)}   ${pipe[m].head.toFixed(1).padStart(6)}   ${pipe[m].same}`);
  for (const m of ['GET', 'POST']) {
    const s = await sinkAB(settings, captures, { base: base.dist, head: join(ROOT, 'dist') }, m, Number(values.rate), rounds, Number(values.turn) * 1000);
    console.log(`worker thread, ${m.padEnd(4)} at ${values.rate}/s    ${s.base.toFixed(1).padStart(6)}   ${s.head.toFixed(1).padStart(6)}`);
  }
  process.exit(0);
}

const runs = [];
for (let r = 0; r < Number(values.runs); r++) runs.push(await inWorker(STAGES, { root: ROOT, settings, captures, logs: Number(values.logs) }, workerResourceLimits(settings)));
console.log(`worker thread CPU µs per log, median of ${runs.length} runs of ${values.logs} logs (young generation ${workerResourceLimits(settings).maxYoungGenerationSizeMb} MB)\n`);
console.log('stage                          GET     POST');
for (const stage of Object.keys(runs[0].get)) {
  console.log(`${stage.padEnd(26)} ${median(runs.map((x) => x.get[stage])).toFixed(1).padStart(7)}  ${median(runs.map((x) => x.post[stage])).toFixed(1).padStart(7)}`);
}
