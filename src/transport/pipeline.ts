import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { RawCapture } from '../capture/raw-capture';
import { debug, errorMessage, warnOnce } from '../debug';
import { findCaller } from '../group/finder';
import { buildLog } from '../har/build';
import type { MetricsLog } from '../har/types';
import { withoutBodies } from '../har/without-bodies';
import { createRedactor } from '../redact';
import { BASE_URL_TTL_MS, readCachedBaseUrl, writeCachedBaseUrl } from './base-url';
import { MetricsClient, type Payload } from './client';
import { DropCounter, MinuteReport, ShedCounter, dropTotal } from './drops';
import { emptyStats, type PipelineSettings, type Stats } from './settings';

/** Responses after which the contract says to stop sending for a while. */
const BACKOFF_STATUSES = new Set([401, 403, 429, 500, 503]);
const BACKOFF_MS = 15_000;
const MAX_ATTEMPTS = 3;
/** Answers worth another try: no answer at all (network, timeout), or the server's own trouble. */
const RETRY_STATUSES = new Set([0, 408, 502, 504]);
// Past half of either bound, new logs are queued without their bodies (most of a log's bytes, and of
// the worker's time to build it): the queue then drains faster than it fills in most overloads, the
// requests still count in ReadMe, and the other half is left for whole logs to be dropped only when
// even that does not hold.
const HIGH_WATER = 0.5;
const SHED_FOR_QUEUE = "bodies left out: the SDK's queue was over half full (the Metrics API slow or the app very busy)";
const SHED_FOR_SIZE = 'bodies left out: the Metrics API refused this log as too large (HTTP 413)';
const gunzipAsync = promisify(gunzip);
// bufferLength says when to send; a backlog (fast APIs, a slow Metrics API) goes out in larger
// batches so one request at a time can keep up, but never in one unbounded body.
const MAX_BATCH_LOGS = 1_000;
const MAX_BATCH_CHARS = 4 * 1024 * 1024;
// Sends start at least this far apart while the queue is below a batch's bound. A send has a fixed
// cost (a compressor, a request, its response, and code that runs too rarely to be optimized) of a
// few hundred microseconds: at thousands of requests a second, batches of bufferLength would spend
// more on sending than on building the logs. Below bufferLength logs per interval nothing changes.
const SEND_SPACING_MS = 100;
// Calls to the Metrics API under way at once, while a backlog fills whole batches (as many as the
// client's connections). One at a time, throughput is a batch per round trip: at 1000 logs a batch and
// 70 ms a round trip (our collector, at 16k req/s on a 2-core machine) that is 14k logs/s, and a fifth
// of the logs of a busy node:http app were dropped with the Metrics API healthy.
const MAX_IN_FLIGHT = 4;

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
  private readonly sends = new Set<Promise<void>>();
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private lastSendAt = -Infinity;
  private kickPending = false;
  private readonly queueFull: DropCounter;
  private readonly queueHigh: ShedCounter;
  private readonly tooLarge: ShedCounter;
  private readonly failures = new MinuteReport((n) => `could not send ${n} log(s): ${this.lastFailure} (total failed: ${this.stats.failed})`);
  private lastFailure = '';
  /** Turned off for good once the Metrics API refuses gzip. */
  private gzip: boolean;

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
    this.tooLarge = new ShedCounter('the Metrics API refused them as too large (HTTP 413)', dropped);
    this.gzip = settings.compression === 'gzip';
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

  private buildFailed(err: unknown): void {
    this.stats.skipped++;
    warnOnce('build', `could not build a log (${errorMessage(err)}); that request was not logged`);
  }

  /** Whether one more log of `chars` characters would pass the queue's bound on entries or bytes. */
  private overflows(chars: number): boolean {
    return this.queue.length >= this.settings.maxQueueEntries || this.queueBytes + chars > this.settings.maxQueueBytes;
  }

  /** Past the high-water mark: new logs go without their bodies. */
  private pastHighWater(): boolean {
    const { maxQueueEntries, maxQueueBytes } = this.settings;
    return this.queue.length >= maxQueueEntries * HIGH_WATER || this.queueBytes >= maxQueueBytes * HIGH_WATER;
  }

  /** Queues a log's JSON; false when it was dropped. */
  private enqueue(json: string): boolean {
    if (this.overflows(json.length)) {
      this.dropOne();
      return false;
    }
    this.queue.push(json);
    this.queueBytes += json.length;
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
   * less than SEND_SPACING_MS ago. A second call at once only while a backlog fills whole batches (or
   * when flushing): without one it would only split what a single call carries.
   */
  private kick(force = false): void {
    while (this.queue.length > 0 && this.sends.size < MAX_IN_FLIGHT) {
      const backlog = force || this.fillsABatch();
      if (this.sends.size > 0 && !backlog) return;
      const now = Date.now();
      const wait = Math.max(this.pausedUntil - now, backlog ? 0 : this.lastSendAt + SEND_SPACING_MS - now);
      if (wait > 0) return this.arm(wait);
      this.lastSendAt = now;
      const batch = this.queue.splice(0, this.batchSize());
      for (const j of batch) this.queueBytes -= j.length;
      this.stats.pending = this.queue.length;
      const count = batch.length;
      // sendBatch() counts every outcome itself; this only keeps a bug of ours from losing count.
      const sent = this.sendBatch(batch).catch((err: unknown) => this.failed(count, `internal error: ${errorMessage(err)}`));
      const p: Promise<void> = sent.finally(() => {
        this.sends.delete(p);
        if (this.queue.length >= this.settings.bufferLength) this.kick();
        else if (this.queue.length > 0) this.arm();
      });
      this.sends.add(p);
    }
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
    // Encoded once: retries resend the same bytes, and neither the logs nor their joined JSON
    // (megabytes when a backlog goes out) stay alive through the backoff.
    let payload: Payload;
    try {
      payload = await this.client.encode(`[${batch.join(',')}]`, this.gzip);
    } catch (err) {
      this.stats.failed += count;
      warnOnce('compress', `could not compress ${count} log(s): ${errorMessage(err)} (shown once)`);
      return;
    }
    batch.length = 0;
    await this.deliver(payload, count, false);
  }

  /**
   * Sends one payload of `count` logs, retrying what may pass on another try. A 413 splits it (or, for
   * one log, sends it without its bodies); gzip refused sends it again as plain JSON, and so from then on.
   * `stripped`: a single log whose bodies were already left out, so a 413 ends it.
   */
  private async deliver(payload: Payload, count: number, stripped: boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let status: number;
      let reason: string;
      try {
        const res = await this.client.send(payload);
        status = res.status;
        reason = `HTTP ${status}${res.body ? `: ${printable(res.body.slice(0, 200))}` : ''}`;
        if (payload.gzip && refusesGzip(status, res.body)) {
          this.stopCompressing(reason);
          payload = await this.client.encode(await jsonOf(payload), false);
          attempt--;
          continue;
        }
      } catch (err) {
        status = 0;
        reason = (err as Error)?.name === 'TimeoutError' ? `no complete answer within ${this.settings.timeout} s (timeout)` : errorMessage(err);
      }
      if (status >= 200 && status < 300) {
        this.stats.sent += count;
        debug(`sent ${count} log(s) to ${this.settings.metricsServer}`);
        return;
      }
      if (status === 413 && !stripped) return this.split(payload, count);
      if (BACKOFF_STATUSES.has(status)) {
        this.pausedUntil = Date.now() + BACKOFF_MS;
        this.stats.failed += count;
        warnOnce(`status-${status}`, `the Metrics API answered ${reason}; pausing for 15 s (shown once)`);
        return;
      }
      const retryable = RETRY_STATUSES.has(status) || status >= 500;
      if (!retryable || attempt >= MAX_ATTEMPTS) return this.failed(count, reason);
      await sleep(200 * 2 ** attempt * (0.5 + Math.random()));
    }
  }

  private failed(count: number, reason: string): void {
    this.stats.failed += count;
    this.lastFailure = reason;
    this.failures.add(count);
  }

  /** The Metrics API refused gzip: plain JSON from now on, as ReadMe's own SDKs send it. */
  private stopCompressing(reason: string): void {
    this.gzip = false;
    warnOnce('gzip-refused', `the Metrics API refused a gzip body (${reason}); sending uncompressed JSON from now on (set compression: 'none' to skip the first try)`);
  }

  /**
   * A 413: the halves go out one after the other, each split again as long as it is refused; a single
   * log goes once more without its bodies. Only on this rare path is the batch parsed back.
   */
  private async split(payload: Payload, count: number): Promise<void> {
    let logs: MetricsLog[];
    try {
      logs = JSON.parse(await jsonOf(payload)) as MetricsLog[];
    } catch (err) {
      return this.failed(count, `HTTP 413, and the batch could not be split (${errorMessage(err)})`);
    }
    if (logs.length === 1) {
      withoutBodies(logs[0], SHED_FOR_SIZE);
      this.tooLarge.shed(1);
      this.stats.shed = this.tooLarge.total;
      return this.deliver(await this.client.encode(JSON.stringify(logs), this.gzip), 1, true);
    }
    debug(`HTTP 413 for ${logs.length} log(s): sending them in two halves`);
    const mid = Math.ceil(logs.length / 2);
    for (const half of [logs.slice(0, mid), logs.slice(mid)]) {
      if (this.pausedUntil > Date.now()) {
        this.stats.failed += half.length;
        continue;
      }
      await this.deliver(await this.client.encode(JSON.stringify(half), this.gzip), half.length, false);
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
      while (this.queue.length > 0 || this.sends.size > 0) {
        if (this.pausedUntil > Date.now()) break;
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

/** Whether an answer to a gzip body refuses the encoding: a 415, or a 400 that names it. */
function refusesGzip(status: number, body: string): boolean {
  return status === 415 || (status === 400 && /gzip|encod|compress/i.test(body));
}

/** A payload's JSON text, decompressed if need be. */
async function jsonOf(payload: Payload): Promise<string> {
  return (payload.gzip ? await gunzipAsync(payload.bytes) : payload.bytes).toString('utf8');
}

/** An answer's text as it may appear in a warning: one line, no control characters. */
function printable(text: string): string {
  return text.replace(/\p{Cc}+/gu, ' ');
}

function hasBody(raw: RawCapture): boolean {
  return (raw.requestBody !== null && raw.requestBodySize > 0) || (raw.responseBody !== null && raw.responseBodySize > 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
