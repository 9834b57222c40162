// The Metrics API the collector-down script points the SDK at: healthy first, then switched to an outage
// while the app is under load, at the same URL and without restarting anything, so the outage starts
// from the app's serving steady state (its queue draining, its heaps grown to what the load needs).
import { createServer } from 'node:http';
import { lookupRoute } from './collector.mjs';

export const OUTAGE_MODES = ['closed', '503', 'hang'];

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Modes: healthy (batches read and answered 202, the base-URL lookup answered), then one of
 * closed (the listener closed and every open socket destroyed: connections are refused),
 * 503 (every request refused with 503) or hang (requests read, never answered: only the SDK's
 * timeout frees them). Healthy batches are read but not parsed: the SDK's own `sent` counter says
 * how many logs went out, and parsing would take CPU from the load generator beside us.
 */
export async function startSwitchableEndpoint() {
  let mode = 'healthy';
  const counts = { accepted: 0, refused: 0, held: 0, lookups: 0 };
  const server = createServer((req, res) => {
    req.on('error', () => {});
    res.on('error', () => {});
    if (mode === 'hang') {
      // Reading the body lets the SDK finish sending, so it waits for an answer that never comes.
      counts.held++;
      req.resume();
      return;
    }
    if (mode === '503') {
      counts.refused++;
      req.resume();
      return answer(res, 503, { error: 'collector-down bench: refusing' });
    }
    if (lookupRoute(req, res)) {
      counts.lookups++;
      return;
    }
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v1/request') return answer(res, 404, { error: 'not found' });
    req.on('end', () => {
      counts.accepted++;
      answer(res, 202, {});
    });
    req.resume();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  let closed;
  const close = () => {
    closed ??= new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    mode: () => mode,
    /** Starts the outage. closed releases the port (another process could take it: a tiny race, acceptable here). */
    fail(outage) {
      if (!OUTAGE_MODES.includes(outage)) throw new Error(`unknown outage mode ${JSON.stringify(outage)}`);
      mode = outage;
      if (outage === 'closed') void close();
    },
    close,
  };
}
