import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { LogStore, StoredLog } from './store';
import { summarize } from './summary';

/** Distinguishes this store from an earlier run, whose sequence numbers mean nothing now. */
const runs = new WeakMap<LogStore, string>();
function runOf(store: LogStore): string {
  let run = runs.get(store);
  if (!run) runs.set(store, (run = randomBytes(4).toString('hex')));
  return run;
}
const HEARTBEAT_MS = 15_000;
/** New logs are sent in small batches rather than one event each, so bursts stay cheap. */
const BATCH_MS = 50;

/**
 * The dashboard's live feed (server-sent events). A new client gets `snapshot` (every stored log's
 * summary); then `logs` (batches of new summaries) and `clear`. A client that reconnects sends
 * Last-Event-ID and gets only what it missed, or a fresh snapshot if the collector restarted.
 */
export function openEventStream(req: IncomingMessage, res: ServerResponse, store: LogStore): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 1500\n\n');

  const resumeFrom = resumePoint(req, runOf(store));
  if (resumeFrom === undefined) {
    send('snapshot', { maxEntries: store.maxEntries, evicted: store.evicted, logs: store.all().map(summarize) });
  } else {
    const missed = store.since(resumeFrom);
    if (missed.length) send('logs', missed.map(summarize));
  }

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
  res.on('close', () => {
    clearInterval(heartbeat);
    if (timer) clearTimeout(timer);
    store.off('log', onLog);
    store.off('clear', onClear);
  });

  function flushBatch(): void {
    timer = undefined;
    if (batch.length === 0 || res.destroyed) return;
    const logs = batch;
    batch = [];
    send('logs', logs.map(summarize));
  }

  function send(event: string, data: unknown): void {
    if (res.destroyed) return;
    res.write(`id: ${runOf(store)}:${store.lastSeq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}

function resumePoint(req: IncomingMessage, current: string): number | undefined {
  const last = req.headers['last-event-id'];
  if (typeof last !== 'string') return undefined;
  const [run, seq] = last.split(':');
  const n = Number(seq);
  return run === current && Number.isInteger(n) && n >= 0 ? n : undefined;
}
