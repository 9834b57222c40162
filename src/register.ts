import { isMainThread } from 'node:worker_threads';

// The app's worker threads inherit the preload (the SDK's own start without it: transport/worker-start.ts):
// only the main thread observes. The agent is required here, not imported: a worker would otherwise load
// all of it (51 modules and their dependencies, about 2 MB of heap) only to leave it unused.
if (isMainThread) {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startAgent } = require('./agent') as typeof import('./agent');
    startAgent(process.env.README_METRICS_CAPTURE === 'emit' ? 'emit' : 'auto');
  } catch (err) {
    process.stderr.write(`readme-metrics: could not start (${err instanceof Error ? err.message : String(err)}); the app runs without it\n`);
  }
}
