// CPU pinning: the app on one core, the load generator (and the collector) on another, so the load
// generator never steals the app's CPU. The SDK's worker thread stays with the app: that is its real cost.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

let tasksetPath;

function findTaskset() {
  if (tasksetPath !== undefined) return tasksetPath;
  tasksetPath = null;
  if (process.platform !== 'linux') return tasksetPath;
  for (const candidate of ['/usr/bin/taskset', '/bin/taskset']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore', timeout: 5_000 });
      tasksetPath = candidate;
      break;
    } catch {}
  }
  return tasksetPath;
}

/**
 * Decides whether to pin. Returns { enabled, reason, serverCpu, loadCpu }.
 * Pinning needs taskset and two distinct CPUs that exist.
 */
export function pinningPlan({ pin, serverCpu, loadCpu }) {
  const off = (reason) => ({ enabled: false, reason, serverCpu, loadCpu });
  if (!pin) return off('disabled by --no-pin');
  if (!findTaskset()) return off('taskset not found');
  const cpus = availableParallelism();
  if (cpus < 2) return off(`only ${cpus} CPU available`);
  for (const c of [serverCpu, loadCpu]) if (!/^\d+$/.test(c) || Number(c) >= cpus) return off(`CPU ${c} does not exist (${cpus} CPUs)`);
  if (serverCpu === loadCpu) return off('server and load CPUs are the same');
  return { enabled: true, reason: `app on CPU ${serverCpu}; autocannon, collector and runner on CPU ${loadCpu}`, serverCpu, loadCpu };
}

/** The command that runs `node args...` on a CPU (taskset execs, so the pid is node's own). */
export function pinned(plan, cpu, args) {
  return plan.enabled ? { file: findTaskset(), args: ['-c', cpu, process.execPath, ...args] } : { file: process.execPath, args };
}

/** Moves this process, all its threads included, onto a CPU. */
export function pinSelf(plan, cpu) {
  if (!plan.enabled) return;
  try {
    execFileSync(findTaskset(), ['-a', '-p', '-c', cpu, String(process.pid)], { stdio: 'ignore', timeout: 5_000 });
  } catch (err) {
    process.stderr.write(`bench: could not pin the runner to CPU ${cpu} (${err.message})\n`);
  }
}
