import { isMainThread } from 'node:worker_threads';
import { startAgent } from './agent';

// Our own pipeline worker (and any worker thread) inherits the preload: only the main thread observes.
if (isMainThread) {
  try {
    startAgent(process.env.README_METRICS_CAPTURE === 'emit' ? 'emit' : 'auto');
  } catch (err) {
    process.stderr.write(`readme-metrics: could not start (${err instanceof Error ? err.message : String(err)}); the app runs without it\n`);
  }
}
