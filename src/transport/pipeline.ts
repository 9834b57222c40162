import type { RawCapture } from '../capture/raw-capture';
import { debug, errorMessage, warnOnce } from '../debug';
import { findCaller } from '../group/finder';
import { buildLog } from '../har/build';
import type { MetricsLog } from '../har/types';
import { withoutBodies } from '../har/without-bodies';
import { createRedactor } from '../redact';
import { BASE_URL_TTL_MS, readCachedBaseUrl, writeCachedBaseUrl } from './base-url';
import { MetricsClient } from './client';
import { DropCounter, ShedCounter, dropTotal } from './drops';
import { LogQueue } from './log-queue';
import { Sender } from './sender';
import { emptyStats, type PipelineSettings, type Stats } from './settings';

// Past half of either bound, new logs are queued without their bodies (most of a log's bytes, and of
// the worker's time to build it): the queue then drains faster than it fills in most overloads, the
// requests still count in ReadMe, and the other half is left for whole logs to be dropped only when
// even that does not hold.
const HIGH_WATER = 0.5;
const SHED_FOR_QUEUE = "bodies left out: the SDK's queue was over half full (the Metrics API slow or the app very busy)";
// bufferLength says when to send; a backlog (fast APIs, a slow Metrics API) goes out in larger
// batches, but never in one unbounded body.
const MAX_BATCH_LOGS = 1_000;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
// Calls start at least this far apart (or flushInterval, if shorter) unless a whole batch waits. A call
// costs about a millisecond of CPU whatever it carries (a compressor, a request, its answer, in code that
// runs too rarely to stay hot): at 10 calls a second that was most of the worker's CPU below 1,000 req/s
// (benchmarks/README.md, "The worker's cost per log"). flushInterval is the user's bound on a log's wait.
const MAX_SEND_SPACING_MS = 1_000;
// Calls to the Metrics API under way at once, while a backlog fills whole batches (as many as the
// client's connections). One at a time, throughput is a batch per round trip: at 1000 logs a batch and
// 70 ms a round trip (our collector, at 16k req/s on a 2-core machine) that is 14k logs/s, and a fifth
// of the logs of a busy node:http app were dropped with the Metrics API healthy.
const MAX_IN_FLIGHT = 4;

export interface PipelineEvents {
  onBaseUrl?(url: string): void;
}

/**
 * Raw captures in, batches to the Metrics API out: builds the HAR log, redacts it, serializes it once
 * into the queue's bytes (bounded by entries and bytes; past half of them, without bodies), and hands
 * batches to the Sender: one call at a time, up to MAX_IN_FLIGHT while a backlog fills whole batches.
 * Runs in the worker by default, on the main thread with backgroundWorkerMode: false.
 */
export class Pipeline {
  readonly stats: Stats = emptyStats();
  private readonly client: MetricsClient;
  private readonly redact: ReturnType<typeof createRedactor>;
  private readonly queue = new LogQueue();
  private building = new Set<Promise<void>>();
  private readonly sends = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private lastSendAt = -Infinity;
  private kickPending = false;
  private readonly queueFull: DropCounter;
  private readonly queueHigh: ShedCounter;
  private readonly sender: Sender;
  /** The batches being sent: their JSON until encoded (when it has bytes of its own), then their request bodies (see takeUnsent). */
  private readonly inFlight = new Set<{ json: Buffer | null; body: Buffer | null; count: number }>();

  constructor(
    private readonly settings: PipelineSettings,
    private readonly events: PipelineEvents = {},
    /** True with backgroundWorkerMode false: timers must not hold the app open, nor may gzip block it. */
    private readonly onAppThread = true,
    /** The process's drop total, shared with the app's thread when this runs in the worker. */
    dropped: BigInt64Array = dropTotal(false),
  ) {
    this.queueFull = new DropCounter('the queue is full', dropped);
    this.queueHigh = new ShedCounter('the queue is over half full', dropped);

    // In the worker, compressing inline is cheaper than a round trip through libuv's thread pool, and
    // blocks nobody; on the app's thread it must not block the event loop.
    this.client = new MetricsClient(settings.metricsServer, settings.apiKey ?? '', Math.round(settings.timeout * 1000), !onAppThread);
    this.redact = createRedactor(settings);
    this.sender = new Sender(this.client, settings, this.stats, dropped);
  }

