import type { PackedBatch } from './handoff';
import type { Stats } from './settings';

export type ToWorker =
  | { type: 'captures'; batch: PackedBatch; sentAt: number }
  | { type: 'flush'; id: number; timeoutMs: number };

export type FromWorker =
  | { type: 'baseUrl'; url: string }
  | { type: 'flushed'; id: number; stats: Stats }
  | { type: 'stats'; stats: Stats };
