import type { PackedBatch } from './handoff';
import type { Stats } from './settings';

export type ToWorker =
  /**
   * sentAt: Date.now() on the app's thread; timed: handed off by the timer, not because the batch filled;
   * bytes: the batch's size as the app's thread counted it, added to the shared progress once handled.
   */
  | { type: 'captures'; batch: PackedBatch; sentAt: number; timed: boolean; bytes: number }
  | { type: 'flush'; id: number; timeoutMs: number };

export type FromWorker =
  | { type: 'baseUrl'; url: string }
  | { type: 'flushed'; id: number; stats: Stats }
  | { type: 'stats'; stats: Stats };

/** Slots of the shared progress counters: captures and bytes the worker has handled so far, modulo 2^32. */
export const HANDLED_CAPTURES = 0;
export const HANDLED_BYTES = 1;
