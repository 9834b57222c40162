// Command-line flags shared by the runner, the scenario files and the collector-down script.
import { parseArgs } from 'node:util';
import { OUTAGE_MODES } from './switchable-endpoint.mjs';

const COMMON = {
  duration: { type: 'string' },
  warmup: { type: 'string' },
  connections: { type: 'string' },
  pipelining: { type: 'string' },
  'no-pin': { type: 'boolean', default: false },
  'pin-mode': { type: 'string', default: 'event-loop' },
  'server-cpu': { type: 'string', default: '0' },
  'load-cpu': { type: 'string', default: '1' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
};

function number(name, raw, fallback, { min = 0, integer = false } = {}) {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} expects ${integer ? 'a whole number' : 'a number'} >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function pinMode(raw) {
  if (raw !== 'event-loop' && raw !== 'process') throw new Error(`--pin-mode expects event-loop or process, got ${JSON.stringify(raw)}`);
  return raw;
}

function list(raw) {
  return raw
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** The COMMON flags but duration and warmup, whose defaults differ per script. */
function commonValues(values) {
  return {
    help: values.help,
    connections: number('connections', values.connections, 50, { min: 1, integer: true }),
    pipelining: number('pipelining', values.pipelining, 1, { min: 1, integer: true }),
    pin: !values['no-pin'],
    pinMode: pinMode(values['pin-mode']),
    serverCpu: values['server-cpu'],
    loadCpu: values['load-cpu'],
    out: values.out,
  };
}

/** Flags of `npm run bench` (and of a scenario file run alone). */
export function parseBenchArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON, rounds: { type: 'string' }, only: { type: 'string' }, rate: { type: 'string' }, 'rate-duration': { type: 'string' }, 'no-side-by-side': { type: 'boolean', default: false } },
    allowPositionals: false,
  });
  return {
    ...commonValues(values),
    duration: number('duration', values.duration, 10, { min: 1 }),
    warmup: number('warmup', values.warmup, 2),
    rounds: number('rounds', values.rounds, 3, { min: 1, integer: true }),
    only: list(values.only),
    rate: number('rate', values.rate, 1000, { integer: true }),
    rateDuration: number('rate-duration', values['rate-duration'], 10, { min: 1 }),
    sideBySide: !values['no-side-by-side'],
  };
}

/** Flags of the collector-down script. */
export function parseCollectorDownArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON,
      mode: { type: 'string', default: 'closed' },
      scenario: { type: 'string', default: 'post-echo' },
      'background-worker-mode': { type: 'string', default: 'true' },
      baseline: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (!OUTAGE_MODES.includes(values.mode)) throw new Error(`--mode expects one of ${OUTAGE_MODES.join(', ')}, got ${JSON.stringify(values.mode)}`);
  if (!['true', 'false'].includes(values['background-worker-mode'])) throw new Error('--background-worker-mode expects true or false');
  return {
    ...commonValues(values),
    duration: number('duration', values.duration, 60, { min: 1 }),
    // Here the warm-up is the healthy phase before the outage, under the same load.
    warmup: number('warmup', values.warmup, 10),
    mode: values.mode,
    scenario: values.scenario,
    backgroundWorkerMode: values['background-worker-mode'] === 'true',
    baseline: values.baseline,
  };
}

export const BENCH_HELP = `Usage: npm run bench -- [flags]      (or: node benchmarks/run.mjs [flags])

  --duration <s>      measured seconds per round and row (default 10)
  --warmup <s>        unmeasured load before each measurement (default 2)
  --rounds <n>        rounds; every round runs every row once, in the same order (default 3)
  --connections <n>   autocannon connections (default 50)
  --pipelining <n>    autocannon pipelining (default 1)
  --only <list>       comma-separated scenario and/or variant names (baselines are added as needed)
  --rate <n>          after the full-load run, the latency at a fixed n req/s, below every app's
                      capacity, where it is service time, not queueing (default 1000; 0: skip)
  --rate-duration <s> seconds of that fixed-rate run, after a 2 s pause (default 10)
  --no-side-by-side   skip the side-by-side runs (each instrumented row and its baseline under load
                      at once, event loops on one core: the "same core" column)
  --no-pin            do not pin processes to CPUs with taskset
  --pin-mode <m>      event-loop (default): the app's main thread alone on the server CPU, its other
                      threads (the SDK's worker among them) with the load generator;
                      process: the whole app process on the server CPU
  --server-cpu <n>    CPU for the app server (default 0)
  --load-cpu <n>      CPU for autocannon, the collector and this runner (default 1)
  --out <file>        JSON results (default test-output/bench/results.json)
  --collector-down    run benchmarks/collector-down.mjs instead (its flags: see its --help)
`;

export const COLLECTOR_DOWN_HELP = `Usage: npm run bench:collector-down -- [flags]   (or: node benchmarks/collector-down.mjs [flags])

One app process (the Express app with the SDK preloaded) under one uninterrupted load in two phases:
  1. warm-up: the Metrics API is healthy (batches accepted), so the app and the SDK reach their
     serving steady state;
  2. outage: the same Metrics API URL goes down (--mode). RSS at this moment is the start; the
     report gives the outage's max RSS minus it, and the SDK's counters at the start and the end.

  --warmup <s>        seconds of load with a healthy Metrics API before the outage (default 10)
  --duration <s>      seconds of load during the outage (default 60)
  --mode <m>          the outage: closed (listener closed, open sockets destroyed: connections refused),
                      503 (every request refused with 503), hang (requests read, never answered)
  --scenario <name>   get-json or post-echo (default post-echo)
  --background-worker-mode <true|false>   (default true)
  --connections <n>   autocannon connections (default 50)
  --baseline          then run the same load on the app without the SDK, for its RSS (doubles the time)
  --no-pin, --pin-mode <m>, --server-cpu <n>, --load-cpu <n>   as for npm run bench
  --out <file>        JSON results (default test-output/bench/collector-down.json)
`;
