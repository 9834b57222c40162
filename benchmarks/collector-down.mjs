// `npm run bench:collector-down`: the instrumented Express app under full load while ReadMe Metrics goes
// down. A warm-up with a healthy Metrics API brings the app, the SDK's worker and their heaps to their
// serving steady state; then, under the same uninterrupted load, the same endpoint becomes unreachable
// (nothing listening), refusing (503) or hanging. The app must keep answering and the SDK's memory must
// stay bounded: we sample the app's RSS every second, measure the outage from the RSS at its start, and
// read the SDK's counters at the start and at the end of the outage.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { COLLECTOR_DOWN_HELP, parseCollectorDownArgs } from './lib/args.mjs';
import { environment, requireBuild } from './lib/bench.mjs';
import { sdkEnv } from './lib/collector.mjs';
import { pinEventLoop, pinningPlan, pinSelf } from './lib/cpu.mjs';
import { loadSpec, runLoad } from './lib/load.mjs';
import { mb, memoryOf, sampleRss } from './lib/memory.mjs';
import { checkOnce } from './lib/round.mjs';
import { controlStats, OUTPUT, startServer } from './lib/server.mjs';
import { startSwitchableEndpoint } from './lib/switchable-endpoint.mjs';

const log = (msg) => process.stderr.write(`${msg}\n`);

const OUTAGES = {
  closed: 'unreachable (nothing listening)',
  503: 'answering 503',
  hang: 'hanging (accepts, never answers)',
};

async function loadScenario(name) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
  try {
    return (await import(join(dir, `${name}.mjs`))).default;
  } catch {
    throw new Error(`--scenario: no benchmarks/scenarios/${name}.mjs`);
  }
}

const maxOf = (samples) => (samples.length ? Math.max(...samples.map((s) => s.rss)) : null);

/**
 * One app process under `warmup + duration` seconds of load, in one autocannon run so the load never
 * pauses. At `warmup` seconds switchOver() runs: that moment's RSS is the start the outage is measured
 * from. Returns raw readings (bytes); the caller shapes the result.
 */
async function measure({ app, preload, env, scenario, opts, plan, switchOver = () => {} }) {
  const server = await startServer({ app, preload, env, plan });
  try {
    // Let startup allocation settle: the idle app, for reference only.
    await sleep(500);
    const bootRss = memoryOf(server.pid).rss;
    // The first request starts the SDK's worker, so the pinning below finds its thread.
    await checkOnce(server, scenario);

    let timer;
    let switching;
    let loadStartedAt;
    const atSwitch = async () => {
      // Counters first (the request waits its turn behind the load), then RSS and the switch together.
      const stats = await controlStats(server).catch(() => null);
      const rss = memoryOf(server.pid).rss;
      const at = Date.now();
      switchOver();
      // Threads the warm-up started (libuv's pool, say) were created on the event loop's CPU.
      pinEventLoop(plan, server.pid);
      return { at, offsetS: (at - loadStartedAt) / 1000, rss, stats };
    };
    const sampler = sampleRss(server.pid, 1_000);
    const spec = { ...loadSpec(server, scenario, opts), warmup: 0, duration: opts.warmup + opts.duration };
    let load;
    try {
      load = await runLoad(spec, plan, {
        onMeasure: () => {
          loadStartedAt = Date.now();
          pinEventLoop(plan, server.pid);
          timer = setTimeout(() => (switching = atSwitch()), opts.warmup * 1000);
        },
      });
    } finally {
      clearTimeout(timer);
    }
    const samples = sampler.stop();
    const outage = await (switching ?? atSwitch());
    const alive = server.alive();
    const endRss = memoryOf(server.pid).rss;
    const atEnd = alive ? await controlStats(server) : null;
    // A few quiet seconds: does memory come back down once the load stops, and what did the SDK make
    // of every capture (the worker's counters reach the app's thread up to 250 ms later)?
    await sleep(3_000);
    const quietRss = alive ? memoryOf(server.pid).rss : null;
    const after = alive && server.alive() ? await controlStats(server) : atEnd;
    return {
      alive,
      load,
      outage,
      bootRss,
      warmupSamples: samples.filter((s) => s.t < outage.at),
      outageSamples: samples.filter((s) => s.t >= outage.at),
      endRss,
      quietRss,
      hwm: memoryOf(server.pid).hwm,
      atEnd,
      after,
      stderr: server.stderr().trim().slice(0, 4_000) || undefined,
    };
  } finally {
    await server.stop();
  }
}

