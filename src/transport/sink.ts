import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { RawCapture } from '../capture/raw-capture';
import { debug, errorMessage, warnOnce } from '../debug';
import { DropCounter, dropTotal, readDropTotal, readShedTotal } from './drops';
import { CaptureBatch, type PackedBatch, unpack } from './handoff';
import { HANDLED_BYTES, HANDLED_CAPTURES, type FromWorker, type ToWorker } from './messages';
import type { Pipeline } from './pipeline';
import { emptyStats, type PipelineSettings, type Stats } from './settings';
import { flushAfterThreads, type FromThread, ThreadReceiver } from './threads';
import { startWorker } from './worker-start';

/** Where the main thread hands finished captures: the worker, or the pipeline in-process. */
export interface Sink {
  submit(raw: RawCapture): void;
  /** final: the process is ending, so the Metrics API gets no back-off between retries. */
  flush(timeoutMs: number, final?: boolean): Promise<Stats>;
  /** On 'exit': delivers what is still waiting, blocking the app's thread up to timeoutMs. */
  flushBeforeExit(timeoutMs: number): void;
  stats(): Stats;
  close(): Promise<void>;
}

/** The process's sink, on the main thread: it also takes the captures of the app's worker threads (threads.ts). */
export interface ProcessSink extends Sink {
  /** A batch of one of the app's worker threads, passed on by the main thread (threads.ts). */
  submitPacked(batch: PackedBatch, bytes: number, from: FromThread): void;
}

export interface SinkEvents {
  onBaseUrl(url: string): void;
}

/** serving: how many of the app's worker threads serve HTTP (threads.ts), shared with the main thread's agent. */
export function createSink(settings: PipelineSettings, events: SinkEvents, background: boolean, losses = dropTotal(true), serving: Int32Array | null = null): ProcessSink {
  if (background) {
    try {
      return new WorkerSink(settings, events, losses, serving);
    } catch (err) {
      warnOnce('worker', `could not start the background worker (${errorMessage(err)}); sending from the main thread${whyNoWorker(err)}`);
    }
  }
  return new InProcessSink(settings, events, losses, serving);
}

/** For a worker refused by Node's permission model: what it costs, and the flag that allows one. */
function whyNoWorker(err: unknown): string {
  if ((err as { code?: string }).code !== 'ERR_ACCESS_DENIED') return '';
  return '; logs still waiting when the process calls process.exit() or crashes will be dropped (counted): Node\'s --allow-worker lets the SDK start its threads';
}

class InProcessSink implements ProcessSink {
  private readonly pipeline: Pipeline;
  private readonly threads: ThreadReceiver;
  constructor(
    private readonly settings: PipelineSettings,
    events: SinkEvents,
    private readonly dropped?: BigInt64Array,
    private readonly serving: Int32Array | null = null,
  ) {
    // Required here, not at the top: in worker mode the main thread never loads the pipeline,
    // the HAR builder or undici.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Pipeline: PipelineClass } = require('./pipeline') as typeof import('./pipeline');
    // The app's worker threads that serve HTTP hand their captures here too (threads.ts). First: the
    // pipeline may know its base URL as it starts, and tells them.
    this.threads = new ThreadReceiver((batch) => this.add(batch), serving);
    this.pipeline = new PipelineClass(settings, { onBaseUrl: (url) => (events.onBaseUrl(url), this.threads.tellBaseUrl(url)) }, true, dropped);
    this.pipeline.start();
  }
  submit(raw: RawCapture): void {
    this.pipeline.add(raw);
  }
  submitPacked(batch: PackedBatch, _bytes: number, from: FromThread): void {
    if (this.threads.accept(from)) this.add(batch);
  }
  private add(batch: PackedBatch): void {
    for (const raw of unpack(batch)) this.pipeline.add(raw);
  }
  flush(timeoutMs: number, final = false): Promise<Stats> {
    return flushAfterThreads(this.threads, this.pipeline, timeoutMs, final);
  }
  /** This thread's event loop will not run again: a worker started now sends the queue while we wait. */
  flushBeforeExit(timeoutMs: number): void {
    const { logs, bodies, count } = this.pipeline.takeUnsent();
    debug(`exit: ${logs.length} queued log(s), ${bodies.length} body(ies) in flight`);
    // The app's worker threads may hold captures, or have sent some still in this thread's queue.
    const threads = this.serving && Atomics.load(this.serving, 0) > 0 ? this.serving : undefined;
    if (logs.length === 0 && bodies.length === 0 && !threads) return;
    const deadline = Date.now() + timeoutMs;
    const dropped = this.dropped ?? dropTotal(true);
    let worker: Worker;
    try {
      worker = startWorker(join(__dirname, 'worker.js'), {
        workerData: { settings: this.settings, progress: new Int32Array(new SharedArrayBuffer(8)), dropped, exitOnly: true, threads, seen: threads && this.threads.taken() },
      });
    } catch (err) {
      // Nothing else can send once the event loop is gone (Node's permission model without
      // --allow-worker, say): said once on stderr, since the process will not live to report it.
      new DropCounter(`no thread could send them as the process exits (${errorMessage(err)})`, dropped).drop(count);
      return;
    }
    worker.on('error', () => {});
    waitForExitFlush(worker, logs, deadline, bodies);
  }
  stats(): Stats {
    return { ...this.pipeline.stats };
  }
  close(): Promise<void> {
    this.threads.close();
    return this.pipeline.close();
  }
}

