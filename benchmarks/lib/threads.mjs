// CPU time of an app's threads, from /proc (Linux): its event loop (the main thread, whose id is the
// pid) apart from every other thread (the SDK's worker, V8's GC helpers, libuv's pool).
import { readdirSync, readFileSync } from 'node:fs';

const TICK_US = 10_000; // USER_HZ is 100 on Linux

/** Map of thread id -> CPU ticks (user + system) so far; empty where /proc is not there. */
export function threadTicks(pid) {
  const out = new Map();
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(tid, Number(fields[11]) + Number(fields[12]));
    } catch {}
  }
  return out;
}

/** CPU µs per request between two readings: { loopUs, otherUs }, or nulls without readings. */
export function cpuPerRequest(pid, before, after, requests) {
  if (!before.size || !after.size || !requests) return { loopUs: null, otherUs: null };
  let loop = 0;
  let other = 0;
  for (const [tid, ticks] of after) {
    const used = ticks - (before.get(tid) ?? 0);
    if (tid === String(pid)) loop += used;
    else other += used;
  }
  return { loopUs: (loop * TICK_US) / requests, otherUs: (other * TICK_US) / requests };
}