  /** Starts the daily x-documentation-url base lookup when the user did not set baseLogUrl. */
  start(): void {
    const { apiKey, baseLogUrl, documentationUrlHeader, readmeApiUrl } = this.settings;
    if (!documentationUrlHeader || baseLogUrl || !apiKey) return;
    const cached = readCachedBaseUrl(apiKey, readmeApiUrl);
    if (cached) {
      this.events.onBaseUrl?.(cached);
      return;
    }
    const lookup = (): void => {
      this.client
        .lookupBaseUrl(readmeApiUrl)
        .then((url) => {
          if (!url) return debug('base URL lookup found no baseUrl; x-documentation-url left out');
          writeCachedBaseUrl(apiKey, readmeApiUrl, url);
          this.events.onBaseUrl?.(url);
        })
        .catch((err) => debug(`base URL lookup failed (${errorMessage(err)}); x-documentation-url left out`));
    };
    lookup();
    this.unref(setInterval(lookup, BASE_URL_TTL_MS));
  }

  add(raw: RawCapture): void {
    // A full queue (the Metrics API down or slow) drops the log before it is built: during an outage
    // the worker would otherwise build, redact and serialize every request only to throw it away,
    // a steady stream of garbage that grows its heap.
    // Every log is at least one byte, so this is the bound enqueue() applies to any log.
    if (this.overflows(1)) return this.dropOne();
    try {
      const shed = this.pastHighWater() && hasBody(raw);
      if (shed) {
        // Before building: decoding, parsing and redacting the bodies is most of a log's cost.
        raw.requestBody = raw.requestBody === null ? null : '';
        raw.responseBody = raw.responseBody === null ? null : '';
      }
      const caller = raw.group ? raw.group : findCaller(raw.requestHeaders, raw.url);
      const log = buildLog(raw, caller, this.settings);
      if (!(log instanceof Promise)) return this.finish(log, shed);
      const p: Promise<void> = log.then(
        (l) => this.finish(l, shed),
        (err) => this.buildFailed(err),
      );
      this.building.add(p);
      void p.finally(() => this.building.delete(p));
    } catch (err) {
      this.buildFailed(err);
    }
  }

  private finish(log: MetricsLog, shed: boolean): void {
    try {
      if (shed) withoutBodies(log, SHED_FOR_QUEUE);
      this.redact(log);
      if (this.enqueue(JSON.stringify(log)) && shed) {
        this.queueHigh.shed(1);
        this.stats.shed = this.queueHigh.total;
      }
    } catch (err) {
      this.buildFailed(err);
    }
  }

  /** Nothing queued, being built or being sent: the counters cannot change until more captures arrive. */
  get idle(): boolean {
    return this.queue.length === 0 && this.sends.size === 0 && this.building.size === 0;
  }

  /** Captures whose log is still being built (bodies decoded asynchronously), counted nowhere yet. */
  get inBuild(): number {
    return this.building.size;
  }

  /** A log already built and redacted (by the app's thread, in-process mode), handed over on exit. */
  addBuilt(json: string): void {
    this.enqueue(json);
  }

  /**
   * Takes what is not known to be delivered, for another thread to send when this one cannot (exit):
   * the queue, and the batches being sent (their logs, or their request bodies once encoded). Those may
   * have arrived already; their logs keep their _id, so a second copy is recognizable as one. `count`:
   * the logs in both.
   */
  takeUnsent(): { logs: string[]; bodies: Buffer[]; count: number } {
    const bodies: Buffer[] = [];
    let count = 0;
    for (const flight of this.inFlight) {
      const bytes = flight.body ?? flight.json;
      if (bytes) {
        bodies.push(bytes);
        count += flight.count;
      }
    }
    const logs = this.queue.takeAll();
    this.inFlight.clear();
    this.stats.pending = 0;
    return { logs, bodies, count: count + logs.length };
  }

  private buildFailed(err: unknown): void {
    this.stats.skipped++;
    warnOnce('build', `could not build a log (${errorMessage(err)}); that request was not logged`);
  }

  /** Whether one more log of `bytes` bytes would pass the queue's bound on entries or bytes. */
  private overflows(bytes: number): boolean {
    return this.queue.length >= this.settings.maxQueueEntries || this.queue.bytes + bytes > this.settings.maxQueueBytes;
  }

  /** Past the high-water mark: new logs go without their bodies. */
  private pastHighWater(): boolean {
    const { maxQueueEntries, maxQueueBytes } = this.settings;
    return this.queue.length >= maxQueueEntries * HIGH_WATER || this.queue.bytes >= maxQueueBytes * HIGH_WATER;
  }

  /** Queues a log's JSON; false when it was dropped. */
  private enqueue(json: string): boolean {
    if (this.overflows(1) || !this.queue.push(json, this.settings.maxQueueBytes)) {
      this.dropOne();
      return false;
    }
    this.stats.queued++;
    this.stats.pending = this.queue.length;
    // A whole batch goes out at once: a worker that was starved of CPU handles its backlog of handoffs
    // in one go, and waiting for the end of it before sending would fill the queue first.
    if (this.fillsABatch()) this.kick();
    else if (this.queue.length >= this.settings.bufferLength) this.kickSoon();
    else this.arm();
    return true;
  }

