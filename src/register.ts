import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Server } from 'node:net';
import { isMainThread } from 'node:worker_threads';

// The agent is required, not imported: a thread that never serves HTTP must not load all of it (51 modules
// and their dependencies, about 2 MB of heap) only to leave it unused.
function start(role: 'main' | 'thread'): void {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startAgent } = require('./agent') as typeof import('./agent');
    startAgent(process.env.README_METRICS_CAPTURE === 'emit' ? 'emit' : 'auto', role);
  } catch (err) {
    process.stderr.write(`readme-metrics: could not start (${err instanceof Error ? err.message : String(err)}); the app runs without it\n`);
  }
}

// The app's worker threads inherit the preload (the SDK's own start without it: transport/worker-start.ts).
// Most are pools that never serve HTTP. One that does starts the agent as its first server begins to listen,
// before any request can arrive, and hands its captures to the main thread's (transport/threads.ts). A
// plain net.Server is not HTTP.
const LISTEN = 'tracing:net.server.listen:asyncStart';
function onListen(message: unknown): void {
  const server = (message as { server?: unknown } | null)?.server;
  if (!(server instanceof Server) || server.constructor === Server) return;
  unsubscribe(LISTEN, onListen);
  start('thread');
}

if (isMainThread) start('main');
else subscribe(LISTEN, onListen);
