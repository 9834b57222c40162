// A variant and its baseline under full load at the same time, their event loops sharing one core.
//
// Why: on a shared virtual machine the host takes the CPU away in bursts of tens to hundreds of
// milliseconds, so two runs of the same app seconds apart differ by 30% or more, and a ratio of two
// such runs says little about a cost of a few percent. Served side by side, both apps take turns on
// the same core within milliseconds, so whatever the host does hits both alike. Each app's cost is its
// event loop's CPU time per request; the ratio of the two is the throughput the variant keeps when its
// event loop is the bottleneck (the baseline against itself, three runs of 10 s: 0.99, 1.00, 1.03).
import { loadSpec } from './load.mjs';
import { checkOnce, measuredLoad, startApp, stopApp } from './round.mjs';

/** One app's measured run at full load: its req/s and its event loop's CPU per request. */
async function measure(app, scenario, opts, plan) {
  const { load, cpu } = await measuredLoad(app.server, loadSpec(app.server, scenario, { ...opts, rate: 0 }), plan);
  return { rps: load.rps, answered: load.answered, loopUs: cpu.loopUs };
}

/** { baseline: { rps, loopUs }, variant: { rps, loopUs }, ratio }: ratio from CPU per request, else from req/s. */
export async function runSideBySide({ scenario, variant, baseline, opts, plan, variantFirst = false }) {
  // Which app is started, checked and loaded first alternates between rounds (variantFirst): two apps
  // sharing a core need not be served exactly alike, and their order must not be what tells them apart.
  const order = variantFirst ? [variant, baseline] : [baseline, variant];
  const apps = [];
  try {
    for (const which of order) apps.push(await startApp(which, plan));
    for (const app of apps) await checkOnce(app.server, scenario);
    // Both loads start together and warm up for the same time, so their measured runs overlap.
    const results = await Promise.all(apps.map((app) => measure(app, scenario, opts, plan)));
    const [b, v] = variantFirst ? [results[1], results[0]] : results;
    for (const app of apps) if (!app.server.alive()) throw new Error(`an app died during the side-by-side load:\n${app.server.stderr()}`);
    const ratio = b.loopUs && v.loopUs ? b.loopUs / v.loopUs : v.rps / b.rps;
    return { baseline: b, variant: v, ratio };
  } finally {
    for (const app of apps) await stopApp(app);
  }
}
