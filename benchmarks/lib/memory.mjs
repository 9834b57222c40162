// Resident memory of another process, read from /proc (Linux). Elsewhere every reading is null.
import { readFileSync } from 'node:fs';

/** { rss, hwm } in bytes: current resident set and its high-water mark since the process started. */
export function memoryOf(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rss: null, hwm: null };
  }
  const kb = (field) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Samples VmRSS every intervalMs; stop() returns the samples (bytes, nulls dropped). */
export function sampleRss(pid, intervalMs) {
  const samples = [];
  const take = () => {
    const { rss } = memoryOf(pid);
    if (rss !== null) samples.push({ t: Date.now(), rss });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

export const mb = (bytes) => (bytes === null || bytes === undefined ? null : Math.round((bytes / (1024 * 1024)) * 10) / 10);
