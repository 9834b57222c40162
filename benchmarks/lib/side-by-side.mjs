// A variant and its baseline under full load at the same time, their event loops sharing one core.
//
// Why: on a shared virtual machine the host takes the CPU away in bursts of tens to hundreds of
// milliseconds, so two runs of the same app seconds apart differ by 30% or more, and a ratio of two
// such runs says little about a cost of a few percent. Served side by side, both apps take turns on
// the same core within milliseconds, so whatever the host does hits both alike. Each app's cost is its
// event loop's CPU time per request; the ratio of the two is the throughput the variant keeps when its
// event loop is the bottleneck (the baseline against itself, three runs of 10 s: 0.99, 1.00, 1.03).
import { join } from 'node:path';
import { sdkEnv, startCountingCollector } from './collector.mjs';
import { loadSpec, runLoad } from './load.mjs';
import { pinEventLoop } from './cpu.mjs';
import { checkOnce } from './round.mjs';
import { OUTPUT, startServer } from './server.mjs';
import { cpuPerRequest, threadTicks } from './threads.mjs';
import { isInstrumented } from './variants.mjs';

async function startApp(variant, plan) {
  const sink = isInstrumented(variant) ? await startCountingCollector() : null;
  const env = { ...(sink ? sdkEnv(sink.collector.url, join(OUTPUT, 'cache')) : {}), ...variant.env };
  try {
    return { server: await startServer({ app: variant.app, preload: Boolean(variant.preload), env, plan }), sink };
  } catch (err) {
    await sink?.collector.close();
    throw err;
  }
}

/** One app's measured run, with its event loop's CPU time bracketing exactly that run. */
async function measure(app, scenario, opts, plan) {
  let before = new Map();
  let after = new Map();
  const load = await runLoad(loadSpec(app.server, scenario, { ...opts, rate: 0 }), plan, {
    onMeasure: () => {
      pinEventLoop(plan, app.server.pid);
      before = threadTicks(app.server.pid);
    },
    onDone: () => (after = threadTicks(app.server.pid)),
  });
  return { rps: load.rps, answered: load.answered, loopUs: cpuPerRequest(app.server.pid, before, after, load.answered).loopUs };
}

/** { baseline: { rps, loopUs }, variant: { rps, loopUs }, ratio }: ratio from CPU per request, else from req/s. */
export async function runSideBySide({ scenario, variant, baseline, opts, plan }) {
  const apps = [];
  try {
    apps.push(await startApp(baseline, plan), await startApp(variant, plan));
    for (const app of apps) await checkOnce(app.server, scenario);
    // Both loads start together and warm up for the same time, so their measured runs overlap.
    const [b, v] = await Promise.all(apps.map((app) => measure(app, scenario, opts, plan)));
    for (const app of apps) if (!app.server.alive()) throw new Error(`an app died during the side-by-side load:\n${app.server.stderr()}`);
    const ratio = b.loopUs && v.loopUs ? b.loopUs / v.loopUs : v.rps / b.rps;
    return { baseline: b, variant: v, ratio };
  } finally {
    for (const app of apps) {
      await app.server.stop();
      await app.sink?.collector.close();
    }
  }
}
