import type { RawCapture } from '../capture/raw-capture';
import type { Stats } from './settings';

export type ToWorker =
  | { type: 'captures'; items: RawCapture[] }
  | { type: 'flush'; id: number; timeoutMs: number };

export type FromWorker =
  | { type: 'baseUrl'; url: string }
  | { type: 'flushed'; id: number; stats: Stats }
  | { type: 'stats'; stats: Stats };
