import { isUint8Array } from 'node:util/types';

/** Collects a body's chunks up to a byte cap while counting every byte that went by. */
export class BodyTap {
  private chunks: Buffer[] = [];
  captured = 0;
  size = 0;
  constructor(private readonly cap: number) {}

  add(chunk: unknown, encoding?: unknown): void {
    let buf: Buffer;
    if (typeof chunk === 'string') {
      buf = Buffer.from(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8');
    } else if (isUint8Array(chunk)) {
      buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    } else {
      return;
    }
    this.size += buf.length;
    const room = this.cap - this.captured;
    if (room <= 0) return;
    const kept = buf.length <= room ? buf : buf.subarray(0, room);
    this.chunks.push(kept);
    this.captured += kept.length;
  }

  get truncated(): boolean {
    return this.size > this.captured;
  }

  /**
   * One copy into memory that owns its ArrayBuffer, so it can be transferred to the worker
   * (a pooled Buffer shares its ArrayBuffer with unrelated data and must never be transferred).
   */
  take(): Uint8Array | null {
    if (this.size === 0) return null;
    const out = new Uint8Array(this.captured);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    this.chunks = [];
    return out;
  }
}