  private dropOne(): void {
    this.queueFull.drop(1);
    this.stats.dropped = this.queueFull.total;
  }

  /** Kicks after `delay` ms, or sooner if a kick is already due sooner. */
  private arm(delay = this.settings.flushInterval): void {
    const at = Date.now() + delay;
    if (this.timer) {
      if (this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = this.unref(
      setTimeout(() => {
        this.timer = null;
        this.kick();
      }, delay),
    );
  }

  /**
   * Captures arrive in batches (a worker message holds dozens): sending once they are all queued makes
   * one request of them instead of one per bufferLength logs, which is most of the per-log cost of
   * sending under load.
   */
  private kickSoon(): void {
    if (this.kickPending || this.sends.size >= MAX_IN_FLIGHT) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      this.kick();
    });
  }

  /**
   * Starts sending, unless the Metrics API asked us to back off, or (unless forced) the last send started
   * less than sendSpacing() ago. A second call at once only while a backlog fills whole batches (or
   * when flushing): without one it would only split what a single call carries.
   */
  private kick(force = false): void {
    while (this.queue.length > 0 && this.sends.size < MAX_IN_FLIGHT) {
      const backlog = force || this.fillsABatch();
      if (this.sends.size > 0 && !backlog) return;
      const now = Date.now();
      const wait = Math.max(this.sender.pausedUntil - now, backlog ? 0 : this.lastSendAt + this.sendSpacing() - now);
      if (wait > 0) return this.arm(wait);
      this.lastSendAt = now;
      const count = this.batchSize();
      // In the worker, gzip reads the batch before sendBatch() returns: a view of the queue's bytes is
      // enough. Otherwise (plain JSON, or gzip in libuv's pool) the body needs bytes of its own.
      const inline = !this.onAppThread && this.sender.compressing;
      const json = this.queue.take(count, !inline);
      this.stats.pending = this.queue.length;
      const flight = { json: inline ? null : json, body: null as Buffer | null, count };
      this.inFlight.add(flight);
      // sendBatch() counts every outcome itself; this only keeps a bug of ours from losing count.
      const sent = this.sender
        .sendBatch(json, count, (payload) => {
          flight.body = payload.bytes;
          flight.json = null;
        })
        .catch((err: unknown) => this.sender.failed(count, `internal error: ${errorMessage(err)}`));
      const p: Promise<void> = sent.finally(() => {
        this.inFlight.delete(flight);
        this.sends.delete(p);
        if (this.queue.length >= this.settings.bufferLength) this.kick();
        else if (this.queue.length > 0) this.arm();
      });
      this.sends.add(p);
    }
  }

  private sendSpacing(): number {
    return Math.min(MAX_SEND_SPACING_MS, this.settings.flushInterval);
  }

  /** A backlog: the queue holds at least one batch at its bound, so waiting would only let it grow. */
  private fillsABatch(): boolean {
    return this.queue.length >= MAX_BATCH_LOGS || this.queue.bytes >= MAX_BATCH_BYTES;
  }

  private batchSize(): number {
    const min = this.settings.bufferLength;
    let n = 0;
    while (n < this.queue.length && n < MAX_BATCH_LOGS) {
      if (n >= min && this.queue.bytesOfFirst(n + 1) > MAX_BATCH_BYTES) break;
      n++;
    }
    return n;
  }

  /**
   * Resolves when everything queued so far was sent (or failed), or at the deadline. `final`: the
   * process is ending, so retries from now on do not back off.
   */
  async flush(timeoutMs = 5_000, final = false): Promise<Stats> {
    if (final) this.sender.hurry = true;
    const work = (async () => {
      while (this.building.size > 0) await Promise.all([...this.building]);
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      while (this.queue.length > 0 || this.sends.size > 0) {
        if (this.sender.pausedUntil > Date.now()) break;
        this.kick(true);
        if (this.sends.size > 0) await Promise.race(this.sends);
      }
    })();
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise<void>((resolve) => (deadline = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(deadline);
    return { ...this.stats, pending: this.queue.length };
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => {});
  }

  private unref<T extends NodeJS.Timeout>(t: T): T {
    if (this.onAppThread) t.unref();
    return t;
  }
}

function hasBody(raw: RawCapture): boolean {
  return (raw.requestBody !== null && raw.requestBodySize > 0) || (raw.responseBody !== null && raw.responseBodySize > 0);
}
