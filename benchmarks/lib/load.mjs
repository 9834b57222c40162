// Drives autocannon in a child process pinned to the load CPU, so its work never lands on the app's core.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWithin, track } from './children.mjs';
import { pinned } from './cpu.mjs';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'autocannon-child.mjs');

/** spec: { url, method, headers, body, connections, pipelining, duration, warmup } (seconds). */
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
  };
}

/**
 * hooks.onMeasure() runs when the warmup is over and the measured run starts; hooks.onDone() when its
 * result arrives (before the child exits), so what they read brackets the measured window.
 */
export async function runLoad(spec, plan, hooks = {}) {
  const cmd = pinned(plan, plan.loadCpu, [CHILD, JSON.stringify(spec)]);
  const child = track(cmd.file, cmd.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let marks = 0;
  child.stdout.on('data', (d) => {
    stdout += d;
    const lines = stdout.split('\n').length - 1;
    for (; marks < lines; marks++) (marks === 0 ? hooks.onMeasure : hooks.onDone)?.();
  });
  child.stderr.on('data', (d) => {
    if (stderr.length < 64 * 1024) stderr += d;
  });
  // Bounded: autocannon stops itself; this only catches a wedged child.
  await exitWithin(child, (spec.warmup + spec.duration + 30) * 1000);
  const line = stdout
    .trim()
    .split('\n')
    .filter((l) => !l.includes('"phase"'))
    .pop();
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`autocannon failed (exit ${child.exitCode ?? child.signalCode}):\n${stderr || stdout}`);
  }
}
