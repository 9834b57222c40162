// The local ReadMe Metrics each instrumented row sends to: our inspector's collector on 127.0.0.1, plus
// the base-URL lookup (GET /v1/) both SDKs make, answered locally so nothing leaves the machine.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './server.mjs';

const require = createRequire(import.meta.url);

export const BENCH_API_KEY = 'rdme_bench_key_1234';
export const BASE_LOG_URL = 'http://127.0.0.1/bench-project';

/** Answers the base-URL lookup (GET /v1/); false for any other request. */
export function lookupRoute(req, res) {
  if (req.method !== 'GET' || (req.url ?? '').split('?')[0].replace(/\/$/, '') !== '/v1') return false;
  const body = JSON.stringify({ baseUrl: BASE_LOG_URL });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}

/** The log's request URL path, or undefined for a log we cannot read. */
function pathOf(log) {
  try {
    return new URL(log.request.log.entries[0].request.url).pathname;
  } catch {
    return undefined;
  }
}

/**
 * A fresh collector that counts the bench's logs (not the control route's) as they arrive.
 * The store keeps only a few entries: the count is what matters, not the logs.
 */
export async function startCountingCollector(opts = {}) {
  const { startCollector } = require(join(ROOT, 'dist', 'inspector', 'collector.js'));
  const collector = await startCollector({ host: '127.0.0.1', maxEntries: 50, extraRoutes: lookupRoute, token: BENCH_API_KEY, ...opts });
  const counts = { delivered: 0, control: 0 };
  collector.store.on('log', (stored) => {
    const path = pathOf(stored.log);
    if (path && path.startsWith('/__bench/')) counts.control++;
    else counts.delivered++;
  });
  return { collector, counts };
}

/** Environment that points an SDK (ours or readmeio) at a collector. */
export function sdkEnv(url, cacheDir) {
  return {
    README_METRICS_SERVER: url,
    README_API_URL: url,
    README_API_KEY: BENCH_API_KEY,
    README_METRICS_CACHE_DIR: cacheDir,
    // find-cache-dir (used by readmeio) honours CACHE_DIR; keeps its cache out of node_modules/.cache.
    CACHE_DIR: cacheDir,
  };
}
