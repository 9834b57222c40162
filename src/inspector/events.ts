import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogStore, StoredLog } from './store';
import { summarize } from './summary';

const HEARTBEAT_MS = 15_000;
/** New logs are sent in small batches rather than one event each, so bursts stay cheap. */
const BATCH_MS = 50;

/**
 * The dashboard's live feed (server-sent events): `snapshot` (every stored log's summary) on each
 * connection, then `logs` (batches of new summaries) and `clear`. A browser that reconnects (the
 * collector restarted, the laptop slept) simply gets a fresh snapshot: locally that costs little, and
 * nothing that happened meanwhile (evictions, a clear) can be missed.
 */
export function openEventStream(req: IncomingMessage, res: ServerResponse, store: LogStore): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 1500\n\n');
  send('snapshot', { maxEntries: store.maxEntries, evicted: store.evicted, logs: store.all().map(summarize) });

  let batch: StoredLog[] = [];
  let timer: NodeJS.Timeout | undefined;
  const onLog = (s: StoredLog) => {
    batch.push(s);
    timer ??= setTimeout(flushBatch, BATCH_MS);
  };
  const onClear = () => {
    batch = [];
    send('clear', {});
  };
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  store.on('log', onLog);
  store.on('clear', onClear);
  req.on('close', cleanup);
  res.on('close', cleanup);

  function cleanup(): void {
    clearInterval(heartbeat);
    if (timer) clearTimeout(timer);
    store.off('log', onLog);
    store.off('clear', onClear);
  }

  function flushBatch(): void {
    timer = undefined;
    if (batch.length === 0 || res.destroyed) return;
    const logs = batch;
    batch = [];
    send('logs', logs.map(summarize));
  }

  function send(event: string, data: unknown): void {
    if (res.destroyed) return;
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
