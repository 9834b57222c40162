// Drives autocannon in a child process pinned to the load CPU, so its work never lands on the app's core.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWithin, track } from './children.mjs';
import { pinned } from './cpu.mjs';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'autocannon-child.mjs');

/** Seconds of quiet between the full-load run and the fixed-rate run: the SDKs send what they still hold. */
export const RATE_SETTLE_S = 2;

/** spec: { url, method, headers, body, connections, pipelining, duration, warmup, rate, rateDuration, rateSettle } (seconds). */
/** The load of one scenario against one server, with the run's connection and duration settings. */
export function loadSpec(server, scenario, opts) {
  return {
    url: server.url + scenario.path,
    method: scenario.method,
    headers: scenario.headers,
    body: scenario.body,
    connections: opts.connections,
    pipelining: opts.pipelining,
    duration: opts.duration,
    warmup: opts.warmup,
    rate: opts.rate ?? 0,
    rateDuration: opts.rateDuration ?? 0,
    rateSettle: RATE_SETTLE_S,
  };
}

/**
 * hooks.onMeasure() runs when the warmup is over and the measured run starts; hooks.onDone() when its
 * result arrives (before the child exits), so what they read brackets the measured window. With
 * spec.rate, the result's `fixed` holds the latency of the fixed-rate run that follows.
 */
export async function runLoad(spec, plan, hooks = {}) {
  const cmd = pinned(plan, plan.loadCpu, [CHILD, JSON.stringify({ ...spec, realtime: plan.enabled })]);
  const child = track(cmd.file, cmd.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let marks = 0;
  child.stdout.on('data', (d) => {
    stdout += d;
    const lines = stdout.split('\n').length - 1;
    for (; marks < lines; marks++) {
      if (marks === 0) hooks.onMeasure?.();
      else if (marks === 1) hooks.onDone?.();
    }
  });
  child.stderr.on('data', (d) => {
    if (stderr.length < 64 * 1024) stderr += d;
  });
  // Bounded: autocannon stops itself; this only catches a wedged child.
  await exitWithin(child, (spec.warmup + spec.duration + (spec.rate > 0 ? spec.rateSettle + spec.rateDuration : 0) + 30) * 1000);
  const [measured, fixed] = stdout
    .trim()
    .split('\n')
    .filter((l) => !l.includes('"phase"'));
  try {
    return { ...JSON.parse(measured), fixed: fixed ? JSON.parse(fixed).fixed : null };
  } catch {
    throw new Error(`autocannon failed (exit ${child.exitCode ?? child.signalCode}):\n${stderr || stdout}`);
  }
}
