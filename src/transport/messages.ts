import type { PackedBatch } from './handoff';
import type { Stats } from './settings';

export type ToWorker =
  /** sentAt: Date.now() on the app's thread; timed: handed off by the timer, not because the batch filled. */
  | { type: 'captures'; batch: PackedBatch; sentAt: number; timed: boolean }
  | { type: 'flush'; id: number; timeoutMs: number };

export type FromWorker =
  | { type: 'baseUrl'; url: string }
  | { type: 'flushed'; id: number; stats: Stats }
  | { type: 'stats'; stats: Stats };
