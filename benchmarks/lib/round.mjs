// One measurement: a fresh app process (and collector), a sanity request, warmup + load, then the
// delivery count once the SDK has had time to send what it captured.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sdkEnv, startCountingCollector } from './collector.mjs';
import { memoryOf } from './memory.mjs';
import { controlStats, OUTPUT, startServer } from './server.mjs';
import { loadSpec, runLoad } from './load.mjs';
import { pinEventLoop } from './cpu.mjs';
import { cpuPerRequest, threadTicks } from './threads.mjs';
import { isInstrumented, planFor } from './variants.mjs';

/** How long delivery may keep trickling in after the load stops (flush interval, timeouts, retries). */
const SETTLE_QUIET_MS = 3_000;
const SETTLE_MAX_MS = 20_000;

/** One request before the load: a row whose app answers wrongly must fail loudly, not look fast. */
export async function checkOnce(server, scenario) {
  const res = await fetch(server.url + scenario.path, {
    method: scenario.method,
    headers: scenario.headers,
    body: scenario.body,
    signal: AbortSignal.timeout(5_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${scenario.method} ${scenario.path} answered ${res.status}: ${text.slice(0, 200)}`);
  if (scenario.check) scenario.check(text);
}

/** Waits until every served request was delivered, or nothing new arrived for a while, or the cap. */
async function settle(counts, served) {
  const deadline = Date.now() + SETTLE_MAX_MS;
  let last = counts.delivered;
  let lastChange = Date.now();
  while (counts.delivered < served && Date.now() < deadline && Date.now() - lastChange < SETTLE_QUIET_MS) {
    await sleep(100);
    if (counts.delivered !== last) {
      last = counts.delivered;
      lastChange = Date.now();
    }
  }
}

/** A fresh app process for a variant, with a collector of its own when the variant sends logs. */
export async function startApp(variant, plan) {
  const sink = isInstrumented(variant) ? await startCountingCollector() : null;
  const env = {
    ...(sink ? sdkEnv(sink.collector.url, join(OUTPUT, 'cache')) : {}),
    ...(variant.sdk ? { BENCH_SDK_STATS: '1' } : {}),
    ...variant.env,
  };
  try {
    return { server: await startServer({ app: variant.app, preload: variant.preload ?? false, env, plan }), sink };
  } catch (err) {
    await sink?.collector.close();
    throw err;
  }
}

/** Stops what startApp started. */
export async function stopApp({ server, sink }) {
  await server.stop();
  await sink?.collector.close();
}

/**
 * runLoad against an app whose threads are re-pinned when the measured run starts, and whose CPU time
 * is read at both ends of that run: { load, cpu }.
 */
export async function measuredLoad(server, spec, plan) {
  let before = new Map();
  let after = new Map();
  const load = await runLoad(spec, plan, {
    onMeasure: () => {
      pinEventLoop(plan, server.pid);
      before = threadTicks(server.pid);
    },
    onDone: () => {
      after = threadTicks(server.pid);
    },
  });
  return { load, cpu: cpuPerRequest(server.pid, before, after, load.answered) };
}

export async function runRow({ scenario, variant, opts, plan: runPlan }) {
  const plan = planFor(runPlan, variant);
  const app = await startApp(variant, plan);
  const { server, sink } = app;
  try {
    await checkOnce(server, scenario);
    const { load, cpu } = await measuredLoad(server, loadSpec(server, scenario, opts), plan);
    if (!server.alive()) throw new Error(`the app died during the load:\n${server.stderr()}`);
    const { served } = await controlStats(server);
    if (sink) await settle(sink.counts, served);
    const after = await controlStats(server);
    const { hwm, rss } = memoryOf(server.pid);
    return {
      rps: load.rps,
      p50: load.latency.p50,
      p99: load.latency.p99,
      latency: load.latency,
      fixed: load.fixed,
      sent: load.sent,
      answered: load.answered,
      non2xx: load.non2xx + (load.fixed?.bad ?? 0),
      errors: load.errors,
      timeouts: load.timeouts,
      served,
      delivered: sink ? sink.counts.delivered : null,
      batches: sink ? sink.collector.postCounts.total : null,
      refusedBatches: sink ? sink.collector.postCounts.refused : null,
      sdk: after.sdk ?? null,
      loopUs: cpu.loopUs,
      otherUs: cpu.otherUs,
      peakRss: hwm,
      endRss: rss,
      stderr: server.stderr().trim().slice(0, 2_000) || undefined,
    };
  } finally {
    await stopApp(app);
  }
}
