// `npm run bench:collector-down`: the instrumented Express app under full load while ReadMe Metrics is
// unreachable (nothing listening), refusing (503) or hanging. The app must keep answering and the SDK's
// memory must stay bounded: we sample the app's RSS every second and read the SDK's drop counters.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { COLLECTOR_DOWN_HELP, parseCollectorDownArgs } from './lib/args.mjs';
import { environment, requireBuild } from './lib/bench.mjs';
import { sdkEnv, startCountingCollector } from './lib/collector.mjs';
import { pinEventLoop, pinningPlan, pinSelf } from './lib/cpu.mjs';
import { loadSpec, runLoad } from './lib/load.mjs';
import { mb, memoryOf, sampleRss } from './lib/memory.mjs';
import { controlStats, OUTPUT, startServer } from './lib/server.mjs';

const log = (msg) => process.stderr.write(`${msg}\n`);

/** A port nothing listens on: bound, then released (a tiny race with other processes, acceptable here). */
async function closedPort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** Accepts connections and never answers: the SDK's timeout is all that frees them. */
async function hangingServer() {
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.resume();
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

async function metricsEndpoint(mode) {
  if (mode === 'closed') return { url: `http://127.0.0.1:${await closedPort()}`, close: async () => {}, posts: () => null };
  if (mode === 'hang') {
    const hang = await hangingServer();
    return { ...hang, posts: () => null };
  }
  const { collector } = await startCountingCollector({ failWith: 503 });
  return { url: collector.url, close: () => collector.close(), posts: () => collector.posts.length };
}

async function loadScenario(name) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
  try {
    return (await import(join(dir, `${name}.mjs`))).default;
  } catch {
    throw new Error(`--scenario: no benchmarks/scenarios/${name}.mjs`);
  }
}

export async function main(argv = process.argv.slice(2)) {
  const opts = parseCollectorDownArgs(argv);
  if (opts.help) return void process.stdout.write(COLLECTOR_DOWN_HELP);
  requireBuild();
  const scenario = await loadScenario(opts.scenario);
  const plan = pinningPlan(opts);
  pinSelf(plan, plan.loadCpu);
  const env = environment(plan);
  log(`collector-down: mode ${opts.mode}, ${opts.duration}s of ${scenario.name} at ${opts.connections} connections, backgroundWorkerMode ${opts.backgroundWorkerMode}`);
  log(`collector-down: ${env.pinning}`);

  const endpoint = await metricsEndpoint(opts.mode);
  let server;
  try {
    server = await startServer({
      app: 'express.cjs',
      preload: true,
      plan,
      env: {
        ...sdkEnv(endpoint.url, join(OUTPUT, 'cache')),
        BENCH_SDK_STATS: '1',
        README_BACKGROUND_WORKER_MODE: String(opts.backgroundWorkerMode),
      },
    });
    // Let startup allocation settle so "start" is the idle app, not its boot.
    await sleep(500);
    const startRss = memoryOf(server.pid).rss;
    const sampler = sampleRss(server.pid, 1_000);
    const load = await runLoad(loadSpec(server, scenario, opts), plan, { onMeasure: () => pinEventLoop(plan, server.pid) });
    const samples = sampler.stop();
    const alive = server.alive();
    const endRss = memoryOf(server.pid).rss;
    const atEnd = alive ? await controlStats(server) : { served: null, sdk: null };
    // A few quiet seconds: does memory come back down once the load stops, and what did the SDK
    // make of every capture (the worker's counters reach the app's thread a little later)?
    await sleep(3_000);
    const idleRss = alive ? memoryOf(server.pid).rss : null;
    const stats = alive && server.alive() ? await controlStats(server) : atEnd;
    const peakRss = memoryOf(server.pid).hwm;

    const result = {
      mode: opts.mode,
      scenario: scenario.name,
      backgroundWorkerMode: opts.backgroundWorkerMode,
      duration: opts.duration,
      connections: opts.connections,
      appAlive: alive,
      rps: load.rps,
      sent: load.sent,
      answered: load.answered,
      ok: load.ok,
      non2xx: load.non2xx,
      errors: load.errors,
      timeouts: load.timeouts,
      latency: load.latency,
      served: stats.served,
      sdk: stats.sdk,
      sdkAtEndOfLoad: atEnd.sdk,
      metricsPosts: endpoint.posts(),
      rssMB: {
        start: mb(startRss),
        max: mb(Math.max(startRss ?? 0, ...samples.map((s) => s.rss)) || null),
        end: mb(endRss),
        idleAfter3s: mb(idleRss),
        peakHwm: mb(peakRss),
      },
      rssSamplesMB: samples.map((s) => mb(s.rss)),
      stderr: server.stderr().trim().slice(0, 4_000) || undefined,
    };
    print(result, env);
    const out = resolve(opts.out ?? join(OUTPUT, 'collector-down.json'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify({ environment: env, result }, null, 2)}\n`);
    process.stdout.write(`\nresults: ${out}\n`);
    if (!alive || load.non2xx || load.errors) process.exitCode = 1;
  } finally {
    await server?.stop();
    await endpoint.close();
  }
}

function print(r, env) {
  const s = r.sdk ?? {};
  const lines = [
    `readme-metrics with the Metrics API ${r.mode === 'closed' ? 'unreachable (nothing listening)' : r.mode === '503' ? 'answering 503' : 'hanging (accepts, never answers)'}`,
    `${env.node}, ${env.cpu}; ${env.pinning}`,
    `${r.duration}s of ${r.scenario}, ${r.connections} connections, backgroundWorkerMode ${r.backgroundWorkerMode}`,
    '',
    `app alive at the end        ${r.appAlive ? 'yes' : 'NO'}`,
    `requests sent / answered    ${r.sent} / ${r.answered}  (${Math.round(r.rps)} req/s; the rest were in flight when the load stopped)`,
    `2xx / non-2xx / errors      ${r.ok} / ${r.non2xx} / ${r.errors + r.timeouts}`,
    `latency p50 / p99 / max     ${r.latency.p50} / ${r.latency.p99} / ${r.latency.max} ms`,
    `RSS start / max / end       ${r.rssMB.start} / ${r.rssMB.max} / ${r.rssMB.end} MB  (3 s after the load: ${r.rssMB.idleAfter3s} MB; VmHWM ${r.rssMB.peakHwm} MB)`,
    `requests served by the app  ${r.served}`,
    `SDK queued / sent           ${s.queued ?? '-'} / ${s.sent ?? '-'}  (counters read 3 s after the load)`,
    `SDK dropped / failed        ${s.dropped ?? '-'} / ${s.failed ?? '-'}  (pending ${s.pending ?? '-'}, skipped ${s.skipped ?? '-'})`,
  ];
  if (r.metricsPosts !== null) lines.push(`batches refused by the API  ${r.metricsPosts}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    log(`collector-down: ${err.message}`);
    process.exitCode = 2;
  });
}
