// CPU pinning. The load generator (and the collector) run on one core, the app's event loop on
// another, so the load generator never steals the app's CPU. Two modes for the app's other threads:
// - event-loop (default): the main thread alone on the server core; every other thread of the app
//   (the SDK's worker, V8's GC helpers, libuv's pool), baseline and instrumented alike, on the load
//   core. This is what a worker thread is for: it measures what the SDK costs the event loop, and the
//   table's "other µs/req" column shows what the other threads spent.
// - process: the whole app process on the server core, worker included: what an app confined to a
//   single core pays in throughput for everything the SDK does.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const tools = new Map();

/** The path of a util-linux tool (taskset, chrt), or null where it is missing or not Linux. */
function findTool(name) {
  if (tools.has(name)) return tools.get(name);
  let found = null;
  if (process.platform === 'linux') {
    for (const candidate of [`/usr/bin/${name}`, `/bin/${name}`]) {
      try {
        execFileSync(candidate, ['--version'], { stdio: 'ignore', timeout: 5_000 });
        found = candidate;
        break;
      } catch {}
    }
  }
  tools.set(name, found);
  return found;
}

const findTaskset = () => findTool('taskset');

/**
 * Decides whether to pin. Returns { enabled, reason, serverCpu, loadCpu }.
 * Pinning needs taskset and two distinct CPUs that exist.
 */
export function pinningPlan({ pin, pinMode = 'event-loop', serverCpu, loadCpu }) {
  const off = (reason) => ({ enabled: false, mode: 'none', reason, serverCpu, loadCpu });
  if (!pin) return off('disabled by --no-pin');
  if (!findTaskset()) return off('taskset not found');
  const cpus = availableParallelism();
  if (cpus < 2) return off(`only ${cpus} CPU available`);
  for (const c of [serverCpu, loadCpu]) if (!/^\d+$/.test(c) || Number(c) >= cpus) return off(`CPU ${c} does not exist (${cpus} CPUs)`);
  if (serverCpu === loadCpu) return off('server and load CPUs are the same');
  const reason =
    pinMode === 'process'
      ? `app process (all its threads) on CPU ${serverCpu}; autocannon, collector and runner on CPU ${loadCpu}`
      : `app event loop on CPU ${serverCpu}; the app's other threads, autocannon, collector and runner on CPU ${loadCpu}`;
  return { enabled: true, mode: pinMode, reason, serverCpu, loadCpu };
}

/**
 * In event-loop mode, moves every thread of the app but its main thread to the load CPU. Threads
 * inherit their creator's CPUs, and the SDK starts its worker on first use, so this runs again once
 * the measured run starts.
 */
export function pinEventLoop(plan, pid) {
  if (!plan.enabled || plan.mode !== 'event-loop') return;
  try {
    execFileSync(findTaskset(), ['-a', '-p', '-c', plan.loadCpu, String(pid)], { stdio: 'ignore', timeout: 5_000 });
    execFileSync(findTaskset(), ['-p', '-c', plan.serverCpu, String(pid)], { stdio: 'ignore', timeout: 5_000 });
  } catch (err) {
    process.stderr.write(`bench: could not pin the app's threads (${err.message})\n`);
  }
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

/**
 * Moves every thread of this process to SCHED_FIFO: on its CPU it then runs whenever it is ready,
 * ahead of every normal thread there. Needs CAP_SYS_NICE (or an rtprio limit); returns whether it
 * took effect.
 */
export function realtimeSelf() {
  const chrt = findTool('chrt');
  if (!chrt) return false;
  try {
    execFileSync(chrt, ['-a', '-f', '-p', '10', String(process.pid)], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}
