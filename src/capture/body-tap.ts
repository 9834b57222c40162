import { isUint8Array } from 'node:util/types';
import type { CapturedBody } from './raw-capture';

const UTF8 = new Set([undefined, 'utf8', 'utf-8', 'UTF8', 'UTF-8']);

/**
 * Collects a body's chunks up to a byte cap while counting every byte that went by. Chunks are kept
 * as handed over, strings included: most bodies are one chunk, which is then passed on without a copy
 * or an encoding pass on the app's thread.
 */
export class BodyTap {
  private chunks: CapturedBody[] | null = null;
  captured = 0;
  size = 0;
  constructor(private readonly cap: number) {}

  add(chunk: unknown, encoding?: unknown): void {
    let piece: CapturedBody;
    let length: number;
    if (typeof chunk === 'string') {
      if (UTF8.has(encoding as string | undefined)) {
        piece = chunk;
        length = Buffer.byteLength(chunk, 'utf8');
      } else {
        piece = Buffer.from(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8');
        length = piece.length;
      }
    } else if (isUint8Array(chunk)) {
      piece = chunk;
      length = chunk.byteLength;
    } else {
      return;
    }
    if (length === 0) return;
    this.size += length;
    const room = this.cap - this.captured;
    if (room <= 0) return;
    if (length > room) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      piece = bytes.subarray(0, room);
      length = room;
    }
    if (this.chunks === null) this.chunks = [piece];
    else this.chunks.push(piece);
    this.captured += length;
  }

  get truncated(): boolean {
    return this.size > this.captured;
  }

  /** The captured bytes: the lone chunk itself when there was one, else one joined Buffer. */
  take(): CapturedBody | null {
    const chunks = this.chunks;
    if (chunks === null) return null;
    this.chunks = null;
    if (chunks.length === 1) return chunks[0];
    return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
  }
}

/** The tap of a body that never had a chunk: nothing is ever added to it (see Exchange). */
export const NO_BODY: BodyTap = new BodyTap(0);
