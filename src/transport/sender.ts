import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { debug, errorMessage, warnOnce } from '../debug';
import type { MetricsLog } from '../har/types';
import { withoutBodies } from '../har/without-bodies';
import type { MetricsClient, Payload } from './client';
import { MinuteReport, ShedCounter } from './drops';
import type { PipelineSettings, Stats } from './settings';

/** Responses after which the contract says to stop sending for a while. */
const BACKOFF_STATUSES = new Set([401, 403, 429, 500, 503]);
const BACKOFF_MS = 15_000;
const MAX_ATTEMPTS = 3;
/** Answers worth another try: no answer at all (network, timeout), or the server's own trouble. */
const RETRY_STATUSES = new Set([0, 408, 502, 504]);
// While the process ends (a signal, exit) a retry waits this long instead of backing off: an unreachable
// Metrics API would otherwise add a second or more to every restart (seen on verdaccio: 1.2-1.8 s).
const FINAL_RETRY_MS = 50;
const SHED_FOR_SIZE = 'bodies left out: the Metrics API refused this log as too large (HTTP 413)';
const gunzipAsync = promisify(gunzip);

/**
 * Delivers batches to the Metrics API and adapts to its answers: retries what may pass on another
 * try, backs off when told to, splits what is too large, drops gzip when it is refused. Counts every
 * outcome in the pipeline's stats.
 */
export class Sender {
  /** Until when the Metrics API asked us to stop sending. */
  pausedUntil = 0;
  /** The process is ending: retries come quickly, still within the caller's deadline. */
  hurry = false;
  /** Turned off for good once the Metrics API refuses gzip. */
  private gzip: boolean;
  private readonly tooLarge: ShedCounter;
  private readonly failures = new MinuteReport((n) => `could not send ${n} log(s): ${this.lastFailure} (total failed: ${this.stats.failed})`);
  private lastFailure = '';

  constructor(
    private readonly client: MetricsClient,
    private readonly settings: PipelineSettings,
    private readonly stats: Stats,
    /** The process's totals of dropped and shed logs. */
    totals: BigInt64Array,
  ) {
    this.gzip = settings.compression === 'gzip';
    this.tooLarge = new ShedCounter('the Metrics API refused them as too large (HTTP 413)', totals);
  }

  /** Whether batches are gzipped now (until the Metrics API refuses it). */
  get compressing(): boolean {
    return this.gzip;
  }

  /**
   * Encodes and sends one batch, `json` (the bytes of a JSON array of `count` logs); every outcome is
   * counted in stats. `encoded` sees the request body once it exists, so it can still be sent by another
   * thread if the process exits. With inline gzip, `json` is read before this returns (see encode()).
   */
  async sendBatch(json: Buffer, count: number, encoded?: (payload: Payload) => void): Promise<void> {
    // Encoded once: retries resend the same bytes, and the uncompressed JSON (megabytes when a
    // backlog goes out) does not stay alive through the backoff.
    let payload: Payload;
    try {
      payload = await this.client.encode(json, this.gzip);
    } catch (err) {
      this.stats.failed += count;
      warnOnce('compress', `could not compress ${count} log(s): ${errorMessage(err)} (shown once)`);
      return;
    }
    encoded?.(payload);
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
      await sleep(this.hurry ? FINAL_RETRY_MS : 200 * 2 ** attempt * (0.5 + Math.random()));
    }
  }

  failed(count: number, reason: string): void {
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
      logs = JSON.parse((await jsonOf(payload)).toString('utf8')) as MetricsLog[];
    } catch (err) {
      return this.failed(count, `HTTP 413, and the batch could not be split (${errorMessage(err)})`);
    }
    if (logs.length === 1) {
      withoutBodies(logs[0], SHED_FOR_SIZE);
      this.tooLarge.shed(1);
      this.stats.shed = this.tooLarge.total;
      return this.deliver(await this.client.encode(Buffer.from(JSON.stringify(logs)), this.gzip), 1, true);
    }
    debug(`HTTP 413 for ${logs.length} log(s): sending them in two halves`);
    const mid = Math.ceil(logs.length / 2);
    for (const half of [logs.slice(0, mid), logs.slice(mid)]) {
      if (this.pausedUntil > Date.now()) {
        this.stats.failed += half.length;
        continue;
      }
      await this.deliver(await this.client.encode(Buffer.from(JSON.stringify(half)), this.gzip), half.length, false);
    }
  }
}

/** Whether an answer to a gzip body refuses the encoding: a 415, or a 400 that names it. */
function refusesGzip(status: number, body: string): boolean {
  return status === 415 || (status === 400 && /gzip|encod|compress/i.test(body));
}

/** A payload's JSON bytes, decompressed if need be. */
async function jsonOf(payload: Payload): Promise<Buffer> {
  return payload.gzip ? await gunzipAsync(payload.bytes) : payload.bytes;
}

/** An answer's text as it may appear in a warning: one line, no control characters. */
function printable(text: string): string {
  return text.replace(/\p{Cc}+/gu, ' ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