/**
 * Captures cross to the worker in small batches (see handoff.ts), as buffers that are transferred. Each
 * handoff wakes the worker, which then runs code gone cold since the last one: at moderate rates fewer,
 * larger handoffs cost it less (benchmarks/README.md, "The worker's cost per log").
 */
const HANDOFF_BATCH = 64;
const HANDOFF_BYTES = 1024 * 1024;
const HANDOFF_DELAY_MS = 100;
/** A batch that took this long to gather is moderate traffic (under 64 per 20 ms): the worker paces it (pacer.ts). */
const SLOW_FILL_MS = 20;
/** How long past its own deadline the app's thread waits for the worker's answer on exit. */
const EXIT_SLACK_MS = 100;

/** Asks the worker to send everything (logs too, if any) and blocks until it did or the deadline passed. */
function waitForExitFlush(worker: Worker, logs: string[], deadline: number, bodies: Buffer[] = []): void {
  const done = new Int32Array(new SharedArrayBuffer(4));
  const timeoutMs = Math.max(1, deadline - Date.now());
  worker.postMessage({ type: 'exitFlush', done, timeoutMs, logs, bodies } satisfies ToWorker);
  const result = Atomics.wait(done, 0, 0, timeoutMs + EXIT_SLACK_MS);
  debug(`final flush on exit: ${result === 'timed-out' ? 'deadline passed' : 'done'}`);
}

/**
 * The worker's heap limits. V8 sizes a heap for a whole application by default and collects lazily;
 * the pipeline's own data is bounded by maxQueueBytes, so a small young generation and a modest
 * old-space limit keep its RSS close to what it really holds (16 MB of young generation: +10 MB of peak
 * RSS for no measurable CPU, benchmarks/README.md, "The worker's cost per log"). Exported for that bench.
 */
export function workerResourceLimits(settings: PipelineSettings): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } {
  return {
    maxYoungGenerationSizeMb: 8,
    maxOldGenerationSizeMb: Math.max(64, Math.ceil((settings.maxQueueBytes * 3) / (1024 * 1024)) + 32),
  };
}

class WorkerSink implements ProcessSink {
  private readonly worker: Worker;
  private batch = new CaptureBatch();
  // Handoffs wait in the worker's message queue until it gets to them. If the app outruns the worker
  // (a starved core, bodies that take long to redact), that queue would grow without bound, so the
  // app's thread keeps it within the queue's bounds: captures and bytes handed off, less what the
  // worker reports handled through shared counters (no message per batch, no lock).
  private readonly progress = new Int32Array(new SharedArrayBuffer(8));
  private handedCaptures = 0;
  private handedBytes = 0;
  private readonly workerIsBehind: DropCounter;
  /** Captures handed off in all (not wrapped), and as of the worker's last snapshot of its counters. */
  private handedTotal = 0;
  private handledAtSnapshot = 0;
  private timer: NodeJS.Timeout | null = null;
  /** When the batch being gathered got its first capture. */
  private gatherStart = 0;
  private lastStats: Stats = emptyStats();
  private nextFlushId = 1;
  private waiting = new Map<number, (s: Stats) => void>();
  private fallback: InProcessSink | null = null;
  /** The worker thread has ended: nobody would answer on exit, and waiting would only delay the app. */
  private workerGone = false;

