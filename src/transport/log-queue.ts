// Logs wait to be sent as UTF-8 bytes in one reused buffer, each written once and followed by a comma,
// so a batch's request body is a slice of it with '[' and ']' put in place of two commas. Building each
// batch as one joined string, then its bytes, cost more CPU than building the logs (fresh 100 KB-4 MB
// allocations per batch); writing into a reused buffer costs a fraction of a microsecond per log.

/** A fresh buffer's size; the buffer grows (doubling) to what the queue holds at once. */
const INITIAL_BYTES = 256 * 1024;
/** Once empty, a buffer grown past this (a backlog) is let go, so its memory does not stay held. */
const KEEP_BYTES = 4 * 1024 * 1024;
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;

/**
 * A FIFO of serialized logs. Positions are virtual (they only grow); `base` is the virtual position of
 * the buffer's byte 0, moved when the queued bytes are compacted to the front.
 */
export class LogQueue {
  private arena: Buffer | null = null;
  private base = 0;
  /** Virtual start of the first queued log; the byte before it is free for a batch's '['. */
  private start = 1;
  /** Virtual end of what is written. */
  private end = 1;
  /** Virtual end of each queued log, after its comma; `ends[head]` is the first queued log's. */
  private ends: number[] = [];
  private head = 0;

  /** Logs queued. */
  get length(): number {
    return this.ends.length - this.head;
  }

  /** Bytes of the queued logs' JSON (their commas not counted). */
  get bytes(): number {
    return this.end - this.start - this.length;
  }

  /** Bytes of the first `n` queued logs' JSON. */
  bytesOfFirst(n: number): number {
    return n === 0 ? 0 : this.ends[this.head + n - 1] - this.start - n;
  }

  /** Writes a log's JSON at the end; false (nothing kept) when the queue would then hold over `maxBytes`. */
  push(json: string, maxBytes: number): boolean {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: room for that needs no measuring first.
    const arena = this.room(json.length * 3 + 1);
    const at = this.end - this.base;
    const written = arena.write(json, at);
    if (this.bytes + written > maxBytes) return false;
    arena[at + written] = COMMA;
    this.end += written + 1;
    this.ends.push(this.end);
    return true;
  }

  /**
   * Takes the first `n` logs as one JSON array's bytes. `copy` false: a view into the queue's buffer,
   * valid only until the next push (for a caller that reads it at once); true: bytes of its own.
   */
  take(n: number, copy: boolean): Buffer {
    const arena = this.arena!;
    const last = this.ends[this.head + n - 1];
    arena[this.start - 1 - this.base] = OPEN;
    arena[last - 1 - this.base] = CLOSE;
    const view = arena.subarray(this.start - 1 - this.base, last - this.base);
    const json = copy ? Buffer.from(view) : view;
    this.drop(n, last);
    return json;
  }

  /** Every queued log's JSON, emptying the queue (the exit path, where speed does not matter). */
  takeAll(): string[] {
    const logs: string[] = [];
    let from = this.start;
    for (let i = this.head; i < this.ends.length; i++) {
      logs.push(this.arena!.toString('utf8', from - this.base, this.ends[i] - 1 - this.base));
      from = this.ends[i];
    }
    if (logs.length) this.drop(logs.length, this.end);
    return logs;
  }

  private drop(n: number, last: number): void {
    this.head += n;
    this.start = last;
    if (this.head === this.ends.length) {
      this.ends.length = 0;
      this.head = 0;
      // Empty: the next log is written at the front again (byte 0 left for a '[').
      this.base = this.end - 1;
      if (this.arena && this.arena.length > KEEP_BYTES) this.arena = null;
    } else if (this.head > 1024 && this.head * 2 > this.ends.length) {
      this.ends.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The buffer, with at least `needed` bytes free after the end: compacted to the front or grown first. */
  private room(needed: number): Buffer {
    let arena = this.arena;
    const used = this.end - this.start + 1;
    if (arena && this.end - this.base + needed <= arena.length) return arena;
    if (!arena || used + needed > arena.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(INITIAL_BYTES, 2 * (arena?.length ?? 0), used + needed));
      if (arena) arena.copy(grown, 0, this.start - 1 - this.base, this.end - this.base);
      this.arena = arena = grown;
    } else {
      arena.copyWithin(0, this.start - 1 - this.base, this.end - this.base);
    }
    this.base = this.start - 1;
    return arena;
  }
}
