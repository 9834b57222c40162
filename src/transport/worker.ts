// Entry point of the background worker thread: the pipeline runs here so the app's event loop
// only captures. Messages: captures in; flush requests answered with stats; the base URL out.
// Also started on 'exit' in in-process mode, only to send what the app's thread could not (exitOnly).
import { parentPort, workerData } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { unpack } from './handoff';
import { Pacer } from './pacer';
import { Pipeline } from './pipeline';
import type { PipelineSettings } from './settings';
import { HANDLED_BYTES, HANDLED_CAPTURES, type ToWorker } from './messages';
import { flushAfterThreads, type Seen, ThreadReceiver } from './threads';

const port = parentPort!;
const { settings, progress, dropped, exitOnly, threads: fromThreads, seen } = workerData as {
  settings: PipelineSettings;
  progress: Int32Array;
  dropped: BigInt64Array;
  exitOnly?: boolean;
  /** Take the captures of the app's worker threads that serve HTTP: how many serve (threads.ts). */
  threads?: Int32Array;
  /** The exit flusher of in-process mode: the batches of those threads the main thread took. */
  seen?: Seen;
};
const pacer = new Pacer();
const pipeline = new Pipeline(
  settings,
  {
    onBaseUrl: (url) => {
      port.postMessage({ type: 'baseUrl', url });
      threads?.tellBaseUrl(url);
    },
  },
  false,
  dropped,
);
// Not counted in `handled`: that is what the app's thread handed over, which it compares with its own count.
const threads = fromThreads
  ? new ThreadReceiver((batch) => {
      for (const raw of unpack(batch)) pipeline.add(raw);
      watchStats();
    }, fromThreads, seen)
  : null;
if (!exitOnly) pipeline.start();
/** Captures taken in so far. */
let handled = 0;
/** Sent with every snapshot of the counters: the captures it counts; the app's thread counts the rest. */
const counted = (): number => handled - pipeline.inBuild;

port.on('message', (msg: ToWorker) => {
  watchStats();
  if (msg.type === 'captures') {
    pacer.arrived(msg.sentAt, msg.moderate);
    try {
      if (!msg.from || !threads || threads.accept(msg.from)) {
        for (const raw of unpack(msg.batch)) {
          pipeline.add(raw);
          pacer.pause();
        }
      }
    } finally {
      // Even if a batch could not be read: the app's thread would otherwise count it as waiting forever.
      handled += msg.batch.count;
      Atomics.add(progress, HANDLED_CAPTURES, msg.batch.count);
      Atomics.add(progress, HANDLED_BYTES, msg.bytes);
    }
  } else if (msg.type === 'flush') {
    flushAfterThreads(threads, pipeline, msg.timeoutMs, msg.final).then(
      (stats) => port.postMessage({ type: 'flushed', id: msg.id, stats, handled: counted() }),
      () => port.postMessage({ type: 'flushed', id: msg.id, stats: pipeline.stats, handled: counted() }),
    );
  } else if (msg.type === 'exitFlush') {
    const done = (): void => {
      Atomics.store(msg.done, 0, 1);
      Atomics.notify(msg.done, 0);
    };
    try {
      for (const body of msg.bodies) for (const log of logsOfBody(body)) pipeline.addBuilt(log);
      for (const log of msg.logs) pipeline.addBuilt(log);
      flushAfterThreads(threads, pipeline, msg.timeoutMs, true).then(done, done);
    } catch {
      done();
    }
  }
});

/** The logs in a request body the pipeline built: a JSON array, gzipped or not. */
function logsOfBody(body: Uint8Array): string[] {
  try {
    const json = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body).toString() : Buffer.from(body).toString();
    return (JSON.parse(json) as unknown[]).map((log) => JSON.stringify(log));
  } catch {
    return [];
  }
}

// Counters flow back a few times a second, only when they changed, so getStats() is current; the timer
// stops once nothing changes and nothing is left to send, so an idle app's worker sleeps.
let lastSent = '';
let statsTimer: NodeJS.Timeout | null = null;
function reportStats(): void {
  const now = JSON.stringify(pipeline.stats) + counted();
  if (now !== lastSent) {
    lastSent = now;
    port.postMessage({ type: 'stats', stats: pipeline.stats, handled: counted() });
  } else if (pipeline.idle && statsTimer) {
    clearInterval(statsTimer);
    statsTimer = null;
  }
}
function watchStats(): void {
  statsTimer ??= setInterval(reportStats, 250);
}
watchStats();
