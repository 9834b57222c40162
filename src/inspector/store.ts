import { EventEmitter } from 'node:events';

export interface StoredLog {
  /** Arrival order, for clients that resume a live stream. */
  seq: number;
  receivedAt: number;
  log: Record<string, unknown>;
}

/**
 * The most recent logs, bounded: the oldest are evicted first. One per _id: a batch the SDK sent again
 * after a call timed out (the first copy arrived, its answer did not) is not shown or counted twice.
 * Emits 'log' (StoredLog) for each new one and 'clear' when emptied.
 */
export class LogStore extends EventEmitter {
  private logs: StoredLog[] = [];
  private byId = new Map<string, StoredLog>();
  private seq = 0;
  evicted = 0;
  /** Copies of a log already held (same _id) that were not stored again. */
  duplicates = 0;

  constructor(readonly maxEntries = 5_000) {
    super();
    // SSE clients each listen; a busy dashboard must not trip the leak warning.
    this.setMaxListeners(0);
  }

  add(log: Record<string, unknown>, receivedAt = Date.now()): StoredLog {
    const held = this.copyOf(log);
    if (held) return held;
    const stored = this.push(log, receivedAt);
    this.emit('log', stored);
    return stored;
  }

  /** Puts back logs kept from an earlier run without announcing them as new. */
  restore(items: Iterable<{ log: Record<string, unknown>; receivedAt: number }>): void {
    for (const item of items) if (!this.copyOf(item.log)) this.push(item.log, item.receivedAt);
  }

  /** The log already held with this one's _id, counted as a duplicate; undefined for a new log. */
  private copyOf(log: Record<string, unknown>): StoredLog | undefined {
    const held = typeof log._id === 'string' ? this.byId.get(log._id) : undefined;
    if (held) this.duplicates++;
    return held;
  }

  all(): readonly StoredLog[] {
    return this.logs;
  }

  since(seq: number): StoredLog[] {
    if (seq <= 0) return this.logs.slice();
    // seq grows by one per log, so the first newer log sits at a computable index.
    const first = this.logs[0]?.seq ?? seq + 1;
    return this.logs.slice(Math.max(0, seq - first + 1));
  }

  get(id: string): StoredLog | undefined {
    return this.byId.get(id);
  }

  clear(): void {
    this.logs = [];
    this.byId.clear();
    this.emit('clear');
  }

  get size(): number {
    return this.logs.length;
  }

  private push(log: Record<string, unknown>, receivedAt: number): StoredLog {
    const stored: StoredLog = { seq: ++this.seq, receivedAt, log };
    this.logs.push(stored);
    if (typeof log._id === 'string') this.byId.set(log._id, stored);
    if (this.logs.length > this.maxEntries) {
      const over = this.logs.length - this.maxEntries;
      for (const old of this.logs.splice(0, over)) {
        const id = old.log._id;
        if (typeof id === 'string' && this.byId.get(id) === old) this.byId.delete(id);
      }
      this.evicted += over;
    }
    return stored;
  }
}
