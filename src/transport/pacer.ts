/**
 * Keeps the worker's bursts short while it keeps up. Linux's scheduler (EEVDF) lets a running thread
 * finish its slice, about 1.5 ms on a 2-core machine, before a thread that just woke on the same core
 * gets it. A handoff of twenty captures handled in one go is about a millisecond of work, so whatever
 * shares the worker's core (the app's own threads, a proxy, a neighbouring process) saw up to that much
 * added to a request now and then: the SDK's p99 at a moderate rate. Nice levels do not shorten a slice.
 *
 * So, at moderate rates, the worker sleeps briefly once it has worked for SLICE_MS: the core goes back
 * to whoever waits for it within a fraction of a millisecond. Not after every capture: each sleep is a
 * futex wait, a timer and a wake-up, several microseconds of CPU on a virtual machine (pausing after
 * every capture cost the worker 19 µs per request at 1,500 req/s, a third of its CPU).
 *
 * A pause costs the worker more than its sleep when the core is busy (it waits for the other thread's
 * slice), so it only pauses when there is room: for a handoff of moderate traffic (its batch took a
 * while to gather, i.e. a few thousand requests a second at most; see sink.ts) that reached it within
 * LAG_MS. Under heavy load it works flat out: a saturated app's latency is its own queue's, and dropping
 * logs to spare it a microsecond would be the wrong trade.
 */

/** How late a handoff may arrive (its age when the worker reads it) and still be paced. */
const LAG_MS = 25;
/** Atomics.wait's timeout: the kernel rounds it up by the thread's timer slack (50 µs by default). */
const PAUSE_MS = 0.02;
/** Work between pauses: a few captures, well under a scheduler slice. */
const SLICE_MS = 0.2;

export class Pacer {
  private readonly cell = new Int32Array(new SharedArrayBuffer(4));
  private paced = false;
  private sliceStart = 0;

  /** A handoff arrived that the app's thread sent at `sentAt` (its Date.now()), of moderate traffic or not. */
  arrived(sentAt: number, moderate: boolean): void {
    this.paced = moderate && Date.now() - sentAt <= LAG_MS;
    this.sliceStart = performance.now();
  }

  /** Whether pause() sleeps, for the captures of the last handoff. */
  get pausing(): boolean {
    return this.paced;
  }

  /**
   * Called after each capture: hands the core back for a moment once the slice is used up. A real
   * sleep, since the worker's event loop never yields the core mid-batch.
   */
  pause(): void {
    if (!this.paced || performance.now() - this.sliceStart < SLICE_MS) return;
    Atomics.wait(this.cell, 0, 0, PAUSE_MS);
    this.sliceStart = performance.now();
  }
}