/** RSS readings in MB: at boot, the warm-up's max, at the outage start, the outage's max and its rise. */
function rssSummary(m) {
  const max = Math.max(m.outage.rss ?? 0, maxOf(m.outageSamples) ?? 0) || null;
  return {
    idleAtBoot: mb(m.bootRss),
    warmupMax: mb(maxOf(m.warmupSamples)),
    outageStart: mb(m.outage.rss),
    outageMax: mb(max),
    outageMaxOverStart: max !== null && m.outage.rss !== null ? mb(max - m.outage.rss) : null,
    end: mb(m.endRss),
    idleAfter3s: mb(m.quietRss),
    peakHwm: mb(m.hwm),
  };
}

/** Counter by counter, b - a: what happened between two readings (pending is a level, not a count). */
function diff(a, b) {
  if (!a || !b) return null;
  return Object.fromEntries(Object.keys(b).map((k) => [k, k !== 'pending' && typeof b[k] === 'number' && typeof a[k] === 'number' ? b[k] - a[k] : null]));
}

export async function main(argv = process.argv.slice(2)) {
  const opts = parseCollectorDownArgs(argv);
  if (opts.help) return void process.stdout.write(COLLECTOR_DOWN_HELP);
  requireBuild();
  const scenario = await loadScenario(opts.scenario);
  const plan = pinningPlan(opts);
  pinSelf(plan, plan.loadCpu);
  const env = environment(plan);
  log(
    `collector-down: ${opts.warmup}s warm-up with a healthy Metrics API, then ${opts.duration}s with it ${OUTAGES[opts.mode]}; ` +
      `${scenario.name} at ${opts.connections} connections throughout, backgroundWorkerMode ${opts.backgroundWorkerMode}`,
  );
  log(`collector-down: ${env.pinning}`);

  const endpoint = await startSwitchableEndpoint();
  let m;
  let endpointAtStart;
  try {
    m = await measure({
      app: 'express.cjs',
      preload: true,
      env: {
        ...sdkEnv(endpoint.url, join(OUTPUT, 'cache')),
        BENCH_SDK_STATS: '1',
        README_BACKGROUND_WORKER_MODE: String(opts.backgroundWorkerMode),
      },
      scenario,
      opts,
      plan,
      switchOver: () => {
        endpointAtStart = { ...endpoint.counts };
        endpoint.fail(opts.mode);
        log(`collector-down: the Metrics API is ${OUTAGES[opts.mode]} from now`);
      },
    });
  } finally {
    await endpoint.close();
  }

  let baseline;
  if (opts.baseline) {
    log('collector-down: baseline, the same app and load without the SDK');
    const b = await measure({ app: 'express.cjs', preload: false, scenario, opts, plan });
    baseline = { appAlive: b.alive, rps: b.load.rps, non2xx: b.load.non2xx, errors: b.load.errors, rssMB: rssSummary(b) };
  }

  const { load } = m;
  const startStats = m.outage.stats;
  const sdkAfter = m.after?.sdk ?? null;
  const result = {
    mode: opts.mode,
    scenario: scenario.name,
    backgroundWorkerMode: opts.backgroundWorkerMode,
    warmup: opts.warmup,
    duration: opts.duration,
    connections: opts.connections,
    outageStartedAfterS: Math.round(m.outage.offsetS * 10) / 10,
    appAlive: m.alive,
    rps: load.rps,
    sent: load.sent,
    answered: load.answered,
    ok: load.ok,
    non2xx: load.non2xx,
    errors: load.errors,
    timeouts: load.timeouts,
    latency: load.latency,
    served: {
      atOutageStart: startStats?.served ?? null,
      after: m.after?.served ?? null,
      duringOutage: startStats && m.after ? m.after.served - startStats.served : null,
    },
    sdk: {
      atOutageStart: startStats?.sdk ?? null,
      atEndOfLoad: m.atEnd?.sdk ?? null,
      after3s: sdkAfter,
      duringOutage: diff(startStats?.sdk, sdkAfter),
    },
    endpoint: { atOutageStart: endpointAtStart ?? null, atEnd: { ...endpoint.counts } },
    rssMB: rssSummary(m),
    rssSamplesMB: { warmup: m.warmupSamples.map((s) => mb(s.rss)), outage: m.outageSamples.map((s) => mb(s.rss)) },
    baseline,
    stderr: m.stderr,
  };
  print(result, env);
  const out = resolve(opts.out ?? join(OUTPUT, 'collector-down.json'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ environment: env, result }, null, 2)}\n`);
  process.stdout.write(`\nresults: ${out}\n`);
  if (!m.alive || load.non2xx || load.errors) process.exitCode = 1;
}

const COUNTERS = ['queued', 'sent', 'dropped', 'failed', 'pending', 'skipped'];

function counterRow(label, s) {
  return `  ${label.padEnd(30)}${COUNTERS.map((k) => String(s?.[k] ?? '-').padStart(9)).join('')}`;
}

function print(r, env) {
  const rss = r.rssMB;
  const e0 = r.endpoint.atOutageStart ?? {};
  const e1 = r.endpoint.atEnd;
  const during = { closed: 'connections refused', 503: `${e1.refused} batches refused`, hang: `${e1.held} requests held unanswered` }[r.mode];
  const lines = [
    `readme-metrics with the Metrics API healthy for ${r.warmup} s, then ${OUTAGES[r.mode]} for ${r.duration} s`,
    `${env.node}, ${env.cpu}; ${env.pinning}`,
    `${r.scenario}, ${r.connections} connections, one uninterrupted load (the outage began ${r.outageStartedAfterS} s in), backgroundWorkerMode ${r.backgroundWorkerMode}`,
    '',
    `app alive at the end        ${r.appAlive ? 'yes' : 'NO'}`,
    `requests sent / answered    ${r.sent} / ${r.answered}  (${Math.round(r.rps)} req/s; the rest were in flight when the load stopped)`,
    `2xx / non-2xx / errors      ${r.ok} / ${r.non2xx} / ${r.errors} (of them timeouts: ${r.timeouts})`,
    `latency p50 / p99 / max     ${r.latency.p50} / ${r.latency.p99} / ${r.latency.max} ms  (both phases)`,
    `requests served by the app  ${r.served.atOutageStart ?? '-'} before the outage, ${r.served.duringOutage ?? '-'} during it`,
    '',
    `RSS idle after boot         ${rss.idleAtBoot} MB  (reference only)`,
    `RSS max during the warm-up  ${rss.warmupMax} MB`,
    `RSS at the outage start     ${rss.outageStart} MB`,
    `RSS max during the outage   ${rss.outageMax} MB  (max - start: ${rss.outageMaxOverStart} MB)`,
    `RSS end / 3 s after / HWM   ${rss.end} / ${rss.idleAfter3s} / ${rss.peakHwm} MB`,
  ];
  if (r.baseline) {
    const b = r.baseline.rssMB;
    lines.push(
      `without the SDK, same load  RSS idle ${b.idleAtBoot}, at the switch ${b.outageStart}, max after it ${b.outageMax} (max - start: ${b.outageMaxOverStart}), ` +
        `HWM ${b.peakHwm} MB; ${Math.round(r.baseline.rps)} req/s${r.baseline.non2xx || r.baseline.errors ? `, ${r.baseline.non2xx + r.baseline.errors} bad responses` : ''}`,
    );
  }
  lines.push(
    '',
    `SDK counters                  ${COUNTERS.map((k) => k.padStart(9)).join('')}`,
    counterRow('at the outage start', r.sdk.atOutageStart),
    counterRow('at the end of the load', r.sdk.atEndOfLoad),
    counterRow('3 s after the load', r.sdk.after3s),
    counterRow('during the outage', r.sdk.duringOutage),
    '  (during the outage = 3 s after the load - at the outage start; the worker reports every 250 ms)',
    `Metrics API                 warm-up: ${e0.accepted ?? '-'} batches accepted; outage: ${during}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    log(`collector-down: ${err.message}`);
    process.exitCode = 2;
  });
}
