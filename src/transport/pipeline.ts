import type { RawCapture } from '../capture/raw-capture';
import { debug, errorMessage, warnOnce } from '../debug';
import { findCaller } from '../group/finder';
import { buildLog } from '../har/build';
import type { MetricsLog } from '../har/types';
import { createRedactor } from '../redact';
import { BASE_URL_TTL_MS, readCachedBaseUrl, writeCachedBaseUrl } from './base-url';
import { MetricsClient } from './client';
import { DropCounter, dropTotal } from './drops';
import { emptyStats, type PipelineSettings, type Stats } from './settings';

/** Responses after which the contract says to stop sending for a while. */
const BACKOFF_STATUSES = new Set([401, 403, 429, 500, 503]);
const BACKOFF_MS = 15_000;
const MAX_ATTEMPTS = 3;
// bufferLength says when to send; a backlog (fast APIs, a slow Metrics API) goes out in larger
// batches so one request at a time can keep up, but never in one unbounded body.
const MAX_BATCH_LOGS = 1_000;
const MAX_BATCH_CHARS = 4 * 1024 * 1024;
// Sends start at least this far apart while the queue is below a batch's bound. A send has a fixed
// cost (a compressor, a request, its response, and code that runs too rarely to be optimized) of a
// few hundred microseconds: at thousands of requests a second, batches of bufferLength would spend
// more on sending than on building the logs. Below bufferLength logs per interval nothing changes.
const SEND_SPACING_MS = 100;

export interface PipelineEvents {
  onBaseUrl?(url: string): void;
}

/**
 * Raw captures in, batches to the Metrics API out: builds the HAR log, redacts it, serializes it once,
 * keeps it in a queue bounded by entries and bytes, and sends batches one at a time.
 * Runs in the worker by default, on the main thread with backgroundWorkerMode: false.
 */
export class Pipeline {
  readonly stats: Stats = emptyStats();
  private readonly client: MetricsClient;
  private readonly redact: ReturnType<typeof createRedactor>;
  private queue: string[] = [];
  private queueBytes = 0;
  private building = new Set<Promise<void>>();
  private sending: Promise<void> | null = null;
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private lastSendAt = -Infinity;
  private kickPending = false;
  private readonly queueFull: DropCounter;
  /** The batch being sent: its logs until compressed, then its body (see takeUnsent). */
  private inFlight: { logs: string[]; body: Buffer | null } | null = null;

  constructor(
    private readonly settings: PipelineSettings,
    private readonly events: PipelineEvents = {},
    /** True with backgroundWorkerMode false: timers must not hold the app open, nor may gzip block it. */
    private readonly onAppThread = true,
    /** The process's drop total, shared with the app's thread when this runs in the worker. */
    dropped: BigInt64Array = dropTotal(false),
  ) {
    this.queueFull = new DropCounter('the queue is full', dropped);
    // In the worker, compressing inline is cheaper than a round trip through libuv's thread pool, and
    // blocks nobody; on the app's thread it must not block the event loop.
    this.client = new MetricsClient(settings.metricsServer, settings.apiKey ?? '', Math.round(settings.timeout * 1000), !onAppThread);
    this.redact = createRedactor(settings);
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
    // Every log is at least one character, so this is the bound enqueue() applies to any log.
    if (this.overflows(1)) return this.dropOne();
    try {
      const caller = raw.group ? raw.group : findCaller(raw.requestHeaders, raw.url);
      const log = buildLog(raw, caller, this.settings);
      if (!(log instanceof Promise)) return this.finish(log);
      const p: Promise<void> = log.then(
        (l) => this.finish(l),
        (err) => this.buildFailed(err),
      );
      this.building.add(p);
      void p.finally(() => this.building.delete(p));
    } catch (err) {
      this.buildFailed(err);
    }
  }