  constructor(
    private readonly settings: PipelineSettings,
    private readonly events: SinkEvents,
    private readonly dropped: BigInt64Array,
    private readonly serving: Int32Array | null,
  ) {
    this.workerIsBehind = new DropCounter('the background worker is behind', dropped);
    this.worker = startWorker(join(__dirname, 'worker.js'), {
      workerData: { settings, progress: this.progress, dropped: this.dropped, threads: serving ?? new Int32Array(new SharedArrayBuffer(4)) },
      resourceLimits: workerResourceLimits(settings),
    });
    this.worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.worker.on('error', (err) => this.failOver(err));
    this.worker.on('exit', () => (this.workerGone = true));
    // After the listeners: adding a 'message' listener references the worker's port again.
    this.worker.unref();
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'baseUrl') this.events.onBaseUrl(msg.url);
    else if (msg.type === 'stats') this.snapshot(msg.stats, msg.handled);
    else if (msg.type === 'flushed') {
      this.snapshot(msg.stats, msg.handled);
      this.waiting.get(msg.id)?.(msg.stats);
      this.waiting.delete(msg.id);
      if (this.waiting.size === 0) this.worker.unref();
    }
  }

  /** The worker's counters as of its latest message (messages arrive in the order they were posted). */
  private snapshot(stats: Stats, handled: number): void {
    this.lastStats = stats;
    this.handledAtSnapshot = handled;
  }

  private failOver(err: unknown): void {
    warnOnce('worker-error', `the background worker failed (${errorMessage(err)}); sending from the main thread`);
    this.fallback = new InProcessSink(this.settings, this.events, this.dropped, this.serving);
    for (const raw of unpack(this.batch.take().message)) this.fallback.submit(raw);
    for (const resolve of this.waiting.values()) resolve(this.lastStats);
    this.waiting.clear();
  }

  submit(raw: RawCapture): void {
    if (this.fallback) return this.fallback.submit(raw);
    if (this.workerBehind()) return this.workerIsBehind.drop(1);
    this.batch.add(raw);
    if (this.batch.length === 1) this.gatherStart = Date.now();
    if (this.batch.length >= HANDOFF_BATCH || this.batch.byteLength >= HANDOFF_BYTES) this.handOff(Date.now() - this.gatherStart >= SLOW_FILL_MS);
    else if (!this.timer) {
      this.timer = setTimeout(() => this.handOff(true), HANDOFF_DELAY_MS);
      this.timer.unref();
    }
  }

  /**
   * Whether the captures and bytes handed off but not yet handled by the worker fill the queue's bounds.
   * The batch being gathered is not counted: it has its own small bounds, and counting it would drop
   * captures with a small maxQueueEntries while the worker keeps up.
   */
  private workerBehind(): boolean {
    const captures = (this.handedCaptures - Atomics.load(this.progress, HANDLED_CAPTURES)) | 0;
    const bytes = (this.handedBytes - Atomics.load(this.progress, HANDLED_BYTES)) | 0;
    return captures >= this.settings.maxQueueEntries || bytes >= this.settings.maxQueueBytes;
  }

  /** moderate: the batch gathered slowly (see SLOW_FILL_MS); false when flushing. */
  private handOff(moderate: boolean): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.batch.length === 0) return;
    const bytes = this.batch.byteLength;
    const { message, transfer } = this.batch.take();
    this.post(message, transfer, bytes, moderate);
  }

  /** A worker thread's captures, passed on until the worker has welcomed that thread (threads.ts). */
  submitPacked(batch: PackedBatch, bytes: number, from: FromThread): void {
    if (this.fallback) return this.fallback.submitPacked(batch, bytes, from);
    if (this.workerBehind()) return this.workerIsBehind.drop(batch.count);
    this.post(batch, [batch.numbers, batch.bytes], bytes, false, from);
  }

  private post(batch: PackedBatch, transfer: ArrayBuffer[], bytes: number, moderate: boolean, from?: FromThread): void {
    const n = batch.count;
    try {
      this.worker.postMessage({ type: 'captures', batch, sentAt: Date.now(), moderate, bytes, from }, transfer);
      this.handedCaptures = (this.handedCaptures + n) | 0;
      this.handedTotal += n;
      this.handedBytes = (this.handedBytes + bytes) | 0;
    } catch (err) {
      debug(`could not hand ${n} capture(s) to the worker: ${errorMessage(err)}`);
    }
  }

  flush(timeoutMs: number, final = false): Promise<Stats> {
    if (this.fallback) return this.fallback.flush(timeoutMs, final).then((s) => this.withDrops(s));
    this.handOff(false);
    const id = this.nextFlushId++;
    // Referenced while we wait, so a flush on beforeExit keeps the process alive until it is done.
    this.worker.ref();
    return new Promise<Stats>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        if (this.waiting.size === 0) this.worker.unref();
        resolve(this.withDrops(this.lastStats));
      }, timeoutMs + 250);
      this.waiting.set(id, (s) => {
        clearTimeout(timer);
        resolve(this.withDrops(s));
      });
      this.worker.postMessage({ type: 'flush', id, timeoutMs, final } satisfies ToWorker);
    });
  }

  flushBeforeExit(timeoutMs: number): void {
    if (this.fallback) return this.fallback.flushBeforeExit(timeoutMs);
    if (this.workerGone) return;
    // Always asked, even after a flush that seemed complete: one may have ended at its deadline with a
    // send still under way, and the worker dies with the process. With nothing left it answers at once.
    const deadline = Date.now() + timeoutMs;
    this.handOff(false);
    waitForExitFlush(this.worker, [], deadline);
  }

  /**
   * Current on the app's thread: captures handed off (or about to be) that the worker's last snapshot
   * does not yet include count as queued and pending, so nothing captured is invisible meanwhile.
   */
  stats(): Stats {
    if (this.fallback) return this.withDrops(this.fallback.stats());
    const inTransit = Math.max(0, this.handedTotal + this.batch.length - this.handledAtSnapshot);
    const s = this.lastStats;
    return this.withDrops({ ...s, queued: s.queued + inTransit, pending: s.pending + inTransit });
  }

  /** The worker's counters, with the process's drop total as of now (both threads add to it). */
  private withDrops(s: Stats): Stats {
    return { ...s, dropped: readDropTotal(this.dropped), shed: readShedTotal(this.dropped) };
  }

  async close(): Promise<void> {
    await this.worker.terminate().catch(() => {});
  }
}
