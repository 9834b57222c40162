// Entry point of the background worker thread: the pipeline runs here so the app's event loop
// only captures. Messages: captures in; flush requests answered with stats; the base URL out.
import { parentPort, workerData } from 'node:worker_threads';
import { unpack } from './handoff';
import { Pacer } from './pacer';
import { Pipeline } from './pipeline';
import type { PipelineSettings } from './settings';
import { HANDLED_BYTES, HANDLED_CAPTURES, type ToWorker } from './messages';

const port = parentPort!;
const { settings, progress, dropped } = workerData as { settings: PipelineSettings; progress: Int32Array; dropped: BigInt64Array };
const pacer = new Pacer();
const pipeline = new Pipeline(
  settings,
  { onBaseUrl: (url) => port.postMessage({ type: 'baseUrl', url }) },
  false,
  dropped,
);
pipeline.start();

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'captures') {
    pacer.arrived(msg.sentAt, msg.timed);
    try {
      for (const raw of unpack(msg.batch)) {
        pipeline.add(raw);
        pacer.pause();
      }
    } finally {
      // Even if a batch could not be read: the app's thread would otherwise count it as waiting forever.
      Atomics.add(progress, HANDLED_CAPTURES, msg.batch.count);
      Atomics.add(progress, HANDLED_BYTES, msg.bytes);
    }
  } else if (msg.type === 'flush') {
    pipeline.flush(msg.timeoutMs).then(
      (stats) => port.postMessage({ type: 'flushed', id: msg.id, stats }),
      () => port.postMessage({ type: 'flushed', id: msg.id, stats: pipeline.stats }),
    );
  }
});

// Counters flow back a few times a second, only when they changed, so getStats() is current.
let lastSent = '';
setInterval(() => {
  const now = JSON.stringify(pipeline.stats);
  if (now === lastSent) return;
  lastSent = now;
  port.postMessage({ type: 'stats', stats: pipeline.stats });
}, 250);