  private finish(log: MetricsLog): void {
    try {
      this.redact(log);
      this.enqueue(JSON.stringify(log));
    } catch (err) {
      this.buildFailed(err);
    }
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
   * the queue, and the batch being sent (its logs, or its request body once compressed). That batch
   * may have arrived already; its logs keep their _id, so a second copy is recognizable as one.
   */
  takeUnsent(): { logs: string[]; bodies: Buffer[] } {
    const logs = this.queue;
    const bodies: Buffer[] = [];
    if (this.inFlight?.body) bodies.push(this.inFlight.body);
    else if (this.inFlight) logs.unshift(...this.inFlight.logs);
    this.inFlight = null;
    this.queue = [];
    this.queueBytes = 0;
    this.stats.pending = 0;
    return { logs, bodies };
  }

  private buildFailed(err: unknown): void {
    this.stats.skipped++;
    warnOnce('build', `could not build a log (${errorMessage(err)}); that request was not logged`);
  }

  /** Whether one more log of `chars` characters would pass the queue's bound on entries or bytes. */
  private overflows(chars: number): boolean {
    return this.queue.length >= this.settings.maxQueueEntries || this.queueBytes + chars > this.settings.maxQueueBytes;
  }

  private enqueue(json: string): void {
    if (this.overflows(json.length)) {
      this.dropOne();
      return;
    }
    this.queue.push(json);
    this.queueBytes += json.length;
    this.stats.queued++;
    this.stats.pending = this.queue.length;
    if (this.queue.length >= this.settings.bufferLength) this.kickSoon();
    else this.arm();
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
    if (this.kickPending || this.sending) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      this.kick();
    });
  }

  /**
   * Starts sending, unless a send is under way, the Metrics API asked us to back off, or (unless forced)
   * the last send started less than SEND_SPACING_MS ago.
   */
  private kick(force = false): void {
    if (this.sending || this.queue.length === 0) return;
    const now = Date.now();
    const spacing = force || this.fillsABatch() ? 0 : this.lastSendAt + SEND_SPACING_MS - now;
    const wait = Math.max(this.pausedUntil - now, spacing);
    if (wait > 0) return this.arm(wait);
    this.lastSendAt = now;
    this.sending = this.drain(force).finally(() => {
      this.sending = null;
      if (this.queue.length >= this.settings.bufferLength) this.kick();
      else if (this.queue.length > 0) this.arm();
    });
  }

  /**
   * Sends a batch, then more right away only while a backlog fills whole batches (or when flushing):
   * what arrived during the send waits for the next kick, so sends stay SEND_SPACING_MS apart.
   */
  private async drain(force: boolean): Promise<void> {
    do {
      const batch = this.queue.splice(0, this.batchSize());
      for (const j of batch) this.queueBytes -= j.length;
      this.stats.pending = this.queue.length;
      this.inFlight = { logs: batch, body: null };
      await this.sendBatch(batch);
      this.inFlight = null;
    } while (this.queue.length > 0 && Date.now() >= this.pausedUntil && (force || this.fillsABatch()));
  }

  /** A backlog: the queue holds at least one batch at its bound, so waiting would only let it grow. */
  private fillsABatch(): boolean {
    return this.queue.length >= MAX_BATCH_LOGS || this.queueBytes >= MAX_BATCH_CHARS;
  }

  private batchSize(): number {
    const min = this.settings.bufferLength;
    let n = 0;
    let chars = 0;
    while (n < this.queue.length && n < MAX_BATCH_LOGS) {
      chars += this.queue[n].length;
      if (n >= min && chars > MAX_BATCH_CHARS) break;
      n++;
    }
    return n;
  }

  private async sendBatch(batch: string[]): Promise<void> {
    const count = batch.length;
    // Compressed once: retries resend the same bytes, and neither the logs nor their joined JSON
    // (megabytes when a backlog goes out) stay alive through the backoff.
    let body: Buffer;
    try {
      body = await this.client.compress(`[${batch.join(',')}]`);
    } catch (err) {
      this.stats.failed += count;
      warnOnce('compress', `could not compress ${count} log(s): ${errorMessage(err)} (shown once)`);
      return;
    }
    if (this.inFlight) this.inFlight.body = body;
    batch.length = 0;
    for (let attempt = 1; ; attempt++) {
      let status: number;
      let reason: string;
      try {
        const res = await this.client.sendCompressed(body);
        status = res.status;
        reason = `HTTP ${status}${res.body ? `: ${res.body.slice(0, 200)}` : ''}`;
      } catch (err) {
        status = 0;
        reason = errorMessage(err);
      }
      if (status >= 200 && status < 300) {
        this.stats.sent += count;
        debug(`sent ${count} log(s) to ${this.settings.metricsServer}`);
        return;
      }
      if (BACKOFF_STATUSES.has(status)) {
        this.pausedUntil = Date.now() + BACKOFF_MS;
        this.stats.failed += count;
        warnOnce(`status-${status}`, `the Metrics API answered ${reason}; pausing for 15 s (shown once)`);
        return;
      }
      const retryable = status === 0 || status >= 500;
      if (!retryable || attempt >= MAX_ATTEMPTS) {
        this.stats.failed += count;
        warnOnce(`send-${retryable ? 'network' : status}`, `could not send ${count} log(s): ${reason} (shown once)`);
        return;
      }
      await sleep(200 * 2 ** attempt * (0.5 + Math.random()));
    }
  }

  /** Resolves when everything queued so far was sent (or failed), or at the deadline. */
  async flush(timeoutMs = 5_000): Promise<Stats> {
    const work = (async () => {
      while (this.building.size > 0) await Promise.all([...this.building]);
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      while (this.queue.length > 0 || this.sending) {
        if (this.pausedUntil > Date.now()) break;
        this.kick(true);
        if (this.sending) await this.sending;
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
