import type { PackedBatch } from './handoff';
import type { Stats } from './settings';
import type { FromThread } from './threads';

export type ToWorker =
  /**
   * sentAt: Date.now() on the app's thread; moderate: the batch took a while to gather (moderate traffic,
   * see sink.ts), so the worker may pace it;
   * bytes: the batch's size as the app's thread counted it, added to the shared progress once handled;
   * from: one of the app's worker threads handed it over (threads.ts).
   */
  | { type: 'captures'; batch: PackedBatch; sentAt: number; moderate: boolean; bytes: number; from?: FromThread }
  /** final: the process is ending (a signal), see Pipeline.flush. */
  | { type: 'flush'; id: number; timeoutMs: number; final: boolean }
  /**
   * The process is exiting and the app's thread is blocked on `done` (Atomics.wait): queue `logs` and
   * the logs of `bodies` (request bodies of a batch that was being sent; both from the app's thread in
   * in-process mode), flush within timeoutMs, then set done[0] to 1 and notify.
   */
  | { type: 'exitFlush'; done: Int32Array; timeoutMs: number; logs: string[]; bodies: Uint8Array[] };

/** handled: captures the worker had taken in when it took this snapshot of its counters. */
export type FromWorker =
  | { type: 'baseUrl'; url: string }
  | { type: 'flushed'; id: number; stats: Stats; handled: number }
  | { type: 'stats'; stats: Stats; handled: number };

/** Slots of the shared progress counters: captures and bytes the worker has handled so far, modulo 2^32. */
export const HANDLED_CAPTURES = 0;
export const HANDLED_BYTES = 1;
