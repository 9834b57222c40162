import type { RawCapture } from '../capture/raw-capture';

export interface PendingLimits {
  /** How long a grouping function may take (groupingTimeout). */
  timeoutMs: number;
  maxEntries: number;
  maxBytes: number;
}

/** A capture waiting for its grouping function; `raw` is let go once it settles or expires. */
interface Waiting {
  raw: RawCapture | null;
  since: number;
  bytes: number;
}

/**
 * Captures waiting for an async grouping function: bounded in time (one sweep timer over all of them,
 * not a timer per request) and in memory (they count against the queue's bounds). A function that never
 * answers holds nothing of ours past its deadline.
 */
export class PendingGroupings {
  // A Set keeps insertion order, which is start order: the sweep stops at the first one still in time.
  private readonly waiting = new Set<Waiting>();
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private idle: Array<() => void> = [];

  constructor(
    private readonly limits: () => PendingLimits,
    /** Called with how many expired in one sweep. */
    private readonly onExpired: (n: number) => void,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  /** Whether another capture may wait: those waiting count against the queue's bounds. */
  hasRoomFor(raw: RawCapture): boolean {
    const { maxEntries, maxBytes } = this.limits();
    return this.waiting.size < maxEntries && this.bytes + approximateBytes(raw) <= maxBytes;
  }

  /** Waits for `answer`; `done` runs only if it settles before the deadline. */
  wait(raw: RawCapture, answer: PromiseLike<unknown>, done: (raw: RawCapture, value: unknown) => void, failed: (err: unknown) => void): void {
    const w: Waiting = { raw, since: Date.now(), bytes: approximateBytes(raw) };
    this.waiting.add(w);
    this.bytes += w.bytes;
    this.arm();
    // The callbacks reach the capture only through `w`, so a promise that never settles keeps nothing alive.
    answer.then(
      (value) => {
        const r = this.release(w);
        if (r) done(r, value);
      },
      (err) => {
        if (this.release(w)) failed(err);
      },
    );
  }

  /** Resolves once nothing waits, or at `deadline` (Date.now() time). */
  settled(deadline: number): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      // Referenced: on a signal, the flush that waits here is what keeps the process alive until the
      // signal is re-raised. It ends by the deadline, or sooner as the sweep expires what waits.
      const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Lets go of everything waiting (the process ends): how many there were. Their answers, if any come, are ignored. */
  abandon(): number {
    const n = this.waiting.size;
    for (const w of [...this.waiting]) {
      this.waiting.delete(w);
      this.forget(w);
    }
    return n;
  }

  private release(w: Waiting): RawCapture | null {
    if (!this.waiting.delete(w)) return null;
    const raw = w.raw;
    this.forget(w);
    return raw;
  }

  private forget(w: Waiting): void {
    w.raw = null;
    this.bytes -= w.bytes;
    if (this.waiting.size > 0) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }

  /** A sweep a quarter of the deadline after the last one: each capture expires within 1.25x the deadline. */
  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.sweep(), Math.max(10, this.limits().timeoutMs / 4));
    this.timer.unref();
  }

  private sweep(): void {
    this.timer = null;
    const cutoff = Date.now() - this.limits().timeoutMs;
    let expired = 0;
    for (const w of this.waiting) {
      if (w.since > cutoff) break;
      this.waiting.delete(w);
      this.forget(w);
      expired++;
    }
    if (this.waiting.size > 0) this.arm();
    if (expired > 0) this.onExpired(expired);
  }
}

/**
 * What a capture holds, roughly: its strings and bodies, and about 600 bytes of objects (a waiting
 * capture measured 920 bytes of heap after GC for a GET with four headers). Runs on the app's thread,
 * only for async grouping functions.
 */
function approximateBytes(raw: RawCapture): number {
  const body = (b: RawCapture['requestBody']): number => (b === null ? 0 : typeof b === 'string' ? b.length : b.byteLength);
  let bytes = 600 + raw.url.length + (raw.responseHeaderBlock?.length ?? 0) + body(raw.requestBody) + body(raw.responseBody);
  for (const h of raw.requestHeaders) bytes += 16 + h.length;
  return bytes;
}
