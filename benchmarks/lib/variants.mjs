// The rows of the table. Each round runs them in this order, so drift on a shared machine hits all alike.
// `baseline` names the row a variant is compared with; instrumented rows get their own local collector.

export const VARIANTS = [
  { name: 'http', title: 'node:http, no SDK', app: 'http.cjs' },
  { name: 'http+sdk', title: 'node:http + readme-metrics preload', app: 'http.cjs', baseline: 'http', preload: true, sdk: true },
  { name: 'express', title: 'Express 5, no SDK', app: 'express.cjs' },
  {
    name: 'express+hooks',
    title: 'Express 5 + the capture hooks alone, recording nothing (apps/hooks-floor.cjs): the least a zero-code SDK pays',
    app: 'express.cjs',
    baseline: 'express',
    preload: 'hooks-floor.cjs',
  },
  {
    name: 'express+sdk',
    title: 'Express 5 + readme-metrics preload (backgroundWorkerMode true, default)',
    app: 'express.cjs',
    baseline: 'express',
    preload: true,
    sdk: true,
  },
  {
    name: 'express+sdk-inline',
    title: 'Express 5 + readme-metrics preload (backgroundWorkerMode false)',
    app: 'express.cjs',
    baseline: 'express',
    preload: true,
    sdk: true,
    env: { README_BACKGROUND_WORKER_MODE: 'false' },
  },
  {
    name: 'express+readmeio',
    title: 'Express 5 + official readmeio middleware (its default bufferLength, 1)',
    app: 'express.cjs',
    baseline: 'express',
    readmeio: true,
    env: { BENCH_READMEIO: '1' },
  },
  {
    name: 'express+readmeio-buf10',
    title: 'Express 5 + official readmeio middleware, bufferLength 10 (our default)',
    app: 'express.cjs',
    baseline: 'express',
    readmeio: true,
    env: { BENCH_READMEIO: '1', BENCH_READMEIO_BUFFER: '10' },
  },
];

// The same apps with the whole process (SDK worker included) on the server CPU, whatever --pin-mode says:
// what an app confined to one core (a container limited to one CPU) pays for everything the SDK does.
const ONE_CORE = ['http', 'http+sdk', 'express', 'express+sdk'];
for (const name of ONE_CORE) {
  const v = VARIANTS.find((x) => x.name === name);
  VARIANTS.push({
    ...v,
    name: `${name}@1core`,
    title: `${v.title}; the whole process on one core`,
    ...(v.baseline ? { baseline: `${v.baseline}@1core` } : {}),
    pinMode: 'process',
  });
}

export const isInstrumented = (v) => Boolean(v.sdk || v.readmeio);

/** The pinning plan for a variant: its own pin mode (the @1core rows), else the run's. */
export const planFor = (plan, v) => (plan.enabled && v.pinMode && v.pinMode !== plan.mode ? { ...plan, mode: v.pinMode } : plan);

/**
 * --only: names of scenarios and/or variants. Variants a selected row is compared with are added,
 * so every ratio in the table is measured in the same run.
 */
export function select(scenarios, only) {
  const scenarioNames = new Set(scenarios.map((s) => s.name));
  const variantNames = new Set(VARIANTS.map((v) => v.name));
  const unknown = only.filter((n) => !scenarioNames.has(n) && !variantNames.has(n));
  if (unknown.length) {
    throw new Error(`--only: unknown name(s) ${unknown.join(', ')}; scenarios: ${[...scenarioNames].join(', ')}; variants: ${[...variantNames].join(', ')}`);
  }
  const pickedScenarios = only.filter((n) => scenarioNames.has(n));
  const pickedVariants = new Set(only.filter((n) => variantNames.has(n)));
  for (const v of VARIANTS) if (pickedVariants.has(v.name) && v.baseline) pickedVariants.add(v.baseline);
  return {
    scenarios: pickedScenarios.length ? scenarios.filter((s) => pickedScenarios.includes(s.name)) : scenarios,
    variants: pickedVariants.size ? VARIANTS.filter((v) => pickedVariants.has(v.name)) : VARIANTS,
  };
}
