import { EventEmitter } from 'node:events';

export interface StoredLog {
  /** Arrival order, for clients that resume a live stream. */
  seq: number;
  receivedAt: number;
  /** The Authorization header the SDK sent, as received (for tests and the "who sent this" view). */
  auth: string | undefined;
  log: Record<string, unknown>;
}

/** The most recent logs, bounded: the oldest are evicted first. Emits 'log' for each new one. */
export class LogStore extends EventEmitter {
  private logs: StoredLog[] = [];
  private seq = 0;
  evicted = 0;

  constructor(readonly maxEntries = 5_000) {
    super();
  }

  add(log: Record<string, unknown>, auth: string | undefined, receivedAt = Date.now()): StoredLog {
    const stored: StoredLog = { seq: ++this.seq, receivedAt, auth, log };
    this.logs.push(stored);
    if (this.logs.length > this.maxEntries) {
      const over = this.logs.length - this.maxEntries;
      this.logs.splice(0, over);
      this.evicted += over;
    }
    this.emit('log', stored);
    return stored;
  }

  all(): readonly StoredLog[] {
    return this.logs;
  }

  since(seq: number): StoredLog[] {
    return this.logs.filter((l) => l.seq > seq);
  }

  clear(): void {
    this.logs = [];
  }

  get size(): number {
    return this.logs.length;
  }
}
