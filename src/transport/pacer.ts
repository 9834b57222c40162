/**
 * Keeps the worker's bursts short while it keeps up. Linux's scheduler (EEVDF) lets a running thread
 * finish its slice, about 1.5 ms on a 2-core machine, before a thread that just woke on the same core
 * gets it. A handoff of twenty captures handled in one go is about a millisecond of work, so whatever
 * shares the worker's core (the app's own threads, a proxy, a neighbouring process) saw up to that much
 * added to a request now and then: the SDK's p99 at a moderate rate. Nice levels do not shorten a slice.
 *
 * So the worker sleeps briefly after each capture: the core goes back to whoever waits for it within
 * one capture's work (tens of microseconds). Once the worker falls behind (a handoff reached it later
 * than LAG_MS after it was sent) it stops pausing and works flat out until it catches up: a saturated
 * app's latency is its own queue's, and dropping logs to save it a microsecond would be the wrong trade.
 */

/** How late a handoff may arrive (its age when the worker reads it) before the worker stops pausing. */
const LAG_MS = 25;
/** Atomics.wait's timeout: the kernel rounds it up by the thread's timer slack (50 µs by default). */
const PAUSE_MS = 0.02;

export class Pacer {
  private readonly cell = new Int32Array(new SharedArrayBuffer(4));
  private behind = false;

  /** A handoff arrived that the app's thread sent at `sentAt` (Date.now() there). */
  arrived(sentAt: number): void {
    this.behind = Date.now() - sentAt > LAG_MS;
  }

  /** Whether pause() sleeps: only while the worker keeps up. */
  get pausing(): boolean {
    return !this.behind;
  }

  /** Hands the core back for a moment; a real sleep, since the worker's own event loop never yields it mid-batch. */
  pause(): void {
    if (!this.behind) Atomics.wait(this.cell, 0, 0, PAUSE_MS);
  }
}
